"""Timestamps as files write them, to UTC: ISO 8601, a strptime format, or day-first dates.

A column of timestamp cells is read, in this order, as:

1. ``date_format=`` when given (a strptime format, ``"%d-%m-%Y %H:%M"``);
2. numeric dates such as ``31-12-2024 23:00``, ``31/12/2024`` or
   ``12.31.2024 11:00:05``: the day comes first when ``dayfirst=True``, or when
   a first field is above 12 (and no second field is); the month first when
   ``dayfirst=False`` or a second field is above 12. When every field is 12 or
   less the order cannot be told and the reader asks for ``dayfirst=``: a
   guess would swap day and month without a word;
3. ISO 8601 (``2024-06-01T14:00``, with or without a UTC offset).

Naive times are local times in ``timezone=`` (never guessed), localised per
zone in file order so the hour repeated when DST ends is resolved by its
position; a local time that DST skips is an error.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crowdcast._validation import check_timezone
from crowdcast.exceptions import ParseError, Problem, SchemaError
from crowdcast.io._csv import TimeFormat

__all__ = [
    "TIMEZONE_HINT",
    "TIMEZONE_NAME_HINT",
    "TimeParser",
    "arrow_series",
    "exists_once",
    "localize",
    "naive_problem",
    "parse_timestamps",
    "to_utc",
]

#: The hint for a time zone name that is not one.
TIMEZONE_NAME_HINT = (
    "use a name of the IANA time zone database, e.g. 'Europe/Amsterdam' "
    "(zoneinfo.available_timezones() lists them)"
)
#: The hint for local times read without a time zone.
TIMEZONE_HINT = "pass timezone= with the site's time zone, e.g. timezone='Europe/Amsterdam'"
_NAIVE_HINT = (
    "pass timezone='Europe/Amsterdam' (the clock the file was written in); "
    "crowdcast never guesses a timezone"
)
_OFFSET = r"(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_NUMERIC_DATE = re.compile(
    r"(?P<a>\d{1,2})(?P<s>[-/.])(?P<b>\d{1,2})(?P=s)(?P<y>\d{4})"
    r"(?:(?P<t>[ T])(?P<h>\d{1,2}):(?P<m>\d{2})(?P<sec>:\d{2})?)?"
)
_MIX_HINT = "export every timestamp the same way, preferably in UTC"


class TimeParser:
    """Parses the cells of one timestamp column, block by block, the same way for every block.

    The first block settles the format of numeric dates and whether times
    are naive or carry an offset; later blocks must agree.
    """

    def __init__(self, times: TimeFormat | None, *, column: str, source: str) -> None:
        self.times = times or TimeFormat()
        self.column = column
        self.source = source
        self.date_format = self.times.date_format
        self.aware: bool | None = None

    def parse(self, values: pd.Series) -> pd.Series:
        """Cells (text or datetimes) as naive or UTC datetimes; empty cells are an error."""
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            parsed = values
        else:
            parsed = self._cells(values)
        missing = parsed.isna().to_numpy()
        if missing.any():
            raise ParseError(
                [
                    Problem(
                        f"`{self.column}`",
                        "present in every row",
                        f"{int(missing.sum())} empty",
                        source=self.source,
                        column=self.column,
                        rows=tuple(values.index[missing][:5]),
                        hint="drop the rows without a time, or fill in their time",
                    )
                ]
            )
        aware = getattr(parsed.dtype, "tz", None) is not None
        if self.aware is not None and aware != self.aware:
            raise ParseError(
                [
                    Problem(
                        f"`{self.column}`",
                        "all naive or all with a UTC offset",
                        "naive times in one part of the file and times with an offset in another",
                        source=self.source,
                        column=self.column,
                        rows=tuple(values.index[:1]),
                        hint=_MIX_HINT,
                    )
                ]
            )
        self.aware = aware
        return parsed.dt.tz_convert("UTC").dt.as_unit("ns") if aware else parsed

    def parse_array(self, cells: pa.Array, index: pd.Index) -> np.ndarray:
        """A block as int64 nanoseconds (UTC, or naive local); pyarrow's parser when it can."""
        if pa.types.is_timestamp(cells.type):
            return self._array_result(cells, index)
        if self.date_format is None and (
            pa.types.is_string(cells.type) or pa.types.is_large_string(cells.type)
        ):
            for target in self._targets():
                try:
                    return self._array_result(pc.cast(cells, target), index)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    continue
        return _ns(self.parse(arrow_series(cells, index)))

    def _targets(self) -> list[pa.DataType]:
        naive, aware = pa.timestamp("ns"), pa.timestamp("ns", "UTC")
        if self.aware is None:
            return [naive, aware]
        return [aware] if self.aware else [naive]

    def _array_result(self, stamps: pa.Array, index: pd.Index) -> np.ndarray:
        return _ns(self.parse(arrow_series(stamps, index)))

    # ------------------------------------------------------------------ cells

    def _cells(self, values: pd.Series) -> pd.Series:
        text = values.astype("string").str.strip()
        if self.date_format is None:
            self.date_format = self.format_of(text)
        if self.date_format is not None:
            return self._formatted(values, text)
        try:
            return self._iso(text)
        except ParseError:
            raise
        except (ValueError, TypeError, OverflowError):
            raise self._unparseable(values, text) from None

    def _formatted(self, values: pd.Series, text: pd.Series) -> pd.Series:
        fmt = self.date_format
        assert fmt is not None
        utc = "%z" in fmt or "%Z" in fmt
        parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=utc)
        bad = parsed.isna().to_numpy() & text.notna().to_numpy()
        if bad.any():
            raise ParseError(
                [
                    Problem(
                        f"`{self.column}`",
                        f"times in the format {fmt!r}",
                        f"{int(bad.sum())} other value(s), e.g. {values[bad].iloc[0]!r}",
                        source=self.source,
                        column=self.column,
                        rows=tuple(values.index[bad][:5]),
                        hint="pass date_format= with the format of every cell, e.g. "
                        "date_format='%d-%m-%Y %H:%M'",
                    )
                ]
            )
        return parsed

    def format_of(self, text: pd.Series) -> str | None:
        """The strptime format of the cells: ``date_format=``, that of dates like
        31-12-2024 23:00 (day and month ordered as the module says), or None for ISO 8601.
        """
        if self.date_format is not None:
            return self.date_format
        present = text.dropna()
        if present.empty or not _NUMERIC_DATE.fullmatch(str(present.iloc[0])):
            return None
        parts = present.str.extract(_NUMERIC_DATE.pattern)
        if parts["a"].isna().any():  # some cells are another kind: let the ISO parser name them
            return None
        first, second = (pd.to_numeric(parts[k]).to_numpy() for k in ("a", "b"))
        dayfirst = self.times.dayfirst
        if dayfirst is None:
            if (first > 12).any() and not (second > 12).any():
                dayfirst = True
            elif (second > 12).any() and not (first > 12).any():
                dayfirst = False
            else:
                raise self._order_unclear(text, first, second)
        head = parts.iloc[0]
        sep = head["s"]
        fmt = f"%d{sep}%m{sep}%Y" if dayfirst else f"%m{sep}%d{sep}%Y"
        if isinstance(head["t"], str):
            fmt += f"{head['t']}%H:%M" + (":%S" if isinstance(head["sec"], str) else "")
        return fmt

    def _order_unclear(self, text: pd.Series, first: np.ndarray, second: np.ndarray) -> ParseError:
        both = (first > 12).any() and (second > 12).any()
        got = (
            "dates with a first field above 12 and others with a second field above 12"
            if both
            else f"only fields of 12 or less, e.g. {text.dropna().iloc[0]!r}"
        )
        return ParseError(
            [
                Problem(
                    f"`{self.column}`",
                    "dates whose order of day and month can be told",
                    got,
                    source=self.source,
                    column=self.column,
                    hint="pass dayfirst=True for 31-12-2024 (dd-mm-yyyy), dayfirst=False for "
                    "12-31-2024, or date_format=",
                )
            ]
        )

    def _iso(self, text: pd.Series) -> pd.Series:
        """ISO 8601 text: all naive, or all with offsets (which may differ, e.g. across DST)."""
        present = text.notna().to_numpy()
        alone = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
        if (alone.isna().to_numpy() & present).any():
            raise ValueError("unparseable timestamps")  # reported with their rows by the caller
        has_offset = text.str.contains(_OFFSET, regex=True).fillna(False).to_numpy(bool)
        if has_offset[present].any() and not has_offset[present].all():
            naive = present & ~has_offset
            raise ParseError(
                [
                    Problem(
                        f"`{self.column}`",
                        "all naive or all with a UTC offset",
                        f"a mix of both, e.g. {text[naive].iloc[0]!r} has no offset",
                        source=self.source,
                        column=self.column,
                        rows=tuple(text.index[naive][:5]),
                        hint=_MIX_HINT,
                    )
                ]
            )
        if has_offset[present].any():
            return alone
        return pd.to_datetime(text, format="ISO8601")

    def _unparseable(self, values: pd.Series, text: pd.Series) -> ParseError:
        coerced = pd.Series(
            [pd.to_datetime(v, format="ISO8601", errors="coerce", utc=True) for v in text],
            index=values.index,
            dtype=object,
        )
        bad = pd.isna(coerced).to_numpy() & values.notna().to_numpy()
        if not bad.any():  # each parses alone, so naive and aware values are mixed
            return ParseError(
                [
                    Problem(
                        f"`{self.column}`",
                        "all naive or all with a UTC offset",
                        "a mix of both",
                        source=self.source,
                        column=self.column,
                        hint=_MIX_HINT,
                    )
                ]
            )
        return ParseError(
            [
                Problem(
                    f"`{self.column}`",
                    "ISO 8601 timestamps like 2024-06-01T14:00:00Z",
                    repr(values[bad].iloc[0]),
                    source=self.source,
                    column=self.column,
                    rows=tuple(values.index[bad][:5]),
                    hint="pass date_format= (e.g. '%d-%m-%Y %H:%M') for another way of writing "
                    "times",
                )
            ]
        )


