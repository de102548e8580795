"""Baseline forecasters: seasonal naive, the operational profile x ratio, weekday x hour mean.

Every real model is reported next to these three (skill scores), so they are
simple, fast, fully vectorised over rows and impossible to leak: history is
read only through :meth:`History.known <crowdcast.features.History.known>`.

Decisions shared by the three baselines
---------------------------------------
Local time
    Crowds follow the local clock. When the site profile given to ``fit`` has
    a time zone, "the same time last week" and "the same weekday and time of
    day" are taken in local *wall-clock* time: every interval is numbered by
    its local wall-clock start (``floor(local time / freq)``) and a week back
    is ``7 * 24 h / freq`` wall-clock slots back, then mapped to the UTC grid.
    Across a DST switch the same local hour therefore sits 167 or 169 UTC
    hours back, not 168. A wall-clock slot that does not exist (spring forward,
    02:00-03:00 in Europe/Amsterdam) has no value and is skipped like a
    missing one; a slot that exists twice (autumn, 02:00-03:00) takes the
    first of the two. Without a site, all of this happens in UTC.
Quantiles
    Each baseline makes a point forecast ``p``. Its quantiles add empirical
    quantiles of in-sample errors on the ``log1p`` scale:
    ``q_tau = expm1(log1p(p) + Q_tau(log1p(y) - log1p(p)))``, i.e. they are
    multiplicative on ``1 + count``. Interval widths thus scale with the level
    (a square of 50 people and a street of 5,000 share one error distribution),
    the lower quantile can never go below zero, and ``q0.5`` includes the
    median error, a small bias correction. Errors come per zone and per horizon
    bucket (1, 2-3, 4-7, 8-15, ... intervals ahead; one bucket for
    :class:`WeekdayHourMean`), from forecasts the fitted model makes *inside*
    the training data: up to 100 pseudo-origins, spaced one day plus one
    interval apart (so every time of day is an origin) and ending at the end of
    the training data. A cell with fewer than 20 errors uses the zone's
    errors over all buckets, then all zones' errors; without any errors the
    quantiles equal the point forecast.
Missing values
    A zone without the history a forecast needs gets NaN for that row; a gap
    is skipped (see each class).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from crowdcast._city import City
from crowdcast._validation import Check, Duration, Interval, ParameterRules, PositiveInt
from crowdcast.exceptions import ParameterError, Problem
from crowdcast.models._base import BaseForecaster, interval_steps
from crowdcast.schemas import DAY_NS, History, make_rows

__all__ = ["ProfileRatio", "SeasonalNaive", "WeekdayHourMean"]

#: Pseudo-origins used to collect in-sample errors (the most recent ones).
_CALIBRATION_ORIGINS = 100
#: Fewest errors a (zone, horizon bucket) cell needs for its own quantiles.
_MIN_ERRORS = 20


# ----------------------------------------------------------------------------- local time


def _wall_slots(
    timestamps: pd.Series | pd.DatetimeIndex | np.ndarray, tz: str, step_ns: int
) -> np.ndarray:
    """Local wall-clock interval number of UTC timestamps: ``floor(local wall time / step)``."""
    idx = pd.DatetimeIndex(timestamps)
    if idx.tz is None:
        idx = idx.tz_localize("UTC")
    wall = idx.tz_convert(tz).tz_localize(None).as_unit("ns").asi8
    return np.asarray(wall // step_ns, dtype=np.int64)


@dataclass(frozen=True)
class _WallClock:
    """The grid position of every local wall-clock slot of a history (-1: none)."""

    first: int
    table: np.ndarray

    @classmethod
    def of(cls, history: History, tz: str) -> _WallClock:
        n = history.values.shape[1]
        wall = _wall_slots(history.times(np.arange(n)), tz, history.freq.value)
        uniq, first_pos = np.unique(wall, return_index=True)  # first of a repeated slot
        table = np.full(int(uniq[-1] - uniq[0]) + 1, -1, dtype=np.int64)
        table[uniq - uniq[0]] = first_pos
        return cls(first=int(uniq[0]), table=table)

    def positions(self, wall: np.ndarray) -> np.ndarray:
        idx = np.asarray(wall, dtype=np.int64) - self.first
        ok = (idx >= 0) & (idx < self.table.size)
        out = np.full(idx.shape, -1, dtype=np.int64)
        out[ok] = self.table[idx[ok]]
        return out


def _slots_per_day(freq: pd.Timedelta, name: str) -> int:
    if DAY_NS % freq.value:
        raise ParameterError(
            [
                Problem(
                    "the counting interval",
                    f"a divisor of one day for {name}",
                    str(freq),
                    hint="resample the counts to e.g. 15min or 1h",
                )
            ],
            title=f"Invalid {name} data",
        )
    return DAY_NS // freq.value


def _nanmedian(a: np.ndarray) -> np.ndarray:
    """Median over the last axis ignoring NaN (NaN when all are NaN), without warnings."""
    s = np.sort(a, axis=-1)  # NaN sort last
    n = np.isfinite(a).sum(axis=-1)
    lo = np.take_along_axis(s, np.maximum((n - 1) // 2, 0)[..., None], axis=-1)[..., 0]
    hi = np.take_along_axis(s, np.minimum(n // 2, a.shape[-1] - 1)[..., None], axis=-1)[..., 0]
    return np.where(n > 0, (lo + hi) / 2.0, np.nan)


# ----------------------------------------------------------------------------- error quantiles


def _bucket(horizon: np.ndarray, n_buckets: int) -> np.ndarray:
    """Horizon bucket ``floor(log2(h))``: 1 | 2-3 | 4-7 | 8-15 | ..., capped at the last."""
    h = np.maximum(np.asarray(horizon, dtype=np.int64), 1)
    b = np.floor(np.log2(h)).astype(np.int64)
    return np.minimum(b, n_buckets - 1)


def _error_quantiles(
    zone: np.ndarray,
    bucket: np.ndarray,
    error: np.ndarray,
    shape: tuple[int, int],
    quantiles: Sequence[float],
) -> np.ndarray:
    """Empirical error quantiles per (zone, bucket): shape ``(zones, buckets, quantiles)``."""
    qs = np.asarray(quantiles, dtype=float)
    n_zones, n_buckets = shape
    pooled = np.quantile(error, qs) if error.size else np.zeros(qs.size)
    out = np.empty((n_zones, n_buckets, qs.size))
    for z in range(n_zones):
        in_zone = zone == z
        zq = np.quantile(error[in_zone], qs) if in_zone.sum() >= _MIN_ERRORS else pooled
        for b in range(n_buckets):
            cell = in_zone & (bucket == b)
            out[z, b] = np.quantile(error[cell], qs) if cell.sum() >= _MIN_ERRORS else zq
    return out


class _EmpiricalQuantiles(BaseForecaster):
    """A point forecast with empirical log1p-error quantiles (see the module docstring)."""

    def _check_own_params(self, freq: pd.Timedelta) -> None:
        """Validate the subclass's own parameters (raise ParameterError)."""

    def _fit_point(self, data: City, history: History) -> None:
        """Learn what the point forecast needs (most baselines need nothing)."""

    def _point(self, rows: pd.DataFrame, history: History) -> np.ndarray:
        raise NotImplementedError

    def _warmup(self, freq: pd.Timedelta) -> int:
        """Intervals of history a point forecast needs to be complete."""
        return 0

    def _n_buckets(self) -> int:
        return int(np.floor(np.log2(self._fitted_horizon()))) + 1

    def _fit(self, data: City, history: History) -> None:
        self._check_own_params(history.freq)
        site = data.site
        self.timezone_ = (site.timezone if site is not None else "") or "UTC"
        self._fit_point(data, history)
        zone, horizon, error = self._calibration_errors(history)
        n_buckets = self._n_buckets()
        self.error_quantiles_ = _error_quantiles(
            zone,
            _bucket(horizon, n_buckets),
            error,
            (len(history.zones), n_buckets),
            sorted(self.quantiles),
        )

    def _calibration_errors(self, history: History) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """log1p errors of forecasts from pseudo-origins inside the training data."""
        n_t = history.values.shape[1]
        stride = DAY_NS // history.freq.value + 1
        horizon = self._fitted_horizon()
        candidates = np.arange(max(n_t - horizon, 1), 0, -stride)[:_CALIBRATION_ORIGINS][::-1]
        warm = candidates[candidates >= self._warmup(history.freq)]
        origins = warm if warm.size else candidates
        if origins.size == 0:
            empty = np.empty(0)
            return empty.astype(np.int64), empty.astype(np.int64), empty
        rows = make_rows(
            history.zones,
            history.times(origins),
            np.arange(1, horizon + 1),
            history.freq,
        )
        point = self._point(rows, history)
        zone = history.zone_index(rows["zone"])
        pos = history.position(rows["timestamp"])
        inside = pos < n_t
        actual = np.full(len(rows), np.nan)
        actual[inside] = history.values[zone[inside], pos[inside]]
        error = np.log1p(actual) - np.log1p(point)
        ok = np.isfinite(error)
        return zone[ok], rows["horizon"].to_numpy()[ok], error[ok]

    def _predict(self, rows: pd.DataFrame, data: City, history: History) -> np.ndarray:
        point = np.clip(self._point(rows, history), 0.0, None)
        zone = self.history_.zone_index(rows["zone"])
        bucket = _bucket(rows["horizon"].to_numpy(), self.error_quantiles_.shape[1])
        offsets = self.error_quantiles_[zone, bucket]
        return np.expm1(np.log1p(point)[:, None] + offsets)


