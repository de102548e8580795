"""iCalendar (RFC 5545) events: read_ical and write_ical (crowdcast.io._ical)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import icalendar
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from _io_helpers import AMS, TZ_HINT, ZONE_LIST, ZONES, row, span, utc
from crowdcast.exceptions import DataValidationError, ParameterError, ParseError, SchemaError
from crowdcast.io import read_ical, write_ical
from crowdcast.schemas import EVENTS, validate_events

FIXTURES = Path(__file__).parent / "fixtures" / "events"
GOOGLE = FIXTURES / "amsterdam_google.ics"
OUTLOOK = FIXTURES / "outlook_open_ended.ics"
FLOATING = FIXTURES / "floating.ics"

MARKET = "5l0q1b0bm7m2o9m3k6v4h2c1ce@google.com"
FOOTBALL = "7c2f9e1a0b3d4c5e@ajax.example"
FESTIVAL = "2a8d6e0c1f7b4e93@google.com"
CONCERT = "4d3c2b1a9f8e7d6c@google.com"
MUSEUM_NIGHT = "9e8d7c6b5a4f3e2d@google.com"
CANCELLED = "1f2e3d4c5b6a7980@google.com"
PARADE = "0a1b2c3d4e5f6789@google.com"


def read_city(**kwargs: object) -> pd.DataFrame:
    return read_ical(GOOGLE, zones=ZONES, timezone=AMS, **kwargs)  # type: ignore[arg-type]


def calendar(tmp_path: Path, *vevents: str, head: str = "") -> Path:
    """A calendar file of VEVENT bodies (a property a line); ``head``: calendar properties."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//crowdcast tests//EN", *head.split()]
    for body in vevents:
        lines += ["BEGIN:VEVENT", *body.strip().splitlines(), "END:VEVENT"]
    path = tmp_path / "test.ics"
    path.write_bytes(("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode())
    return path


def picnic(*extra: str, times: str = "DTSTART:20240601T100000Z\nDTEND:20240601T120000Z") -> str:
    return "\n".join(["UID:picnic-1", "SUMMARY:Picnic", times, *extra])


FIX_HINT = "    hint: fix the property in the calendar app, or export the calendar again"


def where(path: Path) -> str:
    return f"    where: {path}"


# ----------------------------------------------------------------------------- fixtures


def test_fixtures_are_folded_at_75_octets_with_crlf_line_endings() -> None:
    for path in FIXTURES.glob("*.ics"):
        data = path.read_bytes()
        assert b"\n" not in data.replace(b"\r\n", b""), path
        assert max(len(line) for line in data.split(b"\r\n")) <= 75, path


# ----------------------------------------------------------------------------- read_ical: times


def test_read_ical_returns_a_valid_events_table_with_every_event_of_a_google_export() -> None:
    df = read_city()
    assert list(df.columns) == list(EVENTS.names)
    pd.testing.assert_frame_equal(validate_events(df), df)
    assert len(df) == 22  # 15 markets, 6 single events, the parade twice
    assert df["event_id"].str.startswith(MARKET).sum() == 15


def test_utc_times_stay_as_they_are() -> None:
    assert span(read_city(), FOOTBALL) == (utc("2024-05-12 12:30"), utc("2024-05-12 14:30"))


def test_tzid_times_take_the_offset_of_their_date_across_the_spring_dst_change() -> None:
    df = read_city()
    before, after = f"{MARKET}@20240330T080000Z", f"{MARKET}@20240406T070000Z"
    assert span(df, before) == (utc("2024-03-30 08:00"), utc("2024-03-30 14:00"))  # 09:00 CET
    assert span(df, after) == (utc("2024-04-06 07:00"), utc("2024-04-06 13:00"))  # 09:00 CEST


def test_an_end_in_the_hour_repeated_when_dst_ends_is_its_first_occurrence() -> None:
    # 2024-10-26 22:00 CEST -> 2024-10-27 02:30, which happens twice; RFC 5545: the first (CEST)
    assert span(read_city(), CONCERT) == (utc("2024-10-26 20:00"), utc("2024-10-27 00:30"))


def test_duration_hours_are_exact_across_the_spring_dst_change() -> None:
    # 23:00 CET + PT5H = 05:00 CEST: five real hours, not 04:00 by the wall clock
    assert span(read_city(), MUSEUM_NIGHT) == (utc("2024-03-30 22:00"), utc("2024-03-31 03:00"))


def test_duration_days_are_nominal_across_the_spring_dst_change(tmp_path: Path) -> None:
    times = "DTSTART;TZID=Europe/Amsterdam:20240330T120000\nDURATION:P1D"
    df = read_ical(calendar(tmp_path, picnic("LOCATION:dam", times=times)), zones=ZONES)
    assert span(df, "picnic-1") == (utc("2024-03-30 11:00"), utc("2024-03-31 10:00"))


def test_an_all_day_event_runs_from_local_midnight_to_local_midnight_after_its_last_day() -> None:
    assert span(read_city(), FESTIVAL) == (utc("2024-06-06 22:00"), utc("2024-06-09 22:00"))


def test_an_all_day_event_without_dtend_lasts_one_day(tmp_path: Path) -> None:
    path = calendar(tmp_path, picnic("LOCATION:dam", times="DTSTART;VALUE=DATE:20241225"))
    df = read_ical(path, zones=ZONES, timezone=AMS)
    assert span(df, "picnic-1") == (utc("2024-12-24 23:00"), utc("2024-12-25 23:00"))


def test_floating_times_are_read_in_the_given_timezone() -> None:
    df = read_ical(FLOATING, zones=ZONES, timezone=AMS)
    key = "canal-parade-2024@evenementen.amsterdam.example"
    assert span(df, key) == (utc("2024-08-03 10:00"), utc("2024-08-03 16:00"))


def test_floating_times_of_a_calendar_with_x_wr_timezone_need_no_timezone(tmp_path: Path) -> None:
    times = "DTSTART:20240601T100000\nDTEND:20240601T120000"
    path = calendar(tmp_path, picnic("LOCATION:dam", times=times), head="X-WR-TIMEZONE:" + AMS)
    assert span(read_ical(path, zones=ZONES), "picnic-1") == (
        utc("2024-06-01 08:00"),
        utc("2024-06-01 10:00"),
    )


def test_an_outlook_windows_tzid_is_read_from_its_vtimezone() -> None:
    df = read_ical(OUTLOOK, zones=ZONES, window=("2024-03-20", "2024-04-10"))
    assert df["start"].tolist() == [
        utc("2024-03-22 16:00"),  # Friday 17:00 CET
        utc("2024-03-29 16:00"),
        utc("2024-04-05 15:00"),  # Friday 17:00 CEST
    ]
    assert (df["end"] - df["start"] == pd.Timedelta("4h")).all()


# ----------------------------------------------------------------------------- recurrences, window


def test_occurrences_of_a_recurring_event_are_named_uid_at_their_utc_start() -> None:
    ids = read_city()["event_id"]
    markets = ids[ids.str.startswith(MARKET)].tolist()
    assert markets[:3] == [
        f"{MARKET}@20240316T080000Z",
        f"{MARKET}@20240323T080000Z",
        f"{MARKET}@20240330T080000Z",
    ]
    assert FOOTBALL in set(ids)  # a single event keeps its UID


def test_exdate_removes_the_market_on_kings_day() -> None:
    ids = read_city()["event_id"]
    assert f"{MARKET}@20240420T070000Z" in set(ids)
    assert f"{MARKET}@20240504T070000Z" in set(ids)
    assert not ids.str.contains("@20240427").any()


def test_a_moved_occurrence_keeps_its_id_and_takes_its_new_time_and_properties() -> None:
    moved = row(read_city(), f"{MARKET}@20240518T070000Z")
    assert (moved["start"], moved["end"]) == (utc("2024-05-18 08:00"), utc("2024-05-18 14:00"))
    assert moved["name"] == "Boerenmarkt Noordermarkt (later)"
    assert moved["expected_attendance"] == 4500.0


def test_rdate_adds_occurrences_in_local_time(tmp_path: Path) -> None:
    times = (
        "DTSTART;TZID=Europe/Amsterdam:20240601T100000\n"
        "DTEND;TZID=Europe/Amsterdam:20240601T120000\n"
        "RDATE;TZID=Europe/Amsterdam:20240615T140000,20241102T100000"
    )
    df = read_ical(calendar(tmp_path, picnic("LOCATION:dam", times=times)), zones=ZONES)
    assert df["event_id"].tolist() == [
        "picnic-1@20240601T080000Z",
        "picnic-1@20240615T120000Z",
        "picnic-1@20241102T090000Z",
    ]
    assert (df["end"] - df["start"] == pd.Timedelta("2h")).all()


def test_occurrences_of_an_all_day_recurrence_are_named_by_date(tmp_path: Path) -> None:
    times = "DTSTART;VALUE=DATE:20240601\nRRULE:FREQ=DAILY;COUNT=2"
    df = read_ical(
        calendar(tmp_path, picnic("LOCATION:dam", times=times)), zones=ZONES, timezone=AMS
    )
    assert df["event_id"].tolist() == ["picnic-1@20240601", "picnic-1@20240602"]


def test_window_keeps_only_the_events_overlapping_it_whole() -> None:
    df = read_city(window=("2024-06-01", "2024-06-08"))  # local midnights
    assert df["event_id"].tolist() == [f"{MARKET}@20240601T070000Z", FESTIVAL]
    late = read_city(window=("2024-06-09 12:00", "2024-06-10"))
    assert late["event_id"].tolist() == [FESTIVAL]
    assert late.loc[0, "start"] == utc("2024-06-06 22:00")  # not cut to the window


def test_window_takes_timezone_aware_bounds() -> None:
    window = (pd.Timestamp("2024-05-12 14:00", tz="UTC"), datetime(2024, 5, 12, 15, tzinfo=UTC))
    assert read_city(window=window)["event_id"].tolist() == [FOOTBALL]


def test_window_bounds_without_timezone_are_utc_when_no_timezone_is_given(tmp_path: Path) -> None:
    path = calendar(tmp_path, picnic("LOCATION:dam"))  # 10:00-12:00 UTC
    assert len(read_ical(path, zones=ZONES, window=("2024-06-01 11:30", "2024-06-02"))) == 1
    assert len(read_ical(path, zones=ZONES, window=(date(2024, 6, 1), "2024-06-01 10:00"))) == 0


def test_an_endless_rrule_is_expanded_within_the_window() -> None:
    df = read_ical(OUTLOOK, zones=ZONES, window=("2024-06-01", "2024-07-01"))
    assert len(df) == 4  # the Fridays of June 2024
    assert (df["category"] == "other").all()


def test_an_endless_rrule_without_window_is_an_error_with_the_hint_to_pass_one() -> None:
    with pytest.raises(DataValidationError) as exc:
        read_ical(OUTLOOK, zones=ZONES)
    uid = (
        "040000008200E00074C5B7101A82E00800000000A0B1C2D3E4F5DA01000000000000000"
        "01000000012345678901234567890ABCDEF"
    )
    assert str(exc.value) == "\n".join(
        [
            "Invalid events file: 1 problem.",
            f"- the recurrence of event {uid!r} (Vrijdagmiddagborrel Dam) must be bounded "
            "(COUNT or UNTIL) when no window is given. Got RRULE FREQ=WEEKLY;BYDAY=FR, "
            "which repeats forever.",
            where(OUTLOOK),
            "    hint: pass window=(start, end) to read the occurrences in that period",
        ]
    )


def test_without_recurrences_or_window_every_event_is_read(tmp_path: Path) -> None:
    path = calendar(
        tmp_path,
        picnic("LOCATION:dam"),
        "UID:old\nDTSTART:19990101T100000Z\nDTEND:19990101T110000Z\nLOCATION:dam",
        "UID:far\nDTSTART:20990101T100000Z\nDTEND:20990101T110000Z\nLOCATION:dam",
    )
    assert read_ical(path, zones=ZONES)["event_id"].tolist() == ["old", "picnic-1", "far"]


def test_an_empty_calendar_gives_an_empty_events_table(tmp_path: Path) -> None:
    df = read_ical(calendar(tmp_path), zones=ZONES)
    assert df.empty
    assert list(df.columns) == list(EVENTS.names)


# ----------------------------------------------------------------------------- properties


def test_cancelled_events_are_kept_with_status_cancelled() -> None:
    df = read_city()
    assert row(df, CANCELLED)["status"] == "cancelled"
    assert row(df, MUSEUM_NIGHT)["status"] == "tentative"
    assert row(df, FOOTBALL)["status"] == "confirmed"


def test_category_is_the_first_categories_value_lower_cased_or_other() -> None:
    df = read_city()
    assert row(df, FOOTBALL)["category"] == "football"  # CATEGORIES:Football,Sport
    assert row(df, FESTIVAL)["category"] == "festival"
    assert read_ical(FLOATING, zones=ZONES, timezone=AMS).loc[0, "category"] == "parade"


def test_attendance_comes_from_the_attendance_property_and_is_nan_without_it() -> None:
    df = read_city()
    assert row(df, FOOTBALL)["expected_attendance"] == 54000.0
    assert pd.isna(row(df, MUSEUM_NIGHT)["expected_attendance"])


def test_attendance_property_name_can_be_chosen(tmp_path: Path) -> None:
    path = calendar(tmp_path, picnic("LOCATION:dam", "X-EXPECTED-VISITORS:800"))
    df = read_ical(path, zones=ZONES, attendance_property="X-EXPECTED-VISITORS")
    assert df.loc[0, "expected_attendance"] == 800.0


def test_summary_is_unescaped_into_the_name() -> None:
    assert row(read_city(), FOOTBALL)["name"] == "Ajax - PSV, Eredivisie"


# ----------------------------------------------------------------------------- zones


def test_location_matches_zone_names_and_ids_case_insensitively(tmp_path: Path) -> None:
    path = calendar(
        tmp_path,
        picnic("LOCATION:  dam square "),
        "UID:b\nDTSTART:20240601T100000Z\nDTEND:20240601T120000Z\nLOCATION:WESTERPARK",
    )
    assert read_ical(path, zones=ZONES)["zone"].tolist() == ["westerpark", "dam"]


def test_a_location_listing_two_zones_gives_one_row_per_zone() -> None:
    df = read_city()
    parade = df[df["event_id"] == PARADE]
    assert parade["zone"].tolist() == ["dam", "museumplein"]
    assert parade["start"].nunique() == 1


def test_an_event_with_only_a_geo_goes_to_the_nearest_zone_within_the_radius() -> None:
    # LOCATION is the stadium's address; GEO is 266 m from the ArenA Boulevard zone
    assert row(read_city(), FOOTBALL)["zone"] == "arena"


def test_a_geo_outside_the_radius_is_an_error_naming_the_event() -> None:
    with pytest.raises(DataValidationError) as exc:
        read_city(radius_m=100, on_unmatched="error")
    assert str(exc.value) == "\n".join(
        [
            "Invalid events file: 1 problem.",
            f"- the zone of event {FOOTBALL!r} (Ajax - PSV, Eredivisie) must be named in "
            f"LOCATION (zone ids, names or aliases: {ZONE_LIST}) or given by a GEO within 100 m "
            "of a "
            "zone. Got LOCATION 'Johan Cruijff ArenA, Johan Cruijff Boulevard 1, 1101 AX "
            "Amsterdam, Nederland', GEO 52.314353;4.941743 (nearest zone 'arena' is 266 m "
            "away).",
            where(GOOGLE),
            "    hint: add the place to the zone's aliases in the site profile, or the zone id "
            "or name to LOCATION (several separated by ';'), or widen radius_m",
        ]
    )


def test_an_unknown_location_without_geo_is_an_error(tmp_path: Path) -> None:
    path = calendar(tmp_path, picnic("LOCATION:Vondelpark"))
    with pytest.raises(DataValidationError) as exc:
        read_ical(path, zones=ZONES, on_unmatched="error")
    assert str(exc.value) == "\n".join(
        [
            "Invalid events file: 1 problem.",
            "- the zone of event 'picnic-1' (Picnic) must be named in LOCATION (zone ids, "
            f"names or aliases: {ZONE_LIST}) or given by a GEO within 500 m of a zone. Got "
            "LOCATION "
            "'Vondelpark', no GEO.",
            where(path),
            "    hint: add the place to the zone's aliases in the site profile, or the zone id "
            "or name to LOCATION (several separated by ';'), or widen radius_m",
        ]
    )


def test_a_location_naming_a_zone_and_an_unknown_place_is_an_error_despite_geo(
    tmp_path: Path,
) -> None:
    path = calendar(tmp_path, picnic(r"LOCATION:Dam Square\; Vondelpark", "GEO:52.3731;4.8932"))
    with pytest.raises(DataValidationError) as exc:
        read_ical(path, zones=ZONES, on_unmatched="error")
    assert str(exc.value) == "\n".join(
        [
            "Invalid events file: 1 problem.",
            "- the zone of event 'picnic-1' (Picnic) must be named in LOCATION (zone ids, "
            f"names or aliases: {ZONE_LIST}) or given by a GEO within 500 m of a zone. Got "
            "LOCATION "
            "'Dam Square; Vondelpark', GEO 52.3731;4.8932.",
            where(path),
            "    hint: add the place to the zone's aliases in the site profile, or the zone id "
            "or name to LOCATION (several separated by ';'), or widen radius_m",
        ]
    )


def test_every_unmatched_event_is_listed_not_dropped(tmp_path: Path) -> None:
    path = calendar(
        tmp_path,
        picnic("LOCATION:Vondelpark"),
        "UID:b\nDTSTART:20240601T100000Z\nDTEND:20240601T120000Z\nLOCATION:Rembrandtplein",
    )
    with pytest.raises(DataValidationError) as exc:
        read_ical(path, zones=ZONES, on_unmatched="error")
    assert len(exc.value.problems) == 2


def test_a_site_profile_with_a_zones_attribute_is_accepted() -> None:
    profile = SimpleNamespace(zones=tuple(ZONES))
    pd.testing.assert_frame_equal(read_ical(GOOGLE, zones=profile, timezone=AMS), read_city())


# ----------------------------------------------------------------------------- bad input


def test_floating_time_without_timezone_is_a_schema_error_with_a_hint() -> None:
    with pytest.raises(SchemaError) as exc:
        read_ical(FLOATING, zones=ZONES)
    assert str(exc.value) == "\n".join(
        [
            "Invalid events file: 1 problem.",
            "- the times of event 'canal-parade-2024@evenementen.amsterdam.example' (Canal "
            "Parade, Pride Amsterdam) must be in a known time zone (TZID or UTC). Got DTSTART "
            "20240803T120000, a floating time.",
            where(FLOATING),
            TZ_HINT,
        ]
    )


def test_all_day_event_without_timezone_is_a_schema_error_even_with_x_wr_timezone() -> None:
    with pytest.raises(SchemaError) as exc:
        read_ical(GOOGLE, zones=ZONES)
    assert str(exc.value) == "\n".join(
        [
            "Invalid events file: 1 problem.",
            f"- the times of event {FESTIVAL!r} (Festival Westerpark) must be in a known time "
            "zone (TZID or UTC). Got DTSTART 20240607, an all-day date.",
            where(GOOGLE),
            TZ_HINT,
        ]
    )


def test_an_unknown_tzid_is_a_parse_error_not_a_floating_time(tmp_path: Path) -> None:
    times = "DTSTART;TZID=Mars/Olympus:20240601T100000\nDTEND;TZID=Mars/Olympus:20240601T120000"
    path = calendar(tmp_path, picnic("LOCATION:dam", times=times))
    with pytest.raises(ParseError) as exc:
        read_ical(path, zones=ZONES, timezone=AMS)
    assert str(exc.value) == "\n".join(
        [
            "Invalid events file: 1 problem.",
            "- the TZID of event 'picnic-1' (Picnic) must be an IANA time zone name or defined "
            "by a VTIMEZONE in the file. Got 'Mars/Olympus'.",
            where(path),
            "    hint: export the calendar with its VTIMEZONE definitions (Outlook: 'Save as "
            "iCalendar'), or pass timezone= after removing the TZID",
        ]
    )


def test_a_non_numeric_attendance_is_an_error_naming_the_uid(tmp_path: Path) -> None:
    path = calendar(tmp_path, picnic("LOCATION:dam", "X-CROWDCAST-ATTENDANCE:about 500"))
    with pytest.raises(DataValidationError) as exc:
        read_ical(path, zones=ZONES)
    assert str(exc.value) == "\n".join(
        [
            "Invalid events file: 1 problem.",
            "- X-CROWDCAST-ATTENDANCE of event 'picnic-1' (Picnic) must be a number of persons "
            "such as 54000. Got 'about 500'.",
            where(path),
            "    hint: write the expected visitors as digits, or leave X-CROWDCAST-ATTENDANCE out",
        ]
    )


@pytest.mark.parametrize(
    ("times", "got"),
    [
        ("DTSTART:20240601T100000Z", "neither DTEND nor DURATION"),
        ("DTSTART:20240601T100000Z\nDTEND:20240601T100000Z", "DTEND 20240601T100000Z"),
        ("DTSTART:20240601T100000Z\nDTEND:20240601T090000Z", "DTEND 20240601T090000Z"),
        ("DTSTART:20240601T100000Z\nDURATION:-PT1H", "DURATION -PT1H"),
    ],
)
def test_an_event_that_does_not_end_after_it_starts_is_refused(
    tmp_path: Path, times: str, got: str
) -> None:
    path = calendar(tmp_path, picnic("LOCATION:dam", times=times))
    with pytest.raises(DataValidationError) as exc:
        read_ical(path, zones=ZONES)
    assert str(exc.value) == "\n".join(
        [
            "Invalid events file: 1 problem.",
            "- the end of event 'picnic-1' (Picnic) must be after its start 20240601T100000Z. "
            f"Got {got}.",
            where(path),
            "    hint: give the event a DTEND after DTSTART, or a positive DURATION",
        ]
    )


def test_malformed_time_and_geo_properties_are_parse_errors_listed_together(
    tmp_path: Path,
) -> None:
    path = calendar(tmp_path, "UID:x\nDTSTART:2024-06-01\nGEO:north\nRRULE:FREQ=SOMETIMES")
    with pytest.raises(ParseError) as exc:
        read_ical(path, zones=ZONES)
    assert str(exc.value) == "\n".join(
        [
            "Invalid events file: 3 problems.",
            "- DTSTART of event 'x' must be a valid iCalendar value. Got Expected datetime, date, "
            "or time. Got: '2024-06-01'.",
            where(path),
            FIX_HINT,
            "- GEO of event 'x' must be a valid iCalendar value. Got Expected 'float;float' , "
            "got: north.",
            where(path),
            FIX_HINT,
            "- RRULE of event 'x' must be a valid iCalendar value. Got Expected frequency, got: "
            "SOMETIMES.",
            where(path),
            FIX_HINT,
        ]
    )


def test_events_without_uid_or_dtstart_are_errors(tmp_path: Path) -> None:
    path = calendar(tmp_path, "SUMMARY:Picnic\nLOCATION:dam")
    with pytest.raises(DataValidationError) as exc:
        read_ical(path, zones=ZONES)
    assert str(exc.value) == "\n".join(
        [
            "Invalid events file: 2 problems.",
            "- UID of event (Picnic) must be present in every VEVENT.",
            where(path),
            "    hint: export the calendar again from the calendar app; RFC 5545 requires UID "
            "in every event",
            "- DTSTART of event (Picnic) must be present in every VEVENT.",
            where(path),
            "    hint: export the calendar again from the calendar app; RFC 5545 requires "
            "DTSTART in every event",
        ]
    )


@pytest.mark.parametrize(
    ("content", "got"),
    [
        (b"hello world\r\n", "Content line could not be parsed into parts: 'hello world': "),
        (b"BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n", "a lone VEVENT"),
        (b"", "Found no components where exactly one is required"),
        (b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n" * 2, "Found multiple components"),
    ],
)
def test_a_file_that_is_not_one_vcalendar_is_a_parse_error_naming_the_file(
    tmp_path: Path, content: bytes, got: str
) -> None:
    path = tmp_path / "not-a-calendar.ics"
    path.write_bytes(content)
    with pytest.raises(ParseError) as exc:
        read_ical(path, zones=ZONES)
    message = str(exc.value)
    assert message.startswith(
        "Cannot read events file: 1 problem.\n- the events file must be an iCalendar "
        f"(RFC 5545) file with one VCALENDAR. Got {got}"
    )
    assert message.endswith(
        where(path) + "\n    hint: export the calendar again as an .ics file (File > Export in "
        "most calendar apps)"
    )


def test_a_missing_file_is_a_parse_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.ics"
    with pytest.raises(ParseError) as exc:
        read_ical(path, zones=ZONES)
    assert str(exc.value) == "\n".join(
        [
            "Cannot read events file: 1 problem.",
            f"- the events file must be an existing file. Got {path}.",
            where(path),
            "    hint: check the path",
        ]
    )


def test_an_unknown_x_wr_timezone_is_a_parse_error(tmp_path: Path) -> None:
    path = calendar(tmp_path, picnic("LOCATION:dam"), head="X-WR-TIMEZONE:Mars/Olympus")
    with pytest.raises(ParseError) as exc:
        read_ical(path, zones=ZONES)
    assert str(exc.value) == "\n".join(
        [
            "Cannot read events file: 1 problem.",
            "- the events file must be a calendar with a known X-WR-TIMEZONE. Got unknown "
            "X-WR-TIMEZONE 'Mars/Olympus'.",
            where(path),
            "    hint: set the calendar's time zone in the calendar app and export it again",
        ]
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"timezone": "Europe/Amsterdm"},
            "Invalid argument: 1 problem.\n"
            "- `timezone` must be an IANA time zone name like 'Europe/Amsterdam'. "
            "Got 'Europe/Amsterdm'.\n"
            "    hint: use a name of the IANA time zone database, e.g. 'Europe/Amsterdam' "
            "(zoneinfo.available_timezones() lists them)",
        ),
        (
            {"window": ("2024-06-02", "2024-06-01")},
            "`window` must be a pair (start, end) of times or dates, start first. "
            "Got ('2024-06-02', '2024-06-01').",
        ),
        (
            {"window": ("soon", "later")},
            "`window` must be a pair (start, end) of times or dates, start first. "
            "Got ('soon', 'later').",
        ),
        (
            {"window": (None, "2024-06-01")},
            "`window` must be a pair (start, end) of times or dates, start first. "
            "Got (None, '2024-06-01').",
        ),
        (
            {"window": "2024"},
            "`window` must be a pair (start, end) of times or dates, start first. Got '2024'.",
        ),
    ],
)
def test_bad_arguments_are_value_errors_in_the_message_template(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError) as exc:
        read_ical(GOOGLE, zones=ZONES, **kwargs)  # type: ignore[arg-type]
    if "window" in kwargs:
        message += "\n  hint: e.g. window=('2024-01-01', '2024-12-31')"
    assert str(exc.value) == message


