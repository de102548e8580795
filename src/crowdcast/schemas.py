"""Data contracts: the standardised tables that flow between crowdcast's layers.

Every table is a plain :class:`pandas.DataFrame` with the columns below.
Timestamps are timezone-aware and stored in UTC; a timestamp marks the START
of its interval.

=========  ============================================================  ==========================
table      columns (dtype, unit)                                         key (unique)
=========  ============================================================  ==========================
counts     zone (str), timestamp (UTC), count (float >= 0, persons;      zone, timestamp
           NaN = interval not observed)
events     event_id, name, zone (str), start, end (UTC),                 event_id, zone
           expected_attendance (float, persons, NaN = unknown),
           category (str), status (confirmed | tentative | cancelled)
weather    timestamp (UTC), temperature_c, precipitation_mm,             [station,] timestamp,
           wind_speed_ms (float); optional sunshine_h, humidity_pct,     issued_at
           condition, station; issued_at (UTC, NaT = observation)
signals    timestamp (UTC), location (str), signal (str), value          timestamp, location,
           (float); optional unit (str)                                  signal
incidents  timestamp (UTC), zone (str), kind (str), count (int >= 0)     timestamp, zone, kind
=========  ============================================================  ==========================

Each ``validate_*`` function checks every rule, collects *all* problems and
raises one :class:`~crowdcast.exceptions.DataError` naming the source, the
column and the first offending rows (index labels; readers use file line
numbers). On success it returns a normalised copy: contract column order,
canonical dtypes (``datetime64[ns, UTC]``, ``float64``), sorted by key, with a
fresh ``RangeIndex``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from crowdcast.exceptions import (
    DataError,
    DataValidationError,
    ParameterError,
    Problem,
    SchemaError,
    format_message,
)

__all__ = [
    "CONTRACTS",
    "COUNTS",
    "EVENTS",
    "EVENT_STATUSES",
    "INCIDENTS",
    "SIGNALS",
    "WEATHER",
    "Column",
    "Contract",
    "as_timedelta",
    "as_utc",
    "complete_grid",
    "find_gaps",
    "infer_freq",
    "validate_counts",
    "validate_events",
    "validate_incidents",
    "validate_signals",
    "validate_weather",
]

Kind = Literal["str", "datetime", "float", "int", "bool"]
EVENT_STATUSES = ("confirmed", "tentative", "cancelled")
_DEFAULT_SOURCE = "<DataFrame>"


@dataclass(frozen=True)
class Column:
    """One column of a contract."""

    name: str
    kind: Kind
    description: str
    unit: str | None = None
    required: bool = True
    nullable: bool = False


@dataclass(frozen=True)
class Contract:
    """A named table layout: its columns and the key that must be unique."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def describe(self) -> pd.DataFrame:
        """The contract as a table, for documentation and notebooks."""
        return pd.DataFrame(
            [
                {
                    "column": c.name,
                    "dtype": c.kind,
                    "unit": c.unit or "",
                    "required": c.required,
                    "nullable": c.nullable,
                    "description": c.description,
                }
                for c in self.columns
            ]
        )


COUNTS = Contract(
    "counts",
    (
        Column("zone", "str", "zone id from the site profile"),
        Column("timestamp", "datetime", "start of the interval, UTC"),
        Column(
            "count",
            "float",
            "people present (occupancy) or passing (passages) in the interval; "
            "NaN marks an interval on the grid that was not observed",
            unit="persons",
            nullable=True,
        ),
    ),
    key=("zone", "timestamp"),
)

EVENTS = Contract(
    "events",
    (
        Column("event_id", "str", "unique id; recurrences get '<uid>@<start>'"),
        Column("name", "str", "human-readable title"),
        Column("zone", "str", "zone id the event takes place in (one row per zone)"),
        Column("start", "datetime", "start, UTC"),
        Column("end", "datetime", "end (exclusive), UTC"),
        Column("expected_attendance", "float", "expected visitors", unit="persons", nullable=True),
        Column("category", "str", "free category, e.g. market, football, concert"),
        Column("status", "str", "confirmed, tentative or cancelled"),
    ),
    key=("event_id", "zone"),
)

