"""The interval of each counts row: one interval per file, or an exact aggregation to a coarser one.

A counts file holds one interval (15 min, 1 h). When a vendor switches a
zone from 15-minute to hourly counts, or two zones report at different
intervals, putting everything on the finest grid would read an hourly total
as a 15-minute count and leave the other three quarters missing. So the
reader finds the interval of every row and refuses a file where it changes,
saying where, unless asked to aggregate (``resample=``).

**How an interval is found.** Within a zone, rows sorted by time, the step
to the next row is the row's interval when at least three consecutive steps
are equal (four rows evenly spaced): a run. A larger step outside a run is
a gap (missing intervals), not an interval. Rows outside runs take the
interval of the run before them in their zone (else the one after, else the
file's). With ``label="end"`` the step from the previous row counts, since a
row then closes its interval. A zone has changed its interval when its runs
have different steps, or when it has rows closer together than its runs'
step; zones disagree when their runs' steps differ.

**Aggregating** (``resample="1h"``, or ``True`` for the coarsest interval
found): every row falls in one bucket of the target interval (aligned to
the rows already at that interval, else to UTC multiples of it). A bucket
gets a value only when its rows are all observed and together cover it
exactly: a bucket with a missing or unobserved part is missing (NaN), never
a partial sum. Passages are summed; occupancy is the mean over the bucket,
each row weighted by its interval. A row whose interval is longer than the
target, or does not divide it, cannot be split and is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crowdcast._validation import Problems
from crowdcast.exceptions import DataValidationError, ParameterError, Problem
from crowdcast.schemas import interval_text

__all__ = ["MIN_RUN", "Intervals", "find_intervals", "resample_counts"]

#: Equal consecutive steps that make an interval (four rows evenly spaced).
MIN_RUN = 3


@dataclass(frozen=True)
class Intervals:
    """The interval of every row (ns, in the sorted rows' order) and what the file holds."""

    lengths: np.ndarray
    step: pd.Timedelta | None  # the file's one interval; None when there is none or several
    coarsest: pd.Timedelta | None
    problems: tuple[Problem, ...]


def _text(ns: int) -> str:
    return interval_text(pd.Timedelta(int(ns), unit="ns"))


def _freq(ns: int) -> str:
    """An interval as a ``freq``/``resample`` argument: ``'1h'``, ``'15min'``, ``'90s'``."""
    seconds = int(ns) // 1_000_000_000
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}min" if seconds % 60 == 0 else f"{seconds}s"


@dataclass(frozen=True)
class _Segments:
    """Runs of equal steps between consecutive rows of one zone (a step per row pair)."""

    start: np.ndarray  # the first step of each segment (step i: row i to row i + 1)
    size: np.ndarray
    step: np.ndarray  # the segment's step in ns; -1 across zones or for repeated times
    zone: np.ndarray
    member: np.ndarray  # a run: at least MIN_RUN equal positive steps


def _segments(c: np.ndarray, t: np.ndarray, backward: bool) -> _Segments:
    n = len(t)
    if n < 2:
        empty = np.empty(0, np.int64)
        return _Segments(empty, empty, empty, empty, np.empty(0, bool))
    if backward:  # a row's interval is the step from the row before: read the rows backwards
        c, t = c[::-1], t[::-1]
    step = np.diff(t)
    if backward:
        np.negative(step, out=step)
    same = c[1:] == c[:-1]
    step[~(same & (step > 0))] = -1
    breaks = np.flatnonzero((step[1:] != step[:-1]) | ~same[:-1]) + 1
    bounds = np.concatenate([[0], breaks, [n - 1]]).astype(np.int64)
    start = bounds[:-1]
    size = np.diff(bounds)
    values = step[start]
    return _Segments(start, size, values, c[start], (values > 0) & (size >= MIN_RUN))