# ----------------------------------------------------------------------------- property test


@settings(
    max_examples=75, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    local_start=st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31)),
    duration=st.timedeltas(timedelta(minutes=1), timedelta(days=3)),
)
def test_any_event_written_by_icalendar_in_amsterdam_time_reads_back_at_the_same_instants(
    tmp_path: Path, local_start: datetime, duration: timedelta
) -> None:
    tz = ZoneInfo(AMS)
    start = local_start.replace(microsecond=0, tzinfo=tz)
    end = (start.astimezone(UTC) + duration).replace(microsecond=0).astimezone(tz)
    event = icalendar.Event()
    event.add("UID", "generated")
    event.add("DTSTAMP", datetime(2024, 1, 1, tzinfo=UTC))
    event.add("DTSTART", start)
    event.add("DTEND", end)
    event.add("LOCATION", "dam")
    cal = icalendar.Calendar()
    cal.add("PRODID", "-//crowdcast tests//EN")
    cal.add("VERSION", "2.0")
    cal.add_component(event)
    cal.add_missing_timezones()
    # a wall time is read with fold=0: RFC 5545's reading of skipped and repeated times
    expected = [pd.Timestamp(t.replace(fold=0).astimezone(UTC)) for t in (start, end)]
    assume(expected[1] > expected[0])  # else the end falls back into the repeated hour
    path = tmp_path / "generated.ics"
    path.write_bytes(cal.to_ical())
    df = read_ical(path, zones=ZONES)
    assert [df.loc[0, "start"], df.loc[0, "end"]] == expected


