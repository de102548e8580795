"""Shared helpers of the readers: open a table, map columns, the ``issued_at`` argument.

Every helper raises crowdcast errors in the one message template, naming the
file, the column and the file line numbers of the first offending rows. CSV
files are opened by :mod:`crowdcast.io._csv` (layout sniffed, reader options),
numbers parsed by :mod:`crowdcast.io._numbers`, times by :mod:`crowdcast.io._times`.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import IO

import pandas as pd

from crowdcast.exceptions import ParseError, Problem, SchemaError
from crowdcast.io._csv import CsvLayout, CsvOptions, read_csv_frame, sniff_csv
from crowdcast.privacy import guard_ingress
from crowdcast.schemas import TimestampLike

__all__ = [
    "DEFAULT_CATEGORY",
    "PARQUET_SUFFIXES",
    "PathOrFile",
    "is_parquet",
    "map_columns",
    "parse_issued_at",
    "read_table",
    "read_text",
    "utc_column",
]

#: A path, or a file opened in text or binary mode.
PathOrFile = str | os.PathLike[str] | IO[str] | IO[bytes]

#: The category of an event that names none.
DEFAULT_CATEGORY = "other"

PARQUET_SUFFIXES = (".parquet", ".pq")


def is_parquet(path: str | Path) -> bool:
    """Whether a path names a Parquet file (by its suffix)."""
    return Path(path).suffix.lower() in PARQUET_SUFFIXES


def read_table(
    path: str | Path, *, what: str, options: CsvOptions | None = None
) -> tuple[pd.DataFrame, CsvLayout | None]:
    """Read a CSV or Parquet file whole; the index holds file line numbers (CSV) or row numbers.

    CSV cells are read as text (empty = NaN) so that nothing is guessed
    before the contract parsers see it; the layout (separator, encoding,
    decimal mark) is sniffed unless ``options`` say (see
    :mod:`crowdcast.io._csv`) and returned with the table. For the large
    counts files see :mod:`crowdcast.io._counts`, which reads in blocks.
    """
    p = Path(path)
    if not is_parquet(p):
        layout = sniff_csv(p, options or CsvOptions(), what=what)
        return read_csv_frame(layout, what=what), layout
    if not p.is_file():
        raise ParseError(
            [
                Problem(
                    f"the {what} file",
                    "an existing file",
                    str(p),
                    source=str(p),
                    hint="check the path",
                )
            ]
        )
    try:
        df = pd.read_parquet(p)
    except (ValueError, OSError) as exc:
        raise ParseError(
            [
                Problem(
                    f"the {what} file",
                    "readable Parquet",
                    str(exc).splitlines()[0],
                    source=str(p),
                    hint="write it again with pandas.DataFrame.to_parquet or pyarrow",
                )
            ]
        ) from None
    df.index = pd.RangeIndex(0, len(df))
    df.columns = [str(c).strip() for c in df.columns]
    return df, None


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
            [
                Problem(
                    "the file",
                    "an existing file",
                    repr(source),
                    source=source,
                    hint="check the path",
                )
            ],
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
                        hint="the keys of columns= are the file's column names, the values "
                        "crowdcast's, e.g. columns={'Tijd': 'timestamp'}",
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


# ----------------------------------------------------------------------- local times of events

#: The category of an event that names none.
DEFAULT_CATEGORY = "other"
