"""The check suite every forecaster passes, like scikit-learn's ``check_estimator``.

:func:`check_forecaster` runs the checks in :data:`CHECKS` in order on small
simulated data (or the data given) and raises an :class:`AssertionError`
naming the first check that fails. The checks pin the contract of
:class:`~crowdcast.models.BaseForecaster`:

==========================================  ===============================================
check                                       what it asserts
==========================================  ===============================================
``init_only_stores_params``                 ``__init__`` takes keyword-only arguments and
                                            only stores them; ``get_params`` round-trips;
                                            ``clone`` works
``predict_before_fit_raises``               ``predict``/``predict_rows`` raise
                                            NotFittedError with the pinned message
``fit_returns_self``                        ``fit`` returns ``self``, learned attributes end
                                            in ``_``, parameters and input data unchanged
``output_follows_contract``                 columns ``zone, origin, timestamp, horizon,
                                            q...`` (sorted quantiles), one row per zone x
                                            horizon, ``timestamp = origin + (h-1) * freq``,
                                            finite, >= 0, non-crossing, provenance attached
``quantile_columns_are_sorted``             unsorted ``quantiles`` still give sorted columns
``no_leakage``                              counts at/after the origin (changed or cut off)
                                            and weather observed at/after it or forecast
                                            after it do not change the forecast
``zone_with_gap_is_predicted``              a zone with a gap (also right before the origin)
                                            gets finite forecasts
``deterministic``                           two fits give identical forecasts
``invalid_params_raise_at_fit``             ``horizon=0`` or ``True``, ``quantiles=(0.5, 1.2)``
                                            construct fine and raise ParameterError in fit
``backtest_origin_inside_training``         an origin before the training end works
``predict_rows_matches_predict``            ``predict_rows`` over several origins (rows in
                                            any order) equals ``predict`` per origin
``pickle_round_trip``                       a pickled fitted model predicts the same
==========================================  ===============================================

Examples
--------
>>> from crowdcast.models.checks import CHECKS
>>> CHECKS[:2]
('init_only_stores_params', 'predict_before_fit_raises')
"""

from __future__ import annotations

import functools
import inspect
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from crowdcast._city import City
from crowdcast.exceptions import NotFittedError, ParameterError
from crowdcast.models._base import BaseForecaster
from crowdcast.schemas import DAY, HOUR, History, infer_freq, make_rows, quantile_column

__all__ = ["CHECKS", "check_forecaster"]

Factory = Callable[[], BaseForecaster]


@functools.cache
def _default_data() -> City:
    """Nine weeks of two simulated zones across the spring DST switch, with events and weather."""
    from crowdcast.sample import make_city

    sim = make_city(zones=["station_square", "stadium_plaza"], start="2024-02-05", end="2024-04-07")
    weather = pd.concat([sim.weather, sim.weather_forecasts], ignore_index=True)
    return City(
        counts=sim.counts,
        events=sim.events,
        weather=weather,
        site=sim.site,
        freq=HOUR,
    )


@dataclass
class _Context:
    """The forecaster under test, the data, and one fitted instance shared by the checks."""

    factory: Factory
    data: City
    freq: pd.Timedelta = field(init=False)
    fit_end: pd.Timestamp = field(init=False)
    train: pd.DataFrame = field(init=False)
    _fitted: BaseForecaster | None = field(default=None, init=False)
    fit_facts: dict[str, Any] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        counts = self.data.counts
        self.freq = (
            self.data.freq
            if self.data.freq is not None
            else infer_freq(counts["timestamp"], by=counts["zone"])
        )
        # train on all but the last three days; the rest is "future" data for predict
        self.fit_end = counts["timestamp"].max() + self.freq - 3 * DAY
        self.train = counts[counts["timestamp"] < self.fit_end].reset_index(drop=True)

    @property
    def name(self) -> str:
        return type(self.new()).__name__

    def new(self, **params: Any) -> BaseForecaster:
        est = self.factory()
        return est.set_params(**params) if params else est

    def fit(self, est: BaseForecaster, counts: pd.DataFrame | None = None) -> BaseForecaster:
        return est.fit(
            self.train if counts is None else counts,
            events=self.data.events,
            weather=self.data.weather,
            site=self.data.site,
        )

    @property
    def fitted(self) -> BaseForecaster:
        """One fitted instance (fitted once; checks must not change it)."""
        if self._fitted is None:
            est = self.new()
            before = set(vars(est))
            params = est.get_params(deep=False)
            train = self.train.copy()
            returned = self.fit(est)
            self.fit_facts = {
                "returned_self": returned is est,
                "new_attributes": sorted(set(vars(est)) - before),
                "params_before": params,
                "params_after": est.get_params(deep=False),
                "train_unchanged": train.equals(self.train),
            }
            self._fitted = est
        return self._fitted

    @property
    def zones(self) -> tuple[str, ...]:
        return tuple(self.fitted.zones_)