WEATHER = Contract(
    "weather",
    (
        Column("timestamp", "datetime", "start of the hour the values describe, UTC"),
        Column("temperature_c", "float", "air temperature", unit="°C", nullable=True),
        Column("precipitation_mm", "float", "precipitation sum", unit="mm", nullable=True),
        Column("wind_speed_ms", "float", "mean wind speed", unit="m/s", nullable=True),
        Column("sunshine_h", "float", "sunshine duration", unit="h", required=False, nullable=True),
        Column(
            "humidity_pct", "float", "relative humidity", unit="%", required=False, nullable=True
        ),
        Column("condition", "str", "free text or code", required=False, nullable=True),
        Column("station", "str", "station or grid point id", required=False),
        Column(
            "issued_at",
            "datetime",
            "when a forecast was issued, UTC; NaT for observations",
            nullable=True,
        ),
    ),
    key=("station", "timestamp", "issued_at"),
)

SIGNALS = Contract(
    "signals",
    (
        Column("timestamp", "datetime", "start of the interval, UTC"),
        Column("location", "str", "venue or zone id"),
        Column("signal", "str", "signal name, e.g. alcohol_litres_sold"),
        Column("value", "float", "signal value in its unit", nullable=True),
        Column("unit", "str", "unit of value, e.g. L", required=False),
    ),
    key=("timestamp", "location", "signal"),
)

INCIDENTS = Contract(
    "incidents",
    (
        Column("timestamp", "datetime", "start of the interval, UTC"),
        Column("zone", "str", "zone id"),
        Column("kind", "str", "incident kind, e.g. aggression"),
        Column("count", "int", "number of incidents", unit="incidents"),
    ),
    key=("timestamp", "zone", "kind"),
)

CONTRACTS = {c.name: c for c in (COUNTS, EVENTS, WEATHER, SIGNALS, INCIDENTS)}


# ----------------------------------------------------------------------------- helpers


def _first_rows(df: pd.DataFrame, mask: np.ndarray | pd.Series) -> tuple[object, ...]:
    return tuple(df.index[np.asarray(mask, dtype=bool)][:5].tolist())


def _is_str_like(s: pd.Series) -> bool:
    if pd.api.types.is_string_dtype(s.dtype) and not pd.api.types.is_object_dtype(s.dtype):
        return True
    if isinstance(s.dtype, pd.CategoricalDtype):
        return all(isinstance(v, str) for v in s.dtype.categories)
    if pd.api.types.is_object_dtype(s.dtype):
        return pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty")
    return False


