"""Read people counts (CSV or Parquet, long or wide) into the counts contract."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from crowdcast._validation import check_timezone
from crowdcast.exceptions import (
    DataQualityWarning,
    DataValidationError,
    ParameterError,
    Problem,
    format_message,
)
from crowdcast.io._count_blocks import CountRows, read_count_blocks
from crowdcast.io._csv import CsvOptions
from crowdcast.io._intervals import Intervals, find_intervals, resample_counts
from crowdcast.io._times import TIMEZONE_NAME_HINT
from crowdcast.io._zones import map_zone_names, zone_lookup, zone_measures
from crowdcast.privacy import guard_counts, guard_ingress
from crowdcast.schemas import (
    as_timedelta,
    complete_grid,
    infer_freq,
    sorted_by,
    utc,
    validate_counts,
)

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
    resample: str | pd.Timedelta | bool | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
    encoding: str | None = None,
    date_format: str | None = None,
    dayfirst: bool | None = None,
) -> pd.DataFrame:
    """Read a counts file into the counts contract, on a full regular grid.

    Parameters
    ----------
    path
        A ``.csv`` (optionally compressed: ``.csv.gz``, ``.csv.bz2``) or
        ``.parquet`` file. It is read in blocks, so its size is not limited by
        memory: peak memory stays within about three times the size of a long
        CSV file.
    columns
        Map file column names to contract names: ``zone``, ``timestamp``,
        ``count``. Line counters may map two columns to ``in`` and ``out``
        instead of ``count``; their sum is the number of passages. In the
        ``wide`` layout, map zone columns to zone ids here too.
    layout
        ``"long"``: one row per zone and interval. ``"wide"``: one row per
        interval, one column per zone.
    timezone
        The clock of naive timestamps (e.g. ``"Europe/Amsterdam"``); by
        default the site profile's when ``zones`` is one. Naive timestamps
        without either are an error: crowdcast never guesses. The repeated
        hour when DST ends is resolved by file order.
    freq
        The interval (``"15min"``, ``"1h"``); inferred from the data if omitted.
        A file holds one interval: a zone whose interval changes, or zones at
        different intervals, are an error that says where (see
        :mod:`crowdcast.io._intervals` for how intervals are found).
    zones
        A :class:`~crowdcast.profiles.SiteProfile` or a list of zone ids.
        Zone names are mapped to ids; unknown zones are an error.
    label
        Whether a timestamp marks the ``start`` (crowdcast's convention) or
        the ``end`` of its interval.
    resample
        Aggregate every zone to this interval (``"1h"``; ``True``: the
        coarsest interval in the file), exactly: passages are summed,
        occupancy averaged over the interval, and an interval with a missing
        part stays missing. Needs each zone's measure, from ``zones``.
    sep, decimal, thousands, encoding
        How the CSV file is written; sniffed when omitted (separator, decimal
        mark, UTF-8 or Windows-1252 with a warning): see
        :mod:`crowdcast.io._csv`. Counts are people and read strictly: a
        value such as ``1.234`` is an error unless ``thousands='.'`` (it is
        1234) or ``decimal='.'`` (it is 1.234) says which; empty cells and
        ``n/a`` are missing.
    date_format, dayfirst
        How timestamps are written when not in ISO 8601, e.g.
        ``date_format='%d-%m-%Y %H:%M'``; dates such as ``31-12-2024 23:00``
        are recognised when the order of day and month shows in the data,
        else ``dayfirst=`` must say it (see :mod:`crowdcast.io._times`).

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
    _check_arguments(layout, label)
    if timezone is None and isinstance(getattr(zones, "timezone", None), str):
        timezone = zones.timezone  # type: ignore[attr-defined]  # the site profile's clock
    if timezone is not None:
        check_timezone(timezone, source=source, hint=TIMEZONE_NAME_HINT)
    options = CsvOptions(sep, decimal, thousands, encoding, date_format, dayfirst)
    lookup = zone_lookup(zones)
    rows = read_count_blocks(
        path,
        columns=columns,
        wide=layout == "wide",
        timezone=timezone,
        options=options,
        source=source,
    )
    if not len(rows):
        warnings.warn(
            f"{source} holds no counts: a header without rows", DataQualityWarning, stacklevel=2
        )
        return validate_counts(_frame(rows), source=source)
    ids = map_zone_names(pd.Series(rows.zones, dtype=object), lookup).tolist()
    names = sorted(set(ids))  # zone ids in the order the table is sorted by
    position = {name: i for i, name in enumerate(names)}
    rows.codes = np.asarray([position[i] for i in ids], dtype=np.int32)[rows.codes]
    rows.zones = names
    df, found = _sorted_table(rows, label=label, freq=freq, source=source)
    line_counter = rows.line_counter
    del rows  # the table holds the rows now
    known = sorted(set(lookup.values())) if lookup is not None else None
    valid = validate_counts(df, source=source, zones=known, freq=freq, one_interval=False)
    if resample is None or resample is False:
        del df
        if found.problems:
            raise DataValidationError(found.problems, title="Invalid counts file")
        step = found.step or _safe_freq(valid, source)
        del found
        return complete_grid(valid, step, copy=False)
    target = _target(resample, found.coarsest or found.step)
    measures = zone_measures(zones, names, passages=line_counter)
    lengths = found.lengths  # in the table's order; end labels may have moved rows
    if not sorted_by(df, ["zone", "timestamp"]):
        lengths = lengths[
            np.lexsort((pd.DatetimeIndex(df["timestamp"]).asi8, df["zone"].cat.codes))
        ]
    return complete_grid(resample_counts(valid, lengths, target, measures, source=source), target)


def _sorted_table(
    rows: CountRows, *, label: str, freq: object, source: str
) -> tuple[pd.DataFrame, Intervals]:
    """The rows sorted by zone and time, as a table indexed by file line, and their intervals.

    Sorted once here, the table is validated without sorting again, and its
    zone column is categorical (a code per row), which keeps a large file's
    check small. Rows sharing a zone and time are given to the privacy guard's
    record-level check (rows with a count of 1 each): the others cannot be
    record-level, and on every row the check would turn each time into a
    Python object, costing more time and memory than the whole read.
    """
    order = np.lexsort((rows.ns, rows.codes))
    c, t = rows.codes[order], rows.ns[order]
    same = (c[1:] == c[:-1]) & (t[1:] == t[:-1])
    if same.any():
        shared = np.unique(np.concatenate([order[1:][same], order[:-1][same]]))
        sample = pd.DataFrame(
            {
                "zone": np.asarray(rows.zones, dtype=object)[rows.codes[shared]],
                "timestamp": utc(rows.ns[shared]),
                "count": rows.count[shared],
            },
            index=pd.Index(rows.lines(shared)),
        )
        guard_ingress(sample, source=source, contract="counts")
    del same
    count = rows.count[order]
    rows.codes = rows.ns = rows.count = np.empty(0)  # sorted copies from here on
    found = find_intervals(
        c,
        t,
        zones=rows.zones,
        line_of=lambda positions: rows.lines(order[positions]),
        backward=label == "end",
        freq=as_timedelta(freq) if freq is not None else None,  # type: ignore[arg-type]
        source=source,
    )
    if label == "end":
        t -= found.lengths
    lines = rows.lines(order, out=order)  # the sort order is not needed any more
    table = pd.DataFrame(
        {
            "zone": pd.Categorical.from_codes(c, categories=pd.Index(rows.zones)),
            "timestamp": utc(t),
            "count": count,
        },
        index=pd.Index(lines),
        copy=False,
    )
    # one row per detection (sub-minute, irregular, unit counts): O(n) on sorted rows
    guard_counts(table, source=source)
    return table, found


def _target(resample: object, coarsest: pd.Timedelta | None) -> pd.Timedelta:
    if resample is True:
        if coarsest is None:
            raise ParameterError(
                format_message(
                    "`resample=True`",
                    "used on a file with an interval to aggregate to",
                    "no interval found",
                    hint="pass the interval, e.g. resample='1h'",
                )
            )
        return coarsest
    if not isinstance(resample, str | pd.Timedelta):
        raise ParameterError(
            format_message(
                "`resample`",
                "an interval such as '1h', or True for the coarsest in the file",
                repr(resample),
                hint="e.g. resample='1h'",
            )
        )
    return as_timedelta(resample)


def _check_arguments(layout: str, label: str) -> None:
    if layout not in ("long", "wide"):
        raise ParameterError(
            format_message(
                "`layout`",
                "'long' or 'wide'",
                repr(layout),
                hint="'long': zone, timestamp, count columns; 'wide': one column per zone",
            )
        )
    if label not in ("start", "end"):
        raise ParameterError(
            format_message(
                "`label`",
                "'start' or 'end'",
                repr(label),
                hint="say whether a timestamp marks the start or the end of its interval",
            )
        )


def _frame(rows: CountRows) -> pd.DataFrame:
    """The rows as a counts table indexed by file line."""
    zones = np.asarray(rows.zones, dtype=object)
    return pd.DataFrame(
        {
            "zone": zones[rows.codes] if len(zones) else np.empty(0, object),
            "timestamp": utc(rows.ns),
            "count": rows.count,
        },
        index=rows.index(),
        copy=False,
    )


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
