"""Read people counts (CSV or Parquet, long or wide) into the counts contract."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from crowdcast.exceptions import (
    DataValidationError,
    ParameterError,
    Problem,
    SchemaError,
    format_message,
)
from crowdcast.io._common import map_columns, parse_numbers, parse_timestamps, read_table
from crowdcast.io._zones import map_zone_names, zone_lookup
from crowdcast.privacy import guard_counts
from crowdcast.schemas import as_timedelta, complete_grid, infer_freq, validate_counts

__all__ = ["read_counts"]


def read_counts(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    layout: Literal["long", "wide"] = "long",
    timezone: str | None = None,
    freq: str | pd.Timedelta | None = None,
    zones: object = None,
    label: Literal["start", "end"] = "start",
) -> pd.DataFrame:
    """Read a counts file into the counts contract, on a full regular grid.

    Parameters
    ----------
    path
        A ``.csv`` (optionally compressed) or ``.parquet`` file.
    columns
        Map file column names to contract names: ``zone``, ``timestamp``,
        ``count``. Line counters may map two columns to ``in`` and ``out``
        instead of ``count``; their sum is the number of passages. In the
        ``wide`` layout, map zone columns to zone ids here too.
    layout
        ``"long"``: one row per zone and interval. ``"wide"``: one row per
        interval, one column per zone.
    timezone
        The clock of naive timestamps (e.g. ``"Europe/Amsterdam"``). Naive
        timestamps without it are an error: crowdcast never guesses. The
        repeated hour when DST ends is resolved by file order.
    freq
        The interval (``"15min"``, ``"1h"``); inferred from the data if omitted.
    zones
        A :class:`~crowdcast.profiles.SiteProfile` or a list of zone ids.
        Zone names are mapped to ids; unknown zones are an error.
    label
        Whether a timestamp marks the ``start`` (crowdcast's convention) or
        the ``end`` of its interval.

    Returns
    -------
    pandas.DataFrame
        ``zone, timestamp, count`` sorted by zone and time. Every interval
        between a zone's first and last observation has a row; intervals the
        file does not have are NaN (missing), never zero.

    Examples
    --------
    >>> import crowdcast as cc
    >>> counts = cc.read_counts(cc.sample_path() / "counts.csv")
    >>> counts.columns.tolist()
    ['zone', 'timestamp', 'count']
    """
    source = str(path)
    file_names = {v: k for k, v in (columns or {}).items()}
    text = [file_names.get(c, c) for c in ("zone", "timestamp")]
    raw = read_table(path, what="counts", text_columns=text)
    lookup = zone_lookup(zones)
    if layout == "wide":
        df = _melt_wide(raw, columns, source=source, timezone=timezone)
    elif layout == "long":
        df = _long(raw, columns, source=source)
        df["timestamp"] = parse_timestamps(
            df["timestamp"], column="timestamp", source=source, timezone=timezone, groups=df["zone"]
        )
    else:
        raise ParameterError(format_message("`layout`", "'long' or 'wide'", repr(layout)))
    guard_counts(df, source=source, file_names=file_names)
    df["zone"] = map_zone_names(df["zone"], lookup)
    if label == "end":
        step = (
            as_timedelta(freq) if freq is not None else infer_freq(df["timestamp"], by=df["zone"])
        )
        df["timestamp"] = df["timestamp"] - step
    known = sorted(set(lookup.values())) if lookup is not None else None
    valid = validate_counts(df, source=source, zones=known, freq=freq)
    step = as_timedelta(freq) if freq is not None else _safe_freq(valid, source)
    return complete_grid(valid, step)


def _safe_freq(counts: pd.DataFrame, source: str) -> pd.Timedelta:
    if len(counts) < 2:
        raise DataValidationError(
            [
                Problem(
                    "a counts file",
                    "at least two intervals to infer its frequency",
                    f"{len(counts)} row(s)",
                    source=source,
                    hint="pass freq= explicitly",
                )
            ]
        )
    return infer_freq(counts["timestamp"], by=counts["zone"])


def _long(raw: pd.DataFrame, columns: Mapping[str, str] | None, *, source: str) -> pd.DataFrame:
    renamed = (raw.rename(columns=dict(columns)) if columns else raw).columns
    line_counter = "count" not in renamed and {"in", "out"} <= set(renamed)
    required = (
        ("zone", "timestamp", "in", "out") if line_counter else ("zone", "timestamp", "count")
    )
    df = map_columns(
        raw,
        columns,
        required=required,
        source=source,
        what="counts",
        keep=("zone", "timestamp", "in", "out") if line_counter else None,
    )
    if line_counter:
        passages = parse_numbers(df["in"], column="in", source=source) + parse_numbers(
            df["out"], column="out", source=source
        )
        df = df.assign(count=passages)
    else:
        df = df.assign(count=parse_numbers(df["count"], column="count", source=source))
    return df[["zone", "timestamp", "count"]].copy()


def _melt_wide(
    raw: pd.DataFrame, columns: Mapping[str, str] | None, *, source: str, timezone: str | None
) -> pd.DataFrame:
    renamed = [(columns or {}).get(c, c) for c in raw.columns]  # every other column is a zone
    df = map_columns(
        raw, columns, required=("timestamp",), source=source, what="counts", keep=renamed
    )
    zone_cols = [c for c in df.columns if c != "timestamp"]
    if not zone_cols:
        raise SchemaError(
            [
                Problem(
                    "a wide counts file",
                    "one column per zone besides the timestamp",
                    f"only {list(raw.columns)}",
                    source=source,
                )
            ]
        )
    # one timestamp column for all zones: parse (and localise) it once
    ts = parse_timestamps(df["timestamp"], column="timestamp", source=source, timezone=timezone)
    values = [parse_numbers(df[z], column=z, source=source).to_numpy() for z in zone_cols]
    n = len(df)
    return pd.DataFrame(
        {
            "zone": np.repeat(np.asarray(zone_cols, dtype=object), n),
            "timestamp": np.tile(ts.to_numpy(), len(zone_cols)),
            "count": np.concatenate(values),
        },
        index=np.tile(df.index.to_numpy(), len(zone_cols)),
    ).astype({"timestamp": "datetime64[ns, UTC]"})