class _Checker:
    """Collects problems for one table; raises them all at the end."""

    def __init__(self, contract: Contract, df: object, source: str | None) -> None:
        self.contract = contract
        self.source = source or _DEFAULT_SOURCE
        self.schema: list[Problem] = []
        self.values: list[Problem] = []
        if not isinstance(df, pd.DataFrame):
            raise SchemaError(
                [
                    Problem(
                        f"{contract.name} data",
                        "a pandas DataFrame",
                        type(df).__name__,
                        source=self.source,
                    )
                ],
                title=f"Invalid {contract.name} table",
            )
        self.df: pd.DataFrame = df

    def add(self, schema: bool = False, **kw: object) -> None:
        problem = Problem(source=self.source, **kw)  # type: ignore[arg-type]
        (self.schema if schema else self.values).append(problem)

    def check_columns(self, extra_ok: Collection[str] = ()) -> None:
        cols = list(self.df.columns)
        missing = [c for c in self.contract.required if c not in cols]
        if missing:
            self.add(
                schema=True,
                what=f"{self.contract.name} columns {', '.join(self.contract.required)}",
                expectation="present",
                got=f"no column {', '.join(repr(m) for m in missing)} among {cols}",
                hint="rename the columns (readers take a column mapping) or add them",
            )
        extra = [c for c in cols if c not in self.contract.names and c not in extra_ok]
        if extra:
            self.add(
                schema=True,
                what=f"{self.contract.name} columns",
                expectation=f"limited to the contract's {', '.join(self.contract.names)}",
                got=f"extra column(s) {', '.join(repr(e) for e in extra)}",
                hint="drop the columns the contract does not use",
            )
        dupes = pd.Index(cols)[pd.Index(cols).duplicated()].tolist()
        if dupes:
            self.add(
                schema=True,
                what=f"{self.contract.name} column names",
                expectation="unique",
                got=f"duplicated {dupes}",
            )

    def present(self, name: str) -> bool:
        return name in self.df.columns and not isinstance(self.df[name], pd.DataFrame)

    def check_dtype(self, col: Column) -> bool:
        """Check one column's dtype; return True when values can be checked further."""
        if not self.present(col.name):
            return False
        s = self.df[col.name]
        if col.kind == "datetime":
            if not pd.api.types.is_datetime64_any_dtype(s.dtype):
                self.add(
                    schema=True,
                    what=f"`{col.name}`",
                    expectation="timezone-aware datetimes",
                    got=f"dtype {s.dtype}",
                    column=col.name,
                    hint="parse with pandas.to_datetime(..., utc=True) or use a crowdcast reader",
                )
                return False
            if getattr(s.dtype, "tz", None) is None:
                self.add(
                    schema=True,
                    what=f"`{col.name}`",
                    expectation="timezone-aware",
                    got="naive timestamps",
                    column=col.name,
                    hint="localize them with .dt.tz_localize('<site timezone>') "
                    "or pass timezone= to the reader; crowdcast never guesses a timezone",
                )
                return False
            if not col.nullable and s.isna().any():
                self.add(
                    what=f"`{col.name}`",
                    expectation="present in every row",
                    got=f"{int(s.isna().sum())} missing",
                    column=col.name,
                    rows=_first_rows(self.df, s.isna()),
                )
            return True
        if col.kind in ("float", "int"):
            if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
                self.add(
                    schema=True,
                    what=f"`{col.name}`",
                    expectation="numeric",
                    got=f"dtype {s.dtype}",
                    column=col.name,
                    hint="convert with pandas.to_numeric and check the decimal separator",
                )
                return False
            values = s.to_numpy(dtype="float64", na_value=np.nan)
            nan = np.isnan(values)
            if not col.nullable and nan.any():
                self.add(
                    what=f"`{col.name}`",
                    expectation="present in every row",
                    got=f"{int(nan.sum())} missing",
                    column=col.name,
                    rows=_first_rows(self.df, nan),
                )
            inf = np.isinf(values)
            if inf.any():
                self.add(
                    what=f"`{col.name}`",
                    expectation="finite",
                    got=f"{int(inf.sum())} infinite value(s)",
                    column=col.name,
                    rows=_first_rows(self.df, inf),
                )
            if col.kind == "int":
                frac = ~nan & ~inf & (values != np.round(values))
                if frac.any():
                    self.add(
                        what=f"`{col.name}`",
                        expectation="whole numbers",
                        got=f"{float(values[frac][0])!r}",
                        column=col.name,
                        rows=_first_rows(self.df, frac),
                    )
            return True
        if col.kind == "str":
            if not _is_str_like(s):
                self.add(
                    schema=True,
                    what=f"`{col.name}`",
                    expectation="text",
                    got=f"dtype {s.dtype}",
                    column=col.name,
                    hint=f"convert with df[{col.name!r}].astype(str)",
                )
                return False
            if not col.nullable and s.isna().any():
                self.add(
                    what=f"`{col.name}`",
                    expectation="present in every row",
                    got=f"{int(s.isna().sum())} missing",
                    column=col.name,
                    rows=_first_rows(self.df, s.isna()),
                )
            return True
        return True  # pragma: no cover - bool columns are not in any contract yet

    def check_dtypes(self) -> set[str]:
        return {c.name for c in self.contract.columns if self.check_dtype(c)}

    def check_min(self, name: str, minimum: float, ok: set[str], hint: str | None = None) -> None:
        if name not in ok:
            return
        v = self.df[name].to_numpy(dtype="float64", na_value=np.nan)
        bad = v < minimum
        if bad.any():
            self.add(
                what=f"`{name}`",
                expectation=f">= {minimum:g}",
                got=f"{int(bad.sum())} value(s) below, e.g. {v[bad][0]:g}",
                column=name,
                rows=_first_rows(self.df, bad),
                hint=hint,
            )

    def check_range(self, name: str, lo: float, hi: float, ok: set[str], unit: str) -> None:
        if name not in ok:
            return
        v = self.df[name].to_numpy(dtype="float64", na_value=np.nan)
        bad = (v < lo) | (v > hi)
        if bad.any():
            self.add(
                what=f"`{name}`",
                expectation=f"between {lo:g} and {hi:g} {unit}",
                got=f"{int(bad.sum())} value(s) outside, e.g. {v[bad][0]:g}",
                column=name,
                rows=_first_rows(self.df, bad),
                hint="check the unit (e.g. 0.1 °C or km/h) of the source",
            )

    def check_unique(self, key: tuple[str, ...], ok: set[str], hint: str) -> None:
        key = tuple(k for k in key if k in ok)
        if any(self.contract.column(k).required and k not in key for k in self.contract.key):
            return
        dup = self.df.duplicated(list(key), keep=False).to_numpy()
        if dup.any():
            first = "(" + ", ".join(str(v) for v in self.df.loc[dup, list(key)].iloc[0]) + ")"
            self.add(
                what=f"({', '.join(key)})",
                expectation="unique",
                got=f"{int(dup.sum())} rows sharing a key, e.g. {first}",
                column=", ".join(key),
                rows=_first_rows(self.df, dup),
                hint=hint,
            )

    def check_known(
        self, name: str, known: Collection[str] | None, ok: set[str], what: str
    ) -> None:
        if known is None or name not in ok:
            return
        known_set = set(known)
        s = self.df[name]
        bad = (~s.isin(known_set) & s.notna()).to_numpy()
        if bad.any():
            unknown = sorted(set(s[bad].astype(str)))
            self.add(
                what=f"`{name}`",
                expectation=f"a {what} of the site profile ({', '.join(sorted(known_set))})",
                got=f"unknown {', '.join(repr(u) for u in unknown[:5])}",
                column=name,
                rows=_first_rows(self.df, bad),
                hint=f"add the {what} to the site profile or map the names when reading",
            )

    def raise_if_any(self) -> None:
        if self.schema:
            raise SchemaError(
                self.schema + self.values, title=f"Invalid {self.contract.name} table"
            )
        if self.values:
            raise DataValidationError(self.values, title=f"Invalid {self.contract.name} table")

    def normalised(self, sort_by: Iterable[str]) -> pd.DataFrame:
        out = self.df[[c for c in self.contract.names if c in self.df.columns]].copy()
        for col in self.contract.columns:
            if col.name not in out.columns:
                continue
            if col.kind == "datetime":
                out[col.name] = out[col.name].dt.tz_convert("UTC").dt.as_unit("ns")
            elif col.kind == "float":
                out[col.name] = out[col.name].astype("float64")
            elif col.kind == "int":
                out[col.name] = out[col.name].astype("int64")
            elif col.kind == "str":
                out[col.name] = out[col.name].astype(object).where(out[col.name].notna(), None)
                out[col.name] = out[col.name].astype("str" if not col.nullable else object)
        sort_cols = [c for c in sort_by if c in out.columns]
        out = out.sort_values(sort_cols, kind="stable").reset_index(drop=True)
        return out


