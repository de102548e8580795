"""Tests of the weather readers: KNMI hourly files, Open-Meteo JSON and CSV."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crowdcast.exceptions import DataValidationError, ParseError, SchemaError
from crowdcast.io._weather import read_knmi, read_open_meteo, read_weather_csv

FIXTURES = Path(__file__).parent / "fixtures" / "weather"
KNMI_EXCERPT = FIXTURES / "knmi_260_excerpt.txt"
KNMI_FULL = (
    Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "knmi" / "uurgeg_260_2000.txt"
)
OM_FORECAST = FIXTURES / "open_meteo_forecast_amsterdam_2024-06-01.json"
OM_ARCHIVE_DST = FIXTURES / "open_meteo_archive_amsterdam_2024-03-31.json"
OM_IMPERIAL = FIXTURES / "open_meteo_forecast_new_york_imperial_gmt.json"
CONTRACT_COLUMNS = [
    "timestamp",
    "temperature_c",
    "precipitation_mm",
    "wind_speed_ms",
    "sunshine_h",
    "humidity_pct",
    "station",
    "issued_at",
]


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def row_at(df: pd.DataFrame, when: str) -> pd.Series:
    rows = df[df["timestamp"] == utc(when)]
    assert len(rows) == 1, f"expected one row at {when}, got {len(rows)}"
    return rows.iloc[0]


@pytest.fixture(scope="module")
def knmi() -> pd.DataFrame:
    return read_knmi(KNMI_EXCERPT)


# ----------------------------------------------------------------------------- KNMI, real data


def test_read_knmi_maps_hour_1_to_midnight_utc_with_the_raw_values_scaled(knmi):
    # line 34: 260,20000101,1, FH=30, T=49, SQ=0, RH=0, U=96
    row = row_at(knmi, "2000-01-01 00:00")
    assert row["station"] == "260"
    assert row["temperature_c"] == 4.9
    assert row["precipitation_mm"] == 0.0
    assert row["wind_speed_ms"] == 3.0
    assert row["sunshine_h"] == 0.0
    assert row["humidity_pct"] == 96.0


def test_read_knmi_maps_hour_24_to_2300_utc(knmi):
    # line 57: 260,20000101,24, FH=20, T=57, RH=-1, U=99
    row = row_at(knmi, "2000-01-01 23:00")
    assert (row["temperature_c"], row["wind_speed_ms"], row["humidity_pct"]) == (5.7, 2.0, 99.0)
    assert row["precipitation_mm"] == 0.0  # RH = -1: a trace, < 0.05 mm
    assert knmi["timestamp"].iloc[23] == utc("2000-01-01 23:00")
    assert knmi["timestamp"].iloc[24] == utc("2000-01-02 00:00")


def test_read_knmi_maps_rh_minus_one_to_zero_as_a_trace_of_rain(knmi):
    # lines 37-39: HH 4, 5, 6 of 2000-01-01 have RH = -1, 4, 5 (0.1 mm)
    hours = ["2000-01-01 03:00", "2000-01-01 04:00", "2000-01-01 05:00"]
    assert [row_at(knmi, h)["precipitation_mm"] for h in hours] == [0.0, 0.4, 0.5]


def test_read_knmi_keeps_utc_hours_through_the_dst_change_day(knmi):
    day = knmi[knmi["timestamp"].dt.strftime("%Y-%m-%d") == "2000-03-26"]
    assert len(day) == 24
    assert (day["timestamp"].diff().dropna() == pd.Timedelta(hours=1)).all()
    # line 87: HH=3 is 02:00-03:00 UT, an hour that does not exist on Dutch clocks that night
    row = row_at(knmi, "2000-03-26 02:00")
    assert (row["temperature_c"], row["precipitation_mm"], row["humidity_pct"]) == (5.6, 0.8, 92.0)
    # line 93: SQ=10 (0.1 h) is a full hour of sunshine
    assert row_at(knmi, "2000-03-26 08:00")["sunshine_h"] == 1.0


def test_read_knmi_runs_on_across_days_without_gaps(knmi):
    span = knmi[knmi["timestamp"] >= utc("2000-03-25 21:00")]
    expected = pd.date_range("2000-03-25 21:00", "2000-03-27 01:00", freq="h", tz="UTC")
    assert span["timestamp"].tolist() == expected.tolist()


def test_read_knmi_reads_blank_fields_as_missing_not_zero(knmi):
    row = row_at(knmi, "2000-01-02 11:00")  # line 69, blanked in the fixture
    columns = ["temperature_c", "precipitation_mm", "wind_speed_ms", "sunshine_h", "humidity_pct"]
    assert row[columns].isna().all()
    assert row_at(knmi, "2000-01-02 10:00")[columns].notna().all()


def test_read_knmi_returns_the_weather_contract(knmi):
    assert knmi.columns.tolist() == CONTRACT_COLUMNS
    assert str(knmi["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert knmi["issued_at"].isna().all()
    assert knmi["timestamp"].is_monotonic_increasing
    assert len(knmi) == 77


def test_read_knmi_accepts_str_paths_and_open_files(knmi):
    pd.testing.assert_frame_equal(read_knmi(str(KNMI_EXCERPT)), knmi)
    with KNMI_EXCERPT.open("rb") as binary:
        pd.testing.assert_frame_equal(read_knmi(binary), knmi)
    with KNMI_EXCERPT.open(encoding="ascii") as text:
        pd.testing.assert_frame_equal(read_knmi(text), knmi)


def test_read_knmi_finds_the_header_when_every_legend_line_starts_with_a_hash(knmi):
    lines = KNMI_EXCERPT.read_text(encoding="ascii").splitlines()
    legend = ["# " + line if line else "#" for line in lines[:31]]
    older = "\n".join([*legend, *lines[31:]]) + "\n"
    pd.testing.assert_frame_equal(read_knmi(io.StringIO(older)), knmi)


@pytest.mark.skipif(not KNMI_FULL.exists(), reason="the shared KNMI file is not available")
def test_read_knmi_reads_the_whole_year_of_the_real_file():
    df = read_knmi(KNMI_FULL)
    assert len(df) == 8784  # 2000 is a leap year
    assert df["timestamp"].is_unique
    expected = pd.date_range("2000-01-01 00:00", "2000-12-31 23:00", freq="h", tz="UTC")
    assert df["timestamp"].tolist() == expected.tolist()
    assert set(df["station"]) == {"260"}


# ----------------------------------------------------------------------------- KNMI, made-up files

HEADER = "# STN,YYYYMMDD,   HH,   FH,    T,   RH\n"


def knmi_text(*rows: str, header: str = HEADER) -> io.StringIO:
    return io.StringIO(header + "".join(row + "\n" for row in rows))


def test_read_knmi_maps_sq_minus_one_to_zero_sunshine():
    text = knmi_text(
        "  260,20000601,   13,   30,  200,    0,   -1", header=HEADER.rstrip() + ",   SQ\n"
    )
    assert read_knmi(text)["sunshine_h"].tolist() == [0.0]


def test_read_knmi_keeps_only_the_requested_stations():
    text = knmi_text(
        "  240,20000101,    1,   30,   49,    0",
        "  260,20000101,    1,   20,   51,    3",
    )
    df = read_knmi(text, stations=[260])
    assert df["station"].tolist() == ["260"]
    assert df["temperature_c"].tolist() == [5.1]


def test_read_knmi_raises_when_a_requested_station_is_not_in_the_file():
    text = knmi_text("  260,20000101,    1,   30,   49,    0")
    with pytest.raises(DataValidationError, match=re.escape("Got 240; the file has 260.")):
        read_knmi(text, stations=["240", 260])


def test_read_knmi_raises_for_a_file_without_the_header_line(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("station,date\n260,20000101\n")
    with pytest.raises(ParseError) as excinfo:
        read_knmi(path)
    assert str(excinfo.value) == (
        "Cannot read KNMI file: 1 problem.\n"
        "- the file must be a KNMI hourly export with a 'STN,YYYYMMDD,HH,...' header line. "
        "Got no such line among its 2 lines.\n"
        f"    where: {path}\n"
        "    hint: is this a KNMI hourly export? expected a line starting with '# STN,YYYYMMDD,'"
    )


def test_read_knmi_names_file_column_and_lines_of_non_numeric_values():
    text = knmi_text(
        "  260,20000101,    1,   30,   49,    0",
        "  260,20000101,    2,   30,  4.9x,    0",
        "  260,20000101,    3,   30,   n/a,    0",
    )
    text.name = "uurgeg_260.txt"  # type: ignore[attr-defined]
    with pytest.raises(ParseError) as excinfo:
        read_knmi(text)
    assert str(excinfo.value) == (
        "Cannot read KNMI file: 1 problem.\n"
        "- `T` must be numbers (empty = missing). Got '4.9x'.\n"
        "    where: uurgeg_260.txt, column 'T', rows 3, 4"
    )


def test_read_knmi_rejects_hours_outside_1_to_24_with_their_lines():
    text = knmi_text(
        "  260,20000101,    0,   30,   49,    0",
        "  260,20000101,   24,   30,   49,    0",
        "  260,20000101,   25,   30,   49,    0",
    )
    with pytest.raises(ParseError, match=re.escape("column 'HH', rows 2, 4")) as excinfo:
        read_knmi(text)
    assert "`HH` must be a whole hour from 1 to 24" in str(excinfo.value)


def test_read_knmi_rejects_invalid_dates_with_their_lines():
    text = knmi_text("  260,20000230,    1,   30,   49,    0")
    with pytest.raises(ParseError, match=re.escape("Got 1 other value(s), e.g. '20000230'")):
        read_knmi(text)


def test_read_knmi_reports_rows_with_another_number_of_fields():
    text = knmi_text(
        "  260,20000101,    1,   30,   49,    0",
        "  260,20000101,    2,   30,   49",
    )
    with pytest.raises(ParseError, match=r"6 comma-separated fields long.*\n.*rows 3"):
        read_knmi(text)


def test_read_knmi_raises_for_a_daily_file_without_hours():
    text = knmi_text("  260,20000101,  225,   30", header="# STN,YYYYMMDD,DDVEC,FHVEC\n")
    with pytest.raises(ParseError, match=re.escape("Got no HH, T, RH, FH in the header on line 1")):
        read_knmi(text)


def test_read_knmi_reports_contract_violations_at_file_lines():
    text = knmi_text(
        "  260,20000101,    1,   30,   49,    0",
        "  260,20000101,    2,   30,  749,    0",  # 74.9 °C: a unit or typing error
    )
    with pytest.raises(DataValidationError, match=re.escape("column 'temperature_c', rows 3")):
        read_knmi(text)


def test_read_knmi_reports_a_blank_station_at_its_line():
    text = knmi_text(
        "  260,20000101,    1,   30,   49,    0", "     ,20000101,    2,   30,   49,    0"
    )
    with pytest.raises(DataValidationError, match=re.escape("column 'station', rows 3")):
        read_knmi(text)


def test_read_knmi_raises_for_a_missing_file(tmp_path):
    with pytest.raises(ParseError, match="must be an existing file"):
        read_knmi(tmp_path / "uurgeg_260_2000.txt")


# ----------------------------------------------------------------------------- KNMI, property

VALUE_COLUMNS = ["FH", "T", "SQ", "RH", "U"]


def _maybe(lo: int, hi: int) -> st.SearchStrategy[int | None]:
    return st.one_of(st.none(), st.integers(lo, hi))


@st.composite
def knmi_series(draw: st.DrawFn) -> dict[str, Any]:
    start = draw(st.dates(min_value=date(1901, 1, 1), max_value=date(2099, 12, 30)))
    first = draw(st.integers(0, 23))
    rows = []
    for i in range(draw(st.integers(1, 30))):
        hour = first + i
        rows.append(
            {
                "date": start + timedelta(days=hour // 24),
                "HH": hour % 24 + 1,
                "FH": draw(_maybe(0, 400)),
                "T": draw(_maybe(-300, 400)),
                "SQ": draw(_maybe(-1, 10)),
                "RH": draw(_maybe(-1, 600)),
                "U": draw(_maybe(0, 100)),
            }
        )
    order = draw(st.permutations(VALUE_COLUMNS))
    return {
        "rows": rows,
        "order": order,
        "hashes": draw(st.booleans()),
        "eol": draw(st.sampled_from(["\n", "\r\n"])),
    }


def write_knmi(series: dict[str, Any]) -> str:
    def field(value: object) -> str:
        return f"{'' if value is None else value:>5}"

    legend = ["BRON: KONINKLIJK NEDERLANDS METEOROLOGISCH INSTITUUT (KNMI)", "", "T = ..."]
    if series["hashes"]:
        legend = ["# " + line for line in legend]
    header = "# STN,YYYYMMDD,   HH," + ",".join(field(c) for c in series["order"])
    body = [
        f"  260,{r['date']:%Y%m%d},{field(r['HH'])},"
        + ",".join(field(r[c]) for c in series["order"])
        for r in series["rows"]
    ]
    return series["eol"].join([*legend, header, "", *body]) + series["eol"]


def scaled(values: list[int | None], *, trace: bool = False, tenths: bool = True) -> np.ndarray:
    def one(v: int | None) -> float:
        if v is None:
            return np.nan
        if trace and v == -1:
            return 0.0
        return v / 10 if tenths else float(v)

    return np.array([one(v) for v in values])


@settings(max_examples=60, deadline=None)
@given(knmi_series())
def test_read_knmi_round_trips_values_written_in_the_knmi_layout(series):
    df = read_knmi(io.StringIO(write_knmi(series)))
    rows = series["rows"]
    expected_time = [
        pd.Timestamp(r["date"], tz="UTC") + pd.Timedelta(hours=r["HH"] - 1) for r in rows
    ]
    assert df["timestamp"].tolist() == expected_time
    column = {r: [row[r] for row in rows] for r in VALUE_COLUMNS}
    np.testing.assert_array_equal(df["temperature_c"], scaled(column["T"]))
    np.testing.assert_array_equal(df["wind_speed_ms"], scaled(column["FH"]))
    np.testing.assert_array_equal(df["precipitation_mm"], scaled(column["RH"], trace=True))
    np.testing.assert_array_equal(df["sunshine_h"], scaled(column["SQ"], trace=True))
    np.testing.assert_array_equal(df["humidity_pct"], scaled(column["U"], tenths=False))


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
    assert df["condition"].tolist() == [None, "1"]


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
    with pytest.raises(ParseError, match=re.escape("Expected 4 fields in line 3, saw 5")):
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
