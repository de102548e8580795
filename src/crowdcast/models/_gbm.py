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
- **Codes as categories**: the pipeline's code columns (the zone, the
  holiday, the event category; ``get_categorical_names_out()``) are
  LightGBM categorical features, so one split can single out Christmas Day
  or a zone instead of a range of arbitrary code numbers. On Melbourne this
  lowered December's MASE by about 5 % (see ``benchmarks/README.md``).
- **Quantiles on the log scale**: one LightGBM quantile model per requested
  quantile, trained on ``log1p(count)``. Quantiles are equivariant under the
  monotone ``log1p``, so ``expm1`` of a log-scale quantile is the count
  quantile; the log scale puts a square of 50 people and a street of 5,000
  per hour on one footing (the count-aware choice for a global model of
  counts that span orders of magnitude). Predictions are sorted per row so
  quantiles never cross, and clipped at zero.
- **Point forecast** (the ``q0.5`` column), set by ``point``:

  - ``"blend"`` (default): the average, on the log1p scale, of the median
    model and a Tweedie model (log link, count-aware) of ``count + 1``,
    i.e. the geometric mean of ``1 + median`` and ``1 + mean``, minus one.
    The two losses err differently: the median model weighs a quiet night
    hour as much as a busy afternoon (on the log scale), the Tweedie
    deviance weighs busy hours more. On Melbourne's pedestrian counts the
    blend was more accurate than the median alone in both benchmark windows
    and in three of the four windows used to choose between variants (all
    but Dec 2015, with under a year of history; see
    ``benchmarks/README.md``);
  - ``"quantile"``: the median model alone (fastest; one model fewer);
  - ``"tweedie"``: the Tweedie model alone.

  Training the Tweedie model on ``count + 1`` makes its raw score
  ``log(1 + mean)``, the scale of the median model, so the blend and its
  explanation (the average of the two models' SHAP contributions) add up
  exactly.
- **Calibrated intervals** (split conformal, per quantile): quantile models
  fitted in-sample are over-confident out of sample (on Melbourne's pedestrian
  counts q0.1-q0.9 covered 74-76 % instead of 80 %). So the quantile models
  other than the median learn from the targets before the last
  ``calibration`` span of the training data (every third training origin,
  which is plenty for an interval and keeps them cheap), forecast the
  origins inside that span, and each gets the shift
  ``Q_tau(log1p(y) - prediction)`` on the log scale, so that a share ``tau``
  of the held-out actuals lies below the shifted quantile
  (``quantile_shifts_``). The centre models learn from all the data and are
  never shifted, nor is ``explain``.
- **Memory**: the feature table is computed in chunks of rows as
  ``float32`` (LightGBM bins float32 and float64 alike). A table of at
  most one chunk (500,000 rows) or LightGBM's bin sample (200,000 rows)
  fills one matrix, binned at once; beyond that the bin boundaries come
  from a random sample of 200,000 rows and each chunk is binned and
  dropped as it is made
  (:mod:`crowdcast.models._binning`), so the float table is never held
  whole. Every booster trains on that one binned dataset (the Tweedie
  model with its own label). The training rows are built only for
  observed targets and dropped once binned, before LightGBM's own buffers
  peak during boosting.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd

from crowdcast._city import City
from crowdcast._validation import (
    NONE,
    Choice,
    Duration,
    Interval,
    ParameterRules,
    PositiveInt,
    Problems,
    positive_int,
)
from crowdcast.exceptions import NotFittedError, ParameterError, Problem, format_message
from crowdcast.features import FeatureUnion, default_features
from crowdcast.models._base import BaseForecaster
from crowdcast.models._event_fit import fit_event_response
from crowdcast.models._event_load import EventLoad, add_load, clean_history, explain_load
from crowdcast.models._explain import around_centre, conformal_shift, top_contributions
from crowdcast.models._lgbm import boost as _boost
from crowdcast.models._lgbm import canonical_params, dataset_params
from crowdcast.profiles import EventResponse
from crowdcast.schemas import History

__all__ = ["GBMForecaster"]

_DEFAULT_LGBM: dict[str, Any] = {
    "n_estimators": 100,
    "learning_rate": 0.16,
    "num_leaves": 31,
    "min_child_samples": 50,
    "max_bin": 127,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "verbose": -1,
}
_POINTS = ("blend", "quantile", "tweedie")
_EVENT_MODELS = ("load", "features")
#: With calibration, the tail models train on every this many training origins.
_CALIBRATION_THINNING = 3
#: Fewest held-out rows (and tail training rows before them) for a calibration.
_MIN_CALIBRATION_ROWS = 200
#: Rows of features computed at once (bounds the float64 temporaries per step).
_CHUNK_ROWS = 500_000
#: The Tweedie model's variance power (1 = Poisson, 2 = gamma); counts sit between.
_TWEEDIE_POWER = 1.2


class GBMForecaster(BaseForecaster):
    """Global, direct multi-horizon LightGBM quantile forecaster.

    Parameters
    ----------
    horizon
        Number of intervals to forecast (24 = one day of hourly counts).
    quantiles
        Predictive quantiles; the ``q0.5`` column holds the point forecast.
    features
        A :class:`~crowdcast.features.FeatureUnion`; by default
        :func:`~crowdcast.features.default_features` for the site.
    point
        The centre (``q0.5`` column): ``"blend"`` (default; the median and a
        count-aware Tweedie model averaged on the log1p scale), ``"quantile"``
        (the median model alone, one model fewer to fit) or ``"tweedie"``.
    origin_step
        Training origins every this many intervals (coprime with 24 so that all
        origin hours are seen). The default, with 100 trees at a learning rate
        of 0.16, fits as fast as mlforecast's recursive LightGBM on Melbourne.
        ``origin_step=13`` with ``lgbm_params={"n_estimators": 200,
        "learning_rate": 0.08}`` takes three times as long for up to 6 % lower
        MASE (none in August; ``benchmarks/README.md``); smaller steps than 13
        gained nothing.
    calibration
        How much of the end of the training data to hold out to calibrate the
        quantiles other than the median (see the module docstring), e.g.
        ``"28D"``; ``None`` switches calibration off (the tail models then
        learn from every row, unshifted). Calibration is skipped the same way
        when the held-out part or the data before it gives fewer than 200
        training rows.
    lgbm_params
        Overrides of the LightGBM parameters (``n_estimators``, ``num_leaves``...).
    random_state
        Seed for LightGBM's bagging.
    event_model
        How events enter: ``"load"`` (default) forecasts the crowd without
        events and adds each event's load, attendance × curve × share
        (:mod:`crowdcast.models` ``calibrate_events``), so the forecast grows in
        proportion to the attendance, also beyond the largest seen (with an
        :class:`~crowdcast.exceptions.ExtrapolationWarning`), and its
        interval carries the spread of realised vs expected crowds;
        ``"features"`` gives the events to LightGBM as features only (the
        way before: fine within the attendances seen, flat beyond).
    event_response
        With ``event_model="load"``: curves and shares to use instead of
        learning them in ``fit`` (e.g. a published curve library with this
        site's shares, :func:`~crowdcast.profiles.load_event_response`).
    tail_fraction
        The quantile models other than the median boost this fraction of
        the centre models' rounds, at a learning rate divided by it: they
        only set the interval, which calibration corrects anyway, so they
        need not be as fine (1 = as the centre).

    Attributes
    ----------
    models_
        One fitted LightGBM booster per quantile (``"q0.1"``...), and
        ``"tweedie"`` (of ``count + 1``) with ``point`` ``"blend"`` or
        ``"tweedie"``.
    quantile_shifts_
        The calibration shift on the log1p scale per quantile column
        (``{"q0.1": -0.08, "q0.9": 0.05}``); empty when calibration was off
        or skipped.
    n_training_rows_
        Number of ``(zone, origin, horizon)`` training rows.
    event_response_
        The :class:`~crowdcast.profiles.EventResponse` used (None with
        ``event_model="features"``); ``event_response_.summary()`` tabulates it.

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
        features: FeatureUnion | None = None,
        point: str = "blend",
        origin_step: int = 25,
        calibration: str | pd.Timedelta | None = "28D",
        lgbm_params: dict[str, Any] | None = None,
        random_state: int = 0,
        tail_fraction: float = 0.5,
        event_model: str = "load",
        event_response: EventResponse | None = None,
    ) -> None:
        self.event_model = event_model
        self.event_response = event_response
        self.horizon = horizon
        self.quantiles = quantiles
        self.features = features
        self.point = point
        self.origin_step = origin_step
        self.calibration = calibration
        self.tail_fraction = tail_fraction
        self.lgbm_params = lgbm_params
        self.random_state = random_state

    _parameter_rules: ClassVar[ParameterRules] = {
        "point": [Choice(_POINTS)],
        "event_model": [Choice(_EVENT_MODELS)],
        "origin_step": [PositiveInt()],
        "calibration": [
            Duration(hint="e.g. '28D'; None switches calibration off"),
            NONE,
        ],
        "tail_fraction": [Interval(0, 1, closed="right", expectation="a number in (0, 1]")],
    }

    def _more_problems(self) -> Problems:
        """What is wrong with ``lgbm_params`` (aliases, seeds, the bin sample size)."""
        user, wrong = canonical_params(self.lgbm_params)
        sample = user.get("bin_construct_sample_cnt")
        if sample is not None and not positive_int(sample):
            # streaming draws its own bin sample of this many rows (see _binning)
            wrong.add("`lgbm_params`", "a positive bin_construct_sample_cnt", repr(sample))
        return wrong

    def _lgbm(self) -> dict[str, Any]:
        """The defaults, overridden by ``lgbm_params`` under LightGBM's canonical names."""
        user = canonical_params(self.lgbm_params)[0]
        return {**_DEFAULT_LGBM, **user, "random_state": self.random_state}

    def _calibration_span(self) -> pd.Timedelta | None:
        if self.calibration is None:
            return None
        try:
            span = pd.Timedelta(self.calibration)
        except (TypeError, ValueError):
            return None
        return span if not pd.isna(span) and span > pd.Timedelta(0) else None

    # ------------------------------------------------------------------ fit

    def _pipeline(self, data: City, history: History) -> FeatureUnion:
        if self.features is not None:
            from sklearn.base import clone

            return clone(self.features)
        pipe = default_features(data.site, horizon=self.horizon_, freq=history.freq)
        weather = data.weather
        if weather is not None and "condition" in weather and weather["condition"].notna().any():
            pipe.set_params(weather__condition=True)  # wet road, snow: as the data say
        if self._event_load_on():
            # the events enter as a load added to the forecast, not as features
            pipe = FeatureUnion([(n, t) for n, t in pipe.steps if n != "events"])
        return pipe

    def _event_load_on(self) -> bool:
        return getattr(self, "event_model", "features") == "load"

    def _training_rows(self, history: History) -> pd.DataFrame:
        """The ``(zone, origin, horizon)`` rows whose target was observed, with ``y``.

        The same rows, in the same order, as :func:`make_rows` filtered to
        observed targets, but only those rows are ever built: for a thousand
        zones the unfiltered table and its filtered copies would be several
        GB for a moment.
        """
        # leave room for the longest look-back (two weeks) before the first origin
        warmup = int(pd.Timedelta("14D") / history.freq)
        n_t = history.values.shape[1]
        origin = np.arange(warmup, n_t, self.origin_step)
        horizon = np.arange(1, self._fitted_horizon() + 1)
        o_at, h_at = np.nonzero(origin[:, None] + horizon[None, :] - 1 < n_t)
        target = origin[o_at] + horizon[h_at] - 1  # grid positions, origin-major
        zone_at, pair = np.nonzero(~np.isnan(history.values[:, target]))  # zone-major
        return pd.DataFrame(
            {
                "zone": pd.Series(np.asarray(history.zones, dtype=object)[zone_at], dtype="str"),
                "origin": history.times(origin[o_at[pair]]),
                "horizon": horizon[h_at[pair]],
                "timestamp": history.times(target[pair]),
                "y": history.values[zone_at, target[pair]],
            }
        )

    def _fit(self, data: City, history: History) -> None:
        from crowdcast.models._binning import binned_dataset

        self.event_response_ = None
        if self._event_load_on() and self.event_response is not None:
            self.event_response_ = self.event_response
            history = clean_history(history, self._event_load(data), data.events, data.weather)
            data = data.with_grid(history)
        elif self._event_load_on():
            self.event_response_ = fit_event_response(
                history,
                data.events,
                data.site,
                weather=data.weather,
                source="learned by GBMForecaster.fit",
            )
            history = clean_history(history, self._event_load(data), data.events, data.weather)
            data = data.with_grid(history)
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
        y = rows["y"].to_numpy()
        rows = rows.drop(columns="y")
        grid = data.with_grid(history)
        self.features_.fit(rows, grid)
        split = self._calibration_split(rows, history)
        params = self._lgbm()
        # one binned dataset for every model: LightGBM bins the features only
        # once, and a large table is streamed to it in chunks, never held whole
        train, held_X = binned_dataset(
            rows,
            lambda part: self._matrix(part, grid),
            np.log1p(y),
            feature_name=self._feature_names(),
            categorical=self.features_.get_categorical_names_out(),
            params=dataset_params(params),
            chunk=_CHUNK_ROWS,
            seed=self.random_state,
            keep=split[0] if split is not None else None,
        )
        self.n_training_rows_ = len(rows)
        del rows  # the booster's own buffers need the room (1 GB for 1,000 zones)
        tails, self.quantile_shifts_ = self._fit_tails(split, held_X, y, train, params)
        self.models_: dict[str, Any] = dict(tails)
        if 0.5 in self.quantiles and self.point != "tweedie":
            self.models_["q0.5"] = _boost(train, params, objective="quantile", alpha=0.5)
        if self.point != "quantile" and 0.5 in self.quantiles:
            # ``count + 1``: the log-link raw score is then log1p(mean), the median's scale.
            # The same binned dataset with another label: no second binned copy.
            train.set_label(y + 1.0)
            self.models_["tweedie"] = _boost(
                train, params, objective="tweedie", tweedie_variance_power=_TWEEDIE_POWER
            )

    def _matrix(self, rows: pd.DataFrame, data: City) -> np.ndarray:
        """The feature table of ``rows`` as one float32 matrix, computed in chunks."""
        names = self._feature_names()
        out = np.empty((len(rows), len(names)), dtype=np.float32)
        for start in range(0, len(rows), _CHUNK_ROWS):
            part = rows.iloc[start : start + _CHUNK_ROWS]
            out[start : start + len(part)] = self.features_.transform(part, data).to_numpy(
                dtype=np.float32, na_value=np.nan
            )
        return out

    def _params_for(self, q: float, params: dict[str, Any]) -> dict[str, Any]:
        """The median's LightGBM parameters, coarsened by ``tail_fraction`` for the tails."""
        fraction = float(getattr(self, "tail_fraction", 1.0))
        if q == 0.5 or fraction == 1.0:
            return params
        rounds = int(params.get("n_estimators", 100))
        rate = float(params.get("learning_rate", 0.1))
        return {
            **params,
            "n_estimators": max(1, round(rounds * fraction)),
            "learning_rate": rate / fraction,
        }

    def _calibration_split(
        self, rows: pd.DataFrame, history: History
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Masks of the held-out rows and of the rows the tail models learn from.

        None when calibration is off, there are no tail quantiles, or either
        side has fewer than ``_MIN_CALIBRATION_ROWS`` rows.
        """
        span = self._calibration_span()
        if span is None or all(q == 0.5 for q in self.quantiles):
            return None
        cut = history.end - span
        held = (rows["origin"] >= cut).to_numpy()
        origin_code = pd.factorize(rows["origin"], sort=True)[0]
        before = (rows["timestamp"] < cut).to_numpy() & (origin_code % _CALIBRATION_THINNING == 0)
        if held.sum() < _MIN_CALIBRATION_ROWS or before.sum() < _MIN_CALIBRATION_ROWS:
            return None
        return held, before

    def _fit_tails(
        self,
        split: tuple[np.ndarray, np.ndarray] | None,
        held_X: np.ndarray | None,
        y: np.ndarray,
        train: Any,
        params: dict[str, Any],
    ) -> tuple[dict[str, Any], dict[str, float]]:
        """The quantile models other than the median, and their conformal shifts.

        Split conformal: the tail models learn from the targets before the
        last ``calibration`` span (every few origins, which is plenty for an
        interval and keeps them cheap) and are shifted by their residual
        quantiles on the origins of that span (``split``, with the held-out
        rows' features ``held_X``). Without a split (calibration off, or too
        little data on either side) they learn from every row, unshifted.
        """
        tails = [q for q in sorted(self.quantiles) if q != 0.5]
        if split is None or held_X is None:
            models = {
                f"q{q:g}": _boost(train, self._params_for(q, params), objective="quantile", alpha=q)
                for q in tails
            }
            return models, {}
        held, before = split
        early = train.subset(np.flatnonzero(before))
        actual = np.log1p(y[held])
        models, shifts = {}, {}
        for q in tails:
            name = f"q{q:g}"
            models[name] = _boost(early, self._params_for(q, params), objective="quantile", alpha=q)
            shifts[name] = conformal_shift(actual, models[name].predict(held_X), q)
        return models, shifts

    def _feature_names(self) -> list[str]:
        return list(self.features_.get_feature_names_out())

    # ------------------------------------------------------------------ predict

    def _design(self, rows: pd.DataFrame, data: City, history: History) -> np.ndarray:
        self._check_columns()
        return self._matrix(rows, data.with_grid(history))

    def _check_columns(self) -> None:
        """Refuse to predict when the features no longer match what the boosters learnt.

        A model saved by another crowdcast version may meet feature code that
        makes other columns; LightGBM would fail deep inside, or worse, not.
        """
        learnt = next(iter(self.models_.values())).feature_name()
        now = self._feature_names()
        if learnt != now:
            gone = [c for c in learnt if c not in now]
            new = [c for c in now if c not in learnt]
            saved = getattr(getattr(self, "provenance_", None), "crowdcast_version", "?")
            raise NotFittedError(
                f"This GBMForecaster was fitted by crowdcast {saved} on {len(learnt)} "
                f"feature columns, but its features now give {len(now)} "
                f"(new: {new or 'none'}; gone: {gone or 'none'}). "
                "Refit it with this version of crowdcast."
            )

    def _centre_models(self) -> list[str]:
        return {"quantile": ["q0.5"], "tweedie": ["tweedie"]}.get(self.point, ["q0.5", "tweedie"])

    def _centre(self, X: np.ndarray, *, pred_contrib: bool = False) -> np.ndarray:
        """The point forecast on the log1p scale, or its SHAP contributions.

        Every centre model's raw score is on the log1p scale (the Tweedie
        model's log link of ``count + 1``); the point forecast averages them.
        """
        return np.mean(
            [
                self.models_[key].predict(X, raw_score=True, pred_contrib=pred_contrib)
                for key in self._centre_models()
            ],
            axis=0,
        )

    def _event_history(self, data: City, history: History | None = None) -> History:
        """The history the boosters see: without the event load when that is on."""
        history = data.history() if history is None else history
        if getattr(self, "event_response_", None) is None:
            return history
        return clean_history(history, self._event_load(data), data.events, data.weather)

    def _event_load(self, data: City) -> EventLoad:
        response = self.event_response_
        assert response is not None  # only called with the event load on
        return EventLoad(response, data.site if data.site is not None else self.site_)

    def _predict(self, rows: pd.DataFrame, data: City, history: History) -> np.ndarray:
        if getattr(self, "event_response_", None) is None:
            return self._predict_base(rows, data, history)
        load = self._event_load(data)
        load.warn_extrapolation(
            data.events, rows["origin"].min(), rows["timestamp"].max() + self.freq_
        )
        history = self._event_history(data, history)
        base = self._predict_base(rows, data.with_grid(history), history)
        return add_load(base, sorted(self.quantiles), rows, load, data, self.freq_)

    def _predict_base(self, rows: pd.DataFrame, data: City, history: History) -> np.ndarray:
        X = self._design(rows, data, history)
        shifts = getattr(self, "quantile_shifts_", {})  # absent in models saved before
        cols = [
            np.expm1(
                self._centre(X)
                if q == 0.5
                else self.models_[f"q{q:g}"].predict(X) + shifts.get(f"q{q:g}", 0.0)
            )
            for q in sorted(self.quantiles)
        ]
        return around_centre(np.column_stack(cols), sorted(self.quantiles))

    def explain(
        self,
        forecast: pd.DataFrame,
        *,
        data: City | None = None,
        top: int = 5,
        quantile: float = 0.5,
    ) -> pd.DataFrame:
        """The top feature contributions behind forecast rows (LightGBM's SHAP values).

        Returns one row per forecast row and feature among the ``top`` largest
        absolute contributions: ``zone, timestamp, horizon, feature, value,
        label, contribution``. ``label`` says what a code stands for (the
        holiday, zone or event category; see
        :meth:`~crowdcast.features.FeatureUnion.get_code_labels`) and is
        empty for other features. Contributions are on the log1p scale and add up (with
        the ``bias`` term) to ``log1p`` of the forecast: for ``quantile=0.5``
        to the point forecast (with ``point="blend"`` the average of the
        median and Tweedie models' contributions), for another quantile to
        its model's prediction before its ``quantile_shifts_`` entry.

        With the event load on (``event_model="load"``), a row ``event_load``
        holds the people the events add (``value``), the categories behind
        them (``label``) and their share of the log1p forecast
        (``log1p(no-event + load) - log1p(no-event)``), so a match shows up as
        one reason, next to the features of the no-event forecast.
        """
        self._check_fitted()
        if quantile not in self.quantiles:
            raise ParameterError(
                format_message(
                    "`quantile`",
                    f"one of the fitted quantiles {sorted(self.quantiles)}",
                    repr(quantile),
                )
            )
        history = self.history_ if data is None else data.history()
        use = (
            data
            if data is not None
            else City(
                counts=pd.DataFrame(), events=self.events_, weather=self.weather_, site=self.site_
            )
        )
        rows = forecast[["zone", "origin", "horizon", "timestamp"]].reset_index(drop=True)
        history = self._event_history(use, history)
        X = self._design(rows, use, history)
        if quantile == 0.5:
            contrib = self._centre(X, pred_contrib=True)
        else:
            contrib = self.models_[f"q{quantile:g}"].predict(X, pred_contrib=True)
        names = [*self._feature_names(), "bias"]
        labels: np.ndarray | None = None
        if getattr(self, "event_response_", None) is not None:
            load = self._event_load(use)
            X, contrib, labels = explain_load(load, rows, use, self.freq_, X, contrib, quantile)
            names = [*self._feature_names(), "event_load", "bias"]
        return top_contributions(
            rows, names, X, contrib, top, self.features_.get_code_labels(), labels
        )
