"""Shared helpers of the readers: open a table, map columns, parse times and numbers.

Every helper raises crowdcast errors in the one message template, naming the
file, the column and the file line numbers of the first offending rows.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from crowdcast._validation import check_timezone
from crowdcast.exceptions import ParseError, Problem, SchemaError
from crowdcast.privacy import guard_ingress
from crowdcast.schemas import TimestampLike

__all__ = [
    "DEFAULT_CATEGORY",
    "TIMEZONE_HINT",
    "PathOrFile",
    "exists_once",
    "map_columns",
    "parse_issued_at",
    "parse_numbers",
    "parse_timestamps",
    "read_table",
    "read_text",
    "to_utc",
    "utc_column",
]

#: A path, or a file opened in text or binary mode.
PathOrFile = str | os.PathLike[str] | IO[str] | IO[bytes]

_PARQUET_SUFFIXES = (".parquet", ".pq")


def read_table(
    path: str | Path, *, what: str, text_columns: Collection[str] | None = None
) -> pd.DataFrame:
    """Read a CSV or Parquet file; the index holds file line numbers (CSV) or row numbers.

    CSV cells are read as text so that nothing is guessed before the contract
    parsers see it; with ``text_columns`` only those are (ids that look like
    numbers, such as ``"007"``, stay text) and the others may be read as
    numbers directly, which is much faster for wide files.
    """
    p = Path(path)
    if not p.is_file():
        raise ParseError(
            [Problem(f"the {what} file", "an existing file", str(p), hint="check the path")]
        )
    try:
        if p.suffix.lower() in _PARQUET_SUFFIXES:
            df = pd.read_parquet(p)
            df.index = pd.RangeIndex(0, len(df))
        else:
            dtype: type | dict[str, type] = str
            if text_columns is not None:
                dtype = {c: str for c in text_columns}
            df = pd.read_csv(
                p, dtype=dtype, keep_default_na=False, na_values=[""], skipinitialspace=True
            )
            df.index = pd.RangeIndex(2, len(df) + 2)  # line 1 is the header
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        kind = "Parquet" if p.suffix.lower() in _PARQUET_SUFFIXES else "CSV"
        raise ParseError(
            [
                Problem(
                    f"the {what} file", f"readable {kind}", str(exc).splitlines()[0], source=str(p)
                )
            ]
        ) from None
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _source_name(src: object) -> str:
    """A name for messages: the path, or the name of an open file."""
    if hasattr(src, "read"):
        return str(getattr(src, "name", "<stream>"))
    return str(src)


def read_text(src: PathOrFile, title: str) -> tuple[str, str]:
    """The text of a path or file-like object (UTF-8, else Latin-1), and a name for messages."""
    source = _source_name(src)
    if not hasattr(src, "read") and not Path(source).is_file():
        raise ParseError(
            [Problem("the file", "an existing file", repr(source), hint="check the path")],
            title=title,
        )
    content = src.read() if hasattr(src, "read") else Path(source).read_bytes()
    if isinstance(content, str):
        return content, source
    try:
        return content.decode("utf-8-sig"), source
    except UnicodeDecodeError:
        return content.decode("latin-1"), source


def map_columns(
    df: pd.DataFrame,
    columns: Mapping[str, str] | None,
    *,
    required: Collection[str],
    source: str,
    what: str,
    keep: Collection[str] | None = None,
) -> pd.DataFrame:
    """Rename file columns to contract names, guard the ingress, check the required ones.

    Every CSV/Parquet reader calls this right after :func:`read_table`, so the
    privacy ingress guard (:func:`crowdcast.privacy.guard_ingress`) runs here, once:
    identifiers and record-level data are refused, and columns outside ``keep``
    (the ``what`` contract's columns by default) are dropped and reported.
    """
    file_names = {new: old for old, new in (columns or {}).items()}
    if columns:
        unknown = [c for c in columns if c not in df.columns]
        if unknown:
            raise SchemaError(
                [
                    Problem(
                        "`columns` keys",
                        "columns of the file",
                        f"{', '.join(repr(u) for u in unknown)}; the file has {list(df.columns)}",
                        source=source,
                    )
                ]
            )
        df = df.rename(columns=dict(columns))
    present = list(df.columns)
    df = guard_ingress(df, source=source, contract=what, keep=keep, file_names=file_names)
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise SchemaError(
            [
                Problem(
                    f"{what} columns {', '.join(required)}",
                    "present",
                    f"no {', '.join(repr(m) for m in missing)} among {present}",
                    source=source,
                    hint="map the file's names with columns={'<file column>': "
                    f"'{missing[0]}', ...}}",
                )
            ],
            title=f"Invalid {what} file",
        )
    return df


_OFFSET = r"(?:Z|[+-]\d{2}(?::?\d{2})?)$"


def _parse_text(values: pd.Series, *, column: str, source: str) -> pd.Series:
    """Parse ISO 8601 text: all naive, or all with offsets (which may differ, e.g. across DST)."""
    present = values.notna().to_numpy()
    alone = pd.to_datetime(values, format="ISO8601", errors="coerce", utc=True)
    if (alone.isna().to_numpy() & present).any():
        raise ValueError("unparseable timestamps")  # reported with their rows by the caller
    has_offset = values.str.strip().str.contains(_OFFSET, regex=True).fillna(False).to_numpy(bool)
    if has_offset[present].any() and not has_offset[present].all():
        naive = present & ~has_offset
        raise ParseError(
            [
                Problem(
                    f"`{column}`",
                    "all naive or all with a UTC offset",
                    f"a mix of both, e.g. {values[naive].iloc[0]!r} has no offset",
                    source=source,
                    column=column,
                    rows=tuple(values.index[naive][:5]),
                    hint="export every timestamp the same way, preferably in UTC",
                )
            ]
        )
    if has_offset[present].any():
        return pd.to_datetime(values, format="ISO8601", utc=True)
    return pd.to_datetime(values, format="ISO8601")


def parse_timestamps(
    values: pd.Series,
    *,
    column: str,
    source: str,
    timezone: str | None,
    groups: pd.Series | None = None,
) -> pd.Series:
    """Parse timestamps to UTC. Naive values need an explicit ``timezone``.

    Naive local times are localised per group (zone) in file order, so the
    repeated hour when DST ends is resolved by its position; a local time that
    does not exist (the skipped hour when DST starts) is an error.
    """
    if timezone is not None:
        check_timezone(timezone, source=source)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        parsed = values
    else:
        parsed = _parse_cells(values, column=column, source=source)
    missing = parsed.isna().to_numpy()
    if missing.any():
        raise ParseError(
            [
                Problem(
                    f"`{column}`",
                    "present in every row",
                    f"{int(missing.sum())} empty",
                    source=source,
                    column=column,
                    rows=tuple(values.index[missing][:5]),
                )
            ]
        )
    if getattr(parsed.dtype, "tz", None) is not None:
        return parsed.dt.tz_convert("UTC").dt.as_unit("ns")
    if timezone is None:
        raise SchemaError(
            [
                Problem(
                    f"`{column}`",
                    "timezone-aware, or read with an explicit timezone",
                    f"naive timestamps such as {parsed.iloc[0]}",
                    source=source,
                    column=column,
                    hint="pass timezone='Europe/Amsterdam' (the clock the file was written in); "
                    "crowdcast never guesses a timezone",
                )
            ]
        )
    return _localize(parsed, timezone=timezone, groups=groups, column=column, source=source)


def _parse_cells(values: pd.Series, *, column: str, source: str) -> pd.Series:
    """Timestamp cells (text) parsed; naive stay naive, those with offsets become UTC."""
    text = values.astype("string")
    try:
        return _parse_text(text, column=column, source=source)
    except ParseError:
        raise
    except (ValueError, TypeError, OverflowError):
        raise _unparseable(values, text, column=column, source=source) from None


def _unparseable(values: pd.Series, text: pd.Series, *, column: str, source: str) -> ParseError:
    """The error for cells that do not parse together: which ones, or that they mix kinds."""
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
                    f"`{column}`",
                    "all naive or all with a UTC offset",
                    "a mix of both",
                    source=source,
                    column=column,
                    hint="export every timestamp the same way, preferably in UTC",
                )
            ]
        )
    return ParseError(
        [
            Problem(
                f"`{column}`",
                "ISO 8601 timestamps like 2024-06-01T14:00:00Z",
                repr(values[bad].iloc[0]),
                source=source,
                column=column,
                rows=tuple(values.index[bad][:5]),
            )
        ]
    )


def _localize(
    parsed: pd.Series, *, timezone: str, groups: pd.Series | None, column: str, source: str
) -> pd.Series:
    result = np.empty(len(parsed), dtype="datetime64[ns]")
    codes = pd.factorize(groups)[0] if groups is not None else np.zeros(len(parsed), dtype=int)
    for code in np.unique(codes):
        positions = np.flatnonzero(codes == code)
        local = pd.DatetimeIndex(parsed.iloc[positions])
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
                        rows=tuple(parsed.index[positions[bad]][:5]),
                        hint="export timestamps in UTC or with their UTC offset; the repeated "
                        "hour in autumn can only be resolved when rows are in time order",
                    )
                ]
            ) from None
        result[positions] = aware.tz_convert("UTC").tz_localize(None).as_unit("ns").to_numpy()
    return pd.Series(pd.DatetimeIndex(result).tz_localize("UTC"), index=parsed.index)


def parse_issued_at(value: TimestampLike | None, source: str) -> pd.Timestamp:
    """An ``issued_at`` argument as a UTC timestamp; NaT (an observation) when it is None."""
    if value is None:
        return pd.NaT  # type: ignore[return-value]
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = None
    if ts is None or pd.isna(ts) or ts.tz is None:
        raise SchemaError(
            [
                Problem(
                    "`issued_at`",
                    "a timezone-aware time",
                    repr(value),
                    source=source,
                    hint="pass e.g. pd.Timestamp('2024-06-01 06:00', tz='UTC'), "
                    "or None for observations",
                )
            ],
            title="Invalid argument",
        )
    return ts.tz_convert("UTC")


def utc_column(index: pd.Index, value: object = pd.NaT) -> pd.Series:
    """A column of one UTC time (NaT by default) for every row of ``index``."""
    return pd.Series(value, index=index, dtype="datetime64[ns, UTC]")


def parse_numbers(values: pd.Series, *, column: str, source: str) -> pd.Series:
    """Parse numeric text; empty cells become NaN, anything else non-numeric is an error."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("float64")
    text = values.astype("string").str.strip()
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna().to_numpy() & text.notna().to_numpy() & (text != "").to_numpy()
    bad &= ~text.str.lower().isin(["nan", "na", "null"]).to_numpy()
    if bad.any():
        hint = "use a dot as decimal separator" if text[bad].str.contains(",").any() else None
        raise ParseError(
            [
                Problem(
                    f"`{column}`",
                    "numbers (empty = missing)",
                    repr(values[bad].iloc[0]),
                    source=source,
                    column=column,
                    rows=tuple(values.index[bad][:5]),
                    hint=hint,
                )
            ]
        )
    return numbers.astype("float64")


# ----------------------------------------------------------------------- local times of events

#: The category of an event that names none.
DEFAULT_CATEGORY = "other"
#: The hint for local times read without a time zone.
TIMEZONE_HINT = "pass timezone= with the site's time zone, e.g. timezone='Europe/Amsterdam'"


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
