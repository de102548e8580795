"""Time: the interval grid of counts, timestamps as UTC, and the constants every module uses.

A timestamp marks the START of its interval and is stored in UTC. Counts of a
site lie on one regular grid per zone (the interval is explicit, e.g. 15 min
or 1 h); :class:`History` holds them as a dense ``zones x time`` array on
which features look values up by position.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crowdcast.exceptions import (
    DataValidationError,
    ParameterError,
    Problem,
    format_message,
)

__all__ = [
    "DAY",
    "DAY_NS",
    "HOUR",
    "HOUR_NS",
    "WEEK",
    "History",
    "as_timedelta",
    "as_utc",
    "complete_grid",
    "find_gaps",
    "infer_freq",
    "interval_text",
    "utc",
]

HOUR = pd.Timedelta(hours=1)
DAY = pd.Timedelta(days=1)
WEEK = pd.Timedelta(days=7)
#: One hour and one day in nanoseconds, for arithmetic on ``int64`` timestamps.
HOUR_NS: int = HOUR.value
DAY_NS: int = DAY.value


def infer_freq(
    timestamps: pd.Series | pd.DatetimeIndex, *, by: pd.Series | None = None
) -> pd.Timedelta:
    """The interval of a counts series: the smallest step between consecutive timestamps.

    With ``by`` (e.g. the zone column) steps are taken within each group.

    Examples
    --------
    >>> ts = pd.Series(pd.date_range("2024-01-01", periods=4, freq="15min", tz="UTC"))
    >>> infer_freq(ts)
    Timedelta('0 days 00:15:00')
    """
    ns = pd.DatetimeIndex(timestamps).as_unit("ns").asi8
    codes = pd.factorize(by)[0] if by is not None else np.zeros(len(ns), dtype=np.intp)
    if not _is_sorted(codes, ns):
        order = np.lexsort((ns, codes))
        ns, codes = ns[order], codes[order]
    steps = np.diff(ns)
    diffs = steps[(codes[1:] == codes[:-1]) & (steps > 0)]
    if diffs.size == 0:
        raise DataValidationError(
            [
                Problem(
                    "the count frequency",
                    "inferable from at least two distinct timestamps per zone",
                    "fewer",
                    hint="pass freq= explicitly",
                )
            ]
        )
    return pd.Timedelta(int(diffs.min()), unit="ns")


def _is_sorted(codes: np.ndarray, ns: np.ndarray) -> bool:
    """True when rows are grouped by code (ascending) and time-ordered within groups."""
    same = codes[1:] == codes[:-1]
    return bool(np.all(codes[1:] >= codes[:-1]) and np.all(ns[1:][same] >= ns[:-1][same]))


def interval_text(step: pd.Timedelta, *, adjective: bool = False) -> str:
    """An interval in words: ``"1 h"``, ``"15 min"``; ``"1-hour"``, ``"15-minute"`` as adjective.

    >>> interval_text(pd.Timedelta("15min")), interval_text(HOUR, adjective=True)
    ('15 min', '1-hour')
    """
    minutes = int(step.total_seconds() // 60)
    if adjective:
        if minutes and minutes % 60 == 0:
            return f"{minutes // 60}-hour"
        return f"{minutes}-minute" if minutes else str(step)
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


def as_utc(value: object, what: str) -> pd.Timestamp:
    """A timezone-aware timestamp argument as UTC; naive or unparseable values are an error.

    Examples
    --------
    >>> as_utc("2024-06-01 08:00+02:00", "origin")
    Timestamp('2024-06-01 06:00:00+0000', tz='UTC')
    """
    try:
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        ts = None
    if ts is None or pd.isna(ts) or ts.tz is None:
        raise ParameterError(
            format_message(
                f"`{what}`",
                "a timezone-aware timestamp",
                repr(value),
                hint="e.g. pd.Timestamp('2024-06-01 06:00', tz='Europe/Amsterdam')",
            )
        )
    return ts.tz_convert("UTC")


def as_timedelta(freq: str | pd.Timedelta) -> pd.Timedelta:
    """An interval given as ``"h"``, ``"15min"``, ``"1h"`` or a Timedelta, as a positive Timedelta.

    Examples
    --------
    >>> as_timedelta("h")
    Timedelta('0 days 01:00:00')
    """
    text = "1" + freq if isinstance(freq, str) and freq[:1].isalpha() else freq
    try:
        step = pd.Timedelta(text)
        valid = not pd.isna(step) and step > pd.Timedelta(0)
    except (ValueError, TypeError):
        valid = False
    if not valid:
        raise ParameterError(
            format_message(
                "`freq`",
                "a positive interval like '15min' or '1h'",
                repr(freq),
                hint="pandas offset aliases: 'min', 'h', 'D' with a number, e.g. '15min'",
            )
        )
    return step


#: The dtype of text columns: ``"str"`` (object in pandas 2, the string dtype in pandas 3).
_TEXT = pd.api.types.pandas_dtype("str")


def complete_grid(
    counts: pd.DataFrame, freq: str | pd.Timedelta, *, copy: bool = True
) -> pd.DataFrame:
    """Put a valid counts table on a full regular grid per zone.

    Intervals between a zone's first and last observation that have no row get
    one with ``count`` = NaN: missing stays missing, it is never zero-filled.
    With ``copy=False`` a normalised table (as ``validate_counts`` returns it)
    whose grid is whole already is returned as it is, not copied.

    Examples
    --------
    >>> ts = pd.to_datetime(["2024-01-01 00:00", "2024-01-01 03:00"], utc=True)
    >>> df = pd.DataFrame({"zone": ["a", "a"], "timestamp": ts, "count": [1.0, 2.0]})
    >>> complete_grid(df, "h")["count"].tolist()
    [1.0, nan, nan, 2.0]
    """
    step = as_timedelta(freq).value
    if counts.empty:
        return counts.copy()
    complete = _already_complete(counts, step, copy)
    if complete is not None:
        return complete
    codes, zones = _zone_codes(counts["zone"])
    ns = pd.DatetimeIndex(counts["timestamp"]).as_unit("ns").asi8
    first = np.full(len(zones), np.iinfo(np.int64).max)
    last = np.full(len(zones), np.iinfo(np.int64).min)
    np.minimum.at(first, codes, ns)
    np.maximum.at(last, codes, ns)
    sizes = (last - first) // step + 1
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    # each row's place on the grid, then the grid's times, built in place (large tables)
    place = ns - first[codes]
    place //= step
    place += offsets[codes]
    values = np.full(int(sizes.sum()), np.nan)
    values[place] = counts["count"].to_numpy(dtype=float)
    del place, codes
    grid_codes = np.repeat(np.arange(len(zones), dtype=np.int32), sizes)
    grid_ns = np.arange(len(values), dtype=np.int64)
    grid_ns -= offsets[grid_codes]
    grid_ns *= step
    grid_ns += first[grid_codes]
    names = np.asarray([str(z) for z in zones], dtype=object)  # as text, before the gather
    return pd.DataFrame(
        {
            "zone": pd.Series(names[grid_codes], dtype=_TEXT, copy=False),
            "timestamp": pd.DatetimeIndex(grid_ns.view("datetime64[ns]")).tz_localize("UTC"),
            "count": values,
        },
        copy=False,
    )


def _zone_codes(zone: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's zone as a code into the sorted zones; by neighbours when already sorted."""
    values = zone.to_numpy()
    try:
        same = values[1:] == values[:-1]
        starts = np.flatnonzero(np.concatenate([[True], ~same]))
        ordered = bool(np.all(values[starts][1:] > values[starts][:-1]))
    except TypeError:
        ordered = False
    if not ordered:
        codes, uniques = pd.factorize(zone, sort=True)
        return codes.astype(np.int32), np.asarray(uniques, dtype=object)
    sizes = np.diff(np.concatenate([starts, [len(values)]]))
    return np.repeat(np.arange(len(starts), dtype=np.int32), sizes), values[starts].astype(object)