# ----------------------------------------------------------------------------- write_ical


def test_write_ical_round_trips_through_read_ical(tmp_path: Path) -> None:
    events = read_city()
    path = tmp_path / "city.ics"
    write_ical(events, path, timezone=AMS, calendar_name="Binnenstad")
    pd.testing.assert_frame_equal(read_ical(path, zones=ZONES), events)


def test_write_ical_is_byte_for_byte_reproducible_with_crlf_line_endings(tmp_path: Path) -> None:
    events = read_city()
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    write_ical(events, first, timezone=AMS)
    write_ical(events.sample(frac=1.0, random_state=7), second, timezone=AMS)
    data = first.read_bytes()
    assert data == second.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 75
    assert b"DTSTAMP:20240512T123000Z\r\nUID:7c2f9e1a0b3d4c5e@ajax.example" in data


def test_write_ical_writes_one_vevent_per_event_with_its_zones_in_location(
    tmp_path: Path,
) -> None:
    path = tmp_path / "city.ics"
    write_ical(read_city(), path, timezone=AMS, calendar_name="Binnenstad")
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    assert cal.calendar_name == "Binnenstad"
    parade = [e for e in cal.events if e.uid == PARADE]
    assert [str(e["LOCATION"]) for e in parade] == ["dam; museumplein"]
    assert parade[0].DTSTART.isoformat() == "2024-11-17T12:00:00+01:00"