def arrow_series(cells: pa.Array, index: pd.Index) -> pd.Series:
    """A pyarrow array as a pandas Series on ``index`` (text as objects, None = empty)."""
    values = cells.to_pandas()
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    return series.set_axis(index)


def _ns(parsed: pd.Series) -> np.ndarray:
    """Datetimes (naive, or UTC) as int64 nanoseconds."""
    return np.asarray(pd.DatetimeIndex(parsed).as_unit("ns").asi8)


def naive_problem(column: str, source: str, example: object) -> SchemaError:
    """The error for naive timestamps read without a time zone."""
    return SchemaError(
        [
            Problem(
                f"`{column}`",
                "timezone-aware, or read with an explicit timezone",
                f"naive timestamps such as {example}",
                source=source,
                column=column,
                hint=_NAIVE_HINT,
            )
        ]
    )


def parse_timestamps(
    values: pd.Series,
    *,
    column: str,
    source: str,
    timezone: str | None,
    groups: pd.Series | None = None,
    times: TimeFormat | None = None,
) -> pd.Series:
    """Parse timestamps to UTC. Naive values need an explicit ``timezone``.

    Naive local times are localised per group (zone) in file order, so the
    repeated hour when DST ends is resolved by its position; a local time that
    does not exist (the skipped hour when DST starts) is an error.
    """
    if timezone is not None:
        check_timezone(timezone, source=source, hint=TIMEZONE_NAME_HINT)
    if values.empty:
        return pd.Series(dtype="datetime64[ns, UTC]", index=values.index)
    parsed = TimeParser(times, column=column, source=source).parse(values)
    if getattr(parsed.dtype, "tz", None) is not None:
        return parsed
    if timezone is None:
        raise naive_problem(column, source, parsed.iloc[0] if len(parsed) else "")
    codes = pd.factorize(groups)[0] if groups is not None else np.zeros(len(parsed), dtype=int)
    ns = localize(
        _ns(parsed),
        codes,
        parsed.index,
        timezone=timezone,
        column=column,
        source=source,
    )
    return pd.Series(
        pd.DatetimeIndex(ns.view("datetime64[ns]")).tz_localize("UTC"), index=values.index
    )


