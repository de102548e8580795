"""Site profiles and indicator libraries: frozen, validated, generic kept apart from local."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import tomllib
from pathlib import Path

import pytest

import crowdcast as cc
from crowdcast.exceptions import ConfigError, ParameterError
from crowdcast.profiles import (
    DEFAULT_LIBRARY_PATH,
    IndicatorWeight,
    RiskSettings,
    load_indicator_library,
    load_site_profile,
    save_site_profile,
)


def write(tmp_path: Path, text: str, name: str = "file.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL_SITE = """
[site]
id = "x"
timezone = "Europe/Amsterdam"
country = "NL"
[[zones]]
id = "a"
"""


def test_load_site_profile_reads_every_section(fixtures: Path) -> None:
    site = load_site_profile(fixtures / "profiles" / "site.toml")
    assert site.id == "testdorp"
    assert site.zone_ids == ("square", "street")
    square = site.zone("square")
    assert (square.measure, square.area_m2, square.capacity) == ("occupancy", 2500.0, 5000)
    assert site.zone("street").width_m == 9.5
    assert site.venues[0].tags == ("horeca", "licensed")
    assert next(iter(site.closed_days[0].dates())) == dt.date(2024, 7, 13)
    assert len(list(site.closed_days[0].dates())) == 44
    src = site.source("cameras")
    assert src.purposes == ("crowd_safety", "event_planning")
    assert src.path == fixtures / "profiles" / "../counts/long.csv"
    assert site.risk.density_scheme == "fruin_walkway"
    assert site.risk.alert_probability == 0.3
    assert site.privacy.min_count_per_hour == 10
    assert site.weight("alcohol_aggression", "venue:cafe_1") == 1.4
    assert site.weights[0].interval == (1.1, 1.8)
    assert site.weight("alcohol_aggression", "zone:square") == 1.0  # default: generic holds


def test_site_profile_is_frozen(fixtures: Path) -> None:
    site = load_site_profile(fixtures / "profiles" / "site.toml")
    with pytest.raises(dataclasses.FrozenInstanceError):
        site.timezone = "UTC"  # type: ignore[misc]


def test_site_profile_repr_is_one_readable_line(fixtures: Path) -> None:
    site = load_site_profile(fixtures / "profiles" / "site.toml")
    assert repr(site) == (
        "SiteProfile(id='testdorp', timezone='Europe/Amsterdam', holidays=NL, zones=2, "
        "venues=1, sources=1, weights=1)"
    )


def test_load_site_profile_reports_every_problem_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[site]
id = "x"
timezone = "Europe/Amsterdm"
country = "XX"
[[zones]]
id = "a"
measure = "people"
area_m2 = -5
[[zones]]
id = "a"
neighbours = ["b"]
[[venues]]
id = "v"
zone = "nowhere"
[[sources]]
id = "s"
kind = "counts"
format = "ics"
path = "c.csv"
purposes = ["marketing"]
[[weights]]
indicator = "alcohol_aggression"
target = "venue:unknown_bar"
value = 1.2
[risk]
alert_probability = 1.5
""",
    )
    with pytest.raises(ConfigError) as info:
        load_site_profile(path)
    text = str(info.value)
    assert text.startswith(f"Invalid site profile: {len(info.value.problems)} problems.")
    expected = [
        "`site.timezone` must be an IANA time zone name like 'Europe/Amsterdam'. "
        "Got 'Europe/Amsterdm'.",
        "`site.country` must be an ISO 3166-1 alpha-2 code supported by `holidays`. Got 'XX'.",
        "`zones[0].measure` must be 'occupancy' or 'passages'. Got 'people'.",
        "`zones[0].area_m2` must be a positive number. Got -5.0.",
        "`zones.id` must be unique. Got 'a'.",
        "`zones[1].neighbours` must be zone ids (a). Got 'b'.",
        "`venues[0].zone` must be a zone id (a). Got 'nowhere'.",
        "`sources[0].format` must be a format for counts (csv, parquet). Got 'ics'.",
        "`sources[0].purposes` must be purposes from crowd_safety, event_planning, operations, "
        "mobility_research, public_information. Got 'marketing'.",
        "`weights[0].target` must be 'site', 'zone:<id>' or 'venue:<id>' of this profile. "
        "Got 'venue:unknown_bar'.",
        "`risk.alert_probability` must be a probability between 0 and 1 (exclusive). Got 1.5.",
    ]
    for line in expected:
        assert line in text
    assert f"where: {path}" in text


