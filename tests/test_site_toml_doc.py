"""docs/site-toml.md describes every key the site profile loader reads and every reader option."""

from __future__ import annotations

import dataclasses
import inspect
import re
from pathlib import Path

import pytest

import crowdcast as cc
from crowdcast.io import read_weather_csv
from crowdcast.profiles import RiskSettings, load_site_profile
from crowdcast.profiles._site import _SITE_KEYS, _ZONE_KEYS

DOC = (Path(__file__).resolve().parents[1] / "docs" / "site-toml.md").read_text(encoding="utf-8")
DOCUMENTED = set(re.findall(r"`([a-z_0-9]+)`", DOC))


def test_every_key_of_the_profile_is_documented() -> None:
    other = {"id", "zone", "name", "tags", "lat", "lon", "start", "end", "kind", "path", "format"}
    other |= {"purposes", "description", "options", "indicator", "target", "value", "source"}
    other |= {"interval", "note", "timezone", "country", "subdivision", "min_count_per_hour"}
    keys = set(_ZONE_KEYS) | other | {f.name for f in dataclasses.fields(RiskSettings)}
    assert keys - DOCUMENTED == set()
    assert all(f"[{k}]" in DOC or f"[[{k}]]" in DOC for k in _SITE_KEYS)


@pytest.mark.parametrize(
    "reader",
    [cc.read_counts, cc.read_ical, cc.read_events_csv, read_weather_csv, cc.read_knmi],
)
def test_every_reader_option_is_documented(reader) -> None:  # type: ignore[no-untyped-def]
    given_by_load_city = {"path", "zones", "path_or_obj", "locations"}
    options = set(inspect.signature(reader).parameters) - given_by_load_city
    assert options - DOCUMENTED == set(), reader.__name__


def test_a_details_option_is_relative_to_the_profile(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "c.csv").write_text(
        "zone,timestamp,count\na,2024-06-01T10:00Z,1\na,2024-06-01T11:00Z,2\n"
    )
    (tmp_path / "data" / "e.ics").write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:u1\r\n"
        b"DTSTART:20240601T100000Z\r\nDTEND:20240601T120000Z\r\nLOCATION:a\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    (tmp_path / "details.csv").write_text("uid,expected_attendance\nu1,500\n")
    profile = tmp_path / "site.toml"
    profile.write_text(
        '[site]\nid = "x"\ntimezone = "UTC"\n[[zones]]\nid = "a"\n'
        '[[sources]]\nid = "c"\nkind = "counts"\nformat = "csv"\npath = "data/c.csv"\n'
        'purposes = ["operations"]\n'
        '[[sources]]\nid = "e"\nkind = "events"\nformat = "ical"\npath = "data/e.ics"\n'
        'purposes = ["operations"]\noptions = {details = "details.csv"}\n'
    )
    city = cc.load_city(load_site_profile(profile), purpose="operations")
    assert city.events["expected_attendance"].tolist() == [500.0]
