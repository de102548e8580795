"""The event load: curves × shares learned from past events, monotone and honest forecasts.

Checked on the simulator, where the truth is known: a match twice as big as
any seen is simulated for real and compared with the what-if forecast.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import crowdcast as cc
from crowdcast.exceptions import ExtrapolationWarning, ParameterError
from crowdcast.profiles import BINS, EventCurve

ZONES = ["stadium_plaza", "station_square", "park_waterfront"]
LIGHT = {"n_estimators": 60}


def _city(sim: cc.sample.SimulatedCity) -> cc.City:
    weather = pd.concat([sim.weather, sim.weather_forecasts], ignore_index=True)
    return cc.City.from_tables(sim.counts, events=sim.events, weather=weather, site=sim.site)


@pytest.fixture(scope="module")
def base() -> cc.sample.SimulatedCity:
    return cc.make_city(zones=ZONES, start="2024-01-01", end="2024-12-20")


@pytest.fixture(scope="module")
def match(base) -> pd.Series:  # type: ignore[no-untyped-def]
    football = base.events[base.events["category"] == "football"].sort_values("start")
    return football.iloc[-1]


@pytest.fixture(scope="module")
def origin(match) -> pd.Timestamp:  # type: ignore[no-untyped-def]
    return match["start"].tz_convert("Europe/Amsterdam").normalize() + pd.Timedelta("6h")


@pytest.fixture(scope="module")
def model(base, origin) -> cc.GBMForecaster:  # type: ignore[no-untyped-def]
    city = _city(base)
    train = city.replace(counts=city.counts[city.counts["timestamp"] < origin])
    return cc.GBMForecaster(lgbm_params=LIGHT).fit(train)


def _history(base, origin) -> cc.City:  # type: ignore[no-untyped-def]
    city = _city(base)
    return city.replace(counts=city.counts[city.counts["timestamp"] < origin])


def test_the_learned_curve_and_shares_look_like_the_simulated_match(model) -> None:  # type: ignore[no-untyped-def]
    response = model.event_response_
    curve = response.curves["football"]
    assert isinstance(curve, EventCurve) and len(curve.arrival) == len(BINS["arrival"]) - 1
    # the simulator's fans arrive in the last two hours and leave in the first after the end
    assert np.argmax(curve.arrival) >= len(curve.arrival) - 2
    assert np.argmax(curve.egress) == 0
    shares = {s.zone: s for s in response.shares_of("football", "stadium_plaza")}
    assert shares["stadium_plaza"].arrival == pytest.approx(1.0)
    # neighbours see a spill of about a tenth (0.10 in the simulator)
    assert 0.02 < shares["station_square"].arrival < 0.3
    spread = response.spreads["football"]
    assert spread.attendance_range == (19_600.0, 35_000.0)
    assert 0.8 < spread.ratio_quantiles[0.5] < 1.2


def test_forecast_is_monotone_in_attendance_everywhere(model, base, origin, match) -> None:  # type: ignore[no-untyped-def]
    history = _history(base, origin)
    columns = ["q0.1", "q0.5", "q0.9"]
    previous = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExtrapolationWarning)
        for attendance in (0, 1_000, 10_000, 20_000, 35_000, 50_000, 100_000, 400_000):
            events = history.events.copy()
            events.loc[events["event_id"] == match["event_id"], "expected_attendance"] = attendance
            f = model.predict(history.replace(events=events), origin=origin)[columns].to_numpy()
            if previous is not None:  # every zone, horizon and quantile
                assert (f >= previous - 1e-6).all(), attendance
            previous = f
    assert previous is not None


def test_twice_the_largest_match_lands_near_the_simulated_truth(model, base, origin, match) -> None:  # type: ignore[no-untyped-def]
    largest = base.events.query("category == 'football'")["expected_attendance"].max()
    big = cc.make_city(
        zones=ZONES,
        start="2024-01-01",
        end="2024-12-20",
        attendance={match["event_id"]: 2 * largest},
    )
    history = _history(big, origin)
    with pytest.warns(ExtrapolationWarning, match=r"70,000 is above every football.*35,000"):
        forecast = model.predict(history, origin=origin)
    plaza = forecast[forecast["zone"] == "stadium_plaza"].set_index("timestamp")
    truth = big.counts[big.counts["zone"] == "stadium_plaza"].set_index("timestamp")["count"]
    window = plaza.index[
        (plaza.index >= match["start"] - pd.Timedelta("3h"))
        & (plaza.index < match["end"] + pd.Timedelta("2h"))
    ]
    peak, true_peak = plaza.loc[window, "q0.5"].max(), truth.reindex(window).max()
    assert peak == pytest.approx(true_peak, rel=0.25)
    total, true_total = plaza.loc[window, "q0.5"].sum(), truth.reindex(window).sum()
    assert total == pytest.approx(true_total, rel=0.25)


def test_the_upper_bound_stays_above_the_median_at_event_peaks(model, base, origin) -> None:  # type: ignore[no-untyped-def]
    history = _history(base, origin)
    events = history.events
    recent = events[
        (events["start"] >= origin - pd.Timedelta("120D"))
        & (events["end"] < origin)
        & (events["status"] != "cancelled")
    ].drop_duplicates("event_id")
    assert len(recent) >= 5
    for event in recent.itertuples():
        start = (event.start - pd.Timedelta("6h")).floor("h")
        forecast = model.predict(history, origin=start)
        rows = forecast[
            (forecast["zone"] == event.zone) & forecast["timestamp"].between(event.start, event.end)
        ]
        peak = rows.loc[rows["q0.5"].idxmax()]
        assert peak["q0.9"] > peak["q0.5"] * 1.05 > peak["q0.1"] * 1.05, event.event_id


def test_unknown_attendance_uses_the_typical_one_with_a_wider_interval(
    model, base, origin, match
) -> None:  # type: ignore[no-untyped-def]
    history = _history(base, origin)
    typical = model.event_response_.spreads["football"].typical_attendance
    known = cc.what_if(
        model, [cc.SetAttendance(match["event_id"], typical)], origin=origin, data=history
    )
    events = history.events.copy()
    events.loc[events["event_id"] == match["event_id"], "expected_attendance"] = np.nan
    unknown = model.predict(history.replace(events=events), origin=origin)
    at = known["scenario_q0.5"].idxmax()
    width_known = known.loc[at, "scenario_q0.9"] - known.loc[at, "scenario_q0.1"]
    width_unknown = unknown.loc[at, "q0.9"] - unknown.loc[at, "q0.1"]
    assert unknown.loc[at, "q0.5"] == pytest.approx(known.loc[at, "scenario_q0.5"], rel=0.1)
    assert width_unknown > width_known


def test_a_cancelled_match_removes_its_load(model, base, origin, match) -> None:  # type: ignore[no-untyped-def]
    history = _history(base, origin)
    cancelled = cc.what_if(model, [cc.CancelEvent(match["event_id"])], origin=origin, data=history)
    plaza = cancelled[cancelled["zone"] == "stadium_plaza"]
    assert plaza["base_q0.5"].max() > 10_000
    assert plaza["scenario_q0.5"].max() < 2_000
    zero = cc.what_if(model, [cc.SetAttendance(match["event_id"], 0)], origin=origin, data=history)
    np.testing.assert_allclose(zero["scenario_q0.5"], cancelled["scenario_q0.5"])


def test_an_event_of_a_category_never_seen_warns_and_still_adds_a_crowd(
    model, base, origin
) -> None:  # type: ignore[no-untyped-def]
    history = _history(base, origin)
    start = origin + pd.Timedelta("8h")
    change = cc.AddEvent(
        "circus",
        "park_waterfront",
        start,
        start + pd.Timedelta("3h"),
        attendance=8_000,
        category="circus",
    )
    with pytest.warns(ExtrapolationWarning, match="category 'circus' was not among"):
        out = cc.what_if(model, [change], origin=origin, data=history)
    park = out[out["zone"] == "park_waterfront"]
    assert park["diff_q0.5"].max() > 500


def test_the_features_event_model_is_still_available(base, origin) -> None:  # type: ignore[no-untyped-def]
    history = _history(base, origin)
    old = cc.GBMForecaster(horizon=6, event_model="features", lgbm_params={"n_estimators": 10})
    old.fit(history)
    assert old.event_response_ is None
    assert "event_attendance" in old.provenance_.features


def test_rain_on_a_match_does_not_raise_its_crowd(model, base, origin, match) -> None:  # type: ignore[no-untyped-def]
    # the simulator's football crowd barely minds rain (-3 % per log1p(2 mm/h)):
    # no clear effect in the data, and no artefact raising the peak either
    assert model.event_response_.spreads["football"].rain <= 0
    history = _history(base, origin)
    rain = cc.SetWeather(match["start"] - pd.Timedelta("3h"), match["end"], precipitation_mm=3.0)
    out = cc.what_if(model, [rain], origin=origin, data=history)
    plaza = out[out["zone"] == "stadium_plaza"]
    peak = plaza["base_q0.5"].idxmax()
    assert plaza.loc[peak, "scenario_q0.5"] <= plaza.loc[peak, "base_q0.5"] * 1.005


def test_rain_shrinks_an_outdoor_market_as_the_simulated_data_show() -> None:
    sim = cc.make_city(zones=["market_square"], start="2023-06-01", end="2024-11-30")
    city = _city(sim)
    model = cc.GBMForecaster(lgbm_params=LIGHT).fit(city)
    # the simulator: attendance x exp(-0.45 log1p(2 mm/h)); learned from 70-odd markets
    assert -1.2 < model.event_response_.spreads["market"].rain < -0.2
    market = sim.events[sim.events["category"] == "market"].iloc[-1]
    origin = (market["start"] - pd.Timedelta("6h")).floor("h")
    history = city.replace(counts=city.counts[city.counts["timestamp"] < origin])
    rain = cc.SetWeather(market["start"].floor("h"), market["end"], precipitation_mm=3.0)
    out = cc.what_if(model, [rain], origin=origin, data=history)
    peak = out["base_q0.5"].idxmax()
    change = out.loc[peak, "scenario_q0.5"] / out.loc[peak, "base_q0.5"] - 1
    assert -0.85 < change < -0.25


def test_curves_and_shares_are_written_apart_and_move_to_another_forecaster(  # type: ignore[no-untyped-def]
    tmp_path, model, base, origin
) -> None:
    from crowdcast.models import calibrate_events
    from crowdcast.profiles import load_event_response, save_event_response

    history = _history(base, origin)
    response = calibrate_events(history)
    summary = response.summary()
    football = summary.set_index("category").loc["football"]
    assert football["attendance_max"] == 35_000 and football["peak_arrival"] > 0.3
    curves, shares = tmp_path / "curves.toml", tmp_path / "shares.toml"
    save_event_response(response, curves=curves, shares=shares)
    # the curves are publishable: no zone, venue or site in them
    text = curves.read_text()
    assert "stadium_plaza" not in text and "venue" not in text
    assert (shares.stat().st_mode & 0o777) == 0o600  # the site's own
    with pytest.raises(ParameterError, match="Refusing to overwrite"):
        save_event_response(response, curves=curves)
    back = load_event_response(curves=curves, shares=shares)
    assert back.curves["football"].arrival == pytest.approx(response.curves["football"].arrival)
    assert len(back.shares) == len(response.shares)
    assert back.spreads["football"].rain == pytest.approx(response.spreads["football"].rain)
    given = cc.GBMForecaster(lgbm_params=LIGHT, event_response=back).fit(history)
    learned = cc.GBMForecaster(lgbm_params=LIGHT).fit(history)
    np.testing.assert_allclose(
        given.predict(history, origin=origin)["q0.5"],
        learned.predict(history, origin=origin)["q0.5"],
        rtol=1e-3,
    )


def test_an_invalid_curves_file_is_a_config_error_naming_the_entry(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from crowdcast.exceptions import ConfigError
    from crowdcast.profiles import load_event_response

    path = tmp_path / "curves.toml"
    path.write_text('[[event_curves]]\ncategory = "market"\narrival = [0.1, 0.2]\n')
    with pytest.raises(ConfigError, match=r"curves.toml, event_curves\[0\].*arrival. needs 6"):
        load_event_response(curves=path)


def test_explanations_name_the_event_load_and_still_add_up(model, base, origin) -> None:  # type: ignore[no-untyped-def]
    history = _history(base, origin)
    forecast = model.predict(history, origin=origin)
    plaza = forecast[forecast["zone"] == "stadium_plaza"]
    peak = plaza.loc[[plaza["q0.5"].idxmax()]]
    top = model.explain(peak, data=history, top=1_000)
    event = top[top["feature"] == "event_load"]
    assert len(event) == 1 and event["label"].iloc[0] == "football"
    assert event["value"].iloc[0] > 0.5 * peak["q0.5"].iloc[0]
    assert top["contribution"].abs().iloc[0] == event["contribution"].abs().iloc[0]  # the largest
    bias = np.mean(
        [
            model.models_[k].predict(
                model._design(peak, history, model._event_history(history)),
                pred_contrib=True,
            )[:, -1]
            for k in ("q0.5", "tweedie")
        ],
        axis=0,
    )
    total = top["contribution"].sum() + bias[0]
    assert np.expm1(total) == pytest.approx(peak["q0.5"].iloc[0], rel=1e-5)


def test_the_shipped_default_curves_are_what_the_tool_writes() -> None:
    import importlib.util
    from pathlib import Path

    from crowdcast.profiles import DEFAULT_CURVES_PATH

    tool = Path(__file__).parent.parent / "tools" / "make_event_curves.py"
    spec = importlib.util.spec_from_file_location("make_event_curves", tool)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with np.errstate(all="ignore"):
        expected = module.text()
    assert DEFAULT_CURVES_PATH.read_text() == expected, "run tools/make_event_curves.py"


def test_a_category_the_site_never_had_falls_back_on_the_default_curve(model) -> None:  # type: ignore[no-untyped-def]
    from crowdcast.models._event_load import EventLoad
    from crowdcast.profiles import EventResponse, default_event_curves

    learned = model.event_response_
    without = EventResponse(
        {k: v for k, v in learned.curves.items() if k != "football"},
        learned.shares,
        learned.spreads,
    )
    curve = EventLoad(without, None).curve("football")
    assert curve == default_event_curves()["football"]
    assert curve.source.startswith("crowdcast default: learned by calibrate_events")
    assert not {"zone", "venue"} & set(curve.to_dict())  # generic: names no place


def test_bootstrap_intervals_of_the_peak_per_attendee(tmp_path, base, origin) -> None:  # type: ignore[no-untyped-def]
    from crowdcast.models import calibrate_events
    from crowdcast.profiles import load_event_response, save_event_response

    history = _history(base, origin)
    response = calibrate_events(history, n_boot=20, seed=1)
    reach = response.reach().set_index(["category", "venue", "zone"])
    plaza = reach.loc[("football", "stadium_plaza", "stadium_plaza")]
    # about 35 matches: a tight interval around the point
    assert plaza["low"] < plaza["peak_per_attendee"] < plaza["high"]
    assert plaza["high"] - plaza["low"] < 0.5 * plaza["peak_per_attendee"]
    assert reach["low"].notna().all() and (reach["low"] <= reach["high"]).all()
    assert calibrate_events(history).reach()["low"].isna().all()  # none unless asked for
    path = tmp_path / "shares.toml"
    save_event_response(response, shares=path)
    assert load_event_response(shares=path).peak_intervals == response.peak_intervals
