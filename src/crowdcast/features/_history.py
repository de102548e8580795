"""Features of the target's own history: lags, rolling windows, the weekly profile.

Every value is read at a grid position strictly before the row's origin:
point lookups go through :meth:`History.known`, window sums through
cumulative sums indexed at the origin (which add up only earlier intervals).
A lag that lands in a gap is NaN, never a shifted neighbour.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from crowdcast._city import City
from crowdcast._validation import ParameterRules, PositiveInt, check_params
from crowdcast.exceptions import DataValidationError, Problem
from crowdcast.features._base import FeatureTransformer
from crowdcast.features._common import (
    distinct_names,
    distinct_positive_ints,
    grid_positions,
    nan_median,
    pair_codes,
)
from crowdcast.schemas import WEEK, History

__all__ = ["OriginLags", "OriginRolling", "SeasonalProfile", "TargetLags"]

#: Statistics :class:`OriginRolling` computes, by name.
ROLLING_STATS = ("mean", "std", "min", "max")


class OriginLags(FeatureTransformer):
    """The counts just before the origin: ``lag_origin_{k}`` is the value at ``origin - k*freq``.

    The same for every horizon of an origin: the latest state of the zone.

    Parameters
    ----------
    lags
        Distinct positive numbers of intervals.

    Examples
    --------
    >>> from crowdcast.schemas import make_rows
    >>> ts = pd.date_range("2024-01-01", periods=6, freq="h", tz="UTC")
    >>> counts = pd.DataFrame({"zone": "a", "timestamp": ts, "count": [1.0, 2, 3, 4, 5, 6]})
    >>> rows = make_rows(["a"], [ts[3]], [1, 2], "h")
    >>> OriginLags(lags=(1, 2)).fit_transform(rows, City(counts))
       lag_origin_1  lag_origin_2
    0           3.0           2.0
    1           3.0           2.0
    """

    _parameter_rules: ClassVar[ParameterRules] = {"lags": [distinct_positive_ints("intervals")]}

    def __init__(self, *, lags: Sequence[int] = (1, 2, 3)) -> None:
        self.lags = lags

    def get_feature_names_out(self) -> list[str]:
        check_params(self)
        return [f"lag_origin_{k}" for k in self.lags]

    def _transform(self, rows: pd.DataFrame, data: City) -> pd.DataFrame:
        hist = data.history()
        z, _, o = grid_positions(rows, hist)
        codes, first = pair_codes(z, o)  # the same for every horizon of an origin
        z, o = z[first], o[first]
        return pd.DataFrame(
            {f"lag_origin_{k}": hist.known(z, o - k, o)[codes] for k in self.lags},
            index=rows.index,
        )


class TargetLags(FeatureTransformer):
    """Seasonal lags of the target: ``lag_target_{k}`` is the value at ``timestamp - k*freq``.

    NaN unless that interval lies before the origin (so ``lag_target_24`` of
    hourly data is known for horizons up to 24).

    Parameters
    ----------
    lags
        Distinct positive numbers of intervals.

    Examples
    --------
    >>> TargetLags(lags=(24, 168)).get_feature_names_out()
    ['lag_target_24', 'lag_target_168']
    """

    _parameter_rules: ClassVar[ParameterRules] = {"lags": [distinct_positive_ints("intervals")]}

    def __init__(self, *, lags: Sequence[int] = (24, 48, 168, 336)) -> None:
        self.lags = lags

    def get_feature_names_out(self) -> list[str]:
        check_params(self)
        return [f"lag_target_{k}" for k in self.lags]

    def _transform(self, rows: pd.DataFrame, data: City) -> pd.DataFrame:
        hist = data.history()
        z, t, o = grid_positions(rows, hist)
        return pd.DataFrame(
            {f"lag_target_{k}": hist.known(z, t - k, o) for k in self.lags}, index=rows.index
        )


class OriginRolling(FeatureTransformer):
    """Statistics of the ``w`` intervals before the origin: ``rolling_{stat}_{w}``.

    Missing intervals are ignored, but a window with fewer than half of its
    intervals observed gives NaN. Sums come from cumulative sums over the
    history grid, so each row costs O(1) whatever the window; ``min`` and
    ``max`` reduce sliding windows of the grid once per transform.

    Parameters
    ----------
    windows
        Distinct positive window lengths in intervals.
    stats
        Names among ``mean``, ``std`` (ddof 1), ``min``, ``max``. Functions
        are refused: a column name must say what it holds.

    Examples
    --------
    >>> OriginRolling(windows=(24,), stats=("mean", "max")).get_feature_names_out()
    ['rolling_mean_24', 'rolling_max_24']
    """

    _parameter_rules: ClassVar[ParameterRules] = {
        "windows": [distinct_positive_ints("intervals")],
        "stats": [
            distinct_names(
                ROLLING_STATS,
                hint="a function cannot name its column; subclass FeatureTransformer instead",
            )
        ],
    }

    def __init__(
        self, *, windows: Sequence[int] = (24, 168), stats: Sequence[str] = ("mean",)
    ) -> None:
        self.windows = windows
        self.stats = stats

    def get_feature_names_out(self) -> list[str]:
        check_params(self)
        return [f"rolling_{s}_{w}" for w in self.windows for s in self.stats]

    def _transform(self, rows: pd.DataFrame, data: City) -> pd.DataFrame:
        windows, stats = tuple(self.windows), tuple(self.stats)
        hist = data.history()
        z, _, o = grid_positions(rows, hist)
        codes, first = pair_codes(z, o)  # the same for every horizon of an origin
        z, o = z[first], o[first]
        sums = _CumulativeSums(hist.values, squares="std" in stats)
        out = {}
        for w in windows:
            n, s1, s2 = sums.window(z, o, w)
            enough = 2 * n >= w
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = s1 / n
                var = np.maximum(s2 - s1 * mean, 0.0) / (n - 1)
            for stat in stats:
                if stat == "mean":
                    value = mean
                elif stat == "std":
                    value = np.where(n > 1, np.sqrt(var), np.nan)
                else:
                    value = _window_extreme(
                        hist.values, z, o, w, np.fmin if stat == "min" else np.fmax
                    )
                out[f"rolling_{stat}_{w}"] = np.where(enough, value, np.nan)[codes]
        return pd.DataFrame(out, index=rows.index)


class _CumulativeSums:
    """Cumulative count, sum (and sum of squares) of observed values per zone.

    Column ``i`` adds up positions ``< i`` only, so reading it at an origin's
    position never sees the origin or anything after it.
    """

    def __init__(self, values: np.ndarray, *, squares: bool) -> None:
        observed = ~np.isnan(values)
        filled = np.where(observed, values, 0.0)
        self.n_t = values.shape[1]
        self.count = _prefix(observed.astype(np.float64))
        self.total = _prefix(filled)
        self.squares = _prefix(filled * filled) if squares else None

    def window(
        self, z: np.ndarray, o: np.ndarray, w: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Observed count, sum and sum of squares over positions ``[o - w, o)``."""
        hi = np.clip(o, 0, self.n_t)
        lo = np.clip(o - w, 0, self.n_t)
        n = self.count[z, hi] - self.count[z, lo]
        s1 = self.total[z, hi] - self.total[z, lo]
        s2 = self.squares[z, hi] - self.squares[z, lo] if self.squares is not None else s1
        return n, s1, s2