def _already_complete(counts: pd.DataFrame, step: int, copy: bool) -> pd.DataFrame | None:
    """The table as :func:`complete_grid` returns it when every zone's grid is whole already
    (sorted by zone and time, no interval missing), without building the grid; else None."""
    zone = counts["zone"].to_numpy()
    ns = pd.DatetimeIndex(counts["timestamp"]).as_unit("ns").asi8
    same = zone[1:] == zone[:-1]
    if not np.all((ns[1:] - ns[:-1])[same] == step):
        return None
    starts = np.flatnonzero(np.concatenate([[True], ~same]))
    if len(set(zone[starts])) != len(starts) or list(zone[starts]) != sorted(zone[starts]):
        return None  # a zone in two places, or zones out of order
    canonical = list(counts.columns) == ["zone", "timestamp", "count"] and isinstance(
        counts.index, pd.RangeIndex
    )
    if not copy and canonical and counts["count"].dtype == np.float64:
        return counts
    return pd.DataFrame(
        {
            "zone": pd.Series(zone, dtype="str"),
            "timestamp": pd.DatetimeIndex(ns.astype("datetime64[ns]")).tz_localize("UTC"),
            "count": counts["count"].to_numpy(dtype=float),
        }
    )


def find_gaps(counts: pd.DataFrame, freq: str | pd.Timedelta | None = None) -> pd.DataFrame:
    """List runs of missing intervals per zone: ``zone, start, end, intervals``.

    ``end`` is exclusive. Counts not yet on a full grid are completed first.
    """
    step = (
        as_timedelta(freq)
        if freq is not None
        else infer_freq(counts["timestamp"], by=counts["zone"])
    )
    grid = complete_grid(counts, step)
    rows = []
    for zone, g in grid.groupby("zone", sort=True):
        miss = g["count"].isna().to_numpy()
        if not miss.any():
            continue
        edges = np.diff(np.concatenate([[0], miss.astype(np.int8), [0]]))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        ts = g["timestamp"].to_numpy()
        for s, e in zip(starts, ends, strict=True):
            rows.append(
                {
                    "zone": zone,
                    "start": ts[s],
                    "end": ts[e - 1] + step.to_timedelta64(),
                    "intervals": int(e - s),
                }
            )
    out = pd.DataFrame(rows, columns=["zone", "start", "end", "intervals"])
    for c in ("start", "end"):
        out[c] = pd.to_datetime(out[c], utc=True)
    return out


