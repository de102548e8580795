"""Read weather kept as a table (CSV or Parquet): columns mapped, units converted, checked."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from crowdcast._validation import Problems, timezone_problem
from crowdcast.exceptions import ParameterError, ParseError, Problem, SchemaError
from crowdcast.io._common import map_columns, parse_issued_at, read_table, utc_column
from crowdcast.io._csv import CsvOptions, NumberFormat, TimeFormat
from crowdcast.io._numbers import parse_numbers
from crowdcast.io._times import TIMEZONE_NAME_HINT, parse_timestamps
from crowdcast.io._units import check_units, convert, warn_implausible
from crowdcast.schemas import HOUR, WEATHER, PathLike, TimestampLike, validate_weather

__all__ = ["read_weather_csv"]

_CSV_TITLE = "Invalid weather file"
_VALUE_COLUMNS = (
    "temperature_c",
    "precipitation_mm",
    "wind_speed_ms",
    "sunshine_h",
    "humidity_pct",
)
logger = logging.getLogger("crowdcast.io")


def read_weather_csv(
    path: PathLike,
    *,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    issued_at: TimestampLike | None = None,
    units: Mapping[str, str] | None = None,
    label: Literal["start", "end"] = "start",
    latitude: float | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
    encoding: str | None = None,
    date_format: str | None = None,
    dayfirst: bool | None = None,
) -> pd.DataFrame:
    """Read weather kept as a table (CSV or Parquet), in the contract's units or converted.

    Columns not in the contract are dropped. Timestamps (and an ``issued_at``
    column) are ISO 8601: with a UTC offset (``2024-06-01T14:00+02:00``) they
    are taken as such; without one they are local times in ``timezone``,
    daylight saving time included (the repeated autumn hour is resolved by
    file order, per station and issue time). Of ``temperature_c``,
    ``precipitation_mm`` and ``wind_speed_ms`` at least one is needed; one
    the file lacks is missing (NaN) in every row. A ``condition`` column
    (``rain``, ``snow``, ``wet road``, a WMO code) is kept as stripped,
    lower-case text.

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
    units
        The unit of a contract column when it is not the contract's, e.g.
        ``{"temperature_c": "degF", "wind_speed_ms": "km/h"}``; converted on
        reading. Known units: ``crowdcast.io._units.UNITS`` (°F, inch, km/h,
        mph, kn, seconds of sunshine, ...).
    label
        Whether a timestamp marks the ``start`` of the interval its values
        describe (crowdcast's convention) or its ``end``, as KNMI and
        Open-Meteo write it: then each row moves back by its interval (the
        step to the station's previous row; 1 h for a lone row).
    latitude
        Where the weather was measured, for the plausibility check: a month
        whose mean temperature is implausible for its season at that
        latitude gives a :class:`~crowdcast.exceptions.DataQualityWarning`
        (a file in °F read as °C). :func:`load_city` passes the site's.
    sep, decimal, thousands, encoding, date_format, dayfirst
        How the CSV file is written; sniffed when omitted (see
        :mod:`crowdcast.io._csv` and :mod:`crowdcast.io._times`).

    Returns
    -------
    pandas.DataFrame
        A validated ``weather`` table; errors name file line numbers.

    Raises
    ------
    SchemaError
        No weather column, ``columns`` names a non-contract column, times
        are naive without ``timezone``, or ``issued_at`` is given twice.
    ParseError
        The file is unreadable, or values are not numbers or times.
    ParameterError
        An unknown unit or option.
    DataValidationError
        Values break the contract (negative precipitation, duplicates, ...).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "weather.csv"
    >>> _ = path.write_text("time,temp,rain,wind,note\\n2024-06-01 14:00,70.7,0.0,4.2,sunny\\n")
    >>> df = read_weather_csv(
    ...     path,
    ...     columns={"time": "timestamp", "temp": "temperature_c",
    ...              "rain": "precipitation_mm", "wind": "wind_speed_ms"},
    ...     timezone="Europe/Amsterdam",
    ...     units={"temperature_c": "degF"},
    ... )
    >>> print(df.loc[0, "timestamp"], df.loc[0, "temperature_c"])
    2024-06-01 12:00:00+00:00 21.5
    >>> df.columns.tolist()
    ['timestamp', 'temperature_c', 'precipitation_mm', 'wind_speed_ms', 'issued_at']
    """
    source = str(path)
    issued = parse_issued_at(issued_at, source)
    _check_csv_arguments(columns or {}, timezone, label, source)
    unit_of = check_units(units, source)
    options = CsvOptions(sep, decimal, thousands, encoding, date_format, dayfirst)
    table, layout = read_table(Path(path), what="weather", options=options)
    numbers = layout.numbers if layout is not None else options.numbers
    df = map_columns(table, columns, required=["timestamp"], source=source, what="weather")
    df = df[[c for c in WEATHER.names if c in df.columns]].copy()
    _check_given_once(df, issued_at is not None, source)
    _check_values_present(df, source)
    df = _parse_columns(df, timezone, source, numbers, options.times)
    df = _converted(df, unit_of, source)
    if label == "end":
        df["timestamp"] = df["timestamp"] - _intervals(df)
    if "issued_at" not in df.columns:
        df["issued_at"] = utc_column(df.index, issued)
    valid = validate_weather(df, source=source)
    warn_implausible(valid, latitude=latitude, source=source)
    return valid


def _check_values_present(df: pd.DataFrame, source: str) -> None:
    """At least one weather value; the nullable ones the file lacks become NaN (logged)."""
    values = [c for c in _VALUE_COLUMNS if c in df.columns]
    if not values:
        raise SchemaError(
            [
                Problem(
                    "a weather column",
                    f"present ({', '.join(_VALUE_COLUMNS)})",
                    f"none among {list(df.columns)}",
                    source=source,
                    hint="map the file's names with columns={'<file column>': "
                    "'temperature_c', ...}",
                )
            ],
            title=_CSV_TITLE,
        )
    absent = [c for c in _VALUE_COLUMNS[:3] if c not in df.columns]
    if absent:
        logger.info("%s: no %s column: missing in every row", source, ", ".join(absent))
    for column in absent:
        df[column] = np.nan


def _converted(df: pd.DataFrame, unit_of: Mapping[str, str], source: str) -> pd.DataFrame:
    problems = Problems(source=source, error=ParseError, title=_CSV_TITLE)
    for column, unit in unit_of.items():
        if column in df.columns:
            df[column] = convert(df[column], column, unit, problems, name=column)
    problems.raise_if_any()
    if "condition" in df.columns:
        text = df["condition"].astype("string").str.strip().str.lower()
        df["condition"] = text.where(text.notna() & (text != ""), None).astype(object)
    return df


def _intervals(df: pd.DataFrame) -> pd.Series:
    """Each row's interval: the step from the previous row of its station and issue (1 h alone)."""
    keys = [c for c in ("station", "issued_at") if c in df.columns]
    order = df.sort_values([*keys, "timestamp"], kind="stable")
    if keys:
        group = order[keys].astype(str).agg("|".join, axis=1)
    else:
        group = pd.Series(0, index=order.index)
    steps = order["timestamp"].groupby(group).diff()
    steps = steps.groupby(group).bfill()  # a first row: the step to the next one
    return steps.fillna(HOUR).reindex(df.index)


def _check_csv_arguments(
    columns: Mapping[str, str], timezone: str | None, label: str, source: str
) -> None:
    problems = Problems(source=source, error=SchemaError, title="Invalid argument")
    if label not in ("start", "end"):
        problems.add(
            "`label`",
            "'start' or 'end'",
            repr(label),
            error=ParameterError,
            hint="say whether a timestamp marks the start or the end of its interval",
        )
    unknown = [v for v in columns.values() if v not in WEATHER.names]
    if unknown:
        problems.add(
            "the values of `columns`",
            f"weather contract columns ({', '.join(WEATHER.names)})",
            ", ".join(repr(u) for u in unknown),
            hint="map file column -> contract column, e.g. columns={'temp': 'temperature_c'}",
        )
    if timezone is not None:
        problem = timezone_problem(timezone, source=source, hint=TIMEZONE_NAME_HINT)
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
