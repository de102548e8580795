"""Counts intervals: a change is an error that says where, unless aggregated exactly (resample=)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crowdcast.exceptions import DataValidationError, ParameterError
from crowdcast.io import read_counts
from crowdcast.profiles import Zone

SITE = [Zone("square", "Square", measure="occupancy"), Zone("gate", "Gate", measure="passages")]


def write(tmp_path: Path, rows: list[tuple[str, str, float | str]]) -> Path:
    path = tmp_path / "c.csv"
    body = "".join(f"{z},{t},{c}\n" for z, t, c in rows)
    path.write_text("zone,timestamp,count\n" + body)
    return path


def series(zone: str, start: str, periods: int, freq: str, values: list[float] | None = None):
    times = pd.date_range(start, periods=periods, freq=freq, tz="UTC")
    values = values if values is not None else list(range(1, periods + 1))
    return [(zone, f"{t:%Y-%m-%dT%H:%MZ}", v) for t, v in zip(times, values, strict=True)]


def quarters_then_hours(zone: str) -> list[tuple[str, str, float | str]]:
    """Eight quarters (10:00-12:00), then five hours (12:00-17:00)."""
    return series(zone, "2024-06-01 10:00", 8, "15min") + series(
        zone, "2024-06-01 12:00", 5, "1h", [40.0, 44.0, 48.0, 52.0, 56.0]
    )


def test_a_zone_whose_interval_changes_is_an_error_naming_where(tmp_path: Path) -> None:
    path = write(tmp_path, quarters_then_hours("square"))
    with pytest.raises(DataValidationError) as info:
        read_counts(path, zones=SITE)
    text = str(info.value)
    assert "the interval of zone 'square' must be the same in every row" in text
    assert "Got a change from 15 min to 1 h at line 10." in text  # 12:00 is line 10
    assert "hint: pass resample='1h' to aggregate every zone to that grid" in text


def test_zones_at_different_intervals_are_an_error(tmp_path: Path) -> None:
    rows = series("square", "2024-06-01 10:00", 8, "15min") + series(
        "gate", "2024-06-01 10:00", 4, "1h"
    )
    with pytest.raises(DataValidationError) as info:
        read_counts(write(tmp_path, rows), zones=SITE)
    assert "Got zones at different intervals (15 min: 'square'; 1 h: 'gate')." in str(info.value)


def test_resample_sums_passages_and_averages_occupancy_exactly(tmp_path: Path) -> None:
    rows = quarters_then_hours("square") + quarters_then_hours("gate")
    counts = read_counts(write(tmp_path, rows), zones=SITE, resample="1h")
    square = counts[counts["zone"] == "square"].set_index("timestamp")["count"]
    gate = counts[counts["zone"] == "gate"].set_index("timestamp")["count"]
    hour = pd.Timestamp("2024-06-01 10:00", tz="UTC")
    assert gate[hour] == 1 + 2 + 3 + 4 and square[hour] == np.mean([1, 2, 3, 4])
    assert gate[hour + pd.Timedelta("1h")] == 5 + 6 + 7 + 8
    assert gate[hour + pd.Timedelta("2h")] == 40.0  # hourly rows stay as they are
    assert len(gate) == 7 and str(counts["timestamp"].dtype) == "datetime64[ns, UTC]"


def test_an_hour_with_a_missing_quarter_stays_missing(tmp_path: Path) -> None:
    rows = quarters_then_hours("gate")
    rows[1] = (rows[1][0], rows[1][1], "")  # 10:15 not observed
    del rows[6]  # 11:30 absent
    counts = read_counts(write(tmp_path, rows), zones=SITE, resample="1h")
    assert counts["count"].isna().tolist()[:3] == [True, True, False]


def test_resample_true_aggregates_to_the_coarsest_interval(tmp_path: Path) -> None:
    rows = series("square", "2024-06-01 10:00", 8, "15min") + series(
        "gate", "2024-06-01 10:00", 4, "30min"
    )
    counts = read_counts(write(tmp_path, rows), zones=SITE, resample=True)
    steps = counts.groupby("zone")["timestamp"].diff().dropna().unique().tolist()
    assert steps == [pd.Timedelta("30min")]
    assert counts.loc[counts["zone"] == "square", "count"].tolist() == [1.5, 3.5, 5.5, 7.5]


def test_resample_needs_each_zones_measure(tmp_path: Path) -> None:
    path = write(tmp_path, quarters_then_hours("square"))
    with pytest.raises(ParameterError) as info:
        read_counts(path, resample="1h")
    assert "hint: pass zones= a site profile" in str(info.value)


def test_an_interval_that_does_not_divide_the_target_cannot_be_split(tmp_path: Path) -> None:
    path = write(tmp_path, quarters_then_hours("gate"))
    with pytest.raises(DataValidationError, match="an interval that divides 30 min"):
        read_counts(path, zones=SITE, resample="30min")


def test_gaps_in_a_regular_series_are_not_a_change_of_interval(tmp_path: Path) -> None:
    rows = series("gate", "2024-06-01 10:00", 12, "15min")
    del rows[8], rows[5], rows[4]  # a 45-minute gap and a 30-minute gap
    counts = read_counts(write(tmp_path, rows), zones=SITE)
    assert len(counts) == 12 and counts["count"].isna().sum() == 3


def test_an_hourly_file_read_with_a_finer_freq_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, series("gate", "2024-06-01 10:00", 6, "1h"))
    with pytest.raises(DataValidationError) as info:
        read_counts(path, freq="15min")
    assert "must be freq='15min', as given. Got 1 h in 'gate'" in str(info.value)


def test_end_labels_take_the_interval_they_close(tmp_path: Path) -> None:
    """End-labelled: 10:15..12:00 close quarters, 13:00..17:00 close hours."""
    rows = series("gate", "2024-06-01 10:15", 8, "15min") + series(
        "gate", "2024-06-01 13:00", 5, "1h", [40.0, 44.0, 48.0, 52.0, 56.0]
    )
    counts = read_counts(write(tmp_path, rows), zones=SITE, label="end", resample="1h")
    assert counts["timestamp"].iloc[0] == pd.Timestamp("2024-06-01 10:00", tz="UTC")
    assert counts["count"].tolist() == [10.0, 26.0, 40.0, 44.0, 48.0, 52.0, 56.0]