def localize(
    local_ns: np.ndarray,
    codes: np.ndarray,
    lines: pd.Index | np.ndarray,
    *,
    timezone: str,
    column: str,
    source: str,
) -> np.ndarray:
    """Naive local times (int64 ns) as UTC int64 ns, per group code in the given order."""
    result = np.empty(len(local_ns), dtype=np.int64)
    for code in np.unique(codes):
        positions = np.flatnonzero(codes == code)
        local = pd.DatetimeIndex(local_ns[positions].view("datetime64[ns]"))
        try:
            aware = local.tz_localize(timezone, ambiguous="infer", nonexistent="raise")
        except Exception as exc:  # pytz/zoneinfo raise several types for DST problems
            bad = np.asarray(local.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT").isna())
            raise ParseError(
                [
                    Problem(
                        f"`{column}`",
                        f"local times that exist exactly once in {timezone}",
                        f"times that are skipped or repeated by a DST change ({exc})",
                        source=source,
                        column=column,
                        rows=tuple(np.asarray(lines)[positions[bad]][:5]),
                        hint="export timestamps in UTC or with their UTC offset; the repeated "
                        "hour in autumn can only be resolved when rows are in time order",
                    )
                ]
            ) from None
        result[positions] = aware.tz_convert("UTC").tz_localize(None).as_unit("ns").asi8
    return result


def to_utc(value: date | datetime, tz: tzinfo | None) -> pd.Timestamp:
    """A UTC instant; a date is local midnight, a naive time a local time in ``tz``.

    A local time skipped or repeated by a DST change takes the UTC offset in
    force before the change (fold=0), as RFC 5545 prescribes.

    >>> from zoneinfo import ZoneInfo
    >>> to_utc(date(2024, 6, 1), ZoneInfo("Europe/Amsterdam"))
    Timestamp('2024-05-31 22:00:00+0000', tz='UTC')
    """
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        if tz is None:  # pragma: no cover - callers check first
            raise ValueError(f"{value} has no time zone")
        value = value.replace(tzinfo=tz)
    return pd.Timestamp(value.astimezone(UTC))


def exists_once(local: datetime, tz: tzinfo | None) -> bool:
    """Whether a naive local time is neither skipped nor repeated by a DST change."""
    return (
        local.replace(tzinfo=tz, fold=0).utcoffset() == local.replace(tzinfo=tz, fold=1).utcoffset()
    )