def find_intervals(
    c: np.ndarray,
    t: np.ndarray,
    *,
    zones: list[str],
    line_of: Callable[[np.ndarray], np.ndarray],
    backward: bool,
    freq: pd.Timedelta | None,
    source: str,
) -> Intervals:
    """The interval of each row, and a problem for each zone or pair of zones that disagree.

    ``c`` (zone codes into ``zones``) and ``t`` (int64 ns) are sorted by zone,
    then time; ``line_of`` gives the file line of sorted positions (for
    messages). With ``backward`` (end labels) a row's interval is the step
    from the row before it. Works on runs of equal steps, not on rows, so its
    memory is a few arrays of the rows' length.
    """
    n = len(t)
    seg = _segments(c, t, backward)
    per_zone: dict[int, list[int]] = {}
    for zone, value in zip(
        seg.zone[seg.member].tolist(), seg.step[seg.member].tolist(), strict=True
    ):
        if value not in per_zone.setdefault(int(zone), []):
            per_zone[int(zone)].append(int(value))
    found = Problems(source=source, error=DataValidationError)

    def line(i: int) -> int:  # a position in the (possibly reversed) rows, as a file line
        return int(line_of(np.asarray([n - 1 - i if backward else i]))[0])

    _changes(found, seg, per_zone, zones, line, backward)
    distinct = sorted({s for steps in per_zone.values() for s in steps})
    single = {z: steps[0] for z, steps in per_zone.items() if len(steps) == 1}
    if len(set(single.values())) > 1:
        _disagree(found, single, zones)
    if freq is not None:
        _against_freq(found, per_zone, freq, zones)
    positive = seg.step[seg.step > 0]
    if freq is not None:
        file_step: int | None = freq.value
    elif len(distinct) == 1:
        file_step = distinct[0]
    elif not distinct and positive.size:
        file_step = int(positive.min())
    else:
        file_step = None
    default = file_step if file_step is not None else (distinct[0] if distinct else 0)
    lengths = _row_lengths(seg, n, default)
    return Intervals(
        lengths=lengths[::-1] if backward else lengths,
        step=None if file_step is None or found else pd.Timedelta(file_step, unit="ns"),
        coarsest=pd.Timedelta(distinct[-1], unit="ns") if distinct else None,
        problems=tuple(found),
    )


def _row_lengths(seg: _Segments, n: int, default: int) -> np.ndarray:
    """Each row's interval: its run's step, else the zone's run before it, else after, else
    ``default``; row i takes the segment of step i, a zone's last row the one of its last step."""
    own = pd.Series(np.where(seg.member, seg.step, np.nan))
    by_zone = own.groupby(seg.zone)
    filled = by_zone.ffill().fillna(by_zone.bfill()).fillna(default).to_numpy(dtype=np.int64)
    if n < 2:
        return np.full(n, default, dtype=np.int64)
    sizes = seg.size.copy()
    sizes[-1] += 1  # the last row takes its last step's interval
    return np.repeat(filled, sizes)


_HINT = (
    "pass resample='{coarse}' to aggregate every zone to that grid (sum for passages, "
    "mean for occupancy; exact: a partly missing interval stays missing), or export one "
    "interval; if the larger steps are gaps, write the missing intervals as rows with an "
    "empty count"
)


def _changes(
    found: Problems,
    seg: _Segments,
    per_zone: Mapping[int, list[int]],
    zones: list[str],
    line: Callable[[int], int],
    backward: bool,
) -> None:
    """A problem per zone whose interval changes: where it changes first (last, backward)."""
    members = np.flatnonzero(seg.member)
    for code, steps in per_zone.items():
        mine = members[seg.zone[members] == code]
        where: int | None = None
        if len(steps) > 1:
            values = seg.step[mine]
            k = int(np.flatnonzero(values[1:] != values[:-1])[0]) + 1
            before, after = (values[k], values[0]) if backward else (values[0], values[k])
            where, what = int(seg.start[mine[k]]), f"from {_text(before)} to {_text(after)}"
        else:
            other = (seg.zone == code) & ~seg.member & (seg.step > 0)
            finer = np.flatnonzero(other & (seg.step % steps[0] != 0))
            if finer.size:
                where = int(seg.start[finer[0]]) + 1
                what = f"from {_text(steps[0])} to {_text(seg.step[finer[0]])} steps"
        if where is None:
            continue
        at = line(where)
        found.add(
            f"the interval of zone {zones[code]!r}",
            "the same in every row",
            f"a change {what} at line {at}",
            column="timestamp",
            rows=(at,),
            hint=_HINT.format(coarse=_freq(max(steps))),
        )


