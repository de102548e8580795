"""One interface for every forecaster, and the forecast contract it returns.

Every forecaster:

- stores its arguments in ``__init__`` and validates them in ``fit``
  (scikit-learn contract; learned state ends in ``_``);
- ``fit(counts, *, events=None, weather=None, site=None)`` learns from history
  and returns ``self``;
- ``predict(counts=None, *, origin=None, horizon=None, events=None,
  weather=None)`` forecasts horizons ``1..H`` from ``origin`` (default: the
  interval after the last observation) using only counts before the origin,
  the event calendar and weather forecasts issued at or before the origin;
- ``predict_rows(rows, data)`` does the same for many ``(zone, origin,
  horizon)`` rows at once (backtests);
- returns the forecast contract: ``zone, origin, timestamp, horizon`` and one
  column per quantile (``q0.1``, ``q0.5``, ``q0.9``), non-negative and never
  crossing, with the model's provenance in ``DataFrame.attrs["provenance"]``.

Subclasses implement ``_fit(data, history)`` and ``_predict(rows, data,
history) -> ndarray (n_rows, n_quantiles)``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from crowdcast._checks import positive_int
from crowdcast._version import __version__
from crowdcast.exceptions import NotFittedError, ParameterError, Problem
from crowdcast.features._base import ForecastData, History, make_rows
from crowdcast.privacy._purpose import check_purpose, validate_purpose
from crowdcast.profiles import SiteProfile
from crowdcast.schemas import as_utc, validate_counts

__all__ = [
    "BaseForecaster",
    "Provenance",
    "fingerprint",
    "quantile_column",
    "quantile_columns_of",
]


def quantile_column(q: float) -> str:
    """The forecast column of a quantile: ``0.1 -> 'q0.1'``.

    >>> quantile_column(0.9)
    'q0.9'
    """
    return f"q{q:g}"


def quantile_columns_of(df: pd.DataFrame, *, with_values: bool = False) -> dict[str, float]:
    """The ``q<tau>`` columns of a table and their ``tau``, by increasing ``tau``.

    With ``with_values`` only columns holding at least one value count (a
    model that does not produce a quantile leaves its column all NaN).

    >>> quantile_columns_of(pd.DataFrame(columns=["zone", "q0.9", "q0.1", "qty", "q1.5"]))
    {'q0.1': 0.1, 'q0.9': 0.9}
    """
    found: list[tuple[float, str]] = []
    for col in df.columns:
        if isinstance(col, str) and col.startswith("q"):
            try:
                tau = float(col[1:])
            except ValueError:
                continue
            if 0 < tau < 1 and (not with_values or df[col].notna().any()):
                found.append((tau, col))
    return {col: tau for tau, col in sorted(found)}


def fingerprint(df: pd.DataFrame | None) -> str | None:
    """A short, stable SHA-256 of a table's content (None for no table)."""
    if df is None:
        return None
    h = hashlib.sha256()
    h.update(",".join(map(str, df.columns)).encode())
    h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class Provenance:
    """What a fitted forecaster was based on; printed in reports and model cards."""

    model: str
    params: dict[str, Any]
    crowdcast_version: str
    fitted_at: str
    training_start: str
    training_end: str
    freq: str
    zones: tuple[str, ...]
    features: tuple[str, ...]
    data_fingerprints: dict[str, str | None]
    site: str | None
    purpose: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class BaseForecaster(BaseEstimator):
    """Shared plumbing of all forecasters. Not used directly."""

    horizon: int
    quantiles: Sequence[float]

    # ------------------------------------------------------------------ parameters

    def _validate_params(self) -> None:
        problems = []
        if not positive_int(self.horizon):
            problems.append(Problem("`horizon`", "a positive integer", repr(self.horizon)))
        qs = list(self.quantiles)
        if not qs or any(not 0 < q < 1 for q in qs) or len(set(qs)) != len(qs):
            problems.append(
                Problem("`quantiles`", "distinct probabilities strictly between 0 and 1", repr(qs))
            )
        if problems:
            raise ParameterError(problems, title=f"Invalid {type(self).__name__} parameters")

    @property
    def quantile_columns(self) -> list[str]:
        return [quantile_column(q) for q in sorted(self.quantiles)]

    # ------------------------------------------------------------------ fit

    def fit(
        self,
        counts: pd.DataFrame,
        *,
        events: pd.DataFrame | None = None,
        weather: pd.DataFrame | None = None,
        site: SiteProfile | None = None,
        purpose: str | None = None,
    ) -> BaseForecaster:
        """Learn from the counts history (and events, weather, site when the model uses them).

        ``purpose`` (from :data:`crowdcast.profiles.PURPOSES`) is recorded in the
        provenance; with a ``site`` every source of the kinds used must be declared for it.
        """
        self._validate_params()
        if purpose is not None:
            validate_purpose(purpose)
            if site is not None:
                used = [k for k, t in (("events", events), ("weather", weather)) if t is not None]
                check_purpose(site, purpose, kinds=["counts", *used])
        counts = validate_counts(counts, source="counts passed to fit", zones=_zone_ids(site))
        data = ForecastData(counts=counts, events=events, weather=weather, site=site)
        history = data.history()
        self.freq_ = history.freq
        self.zones_ = history.zones
        self.history_ = history
        self.events_, self.weather_, self.site_ = events, weather, site
        self._fit(data, history)
        self.provenance_ = Provenance(
            model=type(self).__name__,
            params={k: _plain(v) for k, v in self.get_params(deep=False).items()},
            crowdcast_version=__version__,
            fitted_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            training_start=str(history.start),
            training_end=str(history.end),
            freq=str(history.freq),
            zones=history.zones,
            features=tuple(self._feature_names()),
            data_fingerprints={
                "counts": fingerprint(counts),
                "events": fingerprint(events),
                "weather": fingerprint(weather),
            },
            site=site.id if site is not None else None,
            purpose=purpose,
        )
        return self

    def _fit(self, data: ForecastData, history: History) -> None:
        raise NotImplementedError

    def _feature_names(self) -> list[str]:
        return []

    # ------------------------------------------------------------------ predict

    def _check_fitted(self) -> None:
        if not hasattr(self, "provenance_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet. Call fit(counts, ...) first."
            )

    def predict(
        self,
        counts: pd.DataFrame | None = None,
        *,
        origin: Any = None,
        horizon: int | None = None,
        events: pd.DataFrame | None = None,
        weather: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Forecast every zone for horizons ``1..horizon`` from ``origin``.

        Parameters
        ----------
        counts
            History up to the origin (values at or after it are ignored);
            the training counts when omitted.
        origin
            Start of the first forecast interval; by default the interval
            after the last observation.
        horizon
            Number of intervals; the fitted ``horizon`` by default.
        events, weather
            The known-future calendar and weather (forecasts issued at or
            before the origin are used); the training ones when omitted.
        """
        self._check_fitted()
        history = (
            self.history_
            if counts is None
            else History.from_counts(
                validate_counts(counts, source="counts passed to predict"), self.freq_
            )
        )
        data = ForecastData(
            counts=pd.DataFrame(),  # the history grid below is used directly
            events=events if events is not None else self.events_,
            weather=weather if weather is not None else self.weather_,
            site=self.site_,
        ).with_grid(history)
        start = history.last_observed() + self.freq_ if origin is None else as_utc(origin, "origin")
        steps = self.horizon if horizon is None else horizon
        rows = make_rows(self.zones_, [start], np.arange(1, steps + 1), self.freq_)
        return self.predict_rows(rows, data, history=history)

    def predict_rows(
        self, rows: pd.DataFrame, data: ForecastData, *, history: History | None = None
    ) -> pd.DataFrame:
        """Forecast arbitrary ``(zone, origin, horizon, timestamp)`` rows."""
        self._check_fitted()
        hist = history if history is not None else data.history()
        values = np.asarray(self._predict(rows, data.with_grid(hist), hist), dtype=float)
        values = np.sort(np.clip(values, 0.0, None), axis=1)  # never negative, never crossing
        out = rows[["zone", "origin", "timestamp", "horizon"]].reset_index(drop=True)
        for j, col in enumerate(self.quantile_columns):
            out[col] = values[:, j]
        out.attrs["provenance"] = self.provenance_.to_dict()
        return out

    def _predict(self, rows: pd.DataFrame, data: ForecastData, history: History) -> np.ndarray:
        raise NotImplementedError


def _zone_ids(site: SiteProfile | None) -> tuple[str, ...] | None:
    return site.zone_ids if site is not None else None


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return repr(value)
