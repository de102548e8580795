"""Events kept as a table: read_events_csv (crowdcast.io._events_csv)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from _io_helpers import AMS, TZ_HINT, ZONE_LIST, ZONES, row, span, utc
from crowdcast.exceptions import DataQualityWarning, DataValidationError, ParseError, SchemaError
from crowdcast.io import read_events_csv

FIXTURES = Path(__file__).parent / "fixtures" / "events"


def where(path: Path) -> str:
    return f"    where: {path}"


# ----------------------------------------------------------------------------- read_events_csv


CSV_COLUMNS = {
    "Event ID": "event_id",
    "Title": "name",
    "Location": "zone",
    "Start": "start",
    "End": "end",
    "Visitors": "expected_attendance",
    "Type": "category",
    "Status": "status",
}


def write_csv(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "events.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_read_events_csv_maps_columns_zones_times_and_statuses() -> None:
    df = read_events_csv(FIXTURES / "events.csv", zones=ZONES, columns=CSV_COLUMNS, timezone=AMS)
    assert df[["event_id", "zone", "status"]].values.tolist() == [
        ["koningsdag-2024", "dam", "confirmed"],
        ["koningsdag-2024", "museumplein", "confirmed"],
        ["ajax-psv-2024", "arena", "confirmed"],
        ["market-0601", "noordermarkt", "tentative"],
        ["concert-dst", "museumplein", "cancelled"],  # "CANCELED"
    ]
    assert span(df, "ajax-psv-2024") == (utc("2024-05-12 12:30"), utc("2024-05-12 14:30"))
    assert span(df, "market-0601") == (utc("2024-06-01 07:00"), utc("2024-06-01 13:00"))
    # naive cells are Amsterdam time, mixed freely with cells carrying an offset
    assert df.loc[0, "start"] == utc("2024-04-27 07:00")
    assert span(df, "concert-dst") == (utc("2024-10-26 20:00"), utc("2024-10-27 01:30"))
    assert pd.isna(row(df, "concert-dst")["expected_attendance"])


def test_csv_optional_columns_default_to_unknown_attendance_confirmed_and_other(
    tmp_path: Path,
) -> None:
    path = write_csv(
        tmp_path,
        "event_id,name,zone,start,end,status",
        "e1,Picnic,dam,2024-06-01T10:00Z,2024-06-01T12:00Z,",
    )
    df = read_events_csv(path, zones=ZONES)
    assert df.loc[0, ["status", "category"]].tolist() == ["confirmed", "other"]
    assert pd.isna(df.loc[0, "expected_attendance"])


def test_csv_zones_may_be_a_site_profile(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, "event_id,name,zone,start,end", "e1,P,Dam Square,2024-06-01,2024-06-02"
    )
    df = read_events_csv(path, zones=SimpleNamespace(zones=ZONES), timezone=AMS)
    assert df.loc[0, "zone"] == "dam"


def test_csv_naive_times_without_timezone_are_a_schema_error_with_line_numbers() -> None:
    path = FIXTURES / "events.csv"
    with pytest.raises(SchemaError) as exc:
        read_events_csv(path, zones=ZONES, columns=CSV_COLUMNS)
    assert str(exc.value) == "\n".join(
        [
            "Invalid events file: 2 problems.",
            "- `start` must be timezone-aware (ISO 8601 with an offset such as +02:00 or Z). "
            "Got 2 value(s) such as '2024-04-27 09:00'.",
            f"    where: {path}, column 'start', rows 2, 4",
            TZ_HINT,
            "- `end` must be timezone-aware (ISO 8601 with an offset such as +02:00 or Z). "
            "Got 1 value(s) such as '2024-04-27 23:00'.",
            f"    where: {path}, column 'end', rows 2",
            TZ_HINT,
        ]
    )


def test_csv_unknown_zones_are_listed_with_their_line_numbers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "event_id,name,zone,start,end",
        "e1,Picnic,Dam Square;Vondelpark,2024-06-01T10:00Z,2024-06-01T12:00Z",
        "e2,Market,noordermarkt,2024-06-01T10:00Z,2024-06-01T12:00Z",
        "e3,Show,Leidseplein,2024-06-01T10:00Z,2024-06-01T12:00Z",
    )
    with pytest.raises(DataValidationError) as exc:
        read_events_csv(path, zones=ZONES, on_unmatched="error")
    assert str(exc.value) == "\n".join(
        [
            "Invalid events file: 1 problem.",
            f"- `zone` must be zone ids, names or aliases of the site profile ({ZONE_LIST}). "
            "Got unknown 'Leidseplein', 'Vondelpark'.",
            f"    where: {path}, column 'zone', rows 2, 4",
            "    hint: fix the name or add it to the zone's aliases in the site profile; "
            "separate several zones with ';', or write '*' for every zone",
        ]
    )


def test_csv_unknown_zones_are_skipped_with_a_warning_by_default(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "event_id,name,zone,start,end",
        "e1,Picnic,Dam Square;Vondelpark,2024-06-01T10:00Z,2024-06-01T12:00Z",
        "e2,Market,noordermarkt,2024-06-01T10:00Z,2024-06-01T12:00Z",
        "e3,Show,Leidseplein,2024-06-01T10:00Z,2024-06-01T12:00Z",
    )
    with pytest.warns(DataQualityWarning) as record:
        df = read_events_csv(path, zones=ZONES)
    assert df[["event_id", "zone"]].values.tolist() == [["e1", "dam"], ["e2", "noordermarkt"]]
    assert (
        "2 event(s) name a place that is no zone of the site profile: line 2: 'Vondelpark' "
        "(kept in dam only); line 4: 'Leidseplein' (skipped)" in str(record[0].message)
    )


def test_csv_local_times_skipped_or_repeated_by_dst_are_errors(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "event_id,name,zone,start,end",
        "e1,Spring,dam,2024-03-31 02:30,2024-03-31 04:00",
        "e2,Autumn,dam,2024-10-26 22:00,2024-10-27 02:30",
    )
    with pytest.raises(ParseError) as exc:
        read_events_csv(path, zones=ZONES, timezone=AMS)
    hint = (
        "    hint: write the times a DST change skips or repeats with their UTC offset, "
        "e.g. 2024-10-27T02:30+01:00"
    )
    assert str(exc.value) == "\n".join(
        [
            "Invalid events file: 2 problems.",
            "- `start` must be local times that exist exactly once in Europe/Amsterdam. "
            "Got 1 value(s) such as '2024-03-31 02:30'.",
            f"    where: {path}, column 'start', rows 2",
            hint,
            "- `end` must be local times that exist exactly once in Europe/Amsterdam. "
            "Got 1 value(s) such as '2024-10-27 02:30'.",
            f"    where: {path}, column 'end', rows 3",
            hint,
        ]
    )


def test_csv_problems_of_every_column_are_reported_together(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "event_id,name,zone,start,end,expected_attendance",
        "e1,Picnic,Vondelpark,1 June 2024,2024-06-01T12:00Z,lots",
    )
    with pytest.raises(ParseError) as exc:
        read_events_csv(path, zones=ZONES, on_unmatched="error")
    assert [p.column for p in exc.value.problems] == ["start", "expected_attendance", "zone"]
    assert str(exc.value.problems[0]) == "\n".join(
        [
            "`start` must be ISO 8601 times such as 2024-06-01T18:00+02:00. "
            "Got 1 value(s) such as '1 June 2024'.",
            f"  where: {path}, column 'start', rows 2",
            "  hint: pass date_format= (e.g. '%d-%m-%Y %H:%M') for times written otherwise",
        ]
    )


def test_csv_validation_errors_name_file_line_numbers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "event_id,name,zone,start,end,status",
        "e1,Picnic,dam,2024-06-01T10:00Z,2024-06-01T12:00Z,confirmed",
        "e2,Market,dam,2024-06-01T10:00Z,2024-06-01T09:00Z,postponed",
    )
    with pytest.raises(DataValidationError) as exc:
        read_events_csv(path, zones=ZONES)
    assert [p.rows for p in exc.value.problems] == [(3,), (3,)]
    assert [p.column for p in exc.value.problems] == ["end", "status"]


def test_csv_missing_required_columns_are_a_schema_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "id,name,zone,start", "e1,Picnic,dam,2024-06-01T10:00Z")
    with pytest.raises(SchemaError) as exc:
        read_events_csv(path, zones=ZONES)
    assert str(exc.value) == "\n".join(
        [
            "Invalid events file: 1 problem.",
            "- events columns event_id, name, zone, start, end must be present. Got no "
            "'event_id', 'end' among ['id', 'name', 'zone', 'start'].",
            where(path),
            "    hint: map the file's names with columns={'<file column>': 'event_id', ...}",
        ]
    )


def test_csv_missing_file_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match=r"the events file must be an existing file"):
        read_events_csv(tmp_path / "missing.csv", zones=ZONES)


@pytest.mark.parametrize("cell", ["*", "all", "ALL", "dam; *"])
def test_a_city_wide_event_names_every_zone_with_a_star_or_all(tmp_path: Path, cell: str) -> None:
    path = write_csv(
        tmp_path,
        "event_id,name,zone,start,end,category",
        f"nye,New Year's Eve,{cell},2024-12-31T22:00+01:00,2025-01-01T02:00+01:00,new_year",
    )
    df = read_events_csv(path, zones=ZONES)
    assert sorted(df["zone"]) == sorted(z.id for z in ZONES)
    assert set(df["event_id"]) == {"nye"}


def test_google_calendar_uids_are_event_ids_not_e_mail_addresses(tmp_path: Path) -> None:
    from crowdcast.exceptions import PrivacyError

    uids = [f"{i:026d}abcdefghij@google.com" for i in range(3)]
    lines = [
        f"{u},Market,dam,2024-06-0{i + 1}T10:00Z,2024-06-0{i + 1}T12:00Z"
        for i, u in enumerate(uids)
    ]
    path = write_csv(tmp_path, "event_id,name,zone,start,end", *lines)
    assert sorted(read_events_csv(path, zones=ZONES)["event_id"]) == uids
    organiser = write_csv(
        tmp_path,
        "event_id,name,zone,start,end,contact",
        *[line + ",jan.jansen@example.nl" for line in lines],
    )
    with pytest.raises(PrivacyError, match="e-mail"):
        read_events_csv(organiser, zones=ZONES)
