"""Weather kept as a table: read_weather_csv (crowdcast.io._weather_csv)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from _io_helpers import WEATHER_COLUMNS as CONTRACT_COLUMNS
from _io_helpers import utc
from crowdcast.exceptions import DataValidationError, ParseError, SchemaError
from crowdcast.io import read_weather_csv

# ----------------------------------------------------------------------------- CSV

MAPPING = {
    "time": "timestamp",
    "temp": "temperature_c",
    "rain": "precipitation_mm",
    "wind": "wind_speed_ms",
}


def write_csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "weather.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_read_weather_csv_maps_columns_and_drops_the_others(tmp_path):
    path = write_csv(
        tmp_path,
        "time,temp,rain,wind,gust,humidity_pct\n"
        "2024-06-01T14:00+02:00,21.5,0.0,4.2,9.1,55\n"
        "2024-06-01T15:00+02:00,22.0,,4.0,8.7,53\n",
    )
    df = read_weather_csv(path, columns=MAPPING)
    assert df.columns.tolist() == [*CONTRACT_COLUMNS[:4], "humidity_pct", "issued_at"]
    assert df["timestamp"].tolist() == [utc("2024-06-01 12:00"), utc("2024-06-01 13:00")]
    assert df["precipitation_mm"].isna().tolist() == [False, True]
    assert df["issued_at"].isna().all()


def test_read_weather_csv_localizes_naive_times_in_the_given_timezone(tmp_path):
    path = write_csv(
        tmp_path,
        "time,temp,rain,wind\n2024-01-15 12:00,2.0,0.0,3.0\n2024-07-15 12:00,24.0,0.0,3.0\n",
    )
    df = read_weather_csv(path, columns=MAPPING, timezone="Europe/Amsterdam")
    assert df["timestamp"].tolist() == [utc("2024-01-15 11:00"), utc("2024-07-15 10:00")]


def test_read_weather_csv_raises_for_naive_times_without_a_timezone(tmp_path):
    path = write_csv(tmp_path, "time,temp,rain,wind\n2024-06-01 14:00,21.5,0.0,4.2\n")
    with pytest.raises(SchemaError) as excinfo:
        read_weather_csv(path, columns=MAPPING)
    message = str(excinfo.value)
    assert "`timestamp` must be timezone-aware" in message
    assert "hint: pass timezone='Europe/Amsterdam'" in message
    assert "crowdcast never guesses a timezone" in message


def test_read_weather_csv_lists_missing_columns_and_the_available_ones(tmp_path):
    path = write_csv(tmp_path, "timestamp,temperature_c,gust\n2024-06-01T14:00Z,21.5,9.1\n")
    with pytest.raises(SchemaError) as excinfo:
        read_weather_csv(path)
    message = str(excinfo.value)
    assert "Got no 'precipitation_mm', 'wind_speed_ms' among" in message
    assert "['timestamp', 'temperature_c', 'gust']" in message


def test_read_weather_csv_reads_an_issued_at_column_with_blanks_as_observations(tmp_path):
    path = write_csv(
        tmp_path,
        "timestamp,temperature_c,precipitation_mm,wind_speed_ms,issued_at\n"
        "2024-06-01T14:00Z,21.5,0.0,4.2,2024-06-01T06:00Z\n"
        "2024-06-01T14:00Z,21.0,0.0,4.0,\n",
    )
    df = read_weather_csv(path)
    assert df["issued_at"].tolist()[0] == utc("2024-06-01 06:00")
    assert pd.isna(df["issued_at"].tolist()[1])


def test_read_weather_csv_sets_a_scalar_issued_at_on_every_row(tmp_path):
    path = write_csv(
        tmp_path,
        "timestamp,temperature_c,precipitation_mm,wind_speed_ms\n2024-06-01T14:00Z,21.5,0,4\n",
    )
    df = read_weather_csv(path, issued_at=pd.Timestamp("2024-06-01 06:00", tz="UTC"))
    assert df["issued_at"].tolist() == [utc("2024-06-01 06:00")]


def test_read_weather_csv_refuses_issued_at_both_as_column_and_argument(tmp_path):
    path = write_csv(
        tmp_path,
        "timestamp,temperature_c,precipitation_mm,wind_speed_ms,issued_at\n"
        "2024-06-01T14:00Z,21.5,0,4,2024-06-01T06:00Z\n",
    )
    with pytest.raises(SchemaError, match="both an issued_at column and the issued_at= argument"):
        read_weather_csv(path, issued_at=pd.Timestamp("2024-06-01 06:00", tz="UTC"))


def test_read_weather_csv_reports_non_numeric_values_at_file_lines(tmp_path):
    path = write_csv(
        tmp_path,
        "time,temp,rain,wind\n2024-06-01T14:00Z,21.5,0.0,4.2\n2024-06-01T15:00Z,21,5,0.0,4.2\n",
    )
    message = "1 line(s) with another number of fields than the header's 4, e.g. line 3 with 5"
    with pytest.raises(ParseError, match=re.escape(message)):
        read_weather_csv(path, columns=MAPPING)
    path.write_text(
        "time,temp,rain,wind\n2024-06-01T14:00Z,21.5,0.0,4.2\n2024-06-01T15:00Z,21.5,0.0,calm\n"
    )
    with pytest.raises(ParseError, match=re.escape("column 'wind_speed_ms', rows 3")):
        read_weather_csv(path, columns=MAPPING)


def test_read_weather_csv_reports_contract_violations_at_file_lines(tmp_path):
    path = write_csv(
        tmp_path,
        "time,temp,rain,wind\n"
        "2024-06-01T14:00Z,21.5,0.0,4.2\n"
        "2024-06-01T15:00Z,21.5,-1,4.2\n"
        "2024-06-01T16:00Z,21.5,0.0,4.2\n"
        "2024-06-01T17:00Z,21.5,-0.5,4.2\n",
    )
    with pytest.raises(
        DataValidationError, match=re.escape("column 'precipitation_mm', rows 3, 5")
    ):
        read_weather_csv(path, columns=MAPPING)


def test_read_weather_csv_refuses_a_local_time_skipped_by_the_dst_change(tmp_path):
    path = write_csv(
        tmp_path, "time,temp,rain,wind\n2024-03-31 01:00,5,0,3\n2024-03-31 02:00,5,0,3\n"
    )
    with pytest.raises(ParseError, match=re.escape("column 'timestamp', rows 3")):
        read_weather_csv(path, columns=MAPPING, timezone="Europe/Amsterdam")


def test_read_weather_csv_names_unreadable_times(tmp_path):
    path = write_csv(tmp_path, "time,temp,rain,wind\nyesterday,5,0,3\n")
    with pytest.raises(ParseError, match=re.escape("Got 'yesterday'")):
        read_weather_csv(path, columns=MAPPING, timezone="UTC")


def test_read_weather_csv_refuses_a_mapping_to_a_non_contract_column(tmp_path):
    path = write_csv(tmp_path, "time,temp,rain,wind\n2024-06-01T14:00Z,5,0,3\n")
    with pytest.raises(SchemaError, match=re.escape("must be weather contract columns")):
        read_weather_csv(path, columns={**MAPPING, "temp": "temp_c"})


def test_read_weather_csv_refuses_two_file_columns_for_one_contract_column(tmp_path):
    path = write_csv(tmp_path, "time,temp,temperature_c,rain,wind\n2024-06-01T14:00Z,5,5,0,3\n")
    with pytest.raises(SchemaError, match="temperature_c more than once after mapping"):
        read_weather_csv(path, columns=MAPPING)


def test_read_weather_csv_refuses_an_unknown_timezone_name(tmp_path):
    path = write_csv(tmp_path, "time,temp,rain,wind\n2024-06-01 14:00,5,0,3\n")
    with pytest.raises(SchemaError, match=re.escape("Got 'Europe/Amsterdan'")):
        read_weather_csv(path, columns=MAPPING, timezone="Europe/Amsterdan")