# ----------------------------------------------------------------------------- counts


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


def validate_counts(
    df: pd.DataFrame,
    *,
    source: str | None = None,
    zones: Collection[str] | None = None,
    freq: str | pd.Timedelta | None = None,
) -> pd.DataFrame:
    """Check a counts table against the contract and return it normalised.

    Parameters
    ----------
    df
        Columns ``zone``, ``timestamp`` (tz-aware), ``count``.
    source
        Where the table came from (file name), used in messages.
    zones
        Zone ids of the site profile; other zones are an error.
    freq
        The sampling interval; inferred when omitted. Every timestamp must lie
        on one regular grid of this interval.

    Raises
    ------
    SchemaError, DataValidationError
        Listing every problem found, not only the first.

    Examples
    --------
    >>> df = pd.DataFrame({"zone": ["a", "a"], "count": [3.0, 5.0],
    ...     "timestamp": pd.date_range("2024-01-01", periods=2, freq="h", tz="UTC")})
    >>> validate_counts(df).columns.tolist()
    ['zone', 'timestamp', 'count']
    """
    chk = _Checker(COUNTS, df, source)
    chk.check_columns()
    ok = chk.check_dtypes()
    chk.check_min(
        "count", 0, ok, hint="counts are people; fix the sensor export or mark the interval missing"
    )
    chk.check_unique(
        COUNTS.key,
        ok,
        hint="each zone needs one row per interval; aggregate or remove the duplicates",
    )
    chk.check_known("zone", zones, ok, "zone")
    if {"timestamp", "zone"} <= ok and len(chk.df) > 1 and not chk.values:
        _check_regular(chk, freq)
    chk.raise_if_any()
    return chk.normalised(COUNTS.key)


