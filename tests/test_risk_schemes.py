"""The shipped level schemes against their sources: thresholds and the side of a boundary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from _risk_site import forecast, make_site
from crowdcast.profiles import load_indicator_library
from crowdcast.risk import assess

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