def utc(ns: np.ndarray) -> pd.DatetimeIndex:
    """Nanoseconds since the epoch as UTC timestamps."""
    return pd.DatetimeIndex(np.asarray(ns, dtype=np.int64).astype("datetime64[ns]")).tz_localize(
        "UTC"
    )


@dataclass(frozen=True)
class History:
    """Counts as a dense ``zones x time`` array on one regular grid (NaN = missing).

    Lookups by position are O(1) and vectorised; :meth:`known` masks every
    value at or after a row's origin, which is how features stay leakage-free.
    """

    zones: tuple[str, ...]
    start: pd.Timestamp
    freq: pd.Timedelta
    values: np.ndarray = field(repr=False)

    @classmethod
    def from_counts(cls, counts: pd.DataFrame, freq: pd.Timedelta | None = None) -> History:
        """Build from a counts-contract frame (any completeness)."""
        step = freq if freq is not None else infer_freq(counts["timestamp"], by=counts["zone"])
        grid = complete_grid(counts, step)
        zones = tuple(sorted(grid["zone"].unique()))
        start = grid["timestamp"].min()
        end = grid["timestamp"].max()
        n_t = int((end - start) / step) + 1
        values = np.full((len(zones), n_t), np.nan)
        z_idx = pd.Index(zones).get_indexer(grid["zone"])
        t_idx = ((grid["timestamp"] - start) / step).to_numpy().astype(np.int64)
        values[z_idx, t_idx] = grid["count"].to_numpy(dtype=float)
        return cls(zones=zones, start=start, freq=step, values=values)

    @property
    def end(self) -> pd.Timestamp:
        """The start of the interval after the last one held."""
        return self.start + self.values.shape[1] * self.freq

    def times(self, positions: np.ndarray) -> pd.DatetimeIndex:
        """UTC timestamps of grid positions (the inverse of :meth:`position`)."""
        step = np.asarray(positions, dtype=np.int64) * self.freq.value
        return utc(self.start.as_unit("ns").value + step)

    def position(self, timestamps: pd.Series | pd.DatetimeIndex) -> np.ndarray:
        """Grid positions of timestamps (may be negative or beyond the end)."""
        ns = pd.DatetimeIndex(timestamps).as_unit("ns").asi8
        return (ns - self.start.as_unit("ns").value) // self.freq.value

    def zone_index(self, zones: pd.Series | np.ndarray) -> np.ndarray:
        idx = pd.Index(self.zones).get_indexer(pd.Index(np.asarray(zones)))
        if (idx < 0).any():
            unknown = sorted(set(np.asarray(zones)[idx < 0].astype(str)))
            raise DataValidationError(
                [
                    Problem(
                        "zones to forecast",
                        f"zones with history ({', '.join(self.zones)})",
                        ", ".join(repr(u) for u in unknown[:5]),
                        hint="fit on counts that include these zones",
                    )
                ]
            )
        return idx

    def known(self, zone_idx: np.ndarray, pos: np.ndarray, origin_pos: np.ndarray) -> np.ndarray:
        """Values at ``pos`` for each row, NaN where ``pos >= origin_pos`` or outside the grid."""
        pos = np.asarray(pos)
        ok = (pos >= 0) & (pos < self.values.shape[1]) & (pos < origin_pos)
        out = np.full(pos.shape, np.nan)
        out[ok] = self.values[np.broadcast_to(zone_idx, pos.shape)[ok], pos[ok]]
        return out

    def last_observed(self) -> pd.Timestamp:
        """The start of the last interval with an observation in any zone."""
        observed = np.flatnonzero(~np.isnan(self.values).all(axis=0))
        if observed.size == 0:
            raise DataValidationError(
                [Problem("counts", "at least one observed interval", "only missing values")]
            )
        return self.start + int(observed[-1]) * self.freq
