"""Purpose binding: every run declares its purpose; sources serve only their declared ones."""

from __future__ import annotations

from pathlib import Path

import pytest

import crowdcast as cc
from crowdcast.exceptions import ParameterError, PrivacyError
from crowdcast.jobs import forecast_city
from crowdcast.models import read_model_header
from crowdcast.privacy import check_sources_for


@pytest.fixture(scope="module")
def city() -> cc.City:
    return cc.load_sample()


def test_a_city_used_for_an_undeclared_purpose_is_refused_for_every_source_it_holds(
    city: cc.City,
) -> None:
    with pytest.raises(PrivacyError) as info:
        city.with_purpose("mobility_research")
    path = city.site.path
    hint = (
        "    hint: run for one of crowd_safety, event_planning, operations, or, if the data "
        "protection officer agrees, add 'mobility_research' to the source's `purposes` in the "
        "site profile"
    )
    only_safety = (
        "    hint: run for one of crowd_safety, or, if the data protection officer agrees, add "
        "'mobility_research' to the source's `purposes` in the site profile"
    )
    assert str(info.value) == (
        "Sources used beyond their declared purposes: 6 problems.\n"
        "- source 'counts' (counts) must be declared for purpose 'mobility_research' to be "
        "used for it. Got purposes crowd_safety, event_planning, operations.\n"
        f"    where: {path}\n{hint}\n"
        "- source 'events' (events) must be declared for purpose 'mobility_research' to be "
        "used for it. Got purposes crowd_safety, event_planning, operations.\n"
        f"    where: {path}\n{hint}\n"
        "- source 'weather_observed' (weather) must be declared for purpose "
        "'mobility_research' to be used for it. Got purposes crowd_safety, event_planning, "
        f"operations.\n    where: {path}\n{hint}\n"
        "- source 'weather_forecasts' (weather) must be declared for purpose "
        "'mobility_research' to be used for it. Got purposes crowd_safety, event_planning, "
        f"operations.\n    where: {path}\n{hint}\n"
        "- source 'alcohol_sales' (signals) must be declared for purpose 'mobility_research' "
        f"to be used for it. Got purposes crowd_safety.\n    where: {path}\n{only_safety}\n"
        "- source 'incidents' (incidents) must be declared for purpose 'mobility_research' "
        f"to be used for it. Got purposes crowd_safety.\n    where: {path}\n{only_safety}"
    )


def test_forecast_city_needs_a_city_with_a_purpose(city: cc.City) -> None:
    with pytest.raises(ParameterError, match="forecast_city needs a purpose"):
        forecast_city(city.replace(purpose=None), model=cc.SeasonalNaive(horizon=2), horizon=2)


def test_load_city_refuses_a_purpose_no_counts_source_is_declared_for() -> None:
    with pytest.raises(PrivacyError, match="source 'counts' \\(counts\\) must be declared for"):
        cc.load_city(cc.sample_path() / "site.toml", purpose="public_information")


def test_load_city_reads_only_the_sources_declared_for_the_purpose() -> None:
    city = cc.load_city(cc.sample_path() / "site.toml", purpose="event_planning")
    assert city.purpose == "event_planning"
    assert "alcohol_sales" not in city.sources and "incidents" not in city.sources
    assert city.signals.empty and city.incidents.empty
    assert "purpose event_planning" in city.describe()


def test_check_sources_for_names_the_source_its_purposes_and_the_requested_one(
    city: cc.City,
) -> None:
    with pytest.raises(PrivacyError) as info:
        check_sources_for(city.site, "operations", sources=["alcohol_sales", "counts"])
    text = str(info.value)
    assert text.startswith("Sources used beyond their declared purposes: 1 problem.")
    assert (
        "source 'alcohol_sales' (signals) must be declared for purpose 'operations' to be used "
        "for it. Got purposes crowd_safety." in text
    )


def test_check_purpose_is_the_deprecated_name_of_check_sources_for() -> None:
    import crowdcast.privacy

    with pytest.warns(DeprecationWarning, match="use crowdcast.privacy.check_sources_for") as w:
        old = crowdcast.privacy.check_purpose
    assert old is check_sources_for
    assert w[0].filename == __file__  # the warning points at the caller
    with pytest.warns(DeprecationWarning, match="check_purpose is deprecated"):
        from crowdcast.privacy import check_purpose  # noqa: F401
    with pytest.raises(AttributeError, match="has no attribute 'check_porpose'"):
        crowdcast.privacy.check_porpose  # noqa: B018


def test_an_unknown_purpose_is_a_parameter_error() -> None:
    with pytest.raises(ParameterError, match="`purpose` must be one of crowd_safety, "):
        cc.load_city(cc.sample_path() / "site.toml", purpose="marketing")


def test_the_purpose_travels_in_the_provenance(city: cc.City, tmp_path: Path) -> None:
    run = forecast_city(city, model=cc.SeasonalNaive(horizon=3), horizon=3)
    assert run.purpose == "crowd_safety"
    assert run.model.provenance_.purpose == "crowd_safety"
    assert run.forecast.attrs["provenance"]["purpose"] == "crowd_safety"
    cc.save_model(run.model, tmp_path / "m.ccm")
    assert read_model_header(tmp_path / "m.ccm")["provenance"]["purpose"] == "crowd_safety"


def test_fit_checks_the_purpose_against_the_site(city: cc.City) -> None:
    model = cc.SeasonalNaive(horizon=2)
    with pytest.raises(PrivacyError, match="source 'counts' \\(counts\\) must be declared"):
        model.fit(city.counts, site=city.site, purpose="mobility_research")
    assert model.fit(city.counts, purpose="mobility_research").provenance_.purpose == (
        "mobility_research"
    )
    assert cc.SeasonalNaive(horizon=2).fit(city.counts).provenance_.purpose is None