def test_load_site_profile_requires_declared_purposes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        MINIMAL_SITE + '[[sources]]\nid = "s"\nkind = "counts"\nformat = "csv"\npath = "c.csv"\n',
    )
    with pytest.raises(ConfigError) as info:
        load_site_profile(path)
    assert "`sources[0].purposes` must be at least one declared purpose." in str(info.value)
    assert "hint: choose from crowd_safety" in str(info.value)


def test_load_site_profile_rejects_unknown_keys_and_subdivisions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        MINIMAL_SITE.replace('country = "NL"', 'country = "NL"\nsubdivision = "ZZ"\nzoom = 3'),
    )
    with pytest.raises(ConfigError) as info:
        load_site_profile(path)
    text = str(info.value)
    assert "`site.zoom` must be one of the known keys" in text
    assert "`site.subdivision` must be a subdivision of NL" in text


def test_load_site_profile_rejects_closed_days_ending_before_start(tmp_path: Path) -> None:
    path = write(
        tmp_path, MINIMAL_SITE + "[[closed_days]]\nname='x'\nstart=2024-07-13\nend=2024-07-01\n"
    )
    with pytest.raises(
        ConfigError, match=r"`closed_days\[0\].end` must be on or after start 2024-07-13"
    ):
        load_site_profile(path)


def test_load_site_profile_names_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="the site profile file must be an existing file"):
        load_site_profile(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="the site profile file must be valid TOML"):
        load_site_profile(write(tmp_path, "[site\nid="))


def test_zone_lookup_names_known_zones(fixtures: Path) -> None:
    site = load_site_profile(fixtures / "profiles" / "site.toml")
    with pytest.raises(
        ConfigError, match=r"a zone of site 'testdorp' \(square, street\). Got 'park'"
    ):
        site.zone("park")


def test_load_site_profile_reports_a_site_name_of_the_wrong_type(tmp_path: Path) -> None:
    # The name used to be read after the problems were raised: a wrong type was ignored.
    path = write(tmp_path, MINIMAL_SITE.replace('id = "x"', 'id = "x"\nname = 3'))
    with pytest.raises(ConfigError, match=re.escape("`site.name` must be a string. Got 3.")):
        load_site_profile(path)


def test_load_site_profile_reports_a_privacy_value_that_is_not_a_table(tmp_path: Path) -> None:
    # Used to crash with TypeError: 'int' object is not iterable.
    path = write(tmp_path, "privacy = 3\n" + MINIMAL_SITE)
    with pytest.raises(
        ConfigError, match=re.escape("`privacy` must be a table ([privacy]). Got 3.")
    ):
        load_site_profile(path)


def test_load_site_profile_refuses_an_empty_time_zone(tmp_path: Path) -> None:
    # Used to be accepted, leaving SiteProfile.timezone == "".
    path = write(tmp_path, MINIMAL_SITE.replace('"Europe/Amsterdam"', '""'))
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "`site.timezone` must be an IANA time zone name like 'Europe/Amsterdam'. Got ''."
        ),
    ):
        load_site_profile(path)


def test_planning_data_age_defaults_to_a_week_and_is_read_from_the_profile(
    tmp_path: Path,
) -> None:
    assert load_site_profile(write(tmp_path, MINIMAL_SITE)).planning.max_data_age_h == 168.0
    path = write(tmp_path, MINIMAL_SITE + "[planning]\nmax_data_age_h = 48\n", "p.toml")
    assert load_site_profile(path).planning.max_data_age_h == 48.0


def test_planning_data_age_must_be_a_positive_number_of_hours(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL_SITE + "[planning]\nmax_data_age_h = 0\nmax_age = 3\n")
    with pytest.raises(ConfigError) as err:
        load_site_profile(path)
    text = str(err.value)
    assert "`planning.max_data_age_h` must be a positive number of hours. Got 0." in text
    assert "`planning.max_age` must be one of the known keys (max_data_age_h)" in text


# ----------------------------------------------------------------------------- risk settings


def test_risk_settings_replace_changes_only_what_it_is_given(fixtures: Path) -> None:
    site = load_site_profile(fixtures / "profiles" / "site.toml")
    risk = site.risk.replace(alert_probability=0.4)
    assert risk == dataclasses.replace(site.risk, alert_probability=0.4)
    assert site.risk.alert_probability == 0.3  # frozen: a new object, the old one unchanged
    assert RiskSettings().replace() == RiskSettings()