# ----------------------------------------------------------------------------- SeasonalNaive


class SeasonalNaive(_EmpiricalQuantiles):
    """The latest known value one season (by default one week) before each target.

    For a target at local wall-clock time ``t`` the forecast is the count at
    ``t - season`` if that is before the origin and observed, else at
    ``t - 2 * season``, and so on: the latest known same-phase value. Gaps
    (missing counts, a nonexistent DST hour) fall back one more season; a
    zone without any same-phase value before the origin gets NaN. Seasons
    step in local wall-clock time when the site is known (see the module
    docstring), so "7D" is the same local hour a week earlier, also across
    DST.

    Parameters
    ----------
    horizon
        Number of intervals to forecast.
    quantiles
        Predictive quantiles (from in-sample log1p errors, see the module
        docstring).
    season
        Seasonal period, a multiple of the counting interval (``"7D"``,
        ``"1D"``, ``"24h"``).

    Attributes
    ----------
    error_quantiles_
        ``(zones, horizon buckets, quantiles)`` empirical quantiles of the
        in-sample log1p errors, added to ``log1p`` of the point forecast.
    timezone_
        The time zone seasons step in (the site's, else UTC).

    Examples
    --------
    >>> import crowdcast as cc
    >>> from crowdcast.models import SeasonalNaive
    >>> city = cc.make_city(zones=["station_square"], start="2024-01-01", end="2024-01-31")
    >>> model = SeasonalNaive(horizon=3).fit(city.counts, site=city.site)
    >>> model.predict().columns.tolist()
    ['zone', 'origin', 'timestamp', 'horizon', 'q0.1', 'q0.5', 'q0.9']
    """

    def __init__(
        self,
        *,
        horizon: int = 24,
        quantiles: Sequence[float] = (0.1, 0.5, 0.9),
        season: str | pd.Timedelta = "7D",
    ) -> None:
        self.horizon = horizon
        self.quantiles = quantiles
        self.season = season

    def _lookback(self) -> pd.Timedelta:
        return pd.Timedelta(self.season)

    def _season_steps(self, freq: pd.Timedelta) -> int:
        try:
            season = pd.Timedelta(self.season)
            ok = not pd.isna(season) and season > pd.Timedelta(0) and season.value % freq.value == 0
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ParameterError(
                [
                    Problem(
                        "`season`",
                        f"a positive multiple of the counting interval ({freq})",
                        repr(self.season),
                        hint="e.g. '7D' (same time last week) or '1D'",
                    )
                ],
                title="Invalid SeasonalNaive parameters",
            )
        return int(season.value // freq.value)

    def _check_own_params(self, freq: pd.Timedelta) -> None:
        self._season_steps(freq)

    def _warmup(self, freq: pd.Timedelta) -> int:
        return self._season_steps(freq)

    def _point(self, rows: pd.DataFrame, history: History) -> np.ndarray:
        season = self._season_steps(history.freq)
        clock = _WallClock.of(history, self.timezone_)
        zone = history.zone_index(rows["zone"])
        origin = history.position(rows["origin"])
        wall = _wall_slots(rows["timestamp"], self.timezone_, history.freq.value)
        out = np.full(len(rows), np.nan)
        todo = np.arange(len(rows))
        k = 1
        while todo.size:  # one pass per season back, over the rows still unresolved
            back = wall[todo] - k * season
            value = history.known(zone[todo], clock.positions(back), origin[todo])
            found = np.isfinite(value)
            out[todo[found]] = value[found]
            todo = todo[~found & (back >= clock.first)]
            k += 1
        return out


# ----------------------------------------------------------------------------- ProfileRatio


def _odd_weights(value: Any) -> bool:
    w = np.asarray(value, dtype=float)
    ok = w.ndim == 1 and w.size % 2 == 1 and np.isfinite(w).all() and (w >= 0).all()
    return bool(ok and w.sum() > 0)


class ProfileRatio(_EmpiricalQuantiles):
    """The operational city baseline: a weekly profile scaled by the live/profile ratio.

    For a target at local wall-clock slot ``t`` (weekday x time of day):

    1. the *profile* of a slot is the median of the counts at the same local
       weekday and time of day in the ``weeks`` most recent weeks before the
       origin (never the slot itself: a slot before the origin uses the weeks
       before it); missing values are skipped;
    2. it is smoothed over neighbouring time-of-day slots with the
       ``smoothing`` weights (``0.25 * P(t - 1) + 0.5 * P(t) + 0.25 * P(t + 1)``
       by default; across midnight into the neighbouring day; weights of
       slots without a profile are dropped and the rest renormalised);
    3. it is multiplied by the *ratio* of the observed counts to the smoothed
       profile over the ``window`` intervals before the origin (sums over the
       intervals where both are known), clipped to ``[0, cap]``; the ratio is
       1 when the profile sum is 0 or nothing is known.

    "Same weekday and time of day" is local wall-clock time when the site is
    known, else UTC (see the module docstring for DST). The ratio is computed
    once per zone and origin.

    Parameters
    ----------
    horizon
        Number of intervals to forecast.
    quantiles
        Predictive quantiles (from in-sample log1p errors, see the module
        docstring).
    weeks
        Number of weeks of the profile.
    window
        Intervals before the origin for the live/profile ratio: a number
        (3 = three hours of hourly counts) or a duration (``"3h"``, the same
        three hours at any counting interval).
    cap
        Upper bound of the ratio.
    smoothing
        Weights over neighbouring time-of-day slots, odd length and centred;
        ``(1.0,)`` switches smoothing off. Normalised to sum to one.

    Attributes
    ----------
    error_quantiles_
        ``(zones, horizon buckets, quantiles)`` empirical quantiles of the
        in-sample log1p errors, added to ``log1p`` of the point forecast.
    timezone_
        The time zone of "weekday and time of day" (the site's, else UTC).

    Examples
    --------
    >>> import crowdcast as cc
    >>> from crowdcast.models import ProfileRatio
    >>> city = cc.make_city(zones=["station_square"], start="2024-01-01", end="2024-03-31")
    >>> model = ProfileRatio(horizon=3).fit(city.counts, site=city.site)
    >>> model.predict()["horizon"].tolist()
    [1, 2, 3]
    """

    _parameter_rules: ClassVar[ParameterRules] = {
        "weeks": [PositiveInt()],
        "window": [
            PositiveInt(),
            Duration(expectation="a duration such as '3h'"),
        ],
        "cap": [Interval(0, None, closed="neither", expectation="a positive number")],
        "smoothing": [
            Check(
                _odd_weights,
                "an odd number of non-negative weights with a positive sum",
                hint="e.g. (0.25, 0.5, 0.25), or (1.0,) for no smoothing",
            )
        ],
    }

    def __init__(
        self,
        *,
        horizon: int = 24,
        quantiles: Sequence[float] = (0.1, 0.5, 0.9),
        weeks: int = 8,
        window: int = 3,
        cap: float = 4.0,
        smoothing: Sequence[float] = (0.25, 0.5, 0.25),
    ) -> None:
        self.horizon = horizon
        self.quantiles = quantiles
        self.weeks = weeks
        self.window = window
        self.cap = cap
        self.smoothing = smoothing

    def _check_own_params(self, freq: pd.Timedelta) -> None:
        _slots_per_day(freq, "ProfileRatio")

    def _lookback(self) -> pd.Timedelta:
        return pd.Timedelta(days=7 * int(self.weeks))

    def _warmup(self, freq: pd.Timedelta) -> int:
        return int(self.weeks) * 7 * (DAY_NS // freq.value) + self._window(freq)

    def _window(self, freq: pd.Timedelta) -> int:
        """The ratio's window in intervals (``"3h"`` of 15-minute counts: 12)."""
        return interval_steps(self.window, freq, "`window`")

    def _profile(
        self,
        history: History,
        clock: _WallClock,
        zone: np.ndarray,
        wall: np.ndarray,
        origin: np.ndarray,
        origin_wall: np.ndarray,
    ) -> np.ndarray:
        """Smoothed profile at wall-clock slots ``wall`` (any shape; the others broadcast)."""
        week = 7 * (DAY_NS // history.freq.value)
        weights = np.asarray(self.smoothing, dtype=float)
        half = weights.size // 2
        slots = wall[..., None] + np.arange(-half, half + 1)  # (..., m)
        # the most recent week back that lies before the origin (and is not the slot itself)
        k_first = np.maximum((slots - origin_wall[..., None]) // week + 1, 1)
        ks = k_first[..., None] + np.arange(int(self.weeks))  # (..., m, weeks)
        positions = clock.positions(slots[..., None] - ks * week)
        values = history.known(zone[..., None, None], positions, origin[..., None, None])
        medians = _nanmedian(values)  # (..., m)
        known = np.isfinite(medians)
        total = np.where(known, weights, 0.0).sum(axis=-1)
        weighted = np.where(known, medians * weights, 0.0).sum(axis=-1)
        safe = np.where(total > 0, total, 1.0)
        return np.where(total > 0, weighted / safe, np.nan)

    def _point(self, rows: pd.DataFrame, history: History) -> np.ndarray:
        step = history.freq.value
        tz = self.timezone_
        clock = _WallClock.of(history, tz)
        zone = history.zone_index(rows["zone"])
        origin = history.position(rows["origin"])
        origin_wall = _wall_slots(rows["origin"], tz, step)

        # the live/profile ratio, once per (zone, origin)
        keys, first, inverse = np.unique(
            np.stack([zone, origin], axis=1), axis=0, return_index=True, return_inverse=True
        )
        u_zone, u_origin, u_origin_wall = keys[:, 0], keys[:, 1], origin_wall[first]
        win = u_origin[:, None] - np.arange(1, self._window(history.freq) + 1)  # (u, window)
        win_wall = _wall_slots(history.times(win.ravel()), tz, step).reshape(win.shape)
        observed = history.known(u_zone[:, None], win, u_origin[:, None])
        profile = self._profile(
            history,
            clock,
            np.broadcast_to(u_zone[:, None], win.shape),
            win_wall,
            np.broadcast_to(u_origin[:, None], win.shape),
            np.broadcast_to(u_origin_wall[:, None], win.shape),
        )
        both = np.isfinite(observed) & np.isfinite(profile)
        num = np.where(both, observed, 0.0).sum(axis=1)
        den = np.where(both, profile, 0.0).sum(axis=1)
        ratio = np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0)
        ratio = np.clip(ratio, 0.0, float(self.cap))

        target = self._profile(
            history,
            clock,
            zone,
            _wall_slots(rows["timestamp"], tz, step),
            origin,
            origin_wall,
        )
        return target * ratio[np.asarray(inverse).ravel()]


# ----------------------------------------------------------------------------- WeekdayHourMean


class WeekdayHourMean(_EmpiricalQuantiles):
    """The mean count per zone x local weekday x local time of day over the training data.

    Learned once in ``fit``; the forecast ignores the origin and the counts
    passed to ``predict``. Only training data is used, so it cannot leak into
    origins after the training end; for backtest origins *inside* the
    training range the means include later data (as for any model fitted
    once). A weekday x time-of-day cell without data takes the zone's mean at
    that time of day over all weekdays, then the zone's overall mean.
    Quantiles come from the in-sample residuals per zone (all training
    intervals, one horizon bucket).

    Parameters
    ----------
    horizon
        Number of intervals to forecast.
    quantiles
        Predictive quantiles.

    Attributes
    ----------
    means_
        ``(zones, 7 x intervals per day)`` means, Monday 00:00 local first.
    error_quantiles_
        ``(zones, 1, quantiles)`` empirical quantiles of the in-sample log1p
        residuals.
    timezone_
        The time zone of weekday and time of day (the site's, else UTC).

    Examples
    --------
    >>> import crowdcast as cc
    >>> from crowdcast.models import WeekdayHourMean
    >>> city = cc.make_city(zones=["station_square"], start="2024-01-01", end="2024-01-31")
    >>> model = WeekdayHourMean(horizon=2).fit(city.counts, site=city.site)
    >>> model.means_.shape
    (1, 168)
    """

    def __init__(self, *, horizon: int = 24, quantiles: Sequence[float] = (0.1, 0.5, 0.9)) -> None:
        self.horizon = horizon
        self.quantiles = quantiles

    def _n_buckets(self) -> int:
        return 1

    def _slot_of_week(self, wall: np.ndarray, step: int) -> np.ndarray:
        per_day = DAY_NS // step
        day = wall // per_day  # local days since 1970-01-01, a Thursday
        return ((day + 3) % 7) * per_day + wall % per_day  # Monday 00:00 = 0

    def _fit_point(self, data: City, history: History) -> None:
        step = history.freq.value
        per_week = 7 * _slots_per_day(history.freq, "WeekdayHourMean")
        n_z, n_t = history.values.shape
        wall = _wall_slots(history.times(np.arange(n_t)), self.timezone_, step)
        slot = np.broadcast_to(self._slot_of_week(wall, step), (n_z, n_t))
        zone = np.broadcast_to(np.arange(n_z)[:, None], (n_z, n_t))
        ok = np.isfinite(history.values)
        cell = (zone * per_week + slot)[ok]
        total = np.bincount(cell, history.values[ok], minlength=n_z * per_week)
        count = np.bincount(cell, minlength=n_z * per_week).astype(float)
        total, count = total.reshape(n_z, per_week), count.reshape(n_z, per_week)
        per_day = per_week // 7
        day_total = total.reshape(n_z, 7, per_day).sum(axis=1)
        day_count = count.reshape(n_z, 7, per_day).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = total / count
            by_time = np.tile(day_total / day_count, 7)
            overall = total.sum(axis=1, keepdims=True) / count.sum(axis=1, keepdims=True)
        means = np.where(count > 0, means, by_time)
        means = np.where(np.isfinite(means), means, np.broadcast_to(overall, means.shape))
        self.means_ = means

    def _point(self, rows: pd.DataFrame, history: History) -> np.ndarray:
        step = history.freq.value
        zone = self.history_.zone_index(rows["zone"])
        wall = _wall_slots(rows["timestamp"], self.timezone_, step)
        return np.asarray(self.means_[zone, self._slot_of_week(wall, step)], dtype=float)

    def _calibration_errors(self, history: History) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """In-sample residuals over all training intervals (one horizon bucket)."""
        step = history.freq.value
        n_z, n_t = history.values.shape
        wall = _wall_slots(history.times(np.arange(n_t)), self.timezone_, step)
        fitted = self.means_[:, self._slot_of_week(wall, step)]
        error = np.log1p(history.values) - np.log1p(fitted)
        ok = np.isfinite(error)
        zone = np.broadcast_to(np.arange(n_z)[:, None], (n_z, n_t))[ok]
        return zone, np.ones(zone.size, dtype=np.int64), error[ok]