def _disagree(found: Problems, single: Mapping[int, int], zones: list[str]) -> None:
    groups: dict[int, list[str]] = {}
    for code, s in single.items():
        groups.setdefault(s, []).append(zones[code])
    listed = "; ".join(
        f"{_text(s)}: {', '.join(map(repr, sorted(names)[:5]))}"
        + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        for s, names in sorted(groups.items())
    )
    found.add(
        "the interval of every zone",
        "the same",
        f"zones at different intervals ({listed})",
        column="timestamp",
        hint=_HINT.format(coarse=_freq(max(groups))),
    )


def _against_freq(
    found: Problems, per_zone: Mapping[int, list[int]], freq: pd.Timedelta, zones: list[str]
) -> None:
    other = sorted(zones[code] for code, steps in per_zone.items() if steps != [freq.value])
    if other:
        steps = sorted({s for code, st in per_zone.items() for s in st if s != freq.value})
        found.add(
            "the interval of every zone",
            f"freq={_freq(freq.value)!r}, as given",
            f"{', '.join(_text(s) for s in steps)} in {', '.join(map(repr, other[:5]))}",
            column="timestamp",
            hint=f"pass the file's interval as freq=, or resample='{_freq(max(steps))}' to "
            "aggregate",
        )


def resample_counts(
    valid: pd.DataFrame,
    lengths: np.ndarray,
    target: pd.Timedelta,
    measures: Mapping[str, str],
    *,
    source: str,
) -> pd.DataFrame:
    """Valid counts (sorted by zone and time) on the ``target`` grid, exactly; see the module."""
    size = target.value
    zone_measure = valid["zone"].map(measures)
    if zone_measure.isna().any():
        unknown = sorted(set(valid.loc[zone_measure.isna(), "zone"]))
        raise ParameterError(
            [
                Problem(
                    "`resample`",
                    "used with zones whose measure is known (sum for passages, mean for occupancy)",
                    f"no measure for {', '.join(map(repr, unknown[:5]))}",
                    source=source,
                    hint="pass zones= a site profile (or Zone objects), whose zones say "
                    "measure = 'passages' or 'occupancy'",
                )
            ]
        )
    t = pd.DatetimeIndex(valid["timestamp"]).as_unit("ns").asi8
    coarse = lengths == size
    phase = int(pd.Series(t[coarse] % size).mode().iloc[0]) if coarse.any() else 0
    bucket = (t - phase) // size * size + phase
    fits = (lengths <= size) & (size % lengths == 0) & ((t - bucket) % lengths == 0)
    if not fits.all():
        bad = np.flatnonzero(~fits)
        raise DataValidationError(
            [
                Problem(
                    "every row",
                    f"an interval that divides {interval_text(target)} and starts on its grid",
                    f"{bad.size} row(s) such as zone {valid['zone'].iloc[bad[0]]!r} at "
                    f"{valid['timestamp'].iloc[bad[0]]} ({_text(lengths[bad[0]])})",
                    source=source,
                    column="timestamp",
                    hint="resample to an interval that is a multiple of every interval in the "
                    "file, e.g. the coarsest",
                )
            ]
        )
    count = valid["count"].to_numpy(dtype=float)
    observed = ~np.isnan(count)
    passages = (zone_measure == "passages").to_numpy()
    weight = np.where(passages, 1.0, lengths / size)
    groups = pd.DataFrame(
        {
            "zone": valid["zone"].to_numpy(),
            "timestamp": bucket,
            "covered": np.where(observed, lengths, 0),
            "value": np.where(observed, count * weight, 0.0),
        }
    ).groupby(["zone", "timestamp"], sort=True)
    sums = groups[["covered", "value"]].sum()
    values = sums["value"].where(sums["covered"] == size)
    out = values.rename("count").reset_index()
    out["timestamp"] = pd.DatetimeIndex(
        out["timestamp"].to_numpy().astype("datetime64[ns]")
    ).tz_localize("UTC")
    return out[["zone", "timestamp", "count"]]
