"""A global LightGBM forecaster: one model across zones, direct multi-horizon, quantiles.

Design
------
- **Direct multi-horizon**: each training row is ``(zone, origin, horizon)``
  with features known at the origin (recent lags, seasonal lags that lie
  before the origin, rolling statistics, the seasonal profile) and features of
  the target interval (calendar, events, weather forecast issued before the
  origin, horizon). Nothing is fed back recursively, so errors cannot run away.
- **Global**: all zones in one model, with zone statics as features; zones with
  gaps simply have NaN features where the gap is.
- **Quantiles on the log scale**: one LightGBM quantile model per requested
  quantile, trained on ``log1p(count)``. Quantiles are equivariant under the
  monotone ``log1p``, so ``expm1`` of a log-scale quantile is the count
  quantile; the log scale puts a square of 50 people and a street of 5,000
  per hour on one footing (the count-aware choice for a global model of
  counts that span orders of magnitude). Predictions are sorted per row so
  quantiles never cross, and clipped at zero.
- **Point forecast**: ``q0.5``. With ``point="tweedie"`` the median column is
  replaced by a Tweedie (log-link, count-aware) model's prediction.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crowdcast.exceptions import ParameterError, Problem
from crowdcast.features._base import FeaturePipeline, ForecastData, History, make_rows
from crowdcast.models._base import BaseForecaster

__all__ = ["GBMForecaster"]

_DEFAULT_LGBM: dict[str, Any] = {
    "n_estimators": 200,
    "learning_rate": 0.08,
    "num_leaves": 31,
    "min_child_samples": 50,
    "max_bin": 127,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "verbose": -1,
}
_POINTS = ("quantile", "tweedie")


class GBMForecaster(BaseForecaster):
    """Global, direct multi-horizon LightGBM quantile forecaster.

    Parameters
    ----------
    horizon
        Number of intervals to forecast (24 = one day of hourly counts).
    quantiles
        Predictive quantiles; ``q0.5`` is the point forecast.
    features
        A :class:`~crowdcast.features.FeaturePipeline`; by default
        :func:`~crowdcast.features.default_features` for the site.
    point
        ``"quantile"`` (median model) or ``"tweedie"`` (count-aware mean model
        for the centre).
    origin_step
        Training origins every this many intervals (coprime with 24 so that all
        origin hours are seen); smaller is slower and rarely better.
    lgbm_params
        Overrides of the LightGBM parameters (``n_estimators``, ``num_leaves``...).
    random_state
        Seed for LightGBM's bagging.

    Examples
    --------
    >>> import crowdcast as cc
    >>> city = cc.make_city(zones=["station_square"], start="2024-01-01", end="2024-02-29")
    >>> model = cc.GBMForecaster(horizon=6, lgbm_params={"n_estimators": 20}).fit(
    ...     city.counts, site=city.site)
    >>> model.predict()[["zone", "horizon", "q0.1", "q0.5", "q0.9"]].shape
    (6, 5)
    """

    def __init__(
        self,
        *,
        horizon: int = 24,
        quantiles: tuple[float, ...] = (0.1, 0.5, 0.9),
        features: FeaturePipeline | None = None,
        point: str = "quantile",
        origin_step: int = 7,
        lgbm_params: dict[str, Any] | None = None,
        random_state: int = 0,
    ) -> None:
        self.horizon = horizon
        self.quantiles = quantiles
        self.features = features
        self.point = point
        self.origin_step = origin_step
        self.lgbm_params = lgbm_params
        self.random_state = random_state

    def _validate_params(self) -> None:
        super()._validate_params()
        problems = []
        if self.point not in _POINTS:
            problems.append(Problem("`point`", f"one of {', '.join(_POINTS)}", repr(self.point)))
        if not isinstance(self.origin_step, int) or self.origin_step < 1:
            problems.append(Problem("`origin_step`", "a positive integer", repr(self.origin_step)))
        if problems:
            raise ParameterError(problems, title="Invalid GBMForecaster parameters")

    # ------------------------------------------------------------------ fit

    def _pipeline(self, data: ForecastData, history: History) -> FeaturePipeline:
        if self.features is not None:
            from sklearn.base import clone

            return clone(self.features)
        from crowdcast.features import default_features

        return default_features(data.site, horizon=self.horizon, freq=history.freq)

    def _training_rows(self, history: History) -> pd.DataFrame:
        # leave room for the longest look-back (two weeks) before the first origin
        warmup = int(pd.Timedelta("14D") / history.freq)
        n_t = history.values.shape[1]
        positions = np.arange(warmup, n_t, self.origin_step)
        origins = history.start + pd.to_timedelta(positions * history.freq.value, unit="ns")
        rows = make_rows(history.zones, origins, np.arange(1, self.horizon + 1), history.freq)
        # keep rows whose target was observed
        z = history.zone_index(rows["zone"])
        pos = history.position(rows["timestamp"])
        inside = pos < n_t
        rows = rows[inside].reset_index(drop=True)
        y = history.values[z[inside], pos[inside]]
        rows["y"] = y
        return rows[~np.isnan(y)].reset_index(drop=True)

    def _fit(self, data: ForecastData, history: History) -> None:
        import lightgbm as lgb

        rows = self._training_rows(history)
        if rows.empty:
            raise ParameterError(
                [
                    Problem(
                        "the training counts",
                        "longer than two weeks plus the horizon",
                        f"{history.values.shape[1]} intervals",
                    )
                ]
            )
        self.features_ = self._pipeline(data, history)
        X = self.features_.fit_transform(rows.drop(columns="y"), data.with_grid(history))
        y = rows["y"].to_numpy()
        params = {**_DEFAULT_LGBM, **(self.lgbm_params or {}), "random_state": self.random_state}
        self.models_: dict[str, Any] = {}
        for q in sorted(self.quantiles):
            model = lgb.LGBMRegressor(objective="quantile", alpha=q, **params)
            model.fit(X, np.log1p(y))
            self.models_[f"q{q:g}"] = model
        if self.point == "tweedie":
            model = lgb.LGBMRegressor(objective="tweedie", tweedie_variance_power=1.2, **params)
            model.fit(X, y)
            self.models_["tweedie"] = model
        self.n_training_rows_ = len(rows)

    def _feature_names(self) -> list[str]:
        return list(self.features_.get_feature_names_out())

    # ------------------------------------------------------------------ predict

    def _design(self, rows: pd.DataFrame, data: ForecastData, history: History) -> pd.DataFrame:
        return self.features_.transform(rows, data.with_grid(history))

    def _predict(self, rows: pd.DataFrame, data: ForecastData, history: History) -> np.ndarray:
        X = self._design(rows, data, history)
        cols = [np.expm1(self.models_[f"q{q:g}"].predict(X)) for q in sorted(self.quantiles)]
        if self.point == "tweedie" and 0.5 in self.quantiles:
            cols[sorted(self.quantiles).index(0.5)] = self.models_["tweedie"].predict(X)
        return np.column_stack(cols)

    def explain(
        self,
        forecast: pd.DataFrame,
        *,
        data: ForecastData | None = None,
        top: int = 5,
        quantile: float = 0.5,
    ) -> pd.DataFrame:
        """The top feature contributions behind forecast rows (LightGBM's SHAP values).

        Returns one row per forecast row and feature among the ``top`` largest
        absolute contributions: ``zone, timestamp, horizon, feature, value,
        contribution`` where contributions are on the log1p scale of the
        ``quantile`` model and add up (with the ``bias`` row) to its prediction.
        """
        self._check_fitted()
        history = self.history_ if data is None else data.history()
        use = (
            data
            if data is not None
            else ForecastData(
                counts=pd.DataFrame(), events=self.events_, weather=self.weather_, site=self.site_
            )
        )
        rows = forecast[["zone", "origin", "horizon", "timestamp"]].reset_index(drop=True)
        X = self._design(rows, use, history)
        model = self.models_[f"q{quantile:g}"]
        contrib = model.predict(X, pred_contrib=True)
        names = [*X.columns, "bias"]
        n = contrib.shape[0]
        order = np.argsort(-np.abs(contrib[:, :-1]), axis=1)[:, :top]
        r = np.repeat(np.arange(n), order.shape[1])
        c = order.ravel()
        return pd.DataFrame(
            {
                "zone": rows["zone"].to_numpy()[r],
                "timestamp": rows["timestamp"].to_numpy()[r],
                "horizon": rows["horizon"].to_numpy()[r],
                "feature": np.asarray(names, dtype=object)[c],
                "value": X.to_numpy(dtype=float)[r, c],
                "contribution": contrib[r, c],
            }
        )
