"""Counts reader: CSV/Parquet, long/wide, DST, line counters, gaps stay missing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crowdcast.exceptions import DataValidationError, ParameterError, ParseError, SchemaError
from crowdcast.io import read_counts
from crowdcast.profiles import load_site_profile


@pytest.fixture
def site(fixtures: Path):  # type: ignore[no-untyped-def]
    return load_site_profile(fixtures / "profiles" / "site.toml")


def test_read_counts_long_csv_completes_the_grid_without_zero_filling(fixtures: Path) -> None:
    counts = read_counts(fixtures / "counts" / "long.csv")
    square = counts[counts["zone"] == "square"]
    assert square["timestamp"].dt.hour.tolist() == [0, 1, 2, 3, 4]
    assert square["count"].tolist()[:2] == [120.0, 80.0]
    assert square["count"].isna().tolist() == [False, False, True, True, False]
    street = counts[counts["zone"] == "street"]
    assert street["count"].tolist() == [300.0, 250.0, 0.0, 40.0]  # a real zero stays zero
    assert str(counts["timestamp"].dtype) == "datetime64[ns, UTC]"


def test_read_counts_wide_local_csv_resolves_the_repeated_autumn_hour(fixtures: Path, site) -> None:  # type: ignore[no-untyped-def]
    counts = read_counts(
        fixtures / "counts" / "wide_autumn_dst.csv",
        layout="wide",
        columns={"Tijd": "timestamp"},
        timezone="Europe/Amsterdam",
        zones=site,
    )
    square = counts[counts["zone"] == "square"]
    # 00:00 and 01:00 CEST, then 02:00 CEST, 02:00 CET, 03:00 CET, 04:00 CET
    assert square["timestamp"].dt.strftime("%H:%M").tolist() == [
        "22:00",
        "23:00",
        "00:00",
        "01:00",
        "02:00",
        "03:00",
    ]
    assert square["count"].tolist() == [100.0, 101.0, 102.0, 103.0, 104.0, 105.0]
    assert set(counts["zone"]) == {"square", "street"}  # names mapped to ids


def test_read_counts_wide_local_csv_spans_the_short_spring_day(fixtures: Path) -> None:
    counts = read_counts(
        fixtures / "counts" / "wide_spring_dst.csv",
        layout="wide",
        columns={"Tijd": "timestamp", "Grote Markt": "square", "Diezerstraat": "street"},
        timezone="Europe/Amsterdam",
    )
    square = counts[counts["zone"] == "square"]
    # local 01:00 CET = 00:00 UTC, local 03:00 CEST = 01:00 UTC: consecutive hours
    assert square["timestamp"].dt.strftime("%H:%M").tolist() == ["23:00", "00:00", "01:00", "02:00"]
    assert square["count"].notna().all()


def test_read_counts_rejects_a_local_time_that_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("zone,timestamp,count\na,2024-03-31 01:00,1\na,2024-03-31 02:00,2\n")
    with pytest.raises(ParseError) as info:
        read_counts(path, timezone="Europe/Amsterdam")
    text = str(info.value)
    assert "`timestamp` must be local times that exist exactly once in Europe/Amsterdam" in text
    assert "rows 3" in text


def test_naive_counts_are_read_on_the_site_profiles_clock(fixtures: Path) -> None:
    from types import SimpleNamespace

    path = fixtures / "counts" / "wide_spring_dst.csv"
    given = read_counts(
        path, layout="wide", columns={"Tijd": "timestamp"}, timezone="Europe/Amsterdam"
    )
    zones = sorted(set(given["zone"]))
    site = SimpleNamespace(zones=zones, timezone="Europe/Amsterdam")
    from_site = read_counts(path, layout="wide", columns={"Tijd": "timestamp"}, zones=site)
    pd.testing.assert_frame_equal(from_site, given)


def test_read_counts_requires_a_timezone_for_naive_timestamps(fixtures: Path) -> None:
    with pytest.raises(SchemaError) as info:
        read_counts(
            fixtures / "counts" / "wide_spring_dst.csv",
            layout="wide",
            columns={"Tijd": "timestamp"},
        )
    assert "hint: pass timezone='Europe/Amsterdam' (the clock the file was written in)" in str(
        info.value
    )


def test_read_counts_sums_line_counter_directions_and_shifts_end_labels(fixtures: Path) -> None:
    counts = read_counts(
        fixtures / "counts" / "line_counter.csv",
        columns={"gate": "zone", "interval_end": "timestamp"},
        label="end",
    )
    assert counts["count"].tolist() == [15.0 + 2 * q for q in range(8)]
    assert counts["timestamp"].iloc[0] == pd.Timestamp("2024-06-01 10:00", tz="UTC")


def test_read_counts_reads_parquet(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "zone": ["a", "a", "a"],
            "timestamp": pd.date_range(
                "2024-01-01", periods=3, freq="15min", tz="Europe/Amsterdam"
            ),
            "count": [1, 2, 3],
        }
    )
    df.to_parquet(tmp_path / "c.parquet")
    counts = read_counts(tmp_path / "c.parquet")
    assert counts["timestamp"].iloc[0] == pd.Timestamp("2023-12-31 23:00", tz="UTC")
    assert counts["count"].tolist() == [1.0, 2.0, 3.0]


def test_read_counts_lists_duplicate_rows_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "zone,timestamp,count\na,2024-01-01T00:00Z,1\na,2024-01-01T01:00Z,2\na,2024-01-01T00:00Z,3\n"
    )
    with pytest.raises(DataValidationError) as info:
        read_counts(path)
    assert f"where: {path}, column 'zone, timestamp', rows 2, 4" in str(info.value)
    assert "hint: each zone needs one row per interval" in str(info.value)


def test_read_counts_names_unparseable_numbers_and_times(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text('zone,timestamp,count\na,2024-01-01T00:00Z,1\na,2024-01-01T01:00Z,"2,5"\n')
    with pytest.raises(ParseError) as info:
        read_counts(path)
    assert "`count` must be numbers with '.' as decimal mark. Got 1 value(s): '2,5'." in str(
        info.value
    )
    assert "rows 3" in str(info.value)
    assert (
        "hint: pass thousands=',' if ',' separates thousands, or decimal=',' if it is the "
        "decimal mark" in str(info.value)
    )
    path.write_text("zone,timestamp,count\na,yesterday,1\na,2024-01-01T01:00Z,2\n")
    with pytest.raises(
        ParseError, match=r"`timestamp` must be ISO 8601 timestamps .* Got 'yesterday'"
    ):
        read_counts(path)


def test_read_counts_rejects_unknown_zones(fixtures: Path, site) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DataValidationError) as info:
        read_counts(
            fixtures / "counts" / "line_counter.csv",
            columns={"gate": "zone", "interval_end": "timestamp"},
            zones=["square"],
        )
    assert "`zone` must be a zone of the site profile (square). Got unknown 'Diezerstraat'." in str(
        info.value
    )


def test_read_counts_names_missing_columns_and_the_fix(fixtures: Path) -> None:
    with pytest.raises(SchemaError) as info:
        read_counts(fixtures / "counts" / "line_counter.csv")
    text = str(info.value)
    assert (
        "counts columns zone, timestamp, in, out must be present. Got no 'zone', 'timestamp'"
        in text
    )
    assert "hint: map the file's names with columns={'<file column>': 'zone', ...}" in text
    with pytest.raises(SchemaError, match=r"`columns` keys must be columns of the file. Got 'gat'"):
        read_counts(fixtures / "counts" / "line_counter.csv", columns={"gat": "zone"})


def test_read_counts_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="the counts file must be an existing file"):
        read_counts(tmp_path / "nope.csv")


def test_read_counts_rejects_an_unknown_layout(fixtures: Path) -> None:
    with pytest.raises(ParameterError, match=r"`layout` must be 'long' or 'wide'\. Got 'tall'\."):
        read_counts(fixtures / "counts" / "long.csv", layout="tall")  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(
    start=st.datetimes(
        min_value=pd.Timestamp("2020-01-01").to_pydatetime(),
        max_value=pd.Timestamp("2029-12-01").to_pydatetime(),
    ),
    n=st.integers(min_value=2, max_value=24 * 8),
    step=st.sampled_from(["15min", "1h"]),
)
def test_local_wide_export_round_trips_to_utc(tmp_path_factory, start, n: int, step: str) -> None:  # type: ignore[no-untyped-def]
    """Consecutive UTC intervals, written as local wall-clock time, read back exactly."""
    utc = pd.date_range(pd.Timestamp(start).floor("h").tz_localize("UTC"), periods=n, freq=step)
    local = utc.tz_convert("Europe/Amsterdam").tz_localize(None)
    path = tmp_path_factory.mktemp("rt") / "wide.csv"
    pd.DataFrame({"t": local.strftime("%Y-%m-%d %H:%M"), "z": np.arange(n)}).to_csv(
        path, index=False
    )
    counts = read_counts(
        path, layout="wide", columns={"t": "timestamp"}, timezone="Europe/Amsterdam"
    )
    assert counts["timestamp"].tolist() == utc.tolist()
    assert counts["count"].tolist() == list(map(float, range(n)))


def test_read_counts_refuses_a_mix_of_naive_and_offset_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("zone,timestamp,count\na,2024-06-01T14:00+02:00,1\na,2024-06-01T13:00,2\n")
    with pytest.raises(ParseError) as info:
        read_counts(path)
    assert (
        "`timestamp` must be all naive or all with a UTC offset. Got a mix of both, e.g. "
        in str(info.value)
    )
    assert "rows 3" in str(info.value)


def test_read_counts_names_an_unknown_timezone(fixtures: Path) -> None:
    with pytest.raises(
        ParameterError, match=r"`timezone` must be an IANA time zone name .* Got 'Mars/Base'"
    ):
        read_counts(fixtures / "counts" / "long.csv", timezone="Mars/Base")


def test_read_counts_accepts_offsets_that_change_with_dst(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "zone,timestamp,count\na,2024-10-27T02:00+02:00,1\na,2024-10-27T02:00+01:00,2\n"
    )
    counts = read_counts(path)
    assert counts["timestamp"].dt.hour.tolist() == [0, 1]


# ----------------------------------------------------------------------------- strict numbers


def _long_csv(tmp_path: Path, *counts: str) -> Path:
    path = tmp_path / "c.csv"
    times = pd.date_range("2024-06-01 10:00", periods=len(counts), freq="h")
    rows = "".join(f'a,{t:%Y-%m-%dT%H:%M}Z,"{c}"\n' for t, c in zip(times, counts, strict=True))
    path.write_text("zone,timestamp,count\n" + rows)
    return path


def test_a_count_that_a_thousands_separator_would_read_otherwise_is_not_guessed(
    tmp_path: Path,
) -> None:
    path = _long_csv(tmp_path, "1.234", "980", "1.000")
    with pytest.raises(ParseError) as info:
        read_counts(path)
    text = str(info.value)
    assert "Got 2 value(s): values that a thousands separator would read otherwise" in text
    assert "rows 2, 4" in text
    assert "hint: pass thousands='.' if '.' separates thousands here (1.234 = 1234)" in text
    assert read_counts(path, thousands=".")["count"].tolist() == [1234.0, 980.0, 1000.0]
    assert read_counts(path, decimal=".")["count"].tolist() == [1.234, 980.0, 1.0]


def test_thousands_separators_must_group_three_digits(tmp_path: Path) -> None:
    path = _long_csv(tmp_path, "1.234.567", "12.34")
    with pytest.raises(ParseError) as info:
        read_counts(path, thousands=".")
    assert "only between groups of three digits" in str(info.value)
    assert "rows 3" in str(info.value)
    assert read_counts(_long_csv(tmp_path, "1,234,567", "12"), thousands=",")["count"].tolist() == [
        1234567.0,
        12.0,
    ]


def test_line_counter_directions_are_read_strictly_too(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("zone,timestamp,in,out\na,2024-06-01T10:00Z,1.500,2\na,2024-06-01T11:00Z,3,4\n")
    with pytest.raises(ParseError, match="column 'in', rows 2"):
        read_counts(path)


def test_missing_markers_are_missing_and_other_text_is_an_error_with_a_hint(
    tmp_path: Path,
) -> None:
    counts = read_counts(_long_csv(tmp_path, "5", "n/a", "#N/A", "NULL", "7"))
    assert counts["count"].isna().tolist() == [False, True, True, True, False]
    with pytest.raises(ParseError) as info:
        read_counts(_long_csv(tmp_path, "5", "defect"))
    problem = info.value.problems[0]
    assert problem.rows == (3,) and problem.hint == (
        "write digits only; leave a cell empty for a missing value"
    )


def test_blocks_are_read_alike_whatever_their_size(tmp_path: Path) -> None:
    """The fast path (pyarrow) and the careful one (pandas) give the same numbers."""
    from crowdcast.io import _csv

    cells = ["1", "2.5", "", "n/a", "1e3", " 4 ", "nan", "0"] * 50
    path = _long_csv(tmp_path, *cells)
    whole = read_counts(path, decimal=".")
    small = _csv._BLOCK_BYTES
    try:
        _csv._BLOCK_BYTES = 64  # many blocks of a few rows, each on its own path
        blocks = read_counts(path, decimal=".")
    finally:
        _csv._BLOCK_BYTES = small
    pd.testing.assert_frame_equal(whole, blocks)
    assert whole["count"].iloc[:8].tolist()[:2] == [1.0, 2.5]


def test_record_level_rows_are_found_on_the_parsed_rows_of_a_large_file(tmp_path: Path) -> None:
    """Two detections deep in a file, where no sample of rows looks, are still refused."""
    from crowdcast.exceptions import PrivacyError

    times = pd.date_range("2024-01-01", periods=5000, freq="15min", tz="UTC")
    lines = [f"a,{t:%Y-%m-%dT%H:%MZ},{i % 50 + 10}" for i, t in enumerate(times)]
    lines[2501] = f"a,{times[2500]:%Y-%m-%dT%H:%M}+00:00,1"  # the same time, written otherwise
    lines[2500] = f"a,{times[2500]:%Y-%m-%dT%H:%MZ},1"
    path = tmp_path / "c.csv"
    path.write_text("zone,timestamp,count\n" + "\n".join(lines) + "\n")
    with pytest.raises(PrivacyError, match="Got 2 rows that share a zone and timestamp") as info:
        read_counts(path)
    assert "rows 2502, 2503" in str(info.value)


def test_identifiers_after_the_first_block_are_refused(tmp_path: Path) -> None:
    from crowdcast.exceptions import PrivacyError
    from crowdcast.io import _csv

    times = pd.date_range("2024-01-01", periods=40, freq="h", tz="UTC")
    rows = [
        f"a,{t:%Y-%m-%dT%H:%MZ},{10 + i}," + (f"a4:5e:60:c1:22:{i:02x}" if i > 20 else "")
        for i, t in enumerate(times)
    ]
    path = tmp_path / "c.csv"
    path.write_text("zone,timestamp,count,note\n" + "\n".join(rows) + "\n")
    small = _csv._BLOCK_BYTES
    try:
        _csv._BLOCK_BYTES = 256  # the MAC addresses are not in the first block
        with pytest.raises(PrivacyError, match="column 'note' must be absent"):
            read_counts(path)
    finally:
        _csv._BLOCK_BYTES = small


def test_a_whole_grid_is_returned_as_the_general_path_builds_it() -> None:
    from crowdcast.schemas import complete_grid

    t = pd.date_range("2024-01-01", periods=6, freq="h", tz="UTC")
    whole = pd.DataFrame(
        {"zone": ["a"] * 3 + ["b"] * 3, "timestamp": list(t[:3]) + list(t[2:5]), "count": 1.0}
    )
    shuffled = whole.iloc[[3, 0, 5, 1, 4, 2]]  # not sorted: the general path
    pd.testing.assert_frame_equal(complete_grid(whole, "h"), complete_grid(shuffled, "h"))
    assert complete_grid(whole, "h", copy=False) is whole
    assert complete_grid(whole, "h") is not whole