def test_write_ical_writes_times_in_the_repeated_hour_in_utc(tmp_path: Path) -> None:
    first_0230, second_0230 = utc("2024-10-27 00:30"), utc("2024-10-27 01:30")
    events = validate_events(
        pd.DataFrame(
            {
                "event_id": ["late"],
                "name": ["Late show"],
                "zone": ["dam"],
                "start": [first_0230],
                "end": [second_0230],
                "expected_attendance": [float("nan")],
                "category": ["concert"],
                "status": ["confirmed"],
            }
        )
    )
    path = tmp_path / "late.ics"
    write_ical(events, path, timezone=AMS)
    text = path.read_text()
    assert "DTSTART;TZID=Europe/Amsterdam:20241027T023000" in text
    assert "DTEND:20241027T013000Z" in text
    pd.testing.assert_frame_equal(read_ical(path, zones=ZONES), events)


def test_write_ical_refuses_an_event_whose_zone_rows_disagree(tmp_path: Path) -> None:
    events = read_city()
    events.loc[events["zone"] == "museumplein", "name"] = "Intocht (Museumplein)"
    with pytest.raises(DataValidationError) as exc:
        write_ical(events, tmp_path / "x.ics", timezone=AMS)
    assert str(exc.value) == "\n".join(
        [
            "Cannot write events: 1 problem.",
            f"- the rows of one event must be equal but for the zone. Got differences in "
            f"{PARADE!r}.",
            "    where: <DataFrame>",
            "    hint: give the parts of an event that differ their own event_id",
        ]
    )