def test_risk_settings_replace_stores_floats_and_its_own_copy_of_a_mapping() -> None:
    levels = {"crowding_density": "red"}
    risk = RiskSettings().replace(
        alert_level=levels, distance_rule_m=2, density_scheme="fruin_walkway"
    )
    levels["crowding_density"] = "orange"
    assert risk.alert_level == {"crowding_density": "red"}
    assert risk.distance_rule_m == 2.0
    assert isinstance(risk.distance_rule_m, float)
    assert risk.density_scheme == "fruin_walkway"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"alert_probability": 1.5},
            "`alert_probability` must be a probability between 0 and 1 (exclusive). Got 1.5.",
        ),
        (
            {"alert_probability": 0},
            "`alert_probability` must be a probability between 0 and 1 (exclusive). Got 0.",
        ),
        (
            {"alert_probability": True},
            "`alert_probability` must be a probability between 0 and 1 (exclusive). Got True.",
        ),
        (
            {"density_scheme": "fruin"},
            "`density_scheme` must be one of default, fruin_walkway, fruin_queuing. Got 'fruin'.",
        ),
        (
            {"distance_rule_m": 0.0},
            "`distance_rule_m` must be a positive number of metres. Got 0.0.",
        ),
        (
            {"distance_rule_m": math.inf},
            "`distance_rule_m` must be a positive number of metres. Got inf.",
        ),
        (
            {"alert_level": 3},
            "`alert_level` must be a level name or a mapping of indicator id to level name. Got 3.",
        ),
        (
            {"alert_level": {"crowding_density": 2}},
            "`alert_level` must be a level name or a mapping of indicator id to level name. "
            "Got {'crowding_density': 2}.",
        ),
        (
            {"alert_prob": 0.4},
            "`alert_prob` must be one of the settings of RiskSettings (density_scheme, "
            "alert_level, alert_probability, distance_rule_m). Got an unknown setting.",
        ),
    ],
)
def test_risk_settings_replace_refuses_what_the_loader_refuses(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ParameterError, match=re.escape(message)) as info:
        RiskSettings().replace(**changes)
    assert str(info.value).startswith("Invalid RiskSettings parameters: 1 problem.")


def test_risk_settings_replace_reports_every_problem_at_once() -> None:
    with pytest.raises(ParameterError) as info:
        RiskSettings().replace(alert_probability=1.0, distance_rule_m=-1)
    assert str(info.value) == (
        "Invalid RiskSettings parameters: 2 problems.\n"
        "- `alert_probability` must be a probability between 0 and 1 (exclusive). Got 1.0.\n"
        "- `distance_rule_m` must be a positive number of metres. Got -1."
    )


def test_risk_settings_replace_and_the_loader_word_a_problem_alike(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL_SITE + '[risk]\ndensity_scheme = "fruin"\n')
    with pytest.raises(ConfigError) as loaded:
        load_site_profile(path)
    with pytest.raises(ParameterError) as replaced:
        RiskSettings().replace(density_scheme="fruin")
    words = "must be one of default, fruin_walkway, fruin_queuing. Got 'fruin'."
    assert f"`risk.density_scheme` {words}" in str(loaded.value)
    assert f"`density_scheme` {words}" in str(replaced.value)


# ----------------------------------------------------------------------------- indicator library


def test_default_library_holds_the_generic_indicators() -> None:
    lib = load_indicator_library()
    assert lib.path == DEFAULT_LIBRARY_PATH
    assert set(lib.ids) >= {
        "crowding_density",
        "crowding_fruin_walkway",
        "crowding_fruin_queuing",
        "crowding_fruin_flow",
        "distancing",
        "alcohol_aggression",
        "relative_busyness",
    }
    beer = lib["alcohol_aggression"]
    assert (beer.signal, beer.effect_size, beer.scope_radius_m) == (
        "alcohol_litres_sold",
        0.01,
        50.0,
    )
    assert beer.scope_venue_tags == ("licensed",)
    assert (beer.window_start, beer.window_end) == (dt.time(18), dt.time(6))
    assert lib["crowding_density"].thresholds == (0.5, 2.0, 4.0)
    assert all(i.reference for i in lib.indicators)  # every threshold cites its source


def test_library_file_contains_no_site_specific_keys() -> None:
    with DEFAULT_LIBRARY_PATH.open("rb") as fh:
        doc = tomllib.load(fh)

    def keys(obj: object) -> set[str]:
        if isinstance(obj, dict):
            return set(obj) | {k for v in obj.values() for k in keys(v)}
        if isinstance(obj, list):
            return {k for v in obj for k in keys(v)}
        return set()

    assert not keys(doc) & {"zone", "zones", "venue", "venues", "weight", "weights", "lat", "lon"}


