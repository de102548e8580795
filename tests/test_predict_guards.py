"""predict refuses what it cannot answer: unseen zones, horizons it did not learn, stale origins.

And horizons and windows may be given in hours, whatever the counting interval.
"""

from __future__ import annotations

import pandas as pd
import pytest

import crowdcast as cc
from crowdcast.exceptions import ParameterError

LIGHT = {"n_estimators": 10}


@pytest.fixture(scope="module")
def city() -> cc.City:
    sim = cc.make_city(
        zones=["station_square", "market_square"], start="2024-03-01", end="2024-04-30"
    )
    return cc.City.from_tables(sim.counts, site=sim.site)


@pytest.fixture(scope="module")
def model(city) -> cc.GBMForecaster:  # type: ignore[no-untyped-def]
    return cc.GBMForecaster(horizon=6, lgbm_params=LIGHT).fit(city)


def test_counts_for_a_zone_not_fitted_are_an_error_naming_it(city, model) -> None:  # type: ignore[no-untyped-def]
    extra = city.counts[city.counts["zone"] == "market_square"].assign(zone="new_square")
    counts = pd.concat([city.counts, extra], ignore_index=True)
    with pytest.raises(ParameterError, match=r"also 'new_square'(.|\n)*hint: refit with counts"):
        model.predict(counts)


@pytest.mark.parametrize("horizon", [0, -1, "0h", "45min", "soon"])
def test_a_horizon_that_is_not_a_positive_whole_number_of_intervals_is_an_error(  # type: ignore[no-untyped-def]
    model, horizon
) -> None:
    with pytest.raises(ParameterError, match="`horizon` must be a positive number of intervals"):
        model.predict(horizon=horizon)


def test_a_horizon_beyond_the_fitted_one_is_an_error_with_the_refit_hint(model) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(
        ParameterError,
        match=r"at most the 6 intervals \(6 h\)(.|\n)*GBMForecaster\(horizon=10000\)",
    ):
        model.predict(horizon=10_000)
    assert len(model.predict(horizon="3h")) == 2 * 3


def test_an_origin_long_after_the_last_count_is_an_error_unless_allowed(model) -> None:  # type: ignore[no-untyped-def]
    late = model.history_.end + pd.Timedelta("90D")
    with pytest.raises(
        ParameterError, match=r"`origin` must be at most 336 h after the last count"
    ):
        model.predict(origin=late)
    with pytest.raises(ParameterError, match="allow_stale=True"):
        cc.what_if(model, [cc.SetWeather(late, precipitation_mm=2.0)], origin=late)
    assert len(model.predict(origin=late, allow_stale=True)) == 2 * 6
    near = model.history_.end + pd.Timedelta("2D")
    assert len(model.predict(origin=near)) == 2 * 6
    with pytest.raises(ParameterError, match="at most 24 h after"):
        model.predict(origin=near, stale_after="1D")


def test_a_horizon_in_hours_is_converted_by_the_counting_interval() -> None:
    sim = cc.make_city(zones=["station_square"], start="2024-03-01", end="2024-03-28", freq="30min")
    model = cc.SeasonalNaive(horizon="24h").fit(sim.counts, site=sim.site)
    assert model.horizon_ == 48 and len(model.predict()) == 48
    ratio = cc.ProfileRatio(horizon=4, weeks=2, window="3h").fit(sim.counts, site=sim.site)
    assert ratio._window(pd.Timedelta("30min")) == 6
    with pytest.raises(ParameterError, match="whole number of counting intervals"):
        cc.SeasonalNaive(horizon="45min").fit(sim.counts, site=sim.site)
