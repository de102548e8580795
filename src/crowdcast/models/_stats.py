"""A statsmodels SARIMAX per zone: small data, interpretable coefficients.

Design
------
- **Log scale.** Each zone's model is fitted on ``log1p(count)``; the
  forecast's quantiles are Gaussian on that scale (``conf_int``) and mapped
  back with ``expm1``. A monotone transform maps quantiles to quantiles, so
  the columns are quantiles of the count.
- **Training window.** To stay fast, each zone is fitted on its most recent
  ``max_train`` of data (4 weeks by default: 672 hourly values, about two
  seconds per zone with the default orders), ending at its last observation.
  Missing values stay NaN (the state space model skips them), so gaps are
  fine. A zone with fewer than ``max(30, 2 x seasonal period)`` observed
  values in its window is not fitted and forecasts NaN (see ``results_``).
- **Forecasting from an origin** never refits: the fitted parameters are
  applied (``results.apply``, a Kalman filter pass) to the ``max_train``
  intervals before the origin, read from the counts through
  :meth:`History.known <crowdcast.features.History.known>`, and
  ``get_forecast(steps).conf_int(alpha)`` gives the quantiles. The forecast
  therefore depends only on the parameters, the window before the origin
  and the regressors, whichever origin (also inside the training range for
  backtests: the parameters are then in-sample, as for any model fitted
  once).
- **Regressors** (``exog``), built with vectorised lookups:

  ``event_attendance``
      ``log1p`` of the total expected attendance of the non-cancelled events
      of the zone active in the interval (overlapping it); an unknown
      attendance counts as 0. The event calendar is known in advance.
  ``precipitation_mm``
      Before the origin the observation (``issued_at`` NaT; mean over
      stations), from the origin on the latest forecast issued at or before
      the origin; 0 where neither is known. Weather is hourly, so an interval
      uses the hour it starts in.

  A regressor that is constant in a zone's training window (no events there,
  no weather given) is left out for that zone (``exog_used_``).
- statsmodels' estimation warnings are silenced inside ``fit``; whether
  each zone's optimiser converged is kept in ``converged_``.
- BLAS runs single-threaded inside ``fit`` and ``predict`` (``threadpoolctl``,
  restored afterwards): the Kalman filter multiplies tiny matrices, where
  BLAS threads only add overhead, up to 10x under load on a small machine.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from crowdcast._city import City
from crowdcast._validation import (
    Check,
    Choice,
    Duration,
    ParameterRules,
    PositiveInt,
    Problems,
)
from crowdcast.exceptions import ParameterError, format_message
from crowdcast.models._base import BaseForecaster
from crowdcast.schemas import HOUR_NS, History

__all__ = ["SarimaxForecaster"]

EXOG = ("event_attendance", "precipitation_mm")
#: Trends without time: forecasts filter a window before each origin, so time would restart.
_TRENDS = ("n", "c")


class _Regressors:
    """Event and weather regressors of one forecast call (see the module docstring)."""

    def __init__(
        self, events: pd.DataFrame | None, weather: pd.DataFrame | None, freq: pd.Timedelta
    ) -> None:
        self.step = freq.value
        self.events: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        if events is not None and len(events):
            ev = events
            if "status" in ev.columns:
                ev = ev[ev["status"] != "cancelled"]
            start = _ns(ev["start"])
            end = _ns(ev["end"])
            attendance = np.nan_to_num(ev["expected_attendance"].to_numpy(dtype=float))
            zone = ev["zone"].astype(str).to_numpy()
            for z in np.unique(zone):
                m = zone == z
                self.events[str(z)] = (start[m], end[m], attendance[m])
        self.observed = pd.Series(dtype=float)
        self.forecasts: pd.DataFrame | None = None
        self._issued: dict[int, pd.Series] = {}
        if weather is not None and len(weather) and "precipitation_mm" in weather.columns:
            issued = (
                weather["issued_at"]
                if "issued_at" in weather.columns
                else pd.Series(pd.NaT, index=weather.index)
            )
            is_obs = issued.isna().to_numpy()
            obs = weather[is_obs]
            self.observed = (
                pd.Series(
                    obs["precipitation_mm"].to_numpy(dtype=float), index=_ns(obs["timestamp"])
                )
                .groupby(level=0)
                .mean()
            )
            fc = weather[~is_obs]
            self.forecasts = pd.DataFrame(
                {
                    "timestamp": _ns(fc["timestamp"]),
                    "issued_at": _ns(issued[~is_obs]),
                    "precipitation_mm": fc["precipitation_mm"].to_numpy(dtype=float),
                }
            ).sort_values(["issued_at", "timestamp"], kind="stable")

    def attendance(self, zone: str, ts: np.ndarray) -> np.ndarray:
        if zone not in self.events:
            return np.zeros(ts.size)
        start, end, att = self.events[zone]
        active = (start[None, :] < ts[:, None] + self.step) & (end[None, :] > ts[:, None])
        return np.log1p(active.astype(float) @ att)

    def _forecast_at(self, origin: int) -> pd.Series:
        """Latest forecast issued at or before ``origin`` per hour (cached per origin)."""
        if origin not in self._issued:
            fc = self.forecasts
            if fc is None or fc.empty:
                self._issued[origin] = pd.Series(dtype=float)
            else:
                known = fc[fc["issued_at"].to_numpy() <= origin]
                latest = known.groupby(["timestamp", "issued_at"])["precipitation_mm"].mean()
                self._issued[origin] = latest.groupby(level=0).last()
        return self._issued[origin]

    def precipitation(self, ts: np.ndarray, origin: int) -> np.ndarray:
        hour = ts - ts % HOUR_NS
        past = ts < origin
        out = np.zeros(ts.size)
        if past.any() and len(self.observed):
            out[past] = self.observed.reindex(hour[past]).fillna(0.0).to_numpy()
        if (~past).any():
            fc = self._forecast_at(origin)
            if len(fc):
                out[~past] = fc.reindex(hour[~past]).fillna(0.0).to_numpy()
        return np.nan_to_num(out)

    def matrix(self, names: Sequence[str], zone: str, ts: np.ndarray, origin: int) -> np.ndarray:
        cols = [
            self.attendance(zone, ts) if n == "event_attendance" else self.precipitation(ts, origin)
            for n in names
        ]
        return np.column_stack(cols) if cols else np.empty((ts.size, 0))


def _ns(values: Any) -> np.ndarray:
    return np.asarray(pd.DatetimeIndex(values).as_unit("ns").asi8, dtype=np.int64)


def _orders(n: int) -> Any:
    """A test for ``n`` non-negative integers (booleans not)."""

    def ok(value: Any) -> bool:
        return (
            isinstance(value, tuple | list)
            and len(value) == n
            and all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in value)
            and all(v >= 0 for v in value)
        )

    return ok


def _seasonal_order(value: Any) -> bool:
    return bool(_orders(4)(value) and not (any(value[:3]) and value[3] < 2))


def _exog(value: Any) -> bool:
    exog = list(value) if isinstance(value, tuple | list) else None
    return exog is not None and all(e in EXOG for e in exog) and len(set(exog)) == len(exog)


class SarimaxForecaster(BaseForecaster):
    """A seasonal ARIMA with event and weather regressors per zone, on log counts.

    For small data and explanation: :meth:`summary` shows each zone's
    coefficients. See the module docstring for the training window, the
    regressors and how forecasts start from an origin without refitting.

    Parameters
    ----------
    horizon
        Number of intervals to forecast.
    quantiles
        Predictive quantiles (Gaussian on the log1p scale).
    order
        ``(p, d, q)`` of the ARIMA part.
    seasonal_order
        ``(P, D, Q, s)``; ``s`` = 24 is the daily cycle of hourly counts.
    exog
        Regressors, any of ``"event_attendance"`` and ``"precipitation_mm"``.
    max_train
        Length of each zone's training window and of the filtering window
        before an origin (``"28D"``).
    trend
        ``"c"`` (a level; the default) or ``"n"`` (none). Time trends are not
        offered: forecasts filter a window before each origin, where time
        would restart.
    maxiter
        Maximum optimiser iterations per zone (50 keeps a zone at about two
        seconds; ``converged_`` tells whether it sufficed).

    Attributes
    ----------
    results_
        Per zone the fitted statsmodels results, or None when the zone had too
        few observations or estimation failed (its forecasts are NaN).
    exog_used_
        Per zone the regressors in its model (constant ones are left out).
    converged_
        Per zone whether the optimiser converged.
    train_end_
        Per zone the end of its training window (after its last observation).
    n_train_
        Length of the training and filtering windows, in intervals.

    Examples
    --------
    >>> import crowdcast as cc
    >>> from crowdcast.models import SarimaxForecaster
    >>> city = cc.make_city(zones=["station_square"], start="2024-01-01", end="2024-01-14")
    >>> model = SarimaxForecaster(horizon=3, order=(1, 0, 0), seasonal_order=(0, 0, 0, 0),
    ...     max_train="7D").fit(city.counts, events=city.events, site=city.site)
    >>> model.predict()[["q0.1", "q0.5", "q0.9"]].shape
    (3, 3)
    """

    _parameter_rules: ClassVar[ParameterRules] = {
        "order": [Check(_orders(3), "three non-negative integers (p, d, q)")],
        "seasonal_order": [
            Check(
                _seasonal_order,
                "four non-negative integers (P, D, Q, s) with s >= 2 when P, D or Q is set",
                hint="e.g. (1, 0, 1, 24) for the daily cycle of hourly counts",
            )
        ],
        "exog": [Check(_exog, f"distinct names among {', '.join(EXOG)}")],
        "max_train": [Duration(expectation="a duration", hint="e.g. '28D'")],
        "trend": [Choice(_TRENDS)],
        "maxiter": [PositiveInt()],
    }

    def __init__(
        self,
        *,
        horizon: int = 24,
        quantiles: Sequence[float] = (0.1, 0.5, 0.9),
        order: tuple[int, int, int] = (1, 0, 1),
        seasonal_order: tuple[int, int, int, int] = (1, 0, 1, 24),
        exog: Sequence[str] = EXOG,
        max_train: str | pd.Timedelta = "28D",
        trend: str = "c",
        maxiter: int = 50,
    ) -> None:
        self.horizon = horizon
        self.quantiles = quantiles
        self.order = order
        self.seasonal_order = seasonal_order
        self.exog = exog
        self.max_train = max_train
        self.trend = trend
        self.maxiter = maxiter

    # ------------------------------------------------------------------ parameters

    def _train_window(self, freq: pd.Timedelta) -> int:
        """The training window ``max_train`` in intervals of ``freq`` (at least two)."""
        n_train = int(pd.Timedelta(self.max_train).value // freq.value)
        if n_train < 2:
            found = Problems(error=ParameterError, title="Invalid SarimaxForecaster parameters")
            found.add(
                "`max_train`",
                f"a duration of at least two intervals ({freq})",
                repr(self.max_train),
                hint="e.g. '28D'",
            )
            found.raise_if_any()
        return n_train

    def _feature_names(self) -> list[str]:
        return list(self.exog)

    # ------------------------------------------------------------------ fit

    def _fit(self, data: City, history: History) -> None:
        # Imported here, not at module level: statsmodels adds global warning filters
        # on import, which ``import crowdcast`` must not do. Imported before the
        # warnings context below, so that its filters do not override ours.
        import statsmodels.tsa.statespace.sarimax  # noqa: F401

        n_train = self._train_window(history.freq)
        self.n_train_ = n_train
        regressors = _Regressors(data.events, data.weather, history.freq)
        min_obs = max(30, 2 * int(self.seasonal_order[3]))
        self.results_: dict[str, Any] = {}
        self.exog_used_: dict[str, tuple[str, ...]] = {}
        self.train_end_: dict[str, pd.Timestamp] = {}
        self.converged_: dict[str, bool] = {}
        with warnings.catch_warnings(), threadpool_limits(1, user_api="blas"):
            warnings.simplefilter("ignore")
            for z, zone in enumerate(history.zones):
                self.results_[zone], self.exog_used_[zone] = None, ()
                self.converged_[zone] = False
                observed = np.flatnonzero(np.isfinite(history.values[z]))
                if observed.size == 0:
                    continue
                end = int(observed[-1]) + 1
                start = max(0, end - n_train)
                self.train_end_[zone] = history.start + end * history.freq
                if np.isfinite(history.values[z, start:end]).sum() < min_obs:
                    continue
                fitted = self._fit_zone(history, regressors, z, start, end)
                if fitted is not None:
                    res, self.exog_used_[zone] = fitted
                    self.results_[zone] = res
                    self.converged_[zone] = bool(res.mle_retvals.get("converged", False))

    def _fit_zone(
        self, history: History, regressors: _Regressors, z: int, start: int, end: int
    ) -> tuple[Any, tuple[str, ...]] | None:
        """Fit one zone on positions ``start:end``; None when estimation fails."""
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        zone = history.zones[z]
        y = np.log1p(history.values[z, start:end])
        ts = _grid_ns(history, np.arange(start, end))
        x_all = regressors.matrix(self.exog, zone, ts, int(_grid_ns(history, np.array([end]))[0]))
        keep = [j for j in range(x_all.shape[1]) if np.ptp(x_all[:, j]) > 0]
        names = tuple(self.exog[j] for j in keep)
        # pandas in, so that the summary names the coefficients
        x = pd.DataFrame(x_all[:, keep], columns=list(names)) if keep else None
        model = SARIMAX(
            pd.Series(y, name="log1p_count"),
            exog=x,
            order=tuple(self.order),
            seasonal_order=tuple(self.seasonal_order),
            trend=self.trend,
        )
        try:
            res = model.fit(disp=False, maxiter=int(self.maxiter))
        except (ValueError, np.linalg.LinAlgError):
            return None
        return (res, names) if np.isfinite(res.params).all() else None

    # ------------------------------------------------------------------ predict

    def _predict(self, rows: pd.DataFrame, data: City, history: History) -> np.ndarray:
        qs = sorted(self.quantiles)
        out = np.full((len(rows), len(qs)), np.nan)
        if len(rows) == 0:
            return out
        regressors = _Regressors(data.events, data.weather, history.freq)
        zone_idx = history.zone_index(rows["zone"])
        origin = history.position(rows["origin"])
        horizon = rows["horizon"].to_numpy(dtype=np.int64)
        keys, inverse = np.unique(np.stack([zone_idx, origin], axis=1), axis=0, return_inverse=True)
        inverse = np.asarray(inverse).ravel()
        order = np.argsort(inverse, kind="stable")
        groups = np.split(order, np.cumsum(np.bincount(inverse, minlength=len(keys)))[:-1])
        # one Kalman filter pass per (zone, origin), not per row
        with warnings.catch_warnings(), threadpool_limits(1, user_api="blas"):
            warnings.simplefilter("ignore")
            for (z, o), idx in zip(keys, groups, strict=True):
                res = self.results_.get(history.zones[z])
                if res is not None:
                    steps = int(horizon[idx].max())
                    table = self._forecast(res, history, regressors, int(z), int(o), steps, qs)
                    out[idx] = np.expm1(table[horizon[idx] - 1])
        return out

    def _forecast(
        self,
        res: Any,
        history: History,
        regressors: _Regressors,
        z: int,
        o: int,
        steps: int,
        qs: Sequence[float],
    ) -> np.ndarray:
        """Quantiles on the log1p scale, ``(steps, quantiles)``, from origin position ``o``."""
        zone = history.zones[z]
        window = np.arange(o - self.n_train_, o)
        y = np.log1p(history.known(np.asarray(z), window, np.asarray(o)))
        o_ns = int(_grid_ns(history, np.array([o]))[0])
        names = self.exog_used_[zone]
        x_past = regressors.matrix(names, zone, _grid_ns(history, window), o_ns)
        x_future = regressors.matrix(names, zone, _grid_ns(history, o + np.arange(steps)), o_ns)
        applied = res.apply(y, exog=x_past if names else None)  # filter only, no refit
        forecast = applied.get_forecast(steps, exog=x_future if names else None)
        columns = []
        for q in qs:
            if q == 0.5:
                columns.append(np.asarray(forecast.predicted_mean))
            else:
                ci = np.asarray(forecast.conf_int(alpha=2 * min(q, 1 - q)))
                columns.append(ci[:, 0] if q < 0.5 else ci[:, 1])
        return np.column_stack(columns)

    # ------------------------------------------------------------------ explain

    def summary(self, zone: str) -> str:
        """The statsmodels summary of one zone's fitted model, as text.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        ParameterError
            For a zone the model was not fitted on or could not be fitted for.
        """
        self._check_fitted()
        if zone not in self.results_:
            raise ParameterError(
                format_message("`zone`", f"one of {', '.join(self.results_)}", repr(zone))
            )
        res = self.results_[zone]
        if res is None:
            raise ParameterError(
                format_message(
                    "`zone`",
                    "a zone with a fitted model",
                    f"{zone!r}, which has too few observations in its training window",
                    hint="fit on more data or a longer max_train",
                )
            )
        return f"Zone {zone!r}, log1p counts\n{res.summary()}"


def _grid_ns(history: History, positions: np.ndarray) -> np.ndarray:
    return (
        history.start.as_unit("ns").value
        + np.asarray(positions, dtype=np.int64) * history.freq.value
    )