def _same_params(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Parameters equal, comparing nested estimators (which clone copies) by their params."""

    def same(x: Any, y: Any) -> bool:
        if isinstance(x, BaseEstimator):
            return type(x) is type(y) and _same_params(
                x.get_params(deep=False), y.get_params(deep=False)
            )
        if isinstance(x, tuple | list) and isinstance(y, tuple | list):
            return type(x) is type(y) and len(x) == len(y) and all(map(same, x, y))
        return bool(np.array_equal(x, y)) if isinstance(x, np.ndarray) else bool(x == y)

    return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)


def _values(out: pd.DataFrame) -> np.ndarray:
    return out.filter(regex=r"^q").to_numpy(dtype=float)


def _assert_same(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    keys = ["zone", "origin", "timestamp", "horizon"]
    assert a[keys].equals(b[keys]), f"{what}: different rows"
    va, vb = _values(a), _values(b)
    same = (va == vb) | (np.isnan(va) & np.isnan(vb))
    assert same.all(), f"{what}: {int((~same).sum())} forecast value(s) differ"


def _assert_contract(
    ctx: _Context, out: pd.DataFrame, origin: pd.Timestamp, horizon: int, what: str
) -> None:
    est = ctx.fitted
    q_cols = [quantile_column(q) for q in sorted(est.quantiles)]
    expected = ["zone", "origin", "timestamp", "horizon", *q_cols]
    assert list(out.columns) == expected, f"{what}: columns {list(out.columns)}, not {expected}"
    assert len(out) == len(ctx.zones) * horizon, (
        f"{what}: {len(out)} rows, not {len(ctx.zones)} zones x {horizon} horizons"
    )
    pairs = set(zip(out["zone"], out["horizon"], strict=True))
    wanted = {(z, h) for z in ctx.zones for h in range(1, horizon + 1)}
    assert pairs == wanted, f"{what}: not one row per zone x horizon 1..{horizon}"
    for col in ("origin", "timestamp"):
        tz = getattr(out[col].dtype, "tz", None)
        assert tz is not None and str(tz) == "UTC", f"{what}: `{col}` is not UTC ({out[col].dtype})"
    assert (out["origin"] == origin).all(), f"{what}: origin is not {origin}"
    step = out["horizon"].to_numpy(dtype=np.int64) - 1
    expected_ts = pd.DatetimeIndex(out["origin"]) + pd.to_timedelta(
        step * ctx.freq.value, unit="ns"
    )
    assert (pd.DatetimeIndex(out["timestamp"]) == expected_ts).all(), (
        f"{what}: timestamp is not origin + (horizon - 1) * freq"
    )
    values = _values(out)
    assert np.isfinite(values).all(), f"{what}: {int((~np.isfinite(values)).sum())} non-finite"
    assert (values >= 0).all(), f"{what}: negative quantiles"
    assert (np.diff(values, axis=1) >= 0).all(), f"{what}: quantiles cross"


# ----------------------------------------------------------------------------- the checks


def _check_init_only_stores_params(ctx: _Context) -> None:
    est = ctx.new()
    cls = type(est)
    params = est.get_params(deep=False)
    assert {"horizon", "quantiles"} <= set(params), "`horizon` and `quantiles` are parameters"
    sig = inspect.signature(cls.__init__)
    positional = [n for n, p in sig.parameters.items() if n != "self" and p.kind != p.KEYWORD_ONLY]
    assert not positional, f"__init__ arguments must be keyword-only, not {positional}"
    missing = [n for n, p in sig.parameters.items() if n != "self" and p.default is p.empty]
    assert not missing, f"__init__ arguments need defaults: {missing}"
    assert set(vars(est)) == set(params), (
        f"__init__ must only store its arguments; it set {sorted(set(vars(est)) - set(params))}"
    )
    again = cls(**params)
    for name, value in params.items():
        assert getattr(again, name) is value, f"__init__ must store `{name}` as given"
    copy = clone(est)
    assert copy is not est, "clone returned the same object"
    assert _same_params(copy.get_params(deep=False), params), "clone changed the params"


def _check_predict_before_fit_raises(ctx: _Context) -> None:
    est = ctx.new()
    message = f"This {type(est).__name__} is not fitted yet. Call fit(counts, ...) first."
    for call in (
        lambda: est.predict(),
        lambda: est.predict_rows(make_rows(["z"], [ctx.fit_end], [1], ctx.freq), ctx.data),
    ):
        try:
            call()
        except NotFittedError as err:
            assert str(err) == message, f"message {str(err)!r}, not {message!r}"
        else:
            raise AssertionError("predict before fit did not raise NotFittedError")


def _check_fit_returns_self(ctx: _Context) -> None:
    ctx.fitted  # noqa: B018 - fits once and records the facts
    facts = ctx.fit_facts
    assert facts["returned_self"], "fit must return self"
    bad = [a for a in facts["new_attributes"] if not (a.endswith("_") or a.startswith("_"))]
    assert not bad, f"learned attributes must end in '_': {bad}"
    assert _same_params(facts["params_before"], facts["params_after"]), "fit changed the params"
    assert facts["train_unchanged"], "fit changed the counts it was given"
    assert hasattr(ctx.fitted, "provenance_"), "fit must set provenance_"


def _check_output_follows_contract(ctx: _Context) -> None:
    est = ctx.fitted
    out = est.predict()
    origin = History.from_counts(ctx.train, ctx.freq).last_observed() + ctx.freq
    _assert_contract(ctx, out, origin, est.horizon, "predict()")
    provenance = out.attrs.get("provenance", {})
    assert provenance.get("model") == type(est).__name__, "provenance missing from attrs"
    short = est.predict(horizon=3)
    _assert_contract(ctx, short, origin, 3, "predict(horizon=3)")


def _check_quantile_columns_are_sorted(ctx: _Context) -> None:
    est = ctx.fit(ctx.new(quantiles=(0.9, 0.05, 0.5)))
    out = est.predict()
    cols = [c for c in out.columns if c.startswith("q")]
    assert cols == ["q0.05", "q0.5", "q0.9"], f"quantile columns {cols}"
    values = _values(out)
    assert np.isfinite(values).all() and (np.diff(values, axis=1) >= 0).all(), "quantiles cross"


def _check_no_leakage(ctx: _Context) -> None:
    est = ctx.fitted
    counts = ctx.data.counts
    weather = ctx.data.weather
    for origin in (
        ctx.fit_end,  # the end of the training data
        ctx.fit_end - 2 * DAY + 5 * ctx.freq,  # inside it (backtest)
        ctx.fit_end + DAY + 7 * ctx.freq,  # after it, with newer counts
    ):
        base = est.predict(counts, origin=origin)
        after = (counts["timestamp"] >= origin).to_numpy()
        changed = counts.copy()
        changed.loc[after, "count"] = changed.loc[after, "count"] * 3 + 50
        _assert_same(base, est.predict(changed, origin=origin), f"counts changed after {origin}")
        cut = counts[~after].reset_index(drop=True)
        _assert_same(base, est.predict(cut, origin=origin), f"counts cut at {origin}")
        if weather is not None and "issued_at" in weather.columns:
            issued = weather["issued_at"]
            late = (
                (issued.isna() & (weather["timestamp"] >= origin)) | (issued > origin)
            ).to_numpy()
            w = weather.copy()
            for col in ("precipitation_mm", "temperature_c", "wind_speed_ms"):
                if col in w.columns:
                    w.loc[late, col] = w.loc[late, col] + 7.0
            _assert_same(
                base,
                est.predict(counts, origin=origin, weather=w),
                f"weather changed after {origin}",
            )


def _check_zone_with_gap_is_predicted(ctx: _Context) -> None:
    counts = ctx.train.copy()
    zone = ctx.zones[0]
    ts = counts["timestamp"]
    mid = ts.min() + (ts.max() - ts.min()) / 2
    gap = (counts["zone"] == zone) & (
        ((ts >= mid) & (ts < mid + DAY)) | (ts >= ctx.fit_end - 3 * ctx.freq)
    )
    counts.loc[gap, "count"] = np.nan
    # part of the mid gap absent from the table altogether
    absent = (counts["zone"] == zone) & (ts >= mid + 6 * ctx.freq) & (ts < mid + 12 * ctx.freq)
    counts = counts[~absent].reset_index(drop=True)
    est = ctx.fit(ctx.new(), counts)
    out = est.predict(origin=ctx.fit_end)
    rows = out[out["zone"] == zone]
    assert len(rows) == est.horizon, f"zone {zone!r} with a gap got {len(rows)} rows"
    assert np.isfinite(_values(rows)).all(), f"zone {zone!r} with a gap got non-finite forecasts"


def _check_deterministic(ctx: _Context) -> None:
    est = ctx.fitted
    again = ctx.fit(ctx.new())
    _assert_same(est.predict(), again.predict(), "two fits")
    _assert_same(est.predict(), est.predict(), "two predicts")


def _check_invalid_params_raise_at_fit(ctx: _Context) -> None:
    for params in ({"horizon": 0}, {"horizon": True}, {"quantiles": (0.5, 1.2)}):
        est = ctx.new(**params)  # constructing must not validate
        try:
            ctx.fit(est)
        except ParameterError:
            continue
        raise AssertionError(f"fit with {params} did not raise ParameterError")


def _check_backtest_origin_inside_training(ctx: _Context) -> None:
    est = ctx.fitted
    origin = ctx.fit_end - 10 * DAY + 3 * ctx.freq
    _assert_contract(ctx, est.predict(origin=origin), origin, est.horizon, f"origin {origin}")


def _check_predict_rows_matches_predict(ctx: _Context) -> None:
    est = ctx.fitted
    origins = [
        ctx.fit_end - 6 * DAY + ctx.freq,
        ctx.fit_end - 2 * DAY + 13 * ctx.freq,
        ctx.fit_end,
    ]
    rows = make_rows(ctx.zones, origins, np.arange(1, est.horizon + 1), ctx.freq)
    shuffled = rows.iloc[np.random.default_rng(0).permutation(len(rows))].reset_index(drop=True)
    data = City(
        counts=ctx.train,
        events=ctx.data.events,
        weather=ctx.data.weather,
        site=ctx.data.site,
        freq=ctx.freq,
    )
    out = est.predict_rows(shuffled, data)
    keys = ["zone", "origin", "timestamp", "horizon"]
    assert out[keys].equals(shuffled[keys]), "predict_rows must keep the order of the rows"
    stacked = pd.concat([est.predict(origin=o) for o in origins], ignore_index=True)
    order = [*keys[:2], "horizon"]
    a = out.sort_values(order, kind="stable").reset_index(drop=True)
    b = stacked.sort_values(order, kind="stable").reset_index(drop=True)
    assert a[keys].equals(b[keys]), "predict_rows and predict give different rows"
    np.testing.assert_allclose(
        _values(a), _values(b), rtol=1e-9, atol=1e-9, err_msg="predict_rows != predict"
    )


def _check_pickle_round_trip(ctx: _Context) -> None:
    est = ctx.fitted
    _assert_same(est.predict(), pickle.loads(pickle.dumps(est)).predict(), "after pickling")


_CHECKS: tuple[tuple[str, Callable[[_Context], None]], ...] = (
    ("init_only_stores_params", _check_init_only_stores_params),
    ("predict_before_fit_raises", _check_predict_before_fit_raises),
    ("fit_returns_self", _check_fit_returns_self),
    ("output_follows_contract", _check_output_follows_contract),
    ("quantile_columns_are_sorted", _check_quantile_columns_are_sorted),
    ("no_leakage", _check_no_leakage),
    ("zone_with_gap_is_predicted", _check_zone_with_gap_is_predicted),
    ("deterministic", _check_deterministic),
    ("invalid_params_raise_at_fit", _check_invalid_params_raise_at_fit),
    ("backtest_origin_inside_training", _check_backtest_origin_inside_training),
    ("predict_rows_matches_predict", _check_predict_rows_matches_predict),
    ("pickle_round_trip", _check_pickle_round_trip),
)
#: Names of the checks :func:`check_forecaster` runs, in order.
CHECKS: tuple[str, ...] = tuple(name for name, _ in _CHECKS)


def check_forecaster(forecaster_factory: Factory, data: City | None = None) -> None:
    """Run every check in :data:`CHECKS` on a forecaster; raise on the first failure.

    Parameters
    ----------
    forecaster_factory
        A callable returning a new, unfitted forecaster: the class itself or
        e.g. ``lambda: SarimaxForecaster(max_train="7D")`` for fast settings.
        Checks change parameters with ``set_params``.
    data
        Counts (at least ~3 weeks, hourly or finer, two or more zones
        recommended), events, weather and site. The last three days are held
        out as "future" counts for the leakage checks. By default nine weeks
        of two simulated zones across the spring DST switch.

    Raises
    ------
    AssertionError
        Naming the forecaster and the failing check, with the reason; also
        when a check raised another exception.

    Examples
    --------
    >>> from crowdcast.models import SeasonalNaive
    >>> check_forecaster(lambda: SeasonalNaive(horizon=4))
    """
    ctx = _Context(forecaster_factory, data if data is not None else _default_data())
    name = ctx.name
    for check, run in _CHECKS:
        try:
            run(ctx)
        except AssertionError as err:
            raise AssertionError(f"{name} failed check {check!r}: {err}") from err
        except Exception as err:
            raise AssertionError(
                f"{name} failed check {check!r}: {type(err).__name__}: {err}"
            ) from err
