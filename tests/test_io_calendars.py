"""Events as calendars have them: aliases, free-text LOCATION, DESCRIPTION, a side CSV, the
site's time zone, and the iCalendar rules a calendar app may break."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from crowdcast.exceptions import (
    ConfigError,
    DataQualityWarning,
    DataValidationError,
    ParameterError,
    ParseError,
)
from crowdcast.io import read_events_csv, read_ical
from crowdcast.profiles import load_site_profile
from crowdcast.schemas import validate_events

SITE_TOML = """
[site]
id = "arnhem"
timezone = "Europe/Amsterdam"
country = "NL"

[[zones]]
id = "korenmarkt"
name = "Korenmarkt"
aliases = ["Korenmarktplein", "Luxor Live"]
lat = 51.9838
lon = 5.9066

[[zones]]
id = "rijnkade"
name = "Rijnkade"
aliases = ["Nederrijn kade"]
lat = 51.9795
lon = 5.9095
"""


@pytest.fixture
def site(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "site.toml"
    path.write_text(SITE_TOML)
    return load_site_profile(path)


def calendar(tmp_path: Path, *vevents: str) -> Path:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//crowdcast tests//EN"]
    for body in vevents:
        lines += ["BEGIN:VEVENT", *body.strip().splitlines(), "END:VEVENT"]
    path = tmp_path / "events.ics"
    path.write_bytes(("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode())
    return path


def event(uid: str, location: str, *extra: str) -> str:
    times = "DTSTART:20240601T100000Z\nDTEND:20240601T120000Z"
    return "\n".join([f"UID:{uid}", f"SUMMARY:{uid}", times, f"LOCATION:{location}", *extra])


# ----------------------------------------------------------------------------- the profile


def test_zone_aliases_are_read_from_the_site_profile(site) -> None:  # type: ignore[no-untyped-def]
    assert site.zone("korenmarkt").aliases == ("Korenmarktplein", "Luxor Live")


@pytest.mark.parametrize(
    ("second", "key", "got"),
    [
        ('id = "b"\nname = "Korenmarkt"', "zones[1].name", "'Korenmarkt', also a name of zone 'a'"),
        ('id = "b"\naliases = ["luxor live"]', "zones[1].aliases", "'luxor live'"),
        ('id = "b"\nname = "A"', "zones[1].name", "'A', also a name of zone 'a'"),
    ],
)
def test_a_name_or_alias_of_two_zones_is_refused(tmp_path: Path, second, key, got) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "site.toml"
    path.write_text(
        '[site]\nid = "x"\ntimezone = "UTC"\n[[zones]]\nid = "a"\nname = "Korenmarkt"\n'
        'aliases = ["Luxor Live"]\n[[zones]]\n' + second + "\n"
    )
    with pytest.raises(ConfigError) as info:
        load_site_profile(path)
    text = str(info.value)
    assert f"`{key}` must be unique among the ids, names and aliases of all zones" in text
    assert got in text and "hint: give each zone its own name" in text


# ----------------------------------------------------------------------------- LOCATION


def test_free_text_locations_are_matched_on_names_and_aliases(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    path = calendar(
        tmp_path,
        event("a", "Korenmarkt\\, Arnhem"),
        event("b", "Luxor Live\\, Willemsplein 10\\, 6811 KB Arnhem"),
        event("c", "Korenmarkt en Nederrijn kade", "GEO:51.9838;5.9066"),
    )
    df = read_ical(path, zones=site)
    assert df[["event_id", "zone"]].values.tolist() == [
        ["a", "korenmarkt"],
        ["b", "korenmarkt"],
        ["c", "korenmarkt"],
        ["c", "rijnkade"],
    ]


def test_a_location_naming_two_zones_with_a_comma_is_in_both_despite_geo(
    tmp_path: Path,
    site,  # type: ignore[no-untyped-def]
) -> None:
    path = calendar(tmp_path, event("a", "Korenmarkt\\, Rijnkade", "GEO:51.9838;5.9066"))
    assert read_ical(path, zones=site)["zone"].tolist() == ["korenmarkt", "rijnkade"]


def test_unmatched_events_are_skipped_with_one_warning_by_default(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    path = calendar(
        tmp_path,
        event("a", "Korenmarkt"),
        event("b", "Musis Sacrum\\, Velperbuitensingel 25"),
        event("c", "Rijnkade\\; Sonsbeek"),
    )
    with pytest.warns(DataQualityWarning) as record:
        df = read_ical(path, zones=site)
    assert df[["event_id", "zone"]].values.tolist() == [["a", "korenmarkt"], ["c", "rijnkade"]]
    text = str(record[0].message)
    assert "2 event(s) name a place that is no zone of the site profile" in text
    assert "event 'b' (b): LOCATION 'Musis Sacrum, Velperbuitensingel 25', no GEO (skipped)" in text
    assert "event 'c' (c): LOCATION 'Rijnkade; Sonsbeek', no GEO (kept in rijnkade only)" in text
    with pytest.raises(DataValidationError) as info:
        read_ical(path, zones=site, on_unmatched="error")
    assert len(info.value.problems) == 2
    with pytest.raises(ParameterError, match="`on_unmatched` must be 'warn' or 'error'"):
        read_ical(path, zones=site, on_unmatched="ignore")  # type: ignore[arg-type]


def test_events_csv_zone_cells_are_matched_on_aliases(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "events.csv"
    path.write_text(
        "event_id,name,zone,start,end\ne1,Concert,Luxor Live,2024-06-01 20:00,2024-06-01 23:00\n"
    )
    df = read_events_csv(path, zones=site)  # the site's time zone for local times
    assert df.loc[0, ["zone", "start"]].tolist() == [
        "korenmarkt",
        pd.Timestamp("2024-06-01 18:00", tz="UTC"),
    ]


# ----------------------------------------------------------------------------- attendance, category


def test_attendance_and_category_are_read_from_the_description(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    path = calendar(
        tmp_path,
        event(
            "a",
            "Korenmarkt",
            "DESCRIPTION:Jaarmarkt\\nVerwachte bezoekers: 23.157\\nCategorie: Markt",
        ),
        event("b", "Rijnkade", "DESCRIPTION:Expected attendance: 1\\,200", "CATEGORIES:Concert"),
        event("c", "Rijnkade", "DESCRIPTION:Gratis toegang"),
    )
    df = read_ical(path, zones=site).set_index("event_id")
    assert df["expected_attendance"].tolist()[:2] == [23157.0, 1200.0]
    assert pd.isna(df.loc["c", "expected_attendance"])
    assert df["category"].tolist() == ["markt", "concert", "other"]


def test_a_description_pattern_can_be_given(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    path = calendar(
        tmp_path, event("a", "Korenmarkt", "DESCRIPTION:Ca. 4000 bezoekers (schatting)")
    )
    df = read_ical(
        path, zones=site, description_patterns={"expected_attendance": r"Ca\. (\d+) bezoekers"}
    )
    assert df.loc[0, "expected_attendance"] == 4000.0
    with pytest.raises(ParameterError, match="a regular expression with a group around the value"):
        read_ical(path, zones=site, description_patterns={"category": "Categorie"})


def test_an_unreadable_attendance_in_the_description_names_the_event(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    path = calendar(tmp_path, event("kermis-7", "Korenmarkt", "DESCRIPTION:Bezoekers: duizenden"))
    with pytest.raises(DataValidationError) as info:
        read_ical(path, zones=site)
    problem = info.value.problems[0]
    assert problem.what == "the attendance in the DESCRIPTION of event 'kermis-7' (kermis-7)"
    assert problem.got == "'duizenden'" and problem.hint


def test_a_side_csv_keyed_by_uid_gives_attendance_and_category(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    path = calendar(
        tmp_path,
        event(
            "a@google.com", "Korenmarkt", "DESCRIPTION:Bezoekers: 100", "RRULE:FREQ=DAILY;COUNT=2"
        ),
        event("b@google.com", "Rijnkade"),
    )
    details = tmp_path / "details.csv"
    details.write_text(
        "uid;expected_attendance;category\na@google.com;23.157;Kermis\nz@google.com;5;markt\n"
    )
    with pytest.warns(DataQualityWarning, match="1 UID\\(s\\) of no event in the calendar: 'z@"):
        df = read_ical(path, zones=site, details=details)
    ours = df[df["event_id"].str.startswith("a@")]
    assert ours["expected_attendance"].tolist() == [23157.0, 23157.0]  # both occurrences
    assert ours["category"].tolist() == ["kermis", "kermis"]
    other = df[df["event_id"] == "b@google.com"].iloc[0]
    assert pd.isna(other["expected_attendance"]) and other["category"] == "other"
    details.write_text("uid;expected_attendance\na@google.com;23.5\n")
    with pytest.raises(ParseError, match="whole numbers of people"):
        read_ical(path, zones=site, details=details)


# ----------------------------------------------------------------------------- times


def test_all_day_events_use_the_site_profiles_time_zone(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    path = calendar(
        tmp_path,
        "UID:d\nSUMMARY:Kermis\nDTSTART;VALUE=DATE:20240601\nLOCATION:Korenmarkt",
    )
    df = read_ical(path, zones=site)
    assert df.loc[0, ["start", "end"]].tolist() == [
        pd.Timestamp("2024-05-31 22:00", tz="UTC"),
        pd.Timestamp("2024-06-01 22:00", tz="UTC"),
    ]


def test_dtend_and_duration_together_are_an_error_naming_the_uid(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    path = calendar(tmp_path, event("both-1", "Korenmarkt", "DURATION:PT5H"))
    with pytest.raises(ParseError) as info:
        read_ical(path, zones=site)
    assert str(info.value.problems[0]).startswith(
        "event 'both-1' (both-1) must be timed by DTEND or by DURATION, not both (RFC 5545). "
        "Got DTEND 20240601T120000Z and DURATION PT5H."
    )
    assert info.value.problems[0].hint


def test_validate_events_accepts_a_site_profile(tmp_path: Path, site) -> None:  # type: ignore[no-untyped-def]
    df = read_ical(calendar(tmp_path, event("a", "Korenmarkt")), zones=site)
    pd.testing.assert_frame_equal(validate_events(df, zones=site), df)
    with pytest.raises(DataValidationError, match="unknown 'elsewhere'"):
        validate_events(df.assign(zone="elsewhere"), zones=site)