def test_write_ical_refuses_fractions_of_a_second(tmp_path: Path) -> None:
    events = read_city()
    events.loc[3, "end"] += pd.Timedelta("250ms")
    with pytest.raises(DataValidationError) as exc:
        write_ical(events, tmp_path / "x.ics", timezone=AMS)
    assert str(exc.value) == "\n".join(
        [
            "Cannot write events: 1 problem.",
            "- `start` and `end` must be whole seconds (iCalendar has no fractions of a second). "
            "Got 1 row(s) with fractions.",
            "    where: <DataFrame>, rows 3",
            "    hint: round them first, e.g. with .dt.round('s')",
        ]
    )


def test_write_ical_refuses_to_replace_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "city.ics"
    path.write_bytes(b"someone else's calendar")
    with pytest.raises(ParameterError) as exc:
        write_ical(read_city(), path, timezone=AMS)
    assert str(exc.value).splitlines()[1:] == [
        f"- `path` must be a file that does not exist yet. Got {path}.",
        "    hint: pass overwrite=True (--overwrite on the command line) to replace it; "
        "crowdcast never overwrites a file without being asked",
    ]
    assert path.read_bytes() == b"someone else's calendar"


def test_write_ical_replaces_an_existing_file_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "city.ics"
    path.write_bytes(b"last week's calendar")
    events = read_city()
    write_ical(events, path, timezone=AMS, overwrite=True)
    pd.testing.assert_frame_equal(read_ical(path, zones=ZONES), events)
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_write_ical_keeps_the_old_file_whole_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "city.ics"
    path.write_bytes(b"last week's calendar")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left on device"):
        write_ical(read_city(), path, timezone=AMS, overwrite=True)
    assert path.read_bytes() == b"last week's calendar"
    assert list(tmp_path.iterdir()) == [path]


