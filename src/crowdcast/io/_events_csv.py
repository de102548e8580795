"""Read an event calendar kept as a table (CSV or Parquet) into the ``events`` contract.

One row per event and zone; times in UTC. Zones are named by id or by name
(case-insensitive); several zones are separated by ``;``. Cells with an ISO
offset are converted to UTC; cells without one are local times of the site
and need ``timezone=``: crowdcast never guesses a time zone.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from crowdcast._validation import Problems, check_timezone
from crowdcast.exceptions import ParseError, SchemaError
from crowdcast.io._common import DEFAULT_CATEGORY, map_columns, read_table
from crowdcast.io._csv import CsvOptions, NumberFormat, TimeFormat
from crowdcast.io._numbers import parse_numbers
from crowdcast.io._times import (
    TIMEZONE_HINT,
    TIMEZONE_NAME_HINT,
    TimeParser,
    exists_once,
    to_utc,
)
from crowdcast.io._zones import Unmatched, ZoneMatcher, ZonesLike
from crowdcast.schemas import PathLike, validate_events

__all__ = ["read_events_csv"]


def read_events_csv(
    path: PathLike,
    *,
    zones: ZonesLike,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    on_unmatched: Literal["warn", "error"] = "warn",
    sep: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
    encoding: str | None = None,
    date_format: str | None = None,
    dayfirst: bool | None = None,
) -> pd.DataFrame:
    """Read an events table from a CSV file.

    Parameters
    ----------
    path
        CSV file with a header line (a ``.parquet`` file works too).
    zones
        The site's zones (objects with ``id`` and ``name``) or a site profile
        with a ``zones`` attribute. A ``zone`` cell holds zone ids, names or
        aliases (case-insensitive), several separated by ``;``: the event gets
        one row per zone. See :mod:`crowdcast.io._zones`.
    columns
        Maps the file's column names to the contract's: ``event_id``, ``name``,
        ``zone``, ``start``, ``end`` (required), ``expected_attendance``,
        ``category``, ``status`` (optional). Other columns are ignored.
    timezone
        The clock of start and end cells without a UTC offset (ISO 8601 such
        as ``2024-06-01 20:00``). Without it such cells are an error; so is a
        local time that a DST change skips or repeats: write those with their
        offset. Cells with an offset may be mixed with cells without.
        Defaults to the site profile's time zone when ``zones`` is a profile.
    on_unmatched
        A ``zone`` cell naming no zone of the site: ``"warn"`` (the default)
        keeps the other rows (and the zones of the cell that were found) and
        lists what was skipped in one
        :class:`~crowdcast.exceptions.DataQualityWarning`; ``"error"`` refuses
        the file.
    sep, decimal, thousands, encoding, date_format, dayfirst
        How the CSV file is written; sniffed when omitted (see
        :mod:`crowdcast.io._csv`). ``expected_attendance`` is a number of
        people, read strictly: ``23.157`` needs ``thousands='.'`` (or
        ``decimal='.'``) to say what it means. ``date_format`` (e.g.
        ``'%d-%m-%Y %H:%M'``) or ``dayfirst`` read start and end written
        otherwise than in ISO 8601.

    Returns
    -------
    pandas.DataFrame
        The ``events`` contract. Without an ``expected_attendance`` column
        attendance is NaN (unknown); an absent or empty ``status`` is
        "confirmed", an absent or empty ``category`` "other". Status and
        category are lower-cased and "canceled" is read as "cancelled".

    Raises
    ------
    ParseError, SchemaError, DataValidationError
        Listing the problems of every column at once; rows are file line
        numbers (the header is line 1).

    Examples
    --------
    >>> import tempfile
    >>> from crowdcast.profiles import Zone
    >>> path = Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = path.write_text("id,title,zone,start,end\\n"
    ...     "e1,Concert,Park,2024-06-01T20:00+02:00,2024-06-01T23:00+02:00\\n")
    >>> ev = read_events_csv(path, zones=[Zone("park", "Park")],
    ...                      columns={"id": "event_id", "title": "name"})
    >>> ev.loc[0, ["zone", "start", "status"]].tolist()
    ['park', Timestamp('2024-06-01 18:00:00+0000', tz='UTC'), 'confirmed']
    """
    source = str(path)
    site = ZoneMatcher.of(zones)
    mode = Unmatched.check(on_unmatched)
    zone_tz = timezone if timezone is not None else site.timezone
    tz = None if zone_tz is None else check_timezone(zone_tz, hint=TIMEZONE_NAME_HINT)
    required = ["event_id", "name", "zone", "start", "end"]
    options = CsvOptions(sep, decimal, thousands, encoding, date_format, dayfirst)
    df, layout = read_table(Path(path), what="events", options=options)
    numbers = layout.numbers if layout is not None else options.numbers
    df = map_columns(df, columns, required=required, source=source, what="events")
    problems = Problems(source=source, title="Invalid events file")
    start, end = (_csv_times(df[col], tz, col, problems, options.times) for col in ("start", "end"))
    attendance = _attendance(df, numbers, problems, source)
    unmatched = Unmatched(mode, problems)
    zone_ids = site.match_cells(df["zone"], unmatched)
    problems.raise_if_any()
    out = df[["event_id", "name"]].assign(
        zone=zone_ids,
        start=start,
        end=end,
        expected_attendance=attendance,
        category=_csv_text(df, "category", DEFAULT_CATEGORY),
        status=_csv_text(df, "status", "confirmed").replace("canceled", "cancelled"),
    )
    rows = out.explode("zone")
    valid = validate_events(rows[rows["zone"].notna()], source=source, zones=site.ids)
    unmatched.warn(source)
    return valid


def _attendance(
    df: pd.DataFrame, numbers: NumberFormat, problems: Problems, source: str
) -> pd.Series | None:
    if "expected_attendance" not in df.columns:
        return pd.Series(np.nan, index=df.index, dtype="float64")
    return problems.attempt(
        parse_numbers,
        df["expected_attendance"],
        column="expected_attendance",
        source=source,
        numbers=numbers,
        persons=True,
    )


def _cell_times(
    cells: pd.Series, times: TimeFormat, column: str, problems: Problems
) -> dict[Hashable, datetime | None]:
    """Each cell as a datetime (None: unreadable), by ``date_format``/day-first or ISO 8601."""
    text = cells.dropna().astype(str).str.strip()
    parser = TimeParser(times, column=column, source=str(problems.source))
    known = len(problems)
    fmt = problems.attempt(parser.format_of, text)
    if len(problems) > known:  # the order of day and month cannot be told: reported
        return {}
    if fmt is None:
        out: dict[Hashable, datetime | None] = {}
        for line, cell in text.items():
            try:
                out[line] = datetime.fromisoformat(cell)
            except ValueError:
                out[line] = None
        return out
    parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc="%z" in fmt)
    return {line: None if pd.isna(t) else t.to_pydatetime() for line, t in parsed.items()}


def _csv_times(
    cells: pd.Series, tz: tzinfo | None, column: str, problems: Problems, times: TimeFormat
) -> pd.Series:
    """ISO 8601 cells (or ``date_format``) as UTC; cells without an offset are local in ``tz``."""
    values: dict[Hashable, pd.Timestamp] = {}
    failed: dict[str, list[tuple[Hashable, str]]] = {"naive": [], "unreadable": [], "unclear": []}
    text = cells.to_dict()
    for line, parsed in _cell_times(cells, times, column, problems).items():
        cell = text[line]
        if parsed is None:
            failed["unreadable"].append((line, cell))
            continue
        if parsed.tzinfo is None and tz is None:
            failed["naive"].append((line, cell))
        elif parsed.tzinfo is None and not exists_once(parsed, tz):
            failed["unclear"].append((line, cell))
        else:
            values[line] = to_utc(parsed, tz)
    explain = {
        "naive": (
            SchemaError,
            "timezone-aware (ISO 8601 with an offset such as +02:00 or Z)",
            f"{TIMEZONE_HINT}, to read them as local times",
        ),
        "unreadable": (
            ParseError,
            "ISO 8601 times such as 2024-06-01T18:00+02:00",
            "pass date_format= (e.g. '%d-%m-%Y %H:%M') for times written otherwise",
        ),
        "unclear": (
            ParseError,
            f"local times that exist exactly once in {tz}",
            "write the times a DST change skips or repeats with their UTC offset, "
            "e.g. 2024-10-27T02:30+01:00",
        ),
    }
    for reason, cases in failed.items():
        kind, expectation, hint = explain[reason]
        if cases:
            got = f"{len(cases)} value(s) such as {cases[0][1]!r}"
            rows = tuple(line for line, _ in cases)
            problems.add(
                f"`{column}`", expectation, got, error=kind, column=column, rows=rows, hint=hint
            )
    return pd.Series(values, index=cells.index, dtype="datetime64[ns, UTC]")


def _csv_text(df: pd.DataFrame, column: str, default: str) -> pd.Series:
    if column not in df.columns:
        return pd.Series(default, index=df.index, dtype=object)
    text = df[column].fillna("").astype(str).str.strip().str.lower()
    return text.where(text != "", default)
