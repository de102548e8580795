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

import pandas as pd
from sklearn.base import BaseEstimator

from crowdcast.exceptions import ConfigError, NotFittedError, Problem
from crowdcast.profiles import SiteProfile
from crowdcast.schemas import History, make_rows

__all__ = [
    "FeaturePipeline",
    "FeatureTransformer",
    "ForecastData",
    "History",
    "make_rows",
]


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
