"""The shipped level schemes against their sources: thresholds and the side of a boundary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _risk_site import TAUS, forecast, make_site, reference_quantile_function
from crowdcast.profiles import load_indicator_library
from crowdcast.risk import assess, exceedance_probability, max_density

FT2 = 0.09290304  # m² per square foot (exact)
FT = 0.3048  # m per foot (exact)

# Fruin (1971), average pedestrian area occupancy (ft²/person) at the lower bound of A..E
FRUIN_WALKWAY_FT2 = (35.0, 25.0, 15.0, 10.0, 5.0)
FRUIN_QUEUING_FT2 = (13.0, 10.0, 7.0, 3.0, 2.0)
# Fruin (1971), walkway flow volume (persons per foot of width per minute, PFM), upper bound of A..E
FRUIN_FLOW_PFM = (7.0, 10.0, 15.0, 20.0, 25.0)


def test_fruin_density_schemes_are_fruins_areas_per_person_converted_exactly() -> None:
    lib = load_indicator_library()
    walkway = [1.0 / (a * FT2) for a in FRUIN_WALKWAY_FT2]
    queuing = [1.0 / (a * FT2) for a in FRUIN_QUEUING_FT2]
    np.testing.assert_allclose(lib["crowding_fruin_walkway"].thresholds, walkway, rtol=2e-4)
    np.testing.assert_allclose(lib["crowding_fruin_queuing"].thresholds, queuing, rtol=2e-4)
    # in m² per person, as the issue states Fruin's queuing boundaries
    areas = [round(1.0 / t, 2) for t in lib["crowding_fruin_queuing"].thresholds]
    assert areas == [1.21, 0.93, 0.65, 0.28, 0.19]


def test_fruin_flow_scheme_is_the_metric_rendering_of_fruins_pfm() -> None:
    flow = load_indicator_library()["crowding_fruin_flow"].thresholds
    assert list(flow) == [round(v / FT) for v in FRUIN_FLOW_PFM]  # 23, 33, 49, 66, 82
    np.testing.assert_allclose(flow, [v / FT for v in FRUIN_FLOW_PFM], rtol=0.006)


def test_every_shipped_scheme_names_its_source() -> None:
    lib = load_indicator_library()
    for ind_id in ("crowding_fruin_walkway", "crowding_fruin_queuing", "crowding_fruin_flow"):
        ref = lib[ind_id].reference
        assert "Fruin" in ref and "1971" in ref and "Exhibit 7-" in ref, ind_id
    assert "hexagonal" in lib["distancing"].reference


@pytest.mark.parametrize(
    ("density", "level"), [(1.097, "C"), (1.508, "C"), (3.50, "D"), (5.16, "E"), (0.80, "A")]
)
def test_fruin_queuing_levels_of_the_densities_the_issue_names(
    tmp_path: Path, density: float, level: str
) -> None:
    site = make_site(tmp_path)  # the square has 100 m²
    count = density * 100.0
    fc = forecast("square", [(count, count, count)])
    risk = assess(fc, site, settings=site.risk.replace(density_scheme="fruin_queuing"))
    assert risk.table["level"].iloc[0] == level


@pytest.mark.parametrize(("density", "level"), [(2.16, "F"), (1.077, "E"), (0.308, "B")])
def test_fruin_walkway_levels_just_past_fruins_boundaries(
    tmp_path: Path, density: float, level: str
) -> None:
    # 2.16 p/m² = 0.463 m²/person, under Fruin's 5 ft² (0.4645 m²): F (was E at 2.17)
    site = make_site(tmp_path)
    count = density * 100.0
    fc = forecast("square", [(count, count, count)])
    risk = assess(fc, site, settings=site.risk.replace(density_scheme="fruin_walkway"))
    assert risk.table["level"].iloc[0] == level


# ----------------------------------------------------------------------------- boundary side

GATE = '\n[[zones]]\nid = "gate"\nmeasure = "passages"\nwidth_m = 1.0\n'


def test_each_shipped_scheme_declares_the_side_its_source_gives_a_boundary() -> None:
    lib = load_indicator_library()
    sides = {i.id: i.inclusive for i in lib.indicators if i.effect_form != "relative_lift"}
    assert sides == {
        "crowding_density": "lower",  # "4 p/m² and above"
        "crowding_fruin_walkway": "upper",  # Fruin: "A <= 23 p/m/min", ">= 35 ft²/person"
        "crowding_fruin_queuing": "upper",
        "crowding_fruin_flow": "upper",
        "distancing": "upper",  # at the lattice density everyone still keeps the distance
        "relative_busyness": "upper",  # very busy: above the 95th percentile
    }


@pytest.mark.parametrize(("passages", "level"), [(1380.0, "A"), (1381.0, "B"), (1980.0, "B")])
def test_a_flow_exactly_on_fruins_threshold_belongs_to_the_better_level(
    tmp_path: Path, passages: float, level: str
) -> None:
    site = make_site(tmp_path, GATE)  # 23 p/m/min x 1 m x 60 min = 1,380 passages per hour
    row = assess(forecast("gate", [(passages, passages, passages)]), site).table.iloc[0]
    assert row["level"] == level
    # the probabilities use the same side: a forecast certain of 1,380 is never B or worse
    assert row["p_B"] == (0.0 if level == "A" else 1.0)
    assert row["p_C"] == (1.0 if passages > 1980 else 0.0)  # 33 p/m/min is C's lower bound


def test_a_density_exactly_on_a_default_band_belongs_to_the_worse_level(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    row = assess(forecast("square", [(400.0, 400.0, 400.0)]), site).table.iloc[0]  # 4 p/m²
    assert (row["level"], row["p_red"]) == ("red", 1.0)


def test_a_density_exactly_at_the_distancing_limit_is_ok(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    count = max_density(1.5) * 100.0
    row = assess(forecast("square", [(count, count, count)]), site, hazard="distancing").table
    assert (row["level"].iloc[0], row["p_exceeded"].iloc[0]) == ("ok", 0.0)


def test_a_zone_that_is_always_empty_at_night_is_quiet_when_forecast_empty(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    stamps = [pd.Timestamp("2024-05-11 02:00", tz="UTC") + pd.Timedelta(weeks=w) for w in range(4)]
    history = pd.DataFrame({"zone": "lane", "timestamp": stamps, "count": 0.0})
    levels, p_very_busy = [], []
    for rows in ([(0.0, 0.0, 0.0)], [(0.0, 0.0, 3.0)]):
        fc = forecast("lane", rows, start="2024-06-08 02:00")
        t = assess(fc, site, hazard="busyness", history=history).table
        levels.append(t["level"].iloc[0])
        p_very_busy.append(t["p_very_busy"].iloc[0])
    assert levels == ["quiet", "quiet"]  # every percentile is 0, and 0 is not above them
    assert p_very_busy == [0.0, 0.5]  # above 0 only when the count is above its median, 0


@pytest.mark.parametrize("strict", [False, True])
def test_level_at_p50_agrees_with_the_probabilities_on_either_side(strict: bool) -> None:
    rng = np.random.default_rng(11)
    values = np.sort(rng.integers(0, 8, size=(4000, 3)).astype(float), axis=1)  # ties, masses
    thresholds = rng.integers(0, 9, size=(4000, 1)).astype(float)
    p = exceedance_probability(values, TAUS, thresholds, strict=strict)[:, 0]
    p50 = values[:, 1]
    above = p50 > thresholds[:, 0] if strict else p50 >= thresholds[:, 0]
    # the level at P50 is at least L exactly when P(level >= L) passes one half
    np.testing.assert_array_equal(above, p > 0.5 if strict else p >= 0.5)


@pytest.mark.parametrize("values", [[0.0, 0.0, 30.0], [5.0, 40.0, 40.0], [10.0, 10.0, 10.0]])
def test_strict_exceedance_matches_sampling_where_the_forecast_has_point_masses(
    values: list[float],
) -> None:
    v = np.array(values)
    draws = reference_quantile_function(v, TAUS, np.random.default_rng(7).uniform(size=400_000))
    thresholds = np.array([-1.0, 0.0, 10.0, 20.0, 40.0, 50.0])
    got = exceedance_probability(v[None, :], TAUS, thresholds[None, :], strict=True)[0]
    np.testing.assert_allclose(got, [(draws > t).mean() for t in thresholds], atol=0.005)
