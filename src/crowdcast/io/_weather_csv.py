"""Read weather kept as a table (CSV or Parquet) whose values are in the contract's units."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from crowdcast._validation import Problems, timezone_problem
from crowdcast.exceptions import Problem, SchemaError
from crowdcast.io._common import map_columns, parse_issued_at, read_table, utc_column
from crowdcast.io._csv import CsvOptions, NumberFormat, TimeFormat
from crowdcast.io._numbers import parse_numbers
from crowdcast.io._times import parse_timestamps
from crowdcast.schemas import WEATHER, PathLike, TimestampLike, validate_weather

__all__ = ["read_weather_csv"]

_CSV_TITLE = "Invalid weather file"


def read_weather_csv(
    path: PathLike,
    *,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    issued_at: TimestampLike | None = None,
) -> pd.DataFrame:
    """Read weather from a CSV (or Parquet) file whose values are in contract units.

    Columns not in the contract are dropped. Timestamps (and an ``issued_at``
    column) are ISO 8601: with a UTC offset (``2024-06-01T14:00+02:00``) they
    are taken as such; without one they are local times in ``timezone``,
    daylight saving time included (the repeated autumn hour is resolved by
    file order, per station and issue time).

    Parameters
    ----------
    path
        Path of the file.
    columns
        File column -> contract column, e.g. ``{"time": "timestamp", "temp":
        "temperature_c"}``. Columns already named as in the contract need no entry.
    timezone
        IANA zone of timestamps written without offset, e.g. ``"Europe/Amsterdam"``.
    issued_at
        When a forecast was issued (timezone-aware), for all rows; or give the
        file an ``issued_at`` column (blank = observation). Neither: observations.

    Returns
    -------
    pandas.DataFrame
        A validated ``weather`` table; errors name file line numbers.

    Raises
    ------
    SchemaError
        Required columns are missing, ``columns`` names a non-contract column,
        times are naive without ``timezone``, or ``issued_at`` is given twice.
    ParseError
        The file is unreadable, or values are not numbers or ISO 8601 times.
    DataValidationError
        Values break the contract (negative precipitation, duplicates, ...).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "weather.csv"
    >>> _ = path.write_text("time,temp,rain,wind,note\\n2024-06-01 14:00,21.5,0.0,4.2,sunny\\n")
    >>> df = read_weather_csv(
    ...     path,
    ...     columns={"time": "timestamp", "temp": "temperature_c",
    ...              "rain": "precipitation_mm", "wind": "wind_speed_ms"},
    ...     timezone="Europe/Amsterdam",
    ... )
    >>> df.loc[0, "timestamp"]
    Timestamp('2024-06-01 12:00:00+0000', tz='UTC')
    >>> df.columns.tolist()
    ['timestamp', 'temperature_c', 'precipitation_mm', 'wind_speed_ms', 'issued_at']
    """
    source = str(path)
    issued = parse_issued_at(issued_at, source)
    _check_csv_arguments(columns or {}, timezone, source)
    required = [c for c in WEATHER.required if c != "issued_at"]
    options = CsvOptions()
    table, layout = read_table(Path(path), what="weather", options=options)
    numbers = layout.numbers if layout is not None else options.numbers
    df = map_columns(table, columns, required=required, source=source, what="weather")
    df = df[[c for c in WEATHER.names if c in df.columns]].copy()
    _check_given_once(df, issued_at is not None, source)
    df = _parse_columns(df, timezone, source, numbers, options.times)
    if "issued_at" not in df.columns:
        df["issued_at"] = utc_column(df.index, issued)
    return validate_weather(df, source=source)


def _check_csv_arguments(columns: Mapping[str, str], timezone: str | None, source: str) -> None:
    problems = Problems(source=source, error=SchemaError, title="Invalid argument")
    unknown = [v for v in columns.values() if v not in WEATHER.names]
    if unknown:
        problems.add(
            "the values of `columns`",
            f"weather contract columns ({', '.join(WEATHER.names)})",
            ", ".join(repr(u) for u in unknown),
            hint="map file column -> contract column, e.g. columns={'temp': 'temperature_c'}",
        )
    if timezone is not None:
        problem = timezone_problem(timezone, source=source)
        problems.extend([problem] if problem is not None else [])
    problems.raise_if_any()


def _check_given_once(df: pd.DataFrame, issued_argument: bool, source: str) -> None:
    """Each contract column from one file column; ``issued_at`` as a column or argument."""
    twice = sorted(set(df.columns[df.columns.duplicated()]))
    if twice or (issued_argument and "issued_at" in df.columns):
        got = (
            f"{', '.join(twice)} more than once after mapping"
            if twice
            else "both an issued_at column and the issued_at= argument"
        )
        raise SchemaError(
            [Problem("each weather column", "given once", got, source=source, hint="drop one")],
            title=_CSV_TITLE,
        )


def _parse_columns(
    df: pd.DataFrame, timezone: str | None, source: str, numbers: NumberFormat, times: TimeFormat
) -> pd.DataFrame:
    """Times to UTC (local ones per station and issue time), values to numbers."""
    keys = [c for c in ("station", "issued_at") if c in df.columns]  # one local series each
    groups = df[keys].fillna("").astype(str).agg("|".join, axis=1) if keys else None
    for column in df.columns:
        if column == "timestamp":
            df[column] = parse_timestamps(
                df[column],
                column=column,
                source=source,
                timezone=timezone,
                groups=groups,
                times=times,
            )
        elif column == "issued_at":  # blank = an observation
            given = df[column].notna().to_numpy()
            parsed = utc_column(df.index)
            if given.any():
                parsed[given] = parse_timestamps(
                    df.loc[given, column],
                    column=column,
                    source=source,
                    timezone=timezone,
                    times=times,
                )
            df[column] = parsed
        elif WEATHER.column(column).kind == "float":
            df[column] = parse_numbers(df[column], column=column, source=source, numbers=numbers)
    return df