def _prefix(values: np.ndarray) -> np.ndarray:
    return np.concatenate([np.zeros((values.shape[0], 1)), np.cumsum(values, axis=1)], axis=1)


def _window_extreme(
    values: np.ndarray, z: np.ndarray, o: np.ndarray, w: int, reduce: np.ufunc
) -> np.ndarray:
    """Min or max (NaN-ignoring) over positions ``[o - w, o)`` for every row."""
    padded = np.pad(values, ((0, 0), (w, w)), constant_values=np.nan)
    # window j of the padded grid covers original positions [j - w, j)
    extreme = reduce.reduce(sliding_window_view(padded, w, axis=1), axis=2)
    return extreme[z, np.clip(o, 0, extreme.shape[1] - 1)]


class SeasonalProfile(FeatureTransformer):
    """The weekly profile of the target and how the last hours compare with it.

    ``profile_median_{weeks}w`` and ``profile_mean_{weeks}w`` summarise the
    values at ``timestamp - k * 7 days`` (``k = 1..weeks``) that lie before
    the origin, ignoring missing ones (NaN when none is known).
    ``recent_ratio_{recent}`` is the sum of the ``recent`` intervals just
    before the origin divided by the sum of their own profile medians, over
    the intervals where both are known, clipped to ``[0, 4]``: the live /
    typical scaling operational city systems apply. ``0 / 0`` (a quiet zone
    as quiet as usual) is 1; NaN when no interval has both.

    Weeks are counted in UTC intervals: in the weeks after a DST change the
    profile sits one local hour off.

    Parameters
    ----------
    weeks
        Number of past weeks in the profile.
    recent
        Number of intervals before the origin in the ratio.

    Examples
    --------
    >>> SeasonalProfile(weeks=4, recent=3).get_feature_names_out()
    ['profile_median_4w', 'profile_mean_4w', 'recent_ratio_3']
    """

    _parameter_rules: ClassVar[ParameterRules] = {
        "weeks": [PositiveInt()],
        "recent": [PositiveInt()],
    }

    def __init__(self, *, weeks: int = 4, recent: int = 3) -> None:
        self.weeks = weeks
        self.recent = recent

    def get_feature_names_out(self) -> list[str]:
        check_params(self)
        w = self.weeks
        return [f"profile_median_{w}w", f"profile_mean_{w}w", f"recent_ratio_{self.recent}"]

    def _transform(self, rows: pd.DataFrame, data: City) -> pd.DataFrame:
        hist = data.history()
        week = _intervals_per_week(hist)
        z, t, o = grid_positions(rows, hist)
        back = np.arange(1, self.weeks + 1) * week
        past = hist.known(z[:, None], t[:, None] - back, o[:, None])
        median = nan_median(past)
        n = np.count_nonzero(~np.isnan(past), axis=1)
        mean = np.where(n > 0, np.nansum(past, axis=1) / np.maximum(n, 1), np.nan)
        # the ratio depends on (zone, origin) only: compute it once per pair
        codes, first = pair_codes(z, o)
        ratio = self._recent_ratio(hist, z[first], o[first], back)[codes]
        names = self.get_feature_names_out()
        return pd.DataFrame(dict(zip(names, (median, mean, ratio), strict=True)), index=rows.index)

    def _recent_ratio(
        self, hist: History, z: np.ndarray, o: np.ndarray, back: np.ndarray
    ) -> np.ndarray:
        pos = o[:, None] - np.arange(1, self.recent + 1)  # (pairs, recent)
        live = hist.known(z[:, None], pos, o[:, None])
        typical = nan_median(hist.known(z[:, None, None], pos[..., None] - back, o[:, None, None]))
        both = ~np.isnan(live) & ~np.isnan(typical)
        num = np.where(both, live, 0.0).sum(axis=1)
        den = np.where(both, typical, 0.0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(den > 0, num / den, np.where(num > 0, np.inf, 1.0))
        return np.where(both.any(axis=1), np.clip(ratio, 0.0, 4.0), np.nan)


def _intervals_per_week(hist: History) -> int:
    week = WEEK
    if week % hist.freq != pd.Timedelta(0):
        raise DataValidationError(
            [
                Problem(
                    "the count interval",
                    "a divisor of one week for a weekly profile",
                    str(hist.freq),
                )
            ]
        )
    return int(week // hist.freq)
