"""The one input bundle: City built from tables, the purpose checked once, loose tables wrapped."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import crowdcast as cc
from crowdcast._city import as_city
from crowdcast.exceptions import DataValidationError, ParameterError, PrivacyError


@pytest.fixture(scope="module")
def city() -> cc.City:
    return cc.load_sample()


def _counts(zone: str = "station_square", hours: int = 72) -> pd.DataFrame:
    ts = pd.date_range("2024-06-01", periods=hours, freq="h", tz="UTC")
    return pd.DataFrame({"zone": zone, "timestamp": ts, "count": np.arange(hours, dtype=float)})


def test_from_tables_validates_every_table_and_names_where_it_came_from(city: cc.City) -> None:
    bad = _counts().assign(count=-1.0)
    with pytest.raises(DataValidationError) as err:
        cc.City.from_tables(bad, site=city.site, source="my notebook")
    assert "where: counts passed to my notebook, column 'count'" in str(err.value)
    with pytest.raises(DataValidationError, match="events passed to fit"):
        cc.City.from_tables(_counts(), events=city.events.assign(zone="nowhere"), site=city.site,
                            source="fit")  # fmt: skip


def test_from_tables_normalises_and_infers_the_interval() -> None:
    shuffled = _counts().sample(frac=1.0, random_state=0)
    made = cc.City.from_tables(shuffled)
    assert made.freq == pd.Timedelta("1h")
    assert made.counts["timestamp"].is_monotonic_increasing
    assert made.events is None and made.site is None and made.purpose is None


def test_the_purpose_is_checked_when_the_city_is_built(city: cc.City) -> None:
    with pytest.raises(ParameterError, match="`purpose` must be one of"):
        cc.City.from_tables(_counts(), site=city.site, purpose="marketing")
    with pytest.raises(PrivacyError, match="source 'counts' \\(counts\\) must be declared"):
        cc.City.from_tables(_counts(), site=city.site, purpose="public_information")
    # the sample city holds the alcohol sales and incidents, declared for crowd_safety only
    with pytest.raises(PrivacyError, match="source 'alcohol_sales' \\(signals\\)"):
        city.with_purpose("event_planning")
    without = city.replace(signals=None, incidents=None)
    assert without.with_purpose("event_planning").purpose == "event_planning"
    assert city.with_purpose(city.purpose) is city  # nothing to check again


def test_fit_on_loose_tables_equals_fit_on_the_city(city: cc.City) -> None:
    recent = city.counts[city.counts["timestamp"] >= "2024-11-01"]
    small = city.replace(counts=recent.reset_index(drop=True))
    loose = cc.SeasonalNaive(horizon=6).fit(
        small.counts, events=small.events, weather=small.weather, site=small.site,
        purpose=small.purpose,
    )  # fmt: skip
    whole = cc.SeasonalNaive(horizon=6).fit(small)
    pd.testing.assert_frame_equal(loose.predict(), whole.predict())
    assert loose.provenance_.purpose == whole.provenance_.purpose == "crowd_safety"


def test_a_city_and_loose_tables_beside_it_is_an_error(city: cc.City) -> None:
    with pytest.raises(ParameterError) as err:
        cc.SeasonalNaive().fit(city, events=city.events, purpose="crowd_safety")
    assert str(err.value).splitlines()[1:] == [
        "- `events, purpose` must be left out when the data is a City (it carries its own). "
        "Got both.",
        "    hint: pass the City alone, or city.replace(events=...) / city.with_purpose(...) "
        "for another one",
    ]


def test_anything_else_is_refused_by_name() -> None:
    with pytest.raises(ParameterError, match=re.escape("Got ndarray.")):
        as_city(np.zeros(3))  # type: ignore[arg-type]


def test_replace_drops_a_grid_built_for_other_counts(city: cc.City) -> None:
    gridded = city.with_grid(city.history())
    cut = gridded.replace(counts=city.counts.iloc[:100])
    assert gridded.grid is not None and cut.grid is None
    assert cut.history().values.shape[1] < gridded.history().values.shape[1]


def test_a_city_without_a_site_still_describes_itself() -> None:
    made = cc.City.from_tables(pd.concat([_counts("a"), _counts("b")], ignore_index=True))
    assert made.zones == ("a", "b")
    assert made.summary()["zone"].tolist() == ["a", "b"]
    assert made.describe().startswith("No site profile, purpose not declared")
    assert repr(made).startswith("<City (no site): 2 zones")
    assert made.table("events").empty


def test_tasks_that_need_a_site_say_so() -> None:
    made = cc.City.from_tables(_counts())
    with pytest.raises(ParameterError, match="the data for forecast_city must be a City with"):
        made.require_site("forecast_city")