def _check_regular(chk: _Checker, freq: str | pd.Timedelta | None) -> None:
    ts = chk.df["timestamp"]
    try:
        step = as_timedelta(freq) if freq is not None else infer_freq(ts, by=chk.df["zone"])
    except DataError:
        return
    step_ns = step.value
    ns = pd.DatetimeIndex(ts).as_unit("ns").asi8
    phase = ns % step_ns
    off_grid = phase != pd.Series(phase).mode().iloc[0]
    if off_grid.any():
        chk.add(
            what="`timestamp`",
            expectation=f"on one regular {_freq_text(step)} grid",
            got=f"{int(off_grid.sum())} timestamp(s) off the grid, e.g. {ts[off_grid].iloc[0]}",
            column="timestamp",
            rows=_first_rows(chk.df, off_grid),
            hint="resample to a fixed interval first, or pass the right freq=",
        )


def _freq_text(step: pd.Timedelta) -> str:
    minutes = int(step.total_seconds() // 60)
    if minutes and minutes % 60 == 0:
        return f"{minutes // 60}-hour"
    return f"{minutes}-minute" if minutes else str(step)


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
            format_message("`freq`", "a positive interval like '15min' or '1h'", repr(freq))
        )
    return step


def complete_grid(counts: pd.DataFrame, freq: str | pd.Timedelta) -> pd.DataFrame:
    """Put a valid counts table on a full regular grid per zone.

    Intervals between a zone's first and last observation that have no row get
    one with ``count`` = NaN: missing stays missing, it is never zero-filled.

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
    codes, uniques = pd.factorize(counts["zone"], sort=True)
    zones = np.asarray(uniques, dtype=object)
    ns = pd.DatetimeIndex(counts["timestamp"]).as_unit("ns").asi8
    first = np.full(len(zones), np.iinfo(np.int64).max)
    last = np.full(len(zones), np.iinfo(np.int64).min)
    np.minimum.at(first, codes, ns)
    np.maximum.at(last, codes, ns)
    sizes = (last - first) // step + 1
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    grid_codes = np.repeat(np.arange(len(zones)), sizes)
    within = np.arange(int(sizes.sum())) - np.repeat(offsets, sizes)
    grid_ns = np.repeat(first, sizes) + within * step
    values = np.full(len(grid_ns), np.nan)
    values[offsets[codes] + (ns - first[codes]) // step] = counts["count"].to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "zone": pd.Series(zones[grid_codes], dtype="str"),
            "timestamp": pd.DatetimeIndex(grid_ns.astype("datetime64[ns]")).tz_localize("UTC"),
            "count": values,
        }
    )
    return out


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


# ----------------------------------------------------------------------------- events


def validate_events(
    df: pd.DataFrame,
    *,
    source: str | None = None,
    zones: Collection[str] | None = None,
) -> pd.DataFrame:
    """Check an events table (one row per event x zone) and return it normalised.

    Examples
    --------
    >>> t = pd.Timestamp("2024-06-01 18:00", tz="UTC")
    >>> ev = pd.DataFrame({"event_id": ["e1"], "name": ["Concert"], "zone": ["park"],
    ...     "start": [t], "end": [t + pd.Timedelta("3h")], "expected_attendance": [5000.0],
    ...     "category": ["concert"], "status": ["confirmed"]})
    >>> len(validate_events(ev))
    1
    """
    chk = _Checker(EVENTS, df, source)
    chk.check_columns()
    ok = chk.check_dtypes()
    chk.check_min("expected_attendance", 0, ok)
    if {"start", "end"} <= ok:
        bad = (chk.df["end"] <= chk.df["start"]).to_numpy()
        if bad.any():
            chk.add(
                what="`end`",
                expectation="after `start`",
                got=f"{int(bad.sum())} event(s) ending at or before their start",
                column="end",
                rows=_first_rows(chk.df, bad),
                hint="check DTEND/DURATION and the time zones of start and end",
            )
    if "status" in ok:
        bad = (~chk.df["status"].isin(EVENT_STATUSES)).to_numpy()
        if bad.any():
            chk.add(
                what="`status`",
                expectation=f"one of {', '.join(EVENT_STATUSES)}",
                got=repr(chk.df["status"][bad].iloc[0]),
                column="status",
                rows=_first_rows(chk.df, bad),
            )
    chk.check_unique(
        EVENTS.key, ok, hint="give each event a unique event_id (one row per event and zone)"
    )
    chk.check_known("zone", zones, ok, "zone")
    chk.raise_if_any()
    return chk.normalised(("start", "event_id", "zone"))


# ----------------------------------------------------------------------------- weather


def validate_weather(df: pd.DataFrame, *, source: str | None = None) -> pd.DataFrame:
    """Check a weather table (observations and/or issued forecasts); return it normalised.

    Observations have ``issued_at`` = NaT; forecasts carry the time they were
    issued, so that features can use only what was known at a forecast origin.
    """
    chk = _Checker(WEATHER, df, source)
    chk.check_columns()
    ok = chk.check_dtypes()
    chk.check_range("temperature_c", -60, 60, ok, "°C")
    chk.check_min(
        "precipitation_mm", 0, ok, hint="precipitation cannot be negative; check codes like -1"
    )
    chk.check_min("wind_speed_ms", 0, ok)
    chk.check_min("sunshine_h", 0, ok)
    chk.check_range("humidity_pct", 0, 100, ok, "%")
    chk.check_unique(
        WEATHER.key,
        ok,
        hint="one row per (station,) hour and issue time; drop repeated exports",
    )
    chk.raise_if_any()
    return chk.normalised(("station", "issued_at", "timestamp"))


# ----------------------------------------------------------------------------- signals


def validate_signals(
    df: pd.DataFrame,
    *,
    source: str | None = None,
    locations: Collection[str] | None = None,
) -> pd.DataFrame:
    """Check a signals table (inputs of indicators) and return it normalised."""
    chk = _Checker(SIGNALS, df, source)
    chk.check_columns()
    ok = chk.check_dtypes()
    chk.check_unique(SIGNALS.key, ok, hint="aggregate the signal per location and interval first")
    chk.check_known("location", locations, ok, "venue or zone")
    chk.raise_if_any()
    return chk.normalised(SIGNALS.key)


# ----------------------------------------------------------------------------- incidents


def validate_incidents(
    df: pd.DataFrame,
    *,
    source: str | None = None,
    zones: Collection[str] | None = None,
) -> pd.DataFrame:
    """Check an incidents table and return it normalised."""
    chk = _Checker(INCIDENTS, df, source)
    chk.check_columns()
    ok = chk.check_dtypes()
    chk.check_min("count", 0, ok)
    chk.check_unique(INCIDENTS.key, ok, hint="sum incidents per interval, zone and kind")
    chk.check_known("zone", zones, ok, "zone")
    chk.raise_if_any()
    return chk.normalised(INCIDENTS.key)
