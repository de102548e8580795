"""KNMI hourly station files: read_knmi (crowdcast.io._knmi)."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _io_helpers import WEATHER_COLUMNS as CONTRACT_COLUMNS
from _io_helpers import row_at, utc
from crowdcast.exceptions import DataValidationError, ParseError
from crowdcast.io import read_knmi

FIXTURES = Path(__file__).parent / "fixtures" / "weather"
KNMI_EXCERPT = FIXTURES / "knmi_260_excerpt.txt"
KNMI_FULL = (
    Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "knmi" / "uurgeg_260_2000.txt"
)


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
    """'n/a' is a missing value (as in pandas), '4.9x' an error with its line and a hint."""
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
        "- `T` must be numbers (empty, 'n/a' or 'nan' = missing). Got 1 value(s): '4.9x'.\n"
        "    where: uurgeg_260.txt, column 'T', rows 3\n"
        "    hint: write digits only; leave a cell empty for a missing value"
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
