"""The feature framework: what a forecast may know, target rows, and transformers.

A forecast is made at an ``origin``: counts observed at timestamps before the
origin are known, later ones are not. Each row to predict is one
``(zone, origin, horizon)``; its ``timestamp`` (the target interval's start)
is ``origin + (horizon - 1) * freq``, so horizon 1 is the interval starting at
the origin.

Transformers follow the scikit-learn contract (``__init__`` stores
parameters, ``fit`` returns ``self``, learned state ends in ``_``,
``get_params``/``clone`` work) with one addition: ``fit`` and ``transform``
take the :class:`ForecastData` next to the rows, because features of a row
come from the history, the calendar and the weather, not from the row alone.
Column names are derived from parameters and never depend on the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from crowdcast.exceptions import ConfigError, DataValidationError, NotFittedError, Problem
from crowdcast.profiles import SiteProfile
from crowdcast.schemas import as_timedelta, complete_grid, infer_freq

__all__ = [
    "FeaturePipeline",
    "FeatureTransformer",
    "ForecastData",
    "History",
    "make_rows",
]


@dataclass(frozen=True)
class History:
    """Counts as a dense ``zones x time`` array on one regular grid (NaN = missing).

    Lookups by position are O(1) and vectorised; :meth:`known` masks every
    value at or after a row's origin, which is how features stay leakage-free.
    """

    zones: tuple[str, ...]
    start: pd.Timestamp
    freq: pd.Timedelta
    values: np.ndarray = field(repr=False)

    @classmethod
    def from_counts(cls, counts: pd.DataFrame, freq: pd.Timedelta | None = None) -> History:
        """Build from a counts-contract frame (any completeness)."""
        step = freq if freq is not None else infer_freq(counts["timestamp"], by=counts["zone"])
        grid = complete_grid(counts, step)
        zones = tuple(sorted(grid["zone"].unique()))
        start = grid["timestamp"].min()
        end = grid["timestamp"].max()
        n_t = int((end - start) / step) + 1
        values = np.full((len(zones), n_t), np.nan)
        z_idx = pd.Index(zones).get_indexer(grid["zone"])
        t_idx = ((grid["timestamp"] - start) / step).to_numpy().astype(np.int64)
        values[z_idx, t_idx] = grid["count"].to_numpy(dtype=float)
        return cls(zones=zones, start=start, freq=step, values=values)

    @property
    def end(self) -> pd.Timestamp:
        """The start of the interval after the last one held."""
        return self.start + self.values.shape[1] * self.freq

    def times(self, positions: np.ndarray) -> pd.DatetimeIndex:
        """UTC timestamps of grid positions (the inverse of :meth:`position`)."""
        step = np.asarray(positions, dtype=np.int64) * self.freq.value
        return utc(self.start.as_unit("ns").value + step)

    def position(self, timestamps: pd.Series | pd.DatetimeIndex) -> np.ndarray:
        """Grid positions of timestamps (may be negative or beyond the end)."""
        ns = pd.DatetimeIndex(timestamps).as_unit("ns").asi8
        return (ns - self.start.as_unit("ns").value) // self.freq.value

    def zone_index(self, zones: pd.Series | np.ndarray) -> np.ndarray:
        idx = pd.Index(self.zones).get_indexer(pd.Index(np.asarray(zones)))
        if (idx < 0).any():
            unknown = sorted(set(np.asarray(zones)[idx < 0].astype(str)))
            raise DataValidationError(
                [
                    Problem(
                        "zones to forecast",
                        f"zones with history ({', '.join(self.zones)})",
                        ", ".join(repr(u) for u in unknown[:5]),
                        hint="fit on counts that include these zones",
                    )
                ]
            )
        return idx

    def known(self, zone_idx: np.ndarray, pos: np.ndarray, origin_pos: np.ndarray) -> np.ndarray:
        """Values at ``pos`` for each row, NaN where ``pos >= origin_pos`` or outside the grid."""
        pos = np.asarray(pos)
        ok = (pos >= 0) & (pos < self.values.shape[1]) & (pos < origin_pos)
        out = np.full(pos.shape, np.nan)
        out[ok] = self.values[np.broadcast_to(zone_idx, pos.shape)[ok], pos[ok]]
        return out

    def last_observed(self) -> pd.Timestamp:
        """The start of the last interval with an observation in any zone."""
        observed = np.flatnonzero(~np.isnan(self.values).all(axis=0))
        if observed.size == 0:
            raise DataValidationError(
                [Problem("counts", "at least one observed interval", "only missing values")]
            )
        return self.start + int(observed[-1]) * self.freq


@dataclass(frozen=True)
class ForecastData:
    """Everything a forecaster may read: counts, known-future events and weather, the site.

    ``weather`` holds observations (``issued_at`` NaT) and issued forecasts;
    features use, at an origin, only observations before it and forecasts
    issued at or before it.
    """

    counts: pd.DataFrame
    events: pd.DataFrame | None = None
    weather: pd.DataFrame | None = None
    site: SiteProfile | None = None
    freq: pd.Timedelta | None = None
    grid: History | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_city(cls, city: Any) -> ForecastData:
        """Take counts, events, weather and the site profile of a :class:`~crowdcast.City`."""
        return cls(
            counts=city.counts,
            events=city.events,
            weather=city.weather,
            site=city.site,
            freq=city.freq,
        )

    def history(self) -> History:
        """The counts as a :class:`History` grid (``grid`` when given, else built)."""
        return self.grid if self.grid is not None else History.from_counts(self.counts, self.freq)

    def with_grid(self, grid: History) -> ForecastData:
        """The same data with a prebuilt history grid (avoids re-gridding the counts)."""
        return replace(self, grid=grid, freq=grid.freq)


def utc(ns: np.ndarray) -> pd.DatetimeIndex:
    """Nanoseconds since the epoch as UTC timestamps."""
    return pd.DatetimeIndex(np.asarray(ns, dtype=np.int64).astype("datetime64[ns]")).tz_localize(
        "UTC"
    )


def make_rows(
    zones: Sequence[str],
    origins: Sequence[pd.Timestamp] | pd.DatetimeIndex,
    horizons: Sequence[int] | np.ndarray,
    freq: pd.Timedelta | str,
) -> pd.DataFrame:
    """All ``(zone, origin, horizon)`` combinations with their target ``timestamp``.

    Examples
    --------
    >>> rows = make_rows(["a"], [pd.Timestamp("2024-01-01", tz="UTC")], [1, 2], "1h")
    >>> rows["timestamp"].dt.hour.tolist()
    [0, 1]
    """
    step = as_timedelta(freq)
    origins = pd.DatetimeIndex(
        list(origins) if not isinstance(origins, pd.DatetimeIndex) else origins
    )
    horizons = np.asarray(horizons, dtype=np.int64)
    n_z, n_o, n_h = len(zones), len(origins), len(horizons)
    zone_col = np.repeat(np.asarray(zones, dtype=object), n_o * n_h)
    origin_col = np.tile(np.repeat(origins.as_unit("ns").asi8, n_h), n_z)
    horizon_col = np.tile(horizons, n_z * n_o)
    ts = origin_col + (horizon_col - 1) * step.value
    return pd.DataFrame(
        {
            "zone": pd.Series(zone_col, dtype="str"),
            "origin": utc(origin_col),
            "horizon": horizon_col,
            "timestamp": utc(ts),
        }
    )


class FeatureTransformer(BaseEstimator):
    """Base class: computes named feature columns for target rows.

    Subclasses implement :meth:`_transform` (and :meth:`_fit` if they learn
    anything) and :meth:`get_feature_names_out`, and name in ``_categorical``
    the columns whose values are codes rather than quantities.
    """

    #: Output columns holding codes (a holiday, a zone, a category): their
    #: order means nothing, so models should split them by value, not by rank.
    _categorical: tuple[str, ...] = ()

    def fit(self, rows: pd.DataFrame, data: ForecastData) -> FeatureTransformer:
        self._fit(rows, data)
        self.n_features_out_ = len(self.get_feature_names_out())
        return self

    def _fit(self, rows: pd.DataFrame, data: ForecastData) -> None:
        """Learn state from training rows; most transformers learn nothing."""

    def transform(self, rows: pd.DataFrame, data: ForecastData) -> pd.DataFrame:
        if not hasattr(self, "n_features_out_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet. Call fit(rows, data) first."
            )
        out = self._transform(rows, data)
        names = self.get_feature_names_out()
        if list(out.columns) != names:  # pragma: no cover - a programming error
            raise AssertionError(f"{type(self).__name__} produced {list(out.columns)}, not {names}")
        out.index = rows.index
        return out

    def fit_transform(self, rows: pd.DataFrame, data: ForecastData) -> pd.DataFrame:
        return self.fit(rows, data).transform(rows, data)

    def _transform(self, rows: pd.DataFrame, data: ForecastData) -> pd.DataFrame:
        raise NotImplementedError

    def get_feature_names_out(self) -> list[str]:
        raise NotImplementedError

    def get_categorical_names_out(self) -> list[str]:
        """The output columns that are codes, not quantities, in column order.

        :class:`~crowdcast.models.GBMForecaster` hands them to LightGBM as
        categorical features, so that one split can single out Christmas or
        one zone instead of a range of arbitrary code numbers. Negative codes
        (a zone or category not seen in ``fit``) count as missing.
        """
        return [c for c in self.get_feature_names_out() if c in self._categorical]

    def get_code_labels(self) -> dict[str, dict[int, str]]:
        """What each code of the categorical columns stands for, after ``fit``.

        ``{column: {code: label}}``, e.g. ``{"holiday": {0: "none", 3:
        "Christmas Day"}}``; :meth:`GBMForecaster.explain
        <crowdcast.models.GBMForecaster.explain>` shows these labels next to
        the codes.
        """
        return {}


class FeaturePipeline(FeatureTransformer):
    """Transformers side by side; their columns are concatenated in order.

    Parameters
    ----------
    steps
        ``(name, transformer)`` pairs, as in scikit-learn.
    """

    def __init__(self, steps: Sequence[tuple[str, FeatureTransformer]]) -> None:
        self.steps = steps

    def _check(self) -> None:
        names = [n for n, _ in self.steps]
        if len(set(names)) != len(names):
            raise ConfigError([Problem("pipeline step names", "unique", ", ".join(names))])

    def fit(self, rows: pd.DataFrame, data: ForecastData) -> FeaturePipeline:
        self._check()
        for _, step in self.steps:
            step.fit(rows, data)
        columns = self.get_feature_names_out()
        dupes = sorted({c for c in columns if columns.count(c) > 1})
        if dupes:
            raise ConfigError([Problem("feature names", "unique", ", ".join(dupes))])
        self.n_features_out_ = len(columns)
        return self

    def transform(self, rows: pd.DataFrame, data: ForecastData) -> pd.DataFrame:
        if not hasattr(self, "n_features_out_"):
            raise NotFittedError(
                "This FeaturePipeline is not fitted yet. Call fit(rows, data) first."
            )
        parts = [step.transform(rows, data) for _, step in self.steps]
        return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=rows.index)

    def get_feature_names_out(self) -> list[str]:
        return [c for _, step in self.steps for c in step.get_feature_names_out()]

    def get_categorical_names_out(self) -> list[str]:
        return [c for _, step in self.steps for c in step.get_categorical_names_out()]

    def get_code_labels(self) -> dict[str, dict[int, str]]:
        return {c: m for _, step in self.steps for c, m in step.get_code_labels().items()}

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        params: dict[str, Any] = {"steps": self.steps}
        if deep:
            for name, step in self.steps:
                params[name] = step
                for key, value in step.get_params(deep=True).items():
                    params[f"{name}__{key}"] = value
        return params
