"""CSV files as cities export them: separators, decimal marks, encodings, empty and odd columns."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pandas as pd
import pytest

from crowdcast.exceptions import DataQualityWarning, ParameterError, ParseError
from crowdcast.io import read_counts, read_events_csv, read_weather_csv
from crowdcast.profiles import Zone

BOM = b"\xef\xbb\xbf"
ZONES = [Zone("square", "Grote Markt"), Zone("street", "Diezerstraat")]


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def dutch_excel(path: Path, text: str) -> Path:
    """How Excel saves 'CSV (puntkomma)' on a Dutch Windows: cp1252 after a byte order mark."""
    path.write_bytes(BOM + text.replace("\n", "\r\n").encode("cp1252"))
    return path


# ----------------------------------------------------------------------------- the Dutch default


def test_a_dutch_excel_export_reads_without_options(tmp_path: Path) -> None:
    path = dutch_excel(
        tmp_path / "tellingen.csv",
        "Tijd;Grote Markt;Diezerstraat;Café\n"
        "30-03-2024 23:00;12,5;7;1\n"
        "31-03-2024 00:00;13;8;2\n"
        "31-03-2024 01:00;14;9;3\n",
    )
    with pytest.warns(DataQualityWarning, match="not UTF-8: read as Windows-1252"):
        counts = read_counts(
            path,
            layout="wide",
            columns={"Tijd": "timestamp", "Café": "cafe"},
            timezone="Europe/Amsterdam",
        )
    square = counts[counts["zone"] == "Grote Markt"]
    assert square["count"].tolist() == [12.5, 13.0, 14.0]
    assert square["timestamp"].tolist() == [
        utc("2024-03-30 22:00"),
        utc("2024-03-30 23:00"),
        utc("2024-03-31 00:00"),
    ]
    assert set(counts["zone"]) == {"Grote Markt", "Diezerstraat", "cafe"}


def test_an_encoding_given_reads_without_a_warning(tmp_path: Path) -> None:
    path = dutch_excel(
        tmp_path / "c.csv",
        "zone;timestamp;count\nCafé;2024-06-01T10:00Z;1\nCafé;2024-06-01T11:00Z;2\n",
    )
    counts = read_counts(path, encoding="cp1252")
    assert counts["zone"].unique().tolist() == ["Café"]


def test_a_compressed_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "c.csv.gz"
    path.write_bytes(gzip.compress(b"zone;timestamp;count\na;2024-06-01T10:00Z;1,5\n"))
    assert read_counts(path, freq="1h")["count"].tolist() == [1.5]


def test_explicit_options_override_what_is_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("zone|timestamp|count\na|01/06/2024 10:00|1.234,5\na|01/06/2024 11:00|2\n")
    counts = read_counts(path, sep="|", decimal=",", thousands=".", dayfirst=True, timezone="UTC")
    assert counts["count"].tolist() == [1234.5, 2.0]
    assert counts["timestamp"].tolist() == [utc("2024-06-01 10:00"), utc("2024-06-01 11:00")]


def test_invalid_options_are_named_together(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("zone,timestamp,count\n")
    with pytest.raises(ParameterError) as info:
        read_counts(path, sep=";;", decimal="'", encoding="klingon", date_format="dd-mm-yyyy")
    assert [p.what for p in info.value.problems] == [
        "`sep`",
        "`decimal`",
        "`encoding`",
        "`date_format`",
    ]
    assert all(p.hint for p in info.value.problems)
    with pytest.raises(ParameterError, match="another character than the decimal mark"):
        read_counts(path, thousands=",", decimal=",")


# ----------------------------------------------------------------------------- timestamps


@pytest.mark.parametrize(
    ("cells", "options", "expected"),
    [
        (["13-06-2024 10:00", "13-06-2024 11:00"], {}, ["2024-06-13 08:00", "2024-06-13 09:00"]),
        (["06/13/2024 10:00", "06/13/2024 11:00"], {}, ["2024-06-13 08:00", "2024-06-13 09:00"]),
        (
            ["01-06-2024 10:00", "01-06-2024 11:00"],
            {"dayfirst": True},
            ["2024-06-01 08:00", "2024-06-01 09:00"],
        ),
        (
            ["01-06-2024 10:00", "01-06-2024 11:00"],
            {"dayfirst": False},
            ["2024-01-06 09:00", "2024-01-06 10:00"],
        ),
        (
            ["1.6.2024 10:00:00", "1.6.2024 11:00:00"],
            {"dayfirst": True},
            ["2024-06-01 08:00", "2024-06-01 09:00"],
        ),
        (
            ["2024/06/01 10h", "2024/06/01 11h"],
            {"date_format": "%Y/%m/%d %Hh"},
            ["2024-06-01 08:00", "2024-06-01 09:00"],
        ),
    ],
)
def test_timestamps_in_other_formats(
    tmp_path: Path, cells: list[str], options: dict, expected: list[str]
) -> None:
    path = tmp_path / "c.csv"
    path.write_text("zone,timestamp,count\n" + "".join(f"a,{c},1\n" for c in cells))
    counts = read_counts(path, timezone="Europe/Amsterdam", **options)
    assert counts["timestamp"].tolist() == [utc(e) for e in expected]


def test_day_and_month_that_cannot_be_told_apart_are_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("zone,timestamp,count\na,01-06-2024 10:00,1\na,01-06-2024 11:00,2\n")
    with pytest.raises(ParseError) as info:
        read_counts(path, timezone="Europe/Amsterdam")
    assert "`timestamp` must be dates whose order of day and month can be told" in str(info.value)
    assert "hint: pass dayfirst=True for 31-12-2024 (dd-mm-yyyy)" in str(info.value)


def test_a_date_format_that_does_not_fit_names_the_lines(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("zone,timestamp,count\na,01-06-2024 10:00,1\na,2024-06-01 11:00,2\n")
    with pytest.raises(ParseError) as info:
        read_counts(path, timezone="UTC", date_format="%d-%m-%Y %H:%M")
    assert "`timestamp` must be times in the format '%d-%m-%Y %H:%M'" in str(info.value)
    assert "rows 3" in str(info.value)


# ----------------------------------------------------------------------------- empty and odd files


def test_an_empty_file_is_an_error_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("")
    with pytest.raises(ParseError) as info:
        read_counts(path)
    problem = info.value.problems[0]
    assert problem.got == "an empty file" and problem.source == str(path) and problem.hint


@pytest.mark.parametrize("layout", ["long", "wide"])
def test_a_header_only_counts_file_is_an_empty_table(tmp_path: Path, layout: str) -> None:
    path = tmp_path / "c.csv"
    path.write_text("zone,timestamp,count\n" if layout == "long" else "timestamp,a,b\n")
    with pytest.warns(DataQualityWarning, match="holds no counts"):
        counts = read_counts(path, layout=layout)  # type: ignore[arg-type]
    assert counts.empty and list(counts.columns) == ["zone", "timestamp", "count"]
    assert str(counts["timestamp"].dtype) == "datetime64[ns, UTC]"


def test_header_only_events_and_weather_files_are_empty_tables(tmp_path: Path) -> None:
    events = tmp_path / "e.csv"
    events.write_text("event_id,name,zone,start,end\n")
    assert read_events_csv(events, zones=ZONES).empty
    weather = tmp_path / "w.csv"
    weather.write_text("timestamp,temperature_c,precipitation_mm,wind_speed_ms\n")
    assert read_weather_csv(weather).empty


def test_an_empty_column_without_a_name_is_dropped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("timestamp,square,street,\n2024-06-01T10:00Z,1,2,\n2024-06-01T11:00Z,3,4,\n")
    with pytest.warns(DataQualityWarning, match="dropped 1 empty column"):
        counts = read_counts(path, layout="wide")
    assert sorted(counts["zone"].unique()) == ["square", "street"]


def test_a_pandas_unnamed_column_is_never_a_zone(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("timestamp,square,Unnamed: 2\n2024-06-01T10:00Z,1,\n2024-06-01T11:00Z,3,\n")
    with pytest.warns(DataQualityWarning, match="dropped 1 empty column"):
        assert read_counts(path, layout="wide")["zone"].unique().tolist() == ["square"]
    path.write_text(",timestamp,square\n0,2024-06-01T10:00Z,1\n1,2024-06-01T11:00Z,3\n")
    with pytest.raises(ParseError) as info:
        read_counts(path, layout="wide")
    assert "1 column(s) without a name ('') holding values" in str(info.value)
    assert "save with index=False" in str(info.value)


def test_rows_with_more_fields_than_the_header_are_named(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("zone,timestamp,count\na,2024-06-01T10:00Z,1\na,2024-06-01T11:00Z,1,5\n")
    with pytest.raises(ParseError) as info:
        read_counts(path)
    text = str(info.value)
    assert "e.g. line 3 with 4" in text and "rows 3" in text and "hint: pass sep=" in text
    assert "1,5" not in text  # pyarrow's message repeats the row; ours never does


def test_events_and_weather_take_the_same_options(tmp_path: Path) -> None:
    events = dutch_excel(
        tmp_path / "e.csv",
        "event_id;name;zone;start;end;expected_attendance\n"
        "e1;Kermis Café;Grote Markt;14-06-2024 20:00;14-06-2024 23:00;23.157\n",
    )
    with pytest.warns(DataQualityWarning, match="Windows-1252"):
        ev = read_events_csv(events, zones=ZONES, timezone="Europe/Amsterdam", thousands=".")
    assert ev.loc[0, ["zone", "start", "expected_attendance"]].tolist() == [
        "square",
        utc("2024-06-14 18:00"),
        23157.0,
    ]
    weather = tmp_path / "w.csv"
    weather.write_text(
        "tijd;temperatuur;neerslag;wind\n14-06-2024 20:00;21,5;0,4;3\n14-06-2024 21:00;20,5;0;2\n"
    )
    df = read_weather_csv(
        weather,
        columns={
            "tijd": "timestamp",
            "temperatuur": "temperature_c",
            "neerslag": "precipitation_mm",
            "wind": "wind_speed_ms",
        },
        timezone="Europe/Amsterdam",
    )
    assert df["temperature_c"].tolist() == [21.5, 20.5]
    assert df["precipitation_mm"].tolist() == [0.4, 0.0]


def test_an_ambiguous_attendance_is_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        "event_id,name,zone,start,end,expected_attendance\n"
        "e1,Kermis,square,2024-06-14T20:00Z,2024-06-14T23:00Z,23.157\n"
    )
    with pytest.raises(
        ParseError, match=re.escape("pass thousands='.' if '.' separates thousands")
    ):
        read_events_csv(path, zones=ZONES)
