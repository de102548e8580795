"""Data contracts: every rule reports its problem with source, column, rows and a hint."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crowdcast.exceptions import DataValidationError, ParameterError, SchemaError
from crowdcast.schemas import (
    COUNTS,
    as_timedelta,
    complete_grid,
    find_gaps,
    infer_freq,
    validate_counts,
    validate_events,
    validate_incidents,
    validate_signals,
    validate_weather,
)


def utc(*values: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values), utc=True))


def counts(**overrides: object) -> pd.DataFrame:
    base = {
        "zone": ["a", "a", "b", "b"],
        "timestamp": utc(
            "2024-01-01 00:00", "2024-01-01 01:00", "2024-01-01 00:00", "2024-01-01 01:00"
        ),
        "count": [1.0, 2.0, 3.0, 4.0],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def events(**overrides: object) -> pd.DataFrame:
    base = {
        "event_id": ["e1", "e2"],
        "name": ["Market", "Match"],
        "zone": ["a", "b"],
        "start": utc("2024-06-01 08:00", "2024-06-01 18:00"),
        "end": utc("2024-06-01 14:00", "2024-06-01 20:00"),
        "expected_attendance": [2000.0, np.nan],
        "category": ["market", "football"],
        "status": ["confirmed", "cancelled"],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def weather(**overrides: object) -> pd.DataFrame:
    base = {
        "timestamp": utc("2024-01-01 00:00", "2024-01-01 01:00"),
        "temperature_c": [4.5, 4.1],
        "precipitation_mm": [0.0, 1.2],
        "wind_speed_ms": [3.0, 4.0],
        "issued_at": pd.Series([pd.NaT, pd.NaT], dtype="datetime64[ns, UTC]"),
    }
    base.update(overrides)
    return pd.DataFrame(base)


# ----------------------------------------------------------------------------- counts


def test_validate_counts_returns_normalised_copy() -> None:
    df = counts(count=[1, 2, 3, 4]).iloc[::-1]
    out = validate_counts(df)
    assert out.columns.tolist() == ["zone", "timestamp", "count"]
    assert str(out["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert out["count"].dtype == np.float64
    assert out["zone"].tolist() == ["a", "a", "b", "b"]
    assert df.index.tolist() == [3, 2, 1, 0]  # the input is untouched


def test_validate_counts_reports_every_problem_at_once() -> None:
    df = counts(
        zone=["a", "a", "c", "b"],
        count=[-1.0, np.inf, 3.0, 4.0],
        timestamp=utc(
            "2024-01-01 00:00", "2024-01-01 00:00", "2024-01-01 00:00", "2024-01-01 01:00"
        ),
    )
    with pytest.raises(DataValidationError) as info:
        validate_counts(df, source="cams.csv", zones=["a", "b"])
    text = str(info.value)
    assert text.startswith("Invalid counts table: 4 problems.")
    assert len(info.value.problems) == 4
    assert "`count` must be >= 0. Got 1 value(s) below, e.g. -1." in text
    assert "`count` must be finite. Got 1 infinite value(s)." in text
    assert "(zone, timestamp) must be unique. Got 2 rows sharing a key" in text
    assert "`zone` must be a zone of the site profile (a, b). Got unknown 'c'." in text
    assert "where: cams.csv, column 'count', rows 0" in text


def test_validate_counts_rejects_naive_timestamps_with_a_hint() -> None:
    df = counts(timestamp=pd.to_datetime(["2024-01-01 00:00"] * 2 + ["2024-01-01 01:00"] * 2))
    with pytest.raises(SchemaError) as info:
        validate_counts(df, source="x.csv")
    assert str(info.value) == (
        "Invalid counts table: 1 problem.\n"
        "- `timestamp` must be timezone-aware. Got naive timestamps.\n"
        "    where: x.csv, column 'timestamp'\n"
        "    hint: localize them with .dt.tz_localize('<site timezone>') or pass timezone= to "
        "the reader; crowdcast never guesses a timezone"
    )


def test_validate_counts_reports_missing_and_extra_columns() -> None:
    df = counts().rename(columns={"count": "n"})
    with pytest.raises(SchemaError) as info:
        validate_counts(df)
    text = str(info.value)
    assert "counts columns zone, timestamp, count must be present. Got no column 'count'" in text
    assert "Got extra column(s) 'n'." in text


def test_validate_counts_rejects_text_counts() -> None:
    with pytest.raises(SchemaError, match=r"`count` must be numeric. Got dtype"):
        validate_counts(counts(count=["1", "2", "3", "4"]))


def test_validate_counts_rejects_non_dataframes() -> None:
    with pytest.raises(SchemaError, match=r"counts data must be a pandas DataFrame\. Got list\."):
        validate_counts([1, 2])  # type: ignore[arg-type]


def test_validate_counts_allows_nan_as_missing() -> None:
    out = validate_counts(counts(count=[1.0, np.nan, 3.0, 4.0]))
    assert out["count"].isna().sum() == 1


def test_validate_counts_rejects_irregular_timestamps() -> None:
    df = counts(
        zone=["a"] * 4,
        timestamp=utc(
            "2024-01-01 00:00", "2024-01-01 01:00", "2024-01-01 02:00", "2024-01-01 02:30"
        ),
    )
    with pytest.raises(DataValidationError) as info:
        validate_counts(df, source="x.csv", freq="1h")
    assert "`timestamp` must be on one regular 1-hour grid. Got 1 timestamp(s) off the grid" in str(
        info.value
    )
    assert "rows 3" in str(info.value)


def test_infer_freq_uses_steps_within_each_zone() -> None:
    df = counts(
        timestamp=utc(
            "2024-01-01 00:00", "2024-01-01 00:15", "2024-01-01 00:05", "2024-01-01 00:20"
        )
    )
    assert infer_freq(df["timestamp"], by=df["zone"]) == pd.Timedelta("15min")


def test_complete_grid_keeps_missing_intervals_missing() -> None:
    df = validate_counts(
        pd.DataFrame(
            {
                "zone": ["a", "a", "a"],
                "timestamp": utc("2024-01-01 00:00", "2024-01-01 01:00", "2024-01-01 04:00"),
                "count": [0.0, 5.0, 7.0],
            }
        )
    )
    grid = complete_grid(df, "1h")
    assert grid["count"].tolist()[:2] == [0.0, 5.0]
    assert grid["count"].isna().tolist() == [False, False, True, True, False]
    gaps = find_gaps(df, "1h")
    assert gaps.to_dict("records") == [
        {
            "zone": "a",
            "start": pd.Timestamp("2024-01-01 02:00", tz="UTC"),
            "end": pd.Timestamp("2024-01-01 04:00", tz="UTC"),
            "intervals": 2,
        }
    ]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.booleans(), min_size=2, max_size=60))
def test_find_gaps_counts_exactly_the_missing_intervals(observed: list[bool]) -> None:
    observed = [True, *observed, True]
    ts = pd.date_range("2024-03-30", periods=len(observed), freq="15min", tz="UTC")
    df = pd.DataFrame({"zone": "z", "timestamp": ts, "count": 1.0})[np.array(observed)]
    gaps = find_gaps(df, "15min")
    assert gaps["intervals"].sum() == observed.count(False)
    grid = complete_grid(df, "15min")
    assert len(grid) == len(observed)


def test_counts_contract_is_documented_as_a_table() -> None:
    table = COUNTS.describe()
    assert table["column"].tolist() == ["zone", "timestamp", "count"]
    assert table.loc[2, "unit"] == "persons"


# ----------------------------------------------------------------------------- events


def test_validate_events_accepts_a_valid_table() -> None:
    out = validate_events(events(), zones=["a", "b"])
    assert out["status"].tolist() == ["confirmed", "cancelled"]


def test_validate_events_reports_end_before_start_status_and_unknown_zone() -> None:
    df = events(
        end=utc("2024-06-01 07:00", "2024-06-01 20:00"),
        status=["confirmed", "postponed"],
        zone=["a", "x"],
    )
    with pytest.raises(DataValidationError) as info:
        validate_events(df, source="events.csv", zones=["a", "b"])
    text = str(info.value)
    assert "`end` must be after `start`. Got 1 event(s) ending at or before their start." in text
    assert "`status` must be one of confirmed, tentative, cancelled. Got 'postponed'." in text
    assert "`zone` must be a zone of the site profile (a, b). Got unknown 'x'." in text


def test_validate_events_rejects_duplicate_event_zone_rows() -> None:
    df = events(event_id=["e1", "e1"], zone=["a", "a"])
    with pytest.raises(DataValidationError, match=r"\(event_id, zone\) must be unique"):
        validate_events(df)


def test_validate_events_rejects_negative_attendance() -> None:
    with pytest.raises(DataValidationError, match="`expected_attendance` must be >= 0"):
        validate_events(events(expected_attendance=[-5.0, 10.0]))


# ----------------------------------------------------------------------------- weather


def test_validate_weather_accepts_observations_and_forecasts_together() -> None:
    issued = pd.Series(
        [pd.NaT, pd.Timestamp("2023-12-31 06:00", tz="UTC")], dtype="datetime64[ns, UTC]"
    )
    df = weather(timestamp=utc("2024-01-01 00:00", "2024-01-01 00:00"), issued_at=issued)
    assert len(validate_weather(df)) == 2


def test_validate_weather_reports_implausible_values() -> None:
    df = weather(
        temperature_c=[45.0, 410.0], precipitation_mm=[-1.0, 0.0], humidity_pct=[50.0, 120.0]
    )
    with pytest.raises(DataValidationError) as info:
        validate_weather(df, source="knmi.txt")
    text = str(info.value)
    assert (
        "`temperature_c` must be between -60 and 60 °C. Got 1 value(s) outside, e.g. 410." in text
    )
    assert "hint: check the unit (e.g. 0.1 °C or km/h) of the source" in text
    assert "`precipitation_mm` must be >= 0." in text
    assert "`humidity_pct` must be between 0 and 100 %." in text


def test_validate_weather_rejects_duplicate_hours() -> None:
    df = weather(timestamp=utc("2024-01-01 00:00", "2024-01-01 00:00"))
    with pytest.raises(DataValidationError, match=r"\(timestamp, issued_at\) must be unique"):
        validate_weather(df)


def test_validate_weather_requires_the_issued_at_column() -> None:
    with pytest.raises(SchemaError, match="Got no column 'issued_at'"):
        validate_weather(weather().drop(columns="issued_at"))


# ----------------------------------------------------------------------------- signals, incidents


def test_validate_signals_checks_locations_and_duplicates() -> None:
    df = pd.DataFrame(
        {
            "timestamp": utc("2024-01-05 20:00", "2024-01-05 20:00"),
            "location": ["bar_9", "bar_9"],
            "signal": ["alcohol_litres_sold"] * 2,
            "value": [10.0, 12.0],
        }
    )
    with pytest.raises(DataValidationError) as info:
        validate_signals(df, locations=["bar_1"])
    text = str(info.value)
    assert "(timestamp, location, signal) must be unique" in text
    assert (
        "`location` must be a venue or zone of the site profile (bar_1). Got unknown 'bar_9'."
        in text
    )


def test_validate_incidents_requires_whole_non_negative_counts() -> None:
    df = pd.DataFrame(
        {
            "timestamp": utc("2024-01-05 20:00", "2024-01-05 21:00"),
            "zone": ["a", "a"],
            "kind": ["aggression"] * 2,
            "count": [1.5, -1.0],
        }
    )
    with pytest.raises(DataValidationError) as info:
        validate_incidents(df)
    text = str(info.value)
    assert "`count` must be whole numbers. Got 1.5." in text
    assert "`count` must be >= 0." in text
    ok = validate_incidents(df.assign(count=[1, 2]))
    assert ok["count"].dtype == np.int64


def test_as_timedelta_accepts_aliases_and_names_bad_intervals() -> None:
    assert as_timedelta("h") == pd.Timedelta("1h")
    assert as_timedelta("15min") == pd.Timedelta("15min")
    with pytest.raises(
        ParameterError, match=r"`freq` must be a positive interval .* Got 'often'\."
    ):
        as_timedelta("often")
    with pytest.raises(ParameterError, match=r"Got '-1h'"):
        as_timedelta("-1h")


def test_the_forecast_table_finds_its_quantile_columns_in_order() -> None:
    from crowdcast.schemas import FORECAST_KEYS, quantile_column, quantile_columns

    table = pd.DataFrame(columns=[*FORECAST_KEYS, "q0.9", "q0.5", "q0.1", "qty", "q2"])
    assert quantile_columns(table) == {"q0.1": 0.1, "q0.5": 0.5, "q0.9": 0.9}
    table.loc[0] = [None] * 4 + [1.0, np.nan, np.nan, 0, 0]
    assert quantile_columns(table, with_values=True) == {"q0.9": 0.9}
    assert [quantile_column(q) for q in (0.05, 0.5)] == ["q0.05", "q0.5"]


def test_make_rows_puts_horizon_one_at_the_origin() -> None:
    from crowdcast.schemas import make_rows

    origin = pd.Timestamp("2024-03-31 00:00", tz="UTC")
    rows = make_rows(["a", "b"], [origin], [1, 3], "15min")
    assert rows["timestamp"].tolist() == [origin, origin + pd.Timedelta("30min")] * 2
    assert rows["zone"].tolist() == ["a", "a", "b", "b"]


def test_require_columns_names_what_is_missing() -> None:
    from crowdcast.exceptions import SchemaError
    from crowdcast.schemas import require_columns

    with pytest.raises(SchemaError, match="no column 'actual' among \\['zone'\\]"):
        require_columns(pd.DataFrame(columns=["zone"]), ["zone", "actual"], "backtest table")
    with pytest.raises(SchemaError, match=r"must be a pandas DataFrame\. Got list"):
        require_columns([], ["zone"], "backtest table")


def test_zones_counted_at_different_intervals_are_an_error_naming_them() -> None:
    from crowdcast.exceptions import DataValidationError
    from crowdcast.schemas import validate_counts

    hourly = pd.DataFrame(
        {"zone": "plein", "timestamp": pd.date_range("2024-01-01", periods=6, freq="h", tz="UTC")}
    )
    quarter = pd.DataFrame(
        {
            "zone": "straat",
            "timestamp": pd.date_range("2024-01-01", periods=24, freq="15min", tz="UTC"),
        }
    )
    counts = pd.concat([hourly, quarter], ignore_index=True).assign(count=10.0)
    with pytest.raises(DataValidationError, match=r"every 15 min: straat; every 1 h: plein"):
        validate_counts(counts)
    gappy = quarter.drop(index=[3, 4, 9]).assign(count=1.0)  # gaps are not another interval
    assert len(validate_counts(gappy)) == 21
