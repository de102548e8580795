"""Read signals (indicator inputs) and incidents from CSV or Parquet."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from crowdcast.io._common import map_columns, read_table
from crowdcast.io._csv import CsvOptions
from crowdcast.io._numbers import parse_numbers
from crowdcast.io._times import parse_timestamps
from crowdcast.io._zones import map_zone_names, zone_lookup
from crowdcast.schemas import validate_incidents, validate_signals

__all__ = ["read_incidents", "read_signals"]


def read_signals(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    locations: object = None,
) -> pd.DataFrame:
    """Read a signals file: ``timestamp, location, signal, value[, unit]``.

    Parameters
    ----------
    path
        CSV or Parquet file.
    columns
        Map file column names to contract names.
    timezone
        The clock of naive timestamps; required when they are naive.
    locations
        A :class:`~crowdcast.profiles.SiteProfile` (its venue and zone ids are
        the known locations) or a list of ids; unknown locations are an error.

    Examples
    --------
    >>> import crowdcast as cc
    >>> sig = cc.read_signals(cc.sample_path() / "signals.csv")
    >>> sig["signal"].unique().tolist()
    ['alcohol_litres_sold']
    """
    source = str(path)
    options = CsvOptions()  # sniffed: separator, decimal mark, encoding
    table, layout = read_table(path, what="signals", options=options)
    numbers = layout.numbers if layout is not None else options.numbers
    df = map_columns(
        table,
        columns,
        required=("timestamp", "location", "signal", "value"),
        source=source,
        what="signals",
    )
    keep = [c for c in ("timestamp", "location", "signal", "value", "unit") if c in df.columns]
    df = df[keep].copy()
    df["timestamp"] = parse_timestamps(
        df["timestamp"],
        column="timestamp",
        source=source,
        timezone=timezone,
        groups=df["location"],
        times=options.times,
    )
    df["value"] = parse_numbers(df["value"], column="value", source=source, numbers=numbers)
    known = None
    if locations is not None:
        ids = getattr(locations, "venues", None)
        known = (
            [v.id for v in ids] + [z.id for z in getattr(locations, "zones", ())]
            if ids is not None
            else list(locations)  # type: ignore[call-overload]
        )
    return validate_signals(df, source=source, locations=known)


def read_incidents(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    zones: object = None,
) -> pd.DataFrame:
    """Read an incidents file: ``timestamp, zone, kind, count``.

    Incidents are events, so an absent (zone, interval) means zero incidents,
    unlike counts where an absent interval is missing.

    Examples
    --------
    >>> import crowdcast as cc
    >>> inc = cc.read_incidents(cc.sample_path() / "incidents.csv")
    >>> inc["kind"].unique().tolist()
    ['aggression']
    """
    source = str(path)
    options = CsvOptions()  # sniffed: separator, decimal mark, encoding
    table, layout = read_table(path, what="incidents", options=options)
    numbers = layout.numbers if layout is not None else options.numbers
    df = map_columns(
        table,
        columns,
        required=("timestamp", "zone", "kind", "count"),
        source=source,
        what="incidents",
    )
    df = df[["timestamp", "zone", "kind", "count"]].copy()
    lookup = zone_lookup(zones)
    df["zone"] = map_zone_names(df["zone"], lookup)
    df["timestamp"] = parse_timestamps(
        df["timestamp"],
        column="timestamp",
        source=source,
        timezone=timezone,
        groups=df["zone"],
        times=options.times,
    )
    df["count"] = parse_numbers(df["count"], column="count", source=source, numbers=numbers)
    known = sorted(set(lookup.values())) if lookup is not None else None
    return validate_incidents(df, source=source, zones=known)
