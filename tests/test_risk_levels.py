"""Risk levels of a forecast: probabilities from quantiles, every scheme, alerts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _risk_site import TAUS, forecast, make_site, reference_quantile_function
from crowdcast.exceptions import ConfigError, DataValidationError, ParameterError
from crowdcast.profiles import load_indicator_library
from crowdcast.risk import RiskTable, assess, exceedance_probability, max_density

CASES = [
    [100.0, 250.0, 450.0],
    [0.0, 0.0, 30.0],  # mass at zero
    [5.0, 40.0, 40.0],  # flat upper tail: point mass at 40
    [10.0, 11.0, 500.0],  # long right tail
    [70.0, 80.0, 90.0],  # lower tail reaches below zero only after clipping
]


@pytest.mark.parametrize("values", CASES)
def test_exceedance_probability_matches_sampling_the_quantile_function(values: list[float]) -> None:
    v = np.array(values)
    rng = np.random.default_rng(7)
    draws = reference_quantile_function(v, TAUS, rng.uniform(size=400_000))
    thresholds = np.array([0.0, 1.0, 20.0, 40.0, 75.0, 200.0, 300.0, 600.0])
    expected = np.array([(draws >= t).mean() for t in thresholds])
    got = exceedance_probability(v[None, :], TAUS, thresholds[None, :])[0]
    np.testing.assert_allclose(got, expected, atol=0.005)


def test_exceedance_probability_never_increases_with_the_threshold() -> None:
    rng = np.random.default_rng(1)
    values = np.sort(rng.gamma(2.0, 50.0, size=(500, 3)), axis=1)
    thresholds = np.tile(np.linspace(0, 600, 61), (500, 1))
    p = exceedance_probability(values, TAUS, thresholds)
    assert ((p >= 0) & (p <= 1)).all()
    assert (np.diff(p, axis=1) <= 1e-12).all()


def test_a_forecast_without_spread_gives_probabilities_zero_or_one() -> None:
    p = exceedance_probability(np.array([[50.0, 50.0, 50.0]]), TAUS, np.array([[49.0, 50.0, 51.0]]))
    assert p.tolist() == [[1.0, 1.0, 0.0]]


def test_missing_quantiles_give_missing_probabilities() -> None:
    p = exceedance_probability(np.array([[np.nan, 1.0, 2.0]]), TAUS, np.array([1.0]))
    assert np.isnan(p).all()


def test_crowding_density_levels_and_probabilities_in_an_occupancy_zone(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    risk = assess(forecast("square", [(100.0, 250.0, 450.0)]), site)
    row = risk.table.iloc[0]
    assert (row["indicator"], row["density"], row["level"]) == ("crowding_density", 2.5, "orange")
    assert row["p_yellow"] == pytest.approx(1.0)
    assert row["p_orange"] == pytest.approx(1 - (0.1 + 100 / 150 * 0.4))
    assert row["p_red"] == pytest.approx(0.2)
    assert "p_green" not in risk.table.columns  # always 1
    assert list(risk.table.columns[:7]) == [
        "zone", "origin", "timestamp", "horizon", "q0.1", "q0.5", "q0.9"
    ]  # fmt: skip


def test_fruin_walkway_and_queuing_schemes_come_from_the_site_or_the_call(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    fc = forecast("square", [(90.0, 100.0, 110.0)])  # 1.0 p/m² at P50
    walkway = assess(fc, dataclasses.replace(site, risk=dataclasses.replace(
        site.risk, density_scheme="fruin_walkway")))  # fmt: skip
    assert walkway.table[["indicator", "level"]].iloc[0].tolist() == ["crowding_fruin_walkway", "D"]
    queuing = assess(fc, site, settings=site.risk.replace(density_scheme="fruin_queuing"))
    assert queuing.table[["indicator", "level"]].iloc[0].tolist() == ["crowding_fruin_queuing", "B"]
    assert [c for c in queuing.table.columns if c.startswith("p_")] == [
        "p_B", "p_C", "p_D", "p_E", "p_F"
    ]  # fmt: skip


def test_flow_levels_for_a_passage_zone_use_width_and_interval_minutes(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    hourly = assess(forecast("street", [(5000.0, 6000.0, 7000.0)]), site)
    row = hourly.table.iloc[0]
    assert (row["indicator"], row["flow"], row["level"]) == ("crowding_fruin_flow", 50.0, "D")
    quarter = forecast("street", [(1000.0, 1500.0, 2000.0)])
    quarter.attrs["provenance"] = {"freq": "0 days 00:15:00"}
    assert assess(quarter, site).table["flow"].iloc[0] == 50.0
    no_provenance = forecast("street", [(1000.0, 1500.0, 2000.0)] * 2)
    no_provenance.attrs = {}
    assert assess(no_provenance, site).table["flow"].iloc[0] == 12.5  # hourly from the steps


def test_distancing_compares_density_with_the_hexagonal_lattice_limit(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    assert max_density(1.5) == pytest.approx(0.5132, abs=1e-4)
    risk = assess(forecast("square", [(20.0, 40.0, 60.0), (40.0, 60.0, 80.0)]), site,
                  hazard="distancing")  # fmt: skip
    assert risk.table["level"].tolist() == ["ok", "exceeded"]
    limit = max_density(1.5) * 100
    assert risk.table["p_exceeded"].iloc[0] == pytest.approx(1 - (0.5 + (limit - 40) / 20 * 0.4))
    assert risk.alerts[["level", "first_alert"]].iloc[0].tolist() == [
        "exceeded", risk.table["timestamp"].iloc[1]
    ]  # fmt: skip


def lane_history() -> pd.DataFrame:
    # four Saturdays 12:00 local (10:00 UTC in June) with 10, 20, 30, 40 people
    stamps = [pd.Timestamp("2024-05-11 10:00", tz="UTC") + pd.Timedelta(weeks=w) for w in range(4)]
    return pd.DataFrame({"zone": "lane", "timestamp": stamps, "count": [10.0, 20.0, 30.0, 40.0]})


def test_relative_busyness_uses_the_zones_own_weekday_and_hour_percentiles(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    fc = forecast("lane", [(30.0, 35.0, 40.0)], start="2024-06-08 10:00")  # a Saturday
    risk = assess(fc, site, hazard="busyness", history=lane_history())
    row = risk.table.iloc[0]
    assert (row["indicator"], row["count"], row["level"]) == ("relative_busyness", 35.0, "busy")
    # percentiles 17.5, 32.5, 38.5 of the four Saturdays at noon
    assert row["p_normal"] == pytest.approx(1.0)
    assert row["p_busy"] == pytest.approx(1 - (0.1 + 2.5 / 5 * 0.4))
    assert row["p_very_busy"] == pytest.approx(1 - (0.5 + 3.5 / 5 * 0.4))
    other_hour = forecast("lane", [(30.0, 35.0, 40.0)], start="2024-06-08 11:00")
    assert (
        assess(other_hour, site, hazard="busyness", history=lane_history())
        .table["level"]
        .isna()
        .all()
    )  # no history for that weekday and hour: unknown, not guessed


def test_alerts_fire_at_the_earliest_interval_above_the_probability(tmp_path: Path) -> None:
    site = make_site(tmp_path)  # alert level orange, probability 0.5
    fc = forecast("square", [(10.0, 50.0, 90.0), (100.0, 180.0, 300.0), (150.0, 300.0, 500.0)])
    risk = assess(fc, site)
    alerts = risk.alerts
    assert len(alerts) == 1
    a = alerts.iloc[0]
    assert (a["zone"], a["first_alert"], a["horizon"], a["level"]) == (
        "square", fc["timestamp"].iloc[2], 3, "orange"
    )  # fmt: skip
    assert a["lead_time"] == pd.Timedelta("2h")
    assert a["probability"] == risk.table["p_orange"].iloc[2] > 0.5
    earlier = assess(fc, site, settings=site.risk.replace(alert_probability=0.3)).alerts
    assert earlier["first_alert"].iloc[0] == fc["timestamp"].iloc[1]
    strict = site.risk.replace(alert_level="red", alert_probability=0.9)
    assert assess(fc, site, settings=strict).alerts.empty


def test_passage_zones_alert_on_their_own_scheme_when_the_level_is_not_theirs(
    tmp_path: Path,
) -> None:
    site = make_site(tmp_path)
    fc = pd.concat([forecast("square", [(1.0, 2.0, 3.0)]),
                    forecast("street", [(8000.0, 9000.0, 10000.0)])])  # fmt: skip
    risk = assess(fc, site)
    assert risk.schemes["street"] == ("crowding_fruin_flow", ("A", "B", "C", "D", "E", "F"), "E")
    assert risk.alerts[["zone", "level"]].values.tolist() == [["street", "E"]]
    mapped = assess(fc, site, settings=site.risk.replace(alert_level={"crowding_fruin_flow": "F"}))
    assert mapped.schemes["street"][2] == "F"


def test_summary_and_html_show_one_row_per_zone(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    fc = pd.concat([forecast("square", [(100.0, 250.0, 450.0)]),
                    forecast("street", [(5000.0, 6000.0, 7000.0)])])  # fmt: skip
    risk = assess(fc, site)
    summary = risk.summary()
    assert summary["zone"].tolist() == ["square", "street"]
    assert summary["highest_level_p50"].tolist() == ["orange", "D"]
    assert "<table" in risk._repr_html_() and "street" in risk._repr_html_()
    assert repr(risk).startswith("<RiskTable 'crowding' for riskdorp: 2 zones, 2 intervals")
    with pytest.raises(dataclasses.FrozenInstanceError):
        risk.hazard = "x"  # type: ignore[misc]
    assert isinstance(risk, RiskTable)


# ----------------------------------------------------------------------------- bad input


def test_density_levels_for_a_zone_without_area_suggest_relative_levels(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    with pytest.raises(ParameterError) as exc:
        assess(forecast("lane", [(1.0, 2.0, 3.0)]), site)
    assert str(exc.value) == (
        "Cannot compute crowding levels: 1 problem.\n"
        "- zone 'lane' (occupancy) must be given `area_m2` for crowding levels. Got no area_m2.\n"
        "    hint: no area (or width) is known for this zone; use relative levels: "
        "assess(forecast, site, hazard='busyness', history=counts)"
    )


def test_busyness_without_history_is_an_error(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    with pytest.raises(ParameterError, match="`history` must be the zones' past counts"):
        assess(forecast("lane", [(1.0, 2.0, 3.0)]), site, hazard="busyness")


def test_unknown_hazard_and_indicator_hazards_are_pointed_elsewhere(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    with pytest.raises(ParameterError) as exc:
        assess(forecast("square", [(1.0, 2.0, 3.0)]), site, hazard="fire")
    assert str(exc.value) == (
        "Invalid data: 1 problem.\n"
        "- `hazard` must be one of crowding, distancing, busyness, aggression. Got 'fire'.\n"
    ).rstrip("\n")
    # an indicator hazard reads a forecast of its signal per venue, not of the crowd
    with pytest.raises(DataValidationError) as exc2:
        assess(forecast("square", [(1.0, 2.0, 3.0)]), site, hazard="aggression")
    assert "hint: forecast the signal, not the crowd: model.fit(signal_city(city))" in str(
        exc2.value
    )


def test_an_alert_level_of_no_scheme_is_an_error(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    with pytest.raises(ParameterError, match="`alert_level` must be a level of the schemes"):
        assess(
            forecast("square", [(1.0, 2.0, 3.0)]),
            site,
            settings=site.risk.replace(alert_level="purple"),
        )


def test_a_forecast_with_one_quantile_cannot_give_probabilities(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    fc = forecast("square", [(1.0, 2.0, 3.0)]).drop(columns=["q0.1", "q0.9"])
    with pytest.raises(ParameterError, match="at least two quantile columns"):
        assess(fc, site)


def test_thresholds_that_do_not_increase_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "lib.toml"
    bad.write_text(
        '[library]\nid = "x"\nversion = "1"\n[[indicators]]\nid = "crowding_density"\n'
        'hazard = "crowding"\n[indicators.effect]\nform = "bands"\n'
        'thresholds = [2.0, 0.5, 4.0]\nlevels = ["a", "b", "c", "d"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"thresholds` must be strictly increasing"):
        load_indicator_library(bad)
    # a library built in code bypasses the loader; assess checks again
    lib = load_indicator_library()
    broken = dataclasses.replace(
        lib,
        indicators=tuple(
            dataclasses.replace(i, thresholds=(2.0, 0.5, 4.0)) if i.id == "crowding_density" else i
            for i in lib.indicators
        ),
    )
    with pytest.raises(ConfigError) as exc:
        assess(
            forecast("square", [(1.0, 2.0, 3.0)]),
            make_site(tmp_path, name="b.toml"),
            library=broken,
        )
    assert str(exc.value) == (
        "Invalid indicator: 1 problem.\n"
        "- the thresholds of indicator 'crowding_density' must be strictly increasing, with one "
        "more level than thresholds. Got [2.0, 0.5, 4.0] for levels "
        "['green', 'yellow', 'orange', 'red']."
    )


def test_busyness_matches_off_grid_forecast_times_to_the_history_interval(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    fc = forecast("lane", [(30.0, 35.0, 40.0)], start="2024-06-08 10:45")
    assert assess(fc, site, hazard="busyness", history=lane_history()).table["level"].tolist() == [
        "busy"
    ]
