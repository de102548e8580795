"""Weather kept as a table: read_weather_csv (crowdcast.io._weather_csv)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from _io_helpers import WEATHER_COLUMNS as CONTRACT_COLUMNS
from _io_helpers import utc
from crowdcast.exceptions import (
    DataQualityWarning,
    DataValidationError,
    ParameterError,
    ParseError,
    SchemaError,
)
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


def test_read_weather_csv_reads_absent_weather_columns_as_missing(tmp_path):
    path = write_csv(tmp_path, "timestamp,temperature_c,gust\n2024-06-01T14:00Z,21.5,9.1\n")
    df = read_weather_csv(path)
    assert df.loc[0, "temperature_c"] == 21.5
    assert df[["precipitation_mm", "wind_speed_ms"]].isna().all().all()


def test_read_weather_csv_needs_one_weather_column_and_lists_the_available_ones(tmp_path):
    path = write_csv(tmp_path, "timestamp,temp,gust\n2024-06-01T14:00Z,21.5,9.1\n")
    with pytest.raises(SchemaError) as excinfo:
        read_weather_csv(path)
    message = str(excinfo.value)
    assert "a weather column must be present (temperature_c, precipitation_mm, " in message
    assert "Got none among ['timestamp']" in message
    assert "hint: map the file's names with columns=" in message


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


# ----------------------------------------------------------------------------- units and labels


def fahrenheit_winter(tmp_path: Path) -> Path:
    """January in Havenstad written in °F: 35-45, which pass the contract's range as °C."""
    times = pd.date_range("2024-01-01", periods=24 * 31, freq="h", tz="UTC")
    temps = 40 + 5 * np.sin(np.arange(len(times)) / 24 * 2 * np.pi)
    rows = "".join(
        f"{t:%Y-%m-%dT%H:%MZ},{v:.1f},0.0,18\n" for t, v in zip(times, temps, strict=True)
    )
    return write_csv(tmp_path, "time,temp,rain,wind\n" + rows)


def test_a_winter_in_fahrenheit_read_as_celsius_gives_a_warning(tmp_path):
    path = fahrenheit_winter(tmp_path)
    with pytest.warns(DataQualityWarning) as record:
        read_weather_csv(path, columns=MAPPING, latitude=52.4)
    text = str(record[0].message)
    assert "the mean temperature of 2024-01 is 40.0 °C, more than the 28 °C plausible" in text
    assert "at latitude 52.4: is it in °F? pass units={'temperature_c': 'degF'}" in text
    with pytest.warns(DataQualityWarning, match="more than the 32 °C plausible in that month:"):
        read_weather_csv(path, columns=MAPPING)  # no latitude: a limit for anywhere


def test_units_per_column_are_converted(tmp_path):
    path = fahrenheit_winter(tmp_path)
    df = read_weather_csv(
        path,
        columns=MAPPING,
        latitude=52.4,
        units={"temperature_c": "degF", "wind_speed_ms": "km/h"},
    )
    assert df["temperature_c"].mean() == pytest.approx((40 - 32) / 1.8, abs=0.01)
    assert df["wind_speed_ms"].iloc[0] == pytest.approx(5.0)


def test_a_southern_summer_is_no_winter(tmp_path):
    path = write_csv(
        tmp_path,
        "time,temp,rain,wind\n"
        + "".join(f"2024-01-{d:02d}T12:00Z,33.0,0,3\n" for d in range(1, 29)),
    )
    read_weather_csv(path, columns=MAPPING, latitude=-23.7)  # Alice Springs in January


def test_wind_in_kmh_read_as_ms_gives_a_warning(tmp_path):
    path = write_csv(
        tmp_path,
        "time,temp,rain,wind\n"
        + "".join(f"2024-06-{d:02d}T12:00Z,18,0,22\n" for d in range(1, 29)),
    )
    with pytest.warns(DataQualityWarning, match="is it in km/h"):
        read_weather_csv(path, columns=MAPPING)


def test_unknown_units_are_named_with_the_known_ones(tmp_path):
    path = write_csv(tmp_path, "timestamp,temperature_c\n2024-06-01T14:00Z,21.5\n")
    with pytest.raises(ParameterError) as excinfo:
        read_weather_csv(path, units={"temperature_c": "kelvin", "temp": "°C"})
    text = str(excinfo.value)
    assert "the unit of 'temperature_c' in `units` must be one of °C, 0.1 °C, °F" in text
    assert "the key 'temp' of `units` must be a weather column with a unit" in text


def test_end_labels_move_each_row_back_by_its_interval(tmp_path):
    path = write_csv(
        tmp_path,
        "timestamp,temperature_c,station\n"
        "2024-06-01T14:00Z,21,a\n2024-06-01T15:00Z,22,a\n"
        "2024-06-01T14:10Z,20,b\n2024-06-01T14:20Z,20,b\n",
    )
    df = read_weather_csv(path, label="end")
    a = df[df["station"] == "a"]["timestamp"].dt.strftime("%H:%M").tolist()
    b = df[df["station"] == "b"]["timestamp"].dt.strftime("%H:%M").tolist()
    assert (a, b) == (["13:00", "14:00"], ["14:00", "14:10"])


def test_a_condition_column_is_kept_as_lower_case_text(tmp_path):
    path = write_csv(
        tmp_path,
        "timestamp,temperature_c,condition\n"
        "2024-06-01T14:00Z,2,  Wet Road \n2024-06-01T15:00Z,1,SNOW\n2024-06-01T16:00Z,1,\n",
    )
    got = read_weather_csv(path)["condition"]
    assert got.iloc[:2].tolist() == ["wet road", "snow"] and pd.isna(got.iloc[2])


# ----------------------------------------------------------------------------- perfect forecasts


def test_observed_weather_becomes_forecasts_issued_at_each_origin():
    from crowdcast.features import WeatherFeatures
    from crowdcast.io import observed_as_forecasts

    t = pd.date_range("2024-06-01", periods=6, freq="h", tz="UTC")
    obs = pd.DataFrame(
        {
            "timestamp": t,
            "temperature_c": [10.0, 11.0, 12.0, 13.0, 14.0, 15.0],
            "precipitation_mm": 0.0,
            "wind_speed_ms": 3.0,
            "issued_at": pd.Series(pd.NaT, index=range(6), dtype="datetime64[ns, UTC]"),
        }
    )
    out = observed_as_forecasts(obs, horizon="3h")
    forecasts = out[out["issued_at"].notna()]
    assert len(out[out["issued_at"].isna()]) == 6  # the observations are kept
    at_two = forecasts[forecasts["issued_at"] == t[2]]
    assert at_two["temperature_c"].tolist() == [12.0, 13.0, 14.0]
    assert forecasts["timestamp"].max() == t[-1]  # never beyond the data
    daily = observed_as_forecasts(obs, origins=pd.DatetimeIndex([t[1]]), horizon="2h")
    assert daily["issued_at"].dropna().unique().tolist() == [t[1]]
    # a forecaster sees the observed value of the target hour, not persistence
    rows = pd.DataFrame({"zone": "a", "origin": t[1], "timestamp": [t[3]], "horizon": [2]})
    city = SimpleNamespace(weather=out)
    feats = WeatherFeatures(variables=("temperature_c",))._transform(rows, city)  # type: ignore[arg-type]
    assert feats["weather_temperature_c"].tolist() == [13.0]