def test_write_ical_needs_a_timezone(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as exc:
        write_ical(read_city(), tmp_path / "x.ics", timezone=None)  # type: ignore[arg-type]
    assert str(exc.value) == (
        "Invalid argument: 1 problem.\n"
        "- `timezone` must be an IANA time zone name like 'Europe/Amsterdam'. Got None.\n"
        "    hint: use a name of the IANA time zone database, e.g. 'Europe/Amsterdam' "
        "(zoneinfo.available_timezones() lists them)"
    )


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31), timezones=st.just(UTC)),
    seconds=st.integers(1, 3 * 24 * 3600),
    attendance=st.one_of(st.just(float("nan")), st.integers(0, 10**6).map(float)),
)
def test_any_events_table_survives_write_ical_and_read_ical(
    tmp_path: Path, start: datetime, seconds: int, attendance: float
) -> None:
    begin = pd.Timestamp(start.replace(microsecond=0))
    events = validate_events(
        pd.DataFrame(
            {
                "event_id": ["e1", "e1"],
                "name": ["Night; market, \\ special"] * 2,
                "zone": ["dam", "westerpark"],
                "start": [begin] * 2,
                "end": [begin + pd.Timedelta(seconds=seconds)] * 2,
                "expected_attendance": [attendance] * 2,
                "category": ["market"] * 2,
                "status": ["tentative"] * 2,
            }
        )
    )
    path = tmp_path / "generated.ics"  # one file for every example: replaced each time
    write_ical(events, path, timezone=AMS, overwrite=True)
    pd.testing.assert_frame_equal(read_ical(path, zones=ZONES), events)


@pytest.mark.parametrize("location", ["*", "all", "All"])
def test_a_city_wide_event_in_ical_names_every_zone(tmp_path: Path, location: str) -> None:
    path = calendar(tmp_path, picnic(f"LOCATION:{location}"))
    df = read_ical(path, zones=ZONES)
    assert sorted(df["zone"]) == sorted(z.id for z in ZONES)