def test_library_refuses_site_specific_data(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[library]
id = "lib"
version = "1"
[[indicators]]
id = "beer"
title = "t"
hazard = "aggression"
signal = "alcohol_litres_sold"
weight = 1.3
[indicators.effect]
form = "relative_lift"
size = 0.01
[indicators.scope]
venue_tags = ["licensed"]
venues = ["cafe_1"]
""",
    )
    with pytest.raises(ConfigError) as info:
        load_indicator_library(path)
    text = str(info.value)
    assert "`indicators[0].weight` must be absent from a generic indicator library" in text
    assert "`indicators[0].scope.venues` must be absent from a generic indicator library" in text
    assert "hint: zones, venues, coordinates and weights belong in the site profile" in text


def test_library_rejects_thresholds_that_do_not_increase(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[[indicators]]
id = "dens"
title = "t"
hazard = "crowding"
[indicators.effect]
form = "bands"
thresholds = [0.5, 4.0, 2.0]
levels = ["g", "y", "r"]
""",
    )
    with pytest.raises(ConfigError) as info:
        load_indicator_library(path)
    text = str(info.value)
    assert (
        "`indicators[0].effect.thresholds` must be strictly increasing. Got [0.5, 4.0, 2.0]."
        in text
    )
    assert "`indicators[0].effect.levels` must be one more level than thresholds (4)." in text


def test_library_rejects_unknown_effect_forms_and_bad_windows(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[[indicators]]
id = "x"
title = "t"
hazard = "h"
[indicators.effect]
form = "magic"
[indicators.window]
start = "late"
""",
    )
    with pytest.raises(ConfigError) as info:
        load_indicator_library(path)
    text = str(info.value)
    assert "`indicators[0].effect.form` must be one of relative_lift, bands" in text
    assert "`indicators[0].window.start` must be a local time like '18:00'. Got 'late'." in text


def test_library_lookup_names_known_ids() -> None:
    with pytest.raises(ConfigError, match="an indicator of library 'crowdcast-generic'"):
        load_indicator_library()["beer"]


def test_library_reports_a_header_that_is_not_a_table_or_of_the_wrong_type(
    tmp_path: Path,
) -> None:
    # A non-table [library] gave a misleading unknown-key error (or a TypeError), and
    # id/version/title were read after the problems were raised, so a wrong type was ignored.
    with pytest.raises(
        ConfigError, match=re.escape("`library` must be a table ([library]). Got 'x'.")
    ):
        load_indicator_library(write(tmp_path, 'library = "x"\n'))
    with pytest.raises(ConfigError, match=re.escape("`library.version` must be a string. Got 1.")):
        load_indicator_library(write(tmp_path, "[library]\nversion = 1\n"))


def test_a_library_band_without_its_boundary_side_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[[indicators]]
id = "dens"
title = "t"
hazard = "crowding"
[indicators.effect]
form = "bands"
thresholds = [0.5, 2.0]
levels = ["g", "y", "r"]

[[indicators]]
id = "dens2"
title = "t"
hazard = "crowding"
[indicators.effect]
form = "bands"
thresholds = [0.5, 2.0]
levels = ["g", "y", "r"]
inclusive = "both"
""",
    )
    with pytest.raises(ConfigError) as info:
        load_indicator_library(path)
    text = str(info.value)
    assert "`indicators[0].effect.inclusive` must be given for form 'bands'" in text
    assert "hint: as the indicator's source states it: 'upper' when a value exactly" in text
    assert "`indicators[1].effect.inclusive` must be 'upper' or 'lower'. Got 'both'." in text


def test_an_invalid_weight_is_refused_before_any_file_is_written(tmp_path: Path) -> None:
    site = cc.load_site_profile(cc.sample_path() / "site.toml")
    negative = IndicatorWeight("alcohol_aggression", "site", -0.3, "calibrated", (-0.9, 0.3))
    out = tmp_path / "profiles" / "new.toml"
    with pytest.raises(ConfigError) as info:
        save_site_profile(site, out, negative)
    text = str(info.value)
    assert "`weights[0].value` must be a number >= 0. Got -0.3." in text
    assert f"where: {out.resolve()} (not written)" in text
    assert not out.exists() and not any(tmp_path.rglob("*.toml"))  # nothing left behind
