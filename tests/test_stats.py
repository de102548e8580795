"""SarimaxForecaster on simulated series with known coefficients."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crowdcast import City
from crowdcast.exceptions import NotFittedError, ParameterError
from crowdcast.models import SarimaxForecaster
from crowdcast.models._stats import _Regressors
from crowdcast.schemas import make_rows

AR = 0.7
MEAN = 5.0  # log1p scale: about 150 people
SIGMA = 0.15


def _hours(start: str, periods: int) -> pd.DatetimeIndex:
    return pd.date_range(start, periods=periods, freq="h", tz="UTC")


def _ar1(n: int, seed: int, phi: float = AR) -> np.ndarray:
    rng = np.random.default_rng(seed)
    e = rng.normal(0.0, SIGMA, n)
    x = np.empty(n)
    x[0] = e[0] / np.sqrt(1 - phi**2)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + e[t]
    return x


def _counts(ts: pd.DatetimeIndex, log_values: np.ndarray, zone: str = "a") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "zone": pd.Series([zone] * len(ts), dtype="str"),
            "timestamp": ts,
            "count": np.expm1(log_values),
        }
    )


def _ar_model(**params: object) -> SarimaxForecaster:
    defaults: dict[str, object] = {
        "order": (1, 0, 0),
        "seasonal_order": (0, 0, 0, 0),
        "exog": (),
        "max_train": "30D",
    }
    return SarimaxForecaster(**{**defaults, **params})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def ar_series() -> pd.DataFrame:
    ts = _hours("2024-01-01", 60 * 24)
    return _counts(ts, MEAN + _ar1(len(ts), seed=1))


def test_sarimax_recovers_a_known_ar_coefficient(ar_series: pd.DataFrame) -> None:
    model = _ar_model().fit(ar_series)
    params = model.results_["a"].params
    assert params["ar.L1"] == pytest.approx(AR, abs=0.06)
    assert params["sigma2"] == pytest.approx(SIGMA**2, rel=0.15)
    # the intercept is the mean times (1 - phi)
    assert params["intercept"] / (1 - params["ar.L1"]) == pytest.approx(MEAN, abs=0.05)
    # fitted on the last 30 days only
    assert model.results_["a"].nobs == 30 * 24


def test_sarimax_intervals_cover_about_80_percent_on_simulated_data(
    ar_series: pd.DataFrame,
) -> None:
    cut = pd.Timestamp("2024-02-01", tz="UTC")
    model = _ar_model().fit(ar_series[ar_series["timestamp"] < cut])
    origins = pd.date_range(cut, periods=25, freq="25h")
    rows = make_rows(["a"], origins, np.arange(1, 25), "1h")
    out = model.predict_rows(rows, City(counts=ar_series, freq=pd.Timedelta("1h")))
    actual = ar_series.set_index("timestamp")["count"].reindex(out["timestamp"]).to_numpy()
    inside = np.mean((actual >= out["q0.1"]) & (actual <= out["q0.9"]))
    assert 0.72 <= inside <= 0.88, inside
    below_median = np.mean(actual < out["q0.5"])
    assert 0.4 <= below_median <= 0.6, below_median


def test_sarimax_forecasts_start_from_the_counts_before_the_origin(
    ar_series: pd.DataFrame,
) -> None:
    model = _ar_model(horizon=3).fit(ar_series)
    origin = pd.Timestamp("2024-02-10", tz="UTC")
    base = model.predict(ar_series, origin=origin)
    # the last value before the origin 1.0 higher on the log scale: horizon h moves
    # by about phi ** h (the filter, not a refit)
    bumped = ar_series.copy()
    last = bumped["timestamp"] == origin - pd.Timedelta("1h")
    bumped.loc[last, "count"] = np.expm1(np.log1p(bumped.loc[last, "count"]) + 1.0)
    moved = np.log1p(model.predict(bumped, origin=origin)["q0.5"]) - np.log1p(base["q0.5"])
    phi = model.results_["a"].params["ar.L1"]
    np.testing.assert_allclose(moved, phi ** np.arange(1, 4), rtol=1e-6)


def test_sarimax_estimates_the_effect_of_event_attendance() -> None:
    ts = _hours("2024-01-01", 21 * 24)
    starts = ts[10::37][:12]  # twelve 3-hour events with 2,000 to 13,000 visitors
    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(len(starts))],
            "name": "Event",
            "zone": "a",
            "start": starts,
            "end": starts + pd.Timedelta("3h"),
            "expected_attendance": 1000.0 * np.arange(2, 2 + len(starts)),
            "category": "concert",
            "status": "confirmed",
        }
    )
    cancelled = events.iloc[[0]].assign(event_id="x", status="cancelled", expected_attendance=1e6)
    events = pd.concat([events, cancelled], ignore_index=True)
    regressors = _Regressors(events, None, pd.Timedelta("1h"))
    x = regressors.attendance("a", ts.as_unit("ns").asi8)
    assert x.max() == pytest.approx(np.log1p(13_000))  # the cancelled event is ignored
    counts = _counts(ts, MEAN + 0.2 * x + _ar1(len(ts), seed=3))
    model = _ar_model(exog=("event_attendance", "precipitation_mm"), max_train="21D")
    model.fit(counts, events=events)
    assert model.exog_used_["a"] == ("event_attendance",)  # no weather: left out
    assert model.results_["a"].params["event_attendance"] == pytest.approx(0.2, abs=0.03)
    text = model.summary("a")
    assert "event_attendance" in text and "ar.L1" in text


def test_precipitation_uses_observations_before_and_forecasts_issued_by_the_origin() -> None:
    t = pd.Timestamp("2024-06-01 10:00", tz="UTC")
    h = pd.Timedelta("1h")
    weather = pd.DataFrame(
        {
            "timestamp": [t - h, t, t, t, t + h, t + 2 * h],
            "precipitation_mm": [1.0, 9.0, 2.0, 3.0, 4.0, 5.0],
            "issued_at": [pd.NaT, pd.NaT, t - 5 * h, t, t + h, t - h],
        }
    )
    regressors = _Regressors(None, weather, h)
    ts = pd.DatetimeIndex([t - 2 * h, t - h, t, t + h, t + 2 * h]).as_unit("ns").asi8
    got = regressors.precipitation(ts, int(t.value))
    # before: observed (none at t - 2h: 0); at t: the latest forecast issued <= t, not the
    # observation; t + 1h: only issued after the origin, so unknown: 0
    np.testing.assert_allclose(got, [0.0, 1.0, 3.0, 0.0, 5.0])


def test_sarimax_skips_a_zone_with_too_few_observations_and_forecasts_nan() -> None:
    ts = _hours("2024-01-01", 10 * 24)
    b = np.full(len(ts), np.nan)
    b[-10:] = 4.0
    counts = pd.concat(
        [_counts(ts, MEAN + _ar1(len(ts), seed=5)), _counts(ts, b, "b")], ignore_index=True
    )
    model = _ar_model(horizon=2, max_train="7D").fit(counts)
    assert model.results_["b"] is None
    out = model.predict()
    assert np.isfinite(out.loc[out["zone"] == "a", "q0.5"]).all()
    assert out.loc[out["zone"] == "b", "q0.5"].isna().all()
    with pytest.raises(ParameterError, match="too few observations"):
        model.summary("b")


def test_sarimax_handles_a_gap_in_the_training_window(ar_series: pd.DataFrame) -> None:
    counts = ar_series.copy()
    gap = counts["timestamp"].between("2024-02-20", "2024-02-23")
    counts.loc[gap, "count"] = np.nan
    out = _ar_model(horizon=4).fit(counts).predict()
    assert np.isfinite(out[["q0.1", "q0.5", "q0.9"]].to_numpy()).all()


def test_summary_requires_a_fitted_model_and_a_known_zone(ar_series: pd.DataFrame) -> None:
    with pytest.raises(NotFittedError):
        _ar_model().summary("a")
    model = _ar_model(max_train="7D").fit(ar_series)
    with pytest.raises(ParameterError, match="`zone` must be one of a"):
        model.summary("nowhere")


@pytest.mark.parametrize(
    ("params", "what"),
    [
        ({"order": (1, 0)}, "`order`"),
        ({"seasonal_order": (1, 0, 0, 1)}, "`seasonal_order`"),
        ({"exog": ("temperature",)}, "`exog`"),
        ({"max_train": "30min"}, "`max_train`"),
        ({"trend": "ct"}, "`trend`"),
        ({"maxiter": 0}, "`maxiter`"),
    ],
)
def test_sarimax_rejects_invalid_parameters_at_fit(
    params: dict, what: str, ar_series: pd.DataFrame
) -> None:
    model = SarimaxForecaster(**params)  # constructing never validates
    with pytest.raises(ParameterError, match=what):
        model.fit(ar_series)
