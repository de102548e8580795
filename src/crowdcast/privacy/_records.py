"""Record-level counts: one row per person, device or detection instead of per zone and interval.

:func:`guard_counts` runs on the counts the reader has parsed (UTC timestamps,
float counts), so it costs one factorisation of the zones and one difference of
the times, O(n) on rows sorted by zone and time, and never parses a timestamp
again. It refuses

- rows that share a zone and timestamp with a count of 1 each;
- detection logs: times less than a minute apart (within a zone) that fill
  less than half of the grid their smallest step implies, with a count of 1 in
  at least half of the non-zero rows. A regular sub-minute grid (a 10-second
  counter) is an aggregate and passes; so does anything of a minute or more.

:func:`sightings_problem` is the check :func:`guard_ingress` runs before
parsing, for a counts file without a count column.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from crowdcast._validation import Problems
from crowdcast.exceptions import PrivacyError, Problem

__all__ = ["AGGREGATE_HINT", "guard_counts", "sightings_problem"]

#: How to turn record-level data into what crowdcast reads.
AGGREGATE_HINT = (
    "data minimisation: aggregate before crowdcast sees the data and export only zone, "
    "timestamp and count, e.g. df.groupby(['zone', pd.Grouper(key='timestamp', "
    "freq='15min')]).size().rename('count').reset_index(); then delete the record-level file"
)
_MINUTE_NS = 60 * 10**9
#: Counts of one in at least this share of the non-zero rows are unit counts.
_UNIT_SHARE = 0.5
#: A sub-minute table filling less than this share of its grid is irregular.
_REGULAR_FILL = 0.5


def sightings_problem(
    df: pd.DataFrame, source: str, file_names: Mapping[str, str]
) -> Problem | None:
    """A counts file without a count column and several rows per zone and hour: sightings.

    Such a file is refused anyway (no count column), so parsing its times here
    costs nothing on the way of a valid file.
    """
    has_count = "count" in df.columns or {"in", "out"} <= set(df.columns)
    if has_count or "zone" not in df.columns or "timestamp" not in df.columns or len(df) < 2:
        return None
    ts = df["timestamp"]
    if not pd.api.types.is_datetime64_any_dtype(ts.dtype):
        ts = pd.to_datetime(ts.astype("string"), errors="coerce", utc=True, format="ISO8601")
    elif getattr(ts.dtype, "tz", None) is None:
        ts = ts.dt.tz_localize("UTC")
    keys = pd.DataFrame({"zone": df["zone"].to_numpy(), "ts": ts.dt.floor("h").to_numpy()})
    shared = keys.duplicated(keep=False).to_numpy() & ts.notna().to_numpy()
    if not shared.any():
        return None
    return _record_level(
        f"no count column and {int(shared.sum())} rows that share a zone and hour",
        source,
        ", ".join(file_names.get(c, c) for c in ("zone", "timestamp")),
        tuple(df.index[shared]),
    )


def _record_level(got: str, source: str, column: str, rows: tuple[object, ...]) -> Problem:
    return Problem(
        "counts",
        "aggregated: one row per zone and interval with the number of people, "
        "not one row per person, device or detection",
        got,
        source=source,
        column=column,
        rows=rows,
        hint=AGGREGATE_HINT,
    )


def _by_zone_and_time(counts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Zone codes, UTC nanoseconds and row positions, sorted by zone then time."""
    ns = pd.DatetimeIndex(counts["timestamp"]).as_unit("ns").asi8
    codes = pd.factorize(counts["zone"])[0]
    same = codes[1:] == codes[:-1]
    if np.all(codes[1:] >= codes[:-1]) and np.all(ns[1:][same] >= ns[:-1][same]):
        return codes, ns, np.arange(len(ns))
    order = np.lexsort((ns, codes))
    return codes[order], ns[order], order


def _detection_problem(counts: pd.DataFrame, source: str, column: str) -> Problem | None:
    """Rows that share a zone and timestamp with a count of 1 each, or a detection log."""
    if len(counts) < 2:
        return None
    codes, ns, order = _by_zone_and_time(counts)
    values = counts["count"].to_numpy(np.float64)[order]
    same = codes[1:] == codes[:-1]
    steps = np.diff(ns)
    repeated = same & (steps == 0)
    if repeated.any():
        shared = np.zeros(len(ns), bool)
        shared[1:] |= repeated
        shared[:-1] |= repeated
        if not np.all(values[shared] == 1):
            return None  # duplicated aggregates: the contract validator reports them
        got = f"{int(shared.sum())} rows that share a zone and timestamp with a count of 1 each"
        return _record_level(got, source, column, tuple(counts.index[np.sort(order[shared])]))
    positive = steps[same]
    if positive.size == 0 or positive.min() >= _MINUTE_NS:
        return None  # the usual case ends here: aggregates of a minute or more
    step = int(positive.min())
    first = np.r_[True, ~same]
    last = np.r_[~same, True]
    grid = int(np.sum((ns[last] - ns[first]) // step + 1))
    nonzero = values[~np.isnan(values) & (values != 0)]
    ones = float(np.mean(nonzero == 1)) if nonzero.size else 0.0
    if len(ns) >= _REGULAR_FILL * grid or ones < _UNIT_SHARE:
        return None  # a regular sub-minute grid, or counts that are not mostly ones
    got = (
        f"{len(ns)} rows at irregular sub-minute times (smallest step {step / 1e9:g} s; "
        f"they fill {len(ns) / grid:.1%} of the {grid}-row grid that step implies) with "
        f"count 1 in {ones:.0%} of the non-zero rows"
    )
    return _record_level(got, source, column, tuple(counts.index[np.sort(order[:5])]))


def guard_counts(
    counts: pd.DataFrame, *, source: str, file_names: Mapping[str, str] | None = None
) -> None:
    """Refuse record-level counts: one row per detection instead of one per zone and interval.

    Runs on the parsed table (UTC ``timestamp``, float ``count``), after
    :func:`guard_ingress` and before the contract is validated, in O(n) when
    the rows are sorted by zone and time: a factorisation of the zones and a
    difference of the times.

    Parameters
    ----------
    counts
        ``zone``, ``timestamp`` (parsed, timezone-aware), ``count`` (float).
    source
        The file, for messages.
    file_names
        Contract name -> the file's own column name, for messages.

    Raises
    ------
    PrivacyError
        When rows share a zone and timestamp with a count of 1 each, or when
        the times are less than a minute apart, fill less than half of the grid
        they imply and hold a count of 1 in at least half of the non-zero rows.

    Examples
    --------
    >>> t = pd.to_datetime(["2024-06-01T14:00:03Z", "2024-06-01T14:00:04Z",
    ...                     "2024-06-01T14:00:41Z"])
    >>> log = pd.DataFrame({"zone": "gate", "timestamp": t, "count": 1.0})
    >>> guard_counts(log, source="detections.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    crowdcast.exceptions.PrivacyError: Refused counts input that could identify people: 1 problem.
    ...
    """
    names = dict(file_names or {})
    column = ", ".join(names.get(c, c) for c in ("zone", "timestamp", "count"))
    problem = _detection_problem(counts, source, column)
    if problem is not None:
        found = Problems(
            source=source,
            error=PrivacyError,
            title="Refused counts input that could identify people",
        )
        found.extend([problem])
        found.raise_if_any()
