"""The feature framework: what a forecast may know, and transformers that compute it.

A forecast is made at an ``origin``: counts observed at timestamps before the
origin are known, later ones are not. Each row to predict is one
``(zone, origin, horizon)``; its ``timestamp`` (the target interval's start)
is ``origin + (horizon - 1) * freq``, so horizon 1 is the interval starting at
the origin (:func:`crowdcast.schemas.make_rows` builds them).

Transformers follow the scikit-learn contract (``__init__`` stores
parameters, ``fit`` checks them once and returns ``self``, learned state ends
in ``_``, ``get_params``/``set_params``/``clone`` work) with one addition:
``fit`` and ``transform`` take the :class:`~crowdcast.City` next to the rows,
because features of a row come from the history, the calendar and the
weather, not from the row alone. Column names are derived from parameters and
never depend on the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import pandas as pd
from sklearn.base import BaseEstimator

from crowdcast._city import City
from crowdcast._validation import Check, ParameterRules, Problems, check_is_fitted, fit_context
from crowdcast.exceptions import ConfigError

__all__ = ["FeatureTransformer", "FeatureUnion"]


class FeatureTransformer(BaseEstimator):
    """Base class: computes named feature columns for target rows.

    Subclasses implement :meth:`_transform` (and :meth:`_fit` if they learn
    anything) and :meth:`get_feature_names_out`, and name in ``_categorical``
    the columns whose values are codes rather than quantities.
    """

    #: Output columns holding codes (a holiday, a zone, a category): their
    #: order means nothing, so models should split them by value, not by rank.
    _categorical: tuple[str, ...] = ()

    @fit_context
    def fit(self, rows: pd.DataFrame, data: City) -> FeatureTransformer:
        """Check the parameters, learn what the columns need from the training rows."""
        self._fit(rows, data)
        self.n_features_out_ = len(self.get_feature_names_out())
        return self

    def _fit(self, rows: pd.DataFrame, data: City) -> None:
        """Learn state from training rows; most transformers learn nothing."""

    def transform(self, rows: pd.DataFrame, data: City) -> pd.DataFrame:
        """The feature columns of ``rows``, indexed like them."""
        check_is_fitted(self, "n_features_out_", call="fit(rows, data)")
        out = self._transform(rows, data)
        names = self.get_feature_names_out()
        if list(out.columns) != names:  # pragma: no cover - a programming error
            raise AssertionError(f"{type(self).__name__} produced {list(out.columns)}, not {names}")
        out.index = rows.index
        return out

    def fit_transform(self, rows: pd.DataFrame, data: City) -> pd.DataFrame:
        return self.fit(rows, data).transform(rows, data)

    def _transform(self, rows: pd.DataFrame, data: City) -> pd.DataFrame:
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


def _unique_step_names(steps: Any) -> bool:
    names = [name for name, _ in steps]
    return len(set(names)) == len(names)


def _steps_of_pairs(steps: Any) -> bool:
    return isinstance(steps, list | tuple) and all(
        isinstance(s, tuple) and len(s) == 2 and isinstance(s[0], str) for s in steps
    )


class FeatureUnion(FeatureTransformer):
    """Transformers side by side; their columns are concatenated in order.

    As scikit-learn's ``FeatureUnion``: every step sees the same rows and
    data, and ``get_params``/``set_params`` reach the steps by name
    (``union.set_params(calendar__country="NL")``, or a whole step with
    ``union.set_params(calendar=CalendarFeatures())``).

    Parameters
    ----------
    steps
        ``(name, transformer)`` pairs with distinct names.

    Examples
    --------
    >>> from crowdcast.features import HorizonFeature, OriginLags
    >>> union = FeatureUnion([("horizon", HorizonFeature()), ("lags", OriginLags(lags=(1,)))])
    >>> union.set_params(lags__lags=(1, 2)).get_feature_names_out()
    ['horizon', 'lag_origin_1', 'lag_origin_2']
    """

    _parameter_rules: ClassVar[ParameterRules] = {
        "steps": [
            Check(_steps_of_pairs, "a list of (name, transformer) pairs"),
        ]
    }

    def __init__(self, steps: Sequence[tuple[str, FeatureTransformer]]) -> None:
        self.steps = steps

    def _more_problems(self) -> Problems:
        found = Problems(error=ConfigError)
        if _steps_of_pairs(self.steps) and not _unique_step_names(self.steps):
            found.add("pipeline step names", "unique", ", ".join(name for name, _ in self.steps))
        return found

    @fit_context
    def fit(self, rows: pd.DataFrame, data: City) -> FeatureUnion:
        """Fit every step on the same rows; their column names must be distinct."""
        for _, step in self.steps:
            step.fit(rows, data)
        columns = self.get_feature_names_out()
        dupes = sorted({c for c in columns if columns.count(c) > 1})
        if dupes:
            found = Problems(error=ConfigError)
            found.add("feature names", "unique", ", ".join(dupes))
            found.raise_if_any()
        self.n_features_out_ = len(columns)
        return self

    def transform(self, rows: pd.DataFrame, data: City) -> pd.DataFrame:
        """Every step's columns side by side, in step order."""
        check_is_fitted(self, "n_features_out_", call="fit(rows, data)")
        parts = [step.transform(rows, data) for _, step in self.steps]
        return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=rows.index)

    def get_feature_names_out(self) -> list[str]:
        return [c for _, step in self.steps for c in step.get_feature_names_out()]

    def get_categorical_names_out(self) -> list[str]:
        return [c for _, step in self.steps for c in step.get_categorical_names_out()]

    def get_code_labels(self) -> dict[str, dict[int, str]]:
        return {c: m for _, step in self.steps for c, m in step.get_code_labels().items()}

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """``steps``, and with ``deep`` each step by name and its parameters as ``name__param``."""
        params: dict[str, Any] = {"steps": self.steps}
        if deep:
            for name, step in self.steps:
                params[name] = step
                for key, value in step.get_params(deep=True).items():
                    params[f"{name}__{key}"] = value
        return params

    def set_params(self, **params: Any) -> FeatureUnion:
        """Set ``steps``, replace a step by its name, or set ``name__param`` on a step.

        Unknown names raise a ``ValueError`` as in scikit-learn.
        """
        if "steps" in params:
            self.steps = params.pop("steps")
        names = [name for name, _ in self.steps]
        replaced = {key: params.pop(key) for key in list(params) if key in names}
        if replaced:
            self.steps = [(n, replaced.get(n, step)) for n, step in self.steps]
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, sep, sub = key.partition("__")
            if not sep or name not in names:
                raise ValueError(
                    f"Invalid parameter {key!r} for {type(self).__name__}. "
                    f"Valid parameters are: steps, the step names {names} and name__param."
                )
            nested.setdefault(name, {})[sub] = value
        for name, step in self.steps:
            if name in nested:
                step.set_params(**nested[name])
        return self
