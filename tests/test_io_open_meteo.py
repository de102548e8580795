"""Open-Meteo hourly responses: read_open_meteo (crowdcast.io._open_meteo)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from _io_helpers import WEATHER_COLUMNS as CONTRACT_COLUMNS
from _io_helpers import row_at, utc
from crowdcast.exceptions import DataQualityWarning, ParseError, SchemaError
from crowdcast.io import read_open_meteo

FIXTURES = Path(__file__).parent / "fixtures" / "weather"
OM_FORECAST = FIXTURES / "open_meteo_forecast_amsterdam_2024-06-01.json"
OM_ARCHIVE_DST = FIXTURES / "open_meteo_archive_amsterdam_2024-03-31.json"
OM_IMPERIAL = FIXTURES / "open_meteo_forecast_new_york_imperial_gmt.json"


# ----------------------------------------------------------------------------- Open-Meteo


def response(**hourly: list[Any]) -> dict[str, Any]:
    """A minimal Open-Meteo response in UTC with default units."""
    values = {
        "time": ["2024-06-01T12:00", "2024-06-01T13:00"],
        "temperature_2m": [20.0, 21.0],
        "precipitation": [0.0, 0.2],
        "wind_speed_10m": [18.0, 36.0],
        **hourly,
    }
    return {
        "latitude": 52.52,
        "longitude": 13.419998,
        "utc_offset_seconds": 0,
        "timezone": "GMT",
        "hourly_units": {
            "time": "iso8601",
            "temperature_2m": "°C",
            "precipitation": "mm",
            "wind_speed_10m": "km/h",
        },
        "hourly": values,
    }


def test_read_open_meteo_converts_a_forecast_to_the_contract():
    df = read_open_meteo(OM_FORECAST)
    assert df.columns.tolist() == [*CONTRACT_COLUMNS[:6], "condition", *CONTRACT_COLUMNS[6:]]
    assert len(df) == 24
    # label 2024-06-01T16:00 (+02:00) = 14:00 UTC ends the hour 13:00-14:00 UTC
    row = row_at(df, "2024-06-01 13:00")
    assert row["precipitation_mm"] == 1.2
    assert row["temperature_c"] == 21.6
    assert row["wind_speed_ms"] == pytest.approx(24.1 / 3.6)
    assert row["humidity_pct"] == 53.0
    assert row["sunshine_h"] == 0.0
    assert row["condition"] == "63"
    assert row["station"] == "52.366,4.901"
    # label 06:00 local: 1845.3 s of sunshine in 05:00-06:00 local = 03:00-04:00 UTC
    assert row_at(df, "2024-06-01 03:00")["sunshine_h"] == pytest.approx(1845.3 / 3600)


def test_read_open_meteo_gives_each_row_the_start_of_the_hour_it_ends():
    df = read_open_meteo(response())
    assert df["timestamp"].tolist() == [utc("2024-06-01 11:00"), utc("2024-06-01 12:00")]
    assert df["precipitation_mm"].tolist() == [0.0, 0.2]


def test_read_open_meteo_applies_the_fixed_utc_offset_across_a_dst_change():
    df = read_open_meteo(OM_ARCHIVE_DST)
    expected = pd.date_range("2024-03-30 22:00", periods=24, freq="h", tz="UTC")
    assert df["timestamp"].tolist() == expected.tolist()  # no gap, no repeat
    # label 02:00 exists in the response: 01:00 UTC, ending the row of 00:00 UTC
    assert row_at(df, "2024-03-31 00:00")["precipitation_mm"] == 0.1
    # label 12:00 is 11:00 UTC (the +01:00 of the response), not 10:00 UTC (CEST)
    assert row_at(df, "2024-03-31 10:00")["temperature_c"] == 14.3


def test_read_open_meteo_converts_fahrenheit_inch_and_mph():
    df = read_open_meteo(OM_IMPERIAL)
    assert df["timestamp"].iloc[0] == utc("2024-05-31 23:00")
    assert df["temperature_c"].iloc[:2].tolist() == pytest.approx([20.0, 19.0])
    assert df["precipitation_mm"].iloc[3] == pytest.approx(0.508)
    assert df["wind_speed_ms"].iloc[0] == pytest.approx(2.90576)


@pytest.mark.parametrize(
    ("unit", "expected"), [("m/s", 10.0), ("km/h", 10 / 3.6), ("kn", 10 * 0.514444)]
)
def test_read_open_meteo_converts_wind_units(unit, expected):
    data = response(wind_speed_10m=[10.0, 10.0])
    data["hourly_units"]["wind_speed_10m"] = unit
    assert read_open_meteo(data)["wind_speed_ms"].iloc[0] == pytest.approx(expected, rel=1e-5)


def test_read_open_meteo_accepts_a_path_a_str_path_json_text_a_dict_and_a_file():
    expected = read_open_meteo(OM_IMPERIAL)
    text = OM_IMPERIAL.read_text(encoding="utf-8")
    with OM_IMPERIAL.open("rb") as file:
        from_file = read_open_meteo(file)
    for other in (str(OM_IMPERIAL), text, json.loads(text)):
        pd.testing.assert_frame_equal(read_open_meteo(other), expected)
    pd.testing.assert_frame_equal(from_file, expected)


def test_read_open_meteo_reads_one_station_per_location_of_a_list():
    other = response()
    other["latitude"], other["longitude"] = 48.14, 11.58
    df = read_open_meteo([response(), other])
    assert df.groupby("station").size().to_dict() == {"48.14,11.58": 2, "52.52,13.419998": 2}


def test_read_open_meteo_reads_unix_times_as_utc():
    data = response(time=[1717243200, 1717246800])  # 2024-06-01 12:00 and 13:00 UTC
    data["hourly_units"]["time"] = "unixtime"
    assert read_open_meteo(data)["timestamp"].iloc[0] == utc("2024-06-01 11:00")


def test_read_open_meteo_reads_the_variable_names_before_2023():
    data = response()
    hourly = data["hourly"]
    hourly["windspeed_10m"] = hourly.pop("wind_speed_10m")
    hourly["weathercode"] = [3, 61]
    data["hourly_units"]["windspeed_10m"] = "km/h"
    df = read_open_meteo(data)
    assert df["wind_speed_ms"].tolist() == pytest.approx([5.0, 10.0])
    assert df["condition"].tolist() == ["3", "61"]


def test_read_open_meteo_keeps_nulls_as_missing():
    df = read_open_meteo(response(precipitation=[None, 0.2], weather_code=[None, 1]))
    assert np.isnan(df["precipitation_mm"].iloc[0])
    assert pd.isna(df["condition"].iloc[0]) and df["condition"].iloc[1] == "1"


def test_read_open_meteo_sets_issued_at_in_utc_for_forecasts():
    issued = pd.Timestamp("2024-06-01 06:00", tz="Europe/Amsterdam")
    df = read_open_meteo(OM_FORECAST, issued_at=issued)
    assert (df["issued_at"] == utc("2024-06-01 04:00")).all()
    assert read_open_meteo(OM_FORECAST)["issued_at"].isna().all()


def test_read_open_meteo_rejects_a_naive_issued_at():
    with pytest.raises(SchemaError, match=re.escape("`issued_at` must be a timezone-aware time")):
        read_open_meteo(response(), issued_at="2024-06-01 06:00")


def test_read_open_meteo_names_missing_variables_and_the_request_that_gives_them():
    data = response()
    del data["hourly"]["wind_speed_10m"]
    with pytest.raises(ParseError) as excinfo:
        read_open_meteo(data)
    assert str(excinfo.value) == (
        "Cannot read Open-Meteo response: 1 problem.\n"
        "- Open-Meteo hourly variables time, temperature_2m, precipitation, wind_speed_10m "
        "must be present. Got no wind_speed_10m among ['time', 'temperature_2m', "
        "'precipitation'].\n"
        "    where: <Open-Meteo response>\n"
        "    hint: request hourly=temperature_2m,precipitation,wind_speed_10m"
    )


def test_read_open_meteo_raises_without_an_hourly_block():
    with pytest.raises(ParseError, match=re.escape("must be an 'hourly' block. Got keys")):
        read_open_meteo({"latitude": 52.5, "daily": {}})


def test_read_open_meteo_names_an_unknown_unit():
    data = response()
    data["hourly_units"]["temperature_2m"] = "K"
    with pytest.raises(ParseError, match=re.escape("unit of `temperature_2m` must be one of °C")):
        read_open_meteo(data)


def test_read_open_meteo_raises_for_invalid_json(tmp_path):
    path = tmp_path / "forecast.json"
    path.write_text('{"hourly": {"time": [}')
    with pytest.raises(ParseError, match=r"must be valid JSON\. Got .* at line 1, column 22"):
        read_open_meteo(path)


def test_read_open_meteo_reports_the_reason_of_an_api_error():
    error = {"error": True, "reason": "Cannot initialize WeatherVariable from invalid String"}
    with pytest.raises(
        ParseError, match=re.escape("must be data, not an error. Got 'Cannot initialize")
    ):
        read_open_meteo(error)


def test_read_open_meteo_raises_when_arrays_differ_in_length():
    with pytest.raises(ParseError, match=re.escape("Got other lengths for precipitation.")):
        read_open_meteo(response(precipitation=[0.0]))


def test_read_open_meteo_names_non_numeric_values_and_their_positions():
    with pytest.raises(ParseError, match=re.escape("column 'temperature_2m', rows 1")):
        read_open_meteo(response(temperature_2m=[20.0, "warm"]))


def test_read_open_meteo_names_unreadable_times():
    with pytest.raises(ParseError, match=re.escape("Got 1 other value(s), e.g. 'noon'")):
        read_open_meteo(response(time=["2024-06-01T12:00", "noon"]))


# ------------------------------------------------------------------------ no utc_offset_seconds


def without_offset(timezone: str, times: list[str]) -> dict[str, Any]:
    data = response(
        time=times,
        temperature_2m=[20.0] * len(times),
        precipitation=[0.0] * len(times),
        wind_speed_10m=[10.0] * len(times),
    )
    del data["utc_offset_seconds"]
    data["timezone"] = timezone
    return data


def test_local_labels_without_an_offset_are_read_in_the_responses_timezone():
    df = read_open_meteo(
        without_offset("Europe/Amsterdam", ["2024-06-01T14:00", "2024-06-01T15:00"])
    )
    assert df["timestamp"].tolist() == [utc("2024-06-01 11:00"), utc("2024-06-01 12:00")]


def test_labels_without_an_offset_across_a_dst_change_give_a_warning():
    times = ["2024-03-31T00:00", "2024-03-31T01:00", "2024-03-31T02:00", "2024-03-31T03:00"]
    with pytest.warns(DataQualityWarning, match="changes its offset within them"):
        df = read_open_meteo(without_offset("Europe/Amsterdam", times))
    assert df["timestamp"].iloc[0] == utc("2024-03-30 22:00")  # +01:00, the first label's


def test_an_unknown_timezone_without_an_offset_is_an_error_with_a_hint():
    with pytest.raises(ParseError) as info:
        read_open_meteo(without_offset("Europe/Atlantis", ["2024-06-01T14:00"]))
    problem = info.value.problems[0]
    assert problem.what == "the response's `timezone`" and problem.hint


def test_open_meteo_in_fahrenheit_read_as_celsius_gives_a_warning():
    times = pd.date_range("2024-01-01", periods=24 * 10, freq="h").strftime("%Y-%m-%dT%H:%M")
    data = response(
        time=list(times),
        temperature_2m=[41.0] * len(times),
        precipitation=[0.0] * len(times),
        wind_speed_10m=[10.0] * len(times),
    )
    data["hourly_units"]["temperature_2m"] = "°C"  # a wrong unit in an edited response
    with pytest.warns(DataQualityWarning, match="2024-01 is 41.0 °C, more than the 28 °C"):
        read_open_meteo(data)
