"""Weather readers: KNMI hourly station files, Open-Meteo JSON and generic CSV.

Every reader returns a ``weather`` table (see :mod:`crowdcast.schemas`) checked
by :func:`~crowdcast.schemas.validate_weather`: UTC timestamps that mark the
START of the hour a row describes, values in the contract's units, and
``issued_at`` = NaT for observations.

One timing rule for both KNMI and Open-Meteo
--------------------------------------------
Both sources label an hour by its END. KNMI's ``HH = 5`` is the hour
04:00-05:00 UT; Open-Meteo's precipitation at ``05:00`` is the sum of
04:00-05:00. Both readers therefore give a source row the timestamp
``label - 1 h``, the start of the hour it sums. The whole row moves, so an
instantaneous value in it (temperature, wind, humidity) is the reading at the
END of the row's hour, as both sources report it. Because observed (KNMI) and
forecast (Open-Meteo) rows follow the same rule, they line up in training and in
serving. Only the summed values would keep their exact meaning if just those
were moved, and the edges would then be half empty.
"""

from __future__ import annotations

import json
import os
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any, NoReturn

import numpy as np
import pandas as pd

from crowdcast.exceptions import DataValidationError, ParseError, Problem, SchemaError
from crowdcast.io._common import map_columns, parse_numbers, parse_timestamps, read_table
from crowdcast.schemas import WEATHER, validate_weather

__all__ = ["read_knmi", "read_open_meteo", "read_weather_csv"]

PathOrFile = str | os.PathLike[str] | IO[str] | IO[bytes]
TimeLike = str | datetime | pd.Timestamp

_HOUR = pd.Timedelta(hours=1)


def _same(v: pd.Series) -> pd.Series:
    return v


def _tenths(v: pd.Series) -> pd.Series:
    return v / 10  # exact for KNMI's whole tenths: 49 / 10 == 4.9, 49 * 0.1 != 4.9


# Per contract column: source unit -> conversion to the contract's unit.
_UNITS: dict[str, dict[str, Callable[[pd.Series], pd.Series]]] = {
    "temperature_c": {"°C": _same, "0.1 °C": _tenths, "°F": lambda v: (v - 32) / 1.8},
    "precipitation_mm": {"mm": _same, "0.1 mm": _tenths, "inch": lambda v: v * 25.4},
    "wind_speed_ms": {
        "m/s": _same,
        "0.1 m/s": _tenths,
        "km/h": lambda v: v / 3.6,
        "mp/h": lambda v: v * 0.44704,
        "mph": lambda v: v * 0.44704,
        "kn": lambda v: v * 1852 / 3600,
    },
    "sunshine_h": {"h": _same, "0.1 h": _tenths, "s": lambda v: v / 3600},
    "humidity_pct": {"%": _same},
}


# ----------------------------------------------------------------------------- shared helpers


def _convert(
    values: pd.Series, column: str, unit: object, problems: list[Problem], *, source: str, name: str
) -> pd.Series:
    """Convert ``values`` given in ``unit`` to the unit of contract ``column``."""
    known = _UNITS[column]
    if not isinstance(unit, str) or unit not in known:
        problems.append(
            Problem(
                f"the unit of `{name}`",
                f"one of {', '.join(known)}",
                repr(unit),
                source=source,
                column=name,
                hint="request a unit crowdcast converts, e.g. wind_speed_unit=ms",
            )
        )
        return values * np.nan
    return known[unit](values)


def _to_float(raw: pd.Series, problems: list[Problem], *, source: str, column: str) -> pd.Series:
    """Parse numbers (blank or null = NaN); collect a problem instead of raising."""
    try:
        return parse_numbers(raw, column=column, source=source)
    except ParseError as exc:
        problems.extend(exc.problems)
        return pd.Series(np.nan, index=raw.index)


def _raise_if_any(problems: list[Problem], title: str) -> None:
    if problems:
        raise ParseError(problems, title=title)


def _source_name(src: object) -> str:
    """A name for messages: the path, or the name of an open file."""
    if hasattr(src, "read"):
        return str(getattr(src, "name", "<stream>"))
    return str(src)


def _read_text(src: PathOrFile, title: str) -> tuple[str, str]:
    """The text of a path or file-like object, and a name for messages."""
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


def _issued_at(value: TimeLike | None, source: str) -> pd.Timestamp:
    """``issued_at`` as a UTC timestamp; NaT (an observation) when ``value`` is None."""
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


def _nat_column(index: pd.Index, value: object = pd.NaT) -> pd.Series:
    return pd.Series(value, index=index, dtype="datetime64[ns, UTC]")


# ----------------------------------------------------------------------------- KNMI

_KNMI_TITLE = "Cannot read KNMI file"
_KNMI_HINT = "is this a KNMI hourly export? expected a line starting with '# STN,YYYYMMDD,'"
# KNMI column -> (contract column, KNMI unit). In RH and SQ, -1 codes "less than 0.05".
_KNMI_VALUES = {
    "T": ("temperature_c", "0.1 °C"),
    "RH": ("precipitation_mm", "0.1 mm"),
    "FH": ("wind_speed_ms", "0.1 m/s"),
    "SQ": ("sunshine_h", "0.1 h"),
    "U": ("humidity_pct", "%"),
}
_KNMI_REQUIRED = ("STN", "YYYYMMDD", "HH", "T", "RH", "FH")


def read_knmi(
    path: PathOrFile, *, stations: Iterable[str | int] | str | int | None = None
) -> pd.DataFrame:
    """Read a KNMI hourly station file ("uurgegevens", ``uurgeg_260_1991-2000.txt``).

    The header is found by its ``STN,YYYYMMDD`` line, so exports that prefix
    every legend line with ``#`` read as well. Fields are comma separated and
    padded with spaces; a blank field is missing (NaN), never zero.

    ``HH`` runs from 1 to 24 and labels the hour ENDING at ``HH`` UT, so a row's
    timestamp, the start of its hour, is ``YYYYMMDD + (HH - 1) h`` in UTC (KNMI
    works in UT all year: there is no daylight saving time to undo).

    ========  ====================  =========================================
    KNMI      contract column       conversion
    ========  ====================  =========================================
    STN       station               as text, e.g. ``"260"``
    T         temperature_c         0.1 °C -> °C (read at the end of the hour)
    RH        precipitation_mm      0.1 mm -> mm; -1 (trace, < 0.05 mm) -> 0.0
    FH        wind_speed_ms         hourly mean, 0.1 m/s -> m/s
    SQ        sunshine_h            0.1 h -> h; -1 (< 0.05 h) -> 0.0
    U         humidity_pct          %
    ========  ====================  =========================================

    Parameters
    ----------
    path
        Path of the file, or an open text or binary file.
    stations
        Keep only these station numbers (``260`` or ``"260"``); all when None.

    Returns
    -------
    pandas.DataFrame
        A validated ``weather`` table with ``issued_at`` = NaT (observations).

    Raises
    ------
    ParseError
        No ``STN,YYYYMMDD`` header, a column the contract needs is missing, a
        row has the wrong number of fields, a value is not a number, a date is
        invalid or ``HH`` is outside 1..24; naming the file lines.
    DataValidationError
        A requested station is not in the file, or values break the contract
        (e.g. a temperature above 60 °C), naming the file lines.

    Examples
    --------
    >>> import io
    >>> text = (
    ...     "# STN,YYYYMMDD,   HH,   FH,    T,   RH\\n"
    ...     "  260,20000101,    1,   30,   49,   -1\\n"
    ...     "  260,20000101,   24,   20,   57,    4\\n"
    ... )
    >>> read_knmi(io.StringIO(text))[["timestamp", "temperature_c", "precipitation_mm"]]
                      timestamp  temperature_c  precipitation_mm
    0 2000-01-01 00:00:00+00:00            4.9               0.0
    1 2000-01-01 23:00:00+00:00            5.7               0.4
    """
    text, source = _read_text(path, _KNMI_TITLE)
    lines = text.splitlines()
    header_at, names = _knmi_header(lines, source)
    problems: list[Problem] = []
    rows: list[list[str]] = []
    line_numbers: list[int] = []
    bad_width: list[int] = []
    for number, line in enumerate(lines[header_at + 1 :], start=header_at + 2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in line.split(",")]
        if len(fields) == len(names):
            rows.append(fields)
            line_numbers.append(number)
        else:
            bad_width.append(number)
    if bad_width:
        problems.append(
            Problem(
                "each data row",
                f"{len(names)} comma-separated fields long, like the header",
                f"{len(bad_width)} row(s) with another number",
                source=source,
                rows=tuple(bad_width),
                hint="the file may be cut off or edited by hand",
            )
        )
    raw = pd.DataFrame(rows, columns=names, index=pd.Index(line_numbers), dtype=object)

    date = pd.to_datetime(raw["YYYYMMDD"], format="%Y%m%d", errors="coerce")
    _knmi_key_problem(raw, date.isna(), "YYYYMMDD", "a date like 20000101", problems, source)
    hour = pd.to_numeric(raw["HH"], errors="coerce")
    bad_hour = ~hour.between(1, 24) | (hour % 1 != 0)
    _knmi_key_problem(
        raw,
        bad_hour,
        "HH",
        "a whole hour from 1 to 24 (the hour ending at HH UT)",
        problems,
        source,
    )

    out = pd.DataFrame(index=raw.index)
    out["station"] = raw["STN"].where(raw["STN"] != "")
    out["timestamp"] = (date + pd.to_timedelta(hour - 1, unit="h")).dt.tz_localize("UTC")
    for name, (column, unit) in _KNMI_VALUES.items():
        if name in raw.columns:
            value = _to_float(raw[name], problems, source=source, column=name)
            if name in ("RH", "SQ"):
                value = value.mask(value == -1, 0.0)
            out[column] = _convert(value, column, unit, problems, source=source, name=name)
    out["issued_at"] = _nat_column(out.index)
    _raise_if_any(problems, _KNMI_TITLE)
    if stations is not None:
        out = _select_stations(out, stations, source)
    return validate_weather(out, source=source)


def _knmi_header(lines: list[str], source: str) -> tuple[int, list[str]]:
    for i, line in enumerate(lines):
        if line.lstrip("# ").replace(" ", "").startswith("STN,YYYYMMDD,"):
            names = [n.strip().lstrip("#").strip() for n in line.split(",")]
            missing = [n for n in _KNMI_REQUIRED if n not in names]
            if missing:
                raise ParseError(
                    [
                        Problem(
                            f"KNMI columns {', '.join(_KNMI_REQUIRED)}",
                            "present",
                            f"no {', '.join(missing)} in the header on line {i + 1}",
                            source=source,
                            hint="read_knmi reads hourly files (uurgeg_*); "
                            "download them with the variables T, RH and FH (and SQ, U)",
                        )
                    ],
                    title=_KNMI_TITLE,
                )
            return i, names
    raise ParseError(
        [
            Problem(
                "the file",
                "a KNMI hourly export with a 'STN,YYYYMMDD,HH,...' header line",
                f"no such line among its {len(lines)} lines",
                source=source,
                hint=_KNMI_HINT,
            )
        ],
        title=_KNMI_TITLE,
    )


def _knmi_key_problem(
    raw: pd.DataFrame,
    bad: pd.Series,
    name: str,
    expectation: str,
    problems: list[Problem],
    source: str,
) -> None:
    if bad.any():
        problems.append(
            Problem(
                f"`{name}`",
                expectation,
                f"{int(bad.sum())} other value(s), e.g. {raw.loc[bad, name].iloc[0]!r}",
                source=source,
                column=name,
                rows=tuple(raw.index[bad.to_numpy()]),
            )
        )


def _select_stations(
    df: pd.DataFrame, stations: Iterable[str | int] | str | int, source: str
) -> pd.DataFrame:
    wanted = [stations] if isinstance(stations, str | int) else list(stations)
    wanted_text = {str(s).strip() for s in wanted}
    present = set(df["station"].dropna())
    absent = sorted(wanted_text - present)
    if absent:
        raise DataValidationError(
            [
                Problem(
                    "`stations`",
                    "in the file",
                    f"{', '.join(absent)}; the file has {', '.join(sorted(present)) or 'none'}",
                    source=source,
                    column="STN",
                )
            ],
            title=_KNMI_TITLE,
        )
    return df[df["station"].isin(wanted_text)]


# ----------------------------------------------------------------------------- Open-Meteo

_OPEN_METEO_TITLE = "Cannot read Open-Meteo response"
_OPEN_METEO_HINT = "request hourly=temperature_2m,precipitation,wind_speed_10m"
# contract column -> Open-Meteo hourly variable (current name first, then the pre-2023 name).
_OPEN_METEO = {
    "temperature_c": ("temperature_2m",),
    "precipitation_mm": ("precipitation",),
    "wind_speed_ms": ("wind_speed_10m", "windspeed_10m"),
    "sunshine_h": ("sunshine_duration",),
    "humidity_pct": ("relative_humidity_2m", "relativehumidity_2m"),
    "condition": ("weather_code", "weathercode"),
}


def read_open_meteo(
    path_or_obj: PathOrFile | Mapping[str, Any] | Sequence[Mapping[str, Any]],
    *,
    issued_at: TimeLike | None = None,
) -> pd.DataFrame:
    """Read an Open-Meteo hourly response (forecast or historical/archive API).

    Variables: ``temperature_2m``, ``precipitation`` and ``wind_speed_10m``
    are required; ``sunshine_duration``, ``relative_humidity_2m`` and
    ``weather_code`` (kept as the WMO code, as text, in ``condition``) are
    used when present. Units are taken from ``hourly_units`` and converted:
    °F, inch, km/h, mp/h, kn and seconds of sunshine. ``station`` is the grid
    point, ``"<latitude>,<longitude>"``.

    **Time zone.** With ``timezone=...`` in the request the times are local
    labels without offset; ``timeformat=unixtime`` gives UTC seconds. Open-Meteo
    applies ONE fixed offset, ``utc_offset_seconds``, to every label of a
    response: the offset valid when the request was made, with no daylight
    saving change inside the series (open-meteo/open-meteo#488, #1255). So
    UTC = label - ``utc_offset_seconds`` for every row, even when ``timezone``
    names a zone with DST. Localising the labels with that zone would move the
    hours on the other side of a DST change by one hour, and fail on labels
    such as ``02:00`` on a spring-forward day, which Open-Meteo does emit.
    Requesting ``timezone=GMT`` avoids the question.

    **Timing.** Precipitation and sunshine at time ``T`` are sums over the
    preceding hour, ``[T - 1 h, T)``, so each row gets the timestamp
    ``T - 1 h``. Temperature, wind and humidity are instantaneous values at
    ``T``, the end of that hour, as in KNMI data (see the module docstring).

    Parameters
    ----------
    path_or_obj
        A path, a string of JSON, an open file, a parsed response (dict), or a
        list of them (the API returns a list when several locations are asked).
    issued_at
        When the forecast was issued (timezone-aware). None for observations
        and archive data: ``issued_at`` is then NaT.

    Returns
    -------
    pandas.DataFrame
        A validated ``weather`` table; error rows are positions in ``hourly.time``.

    Raises
    ------
    ParseError
        Invalid JSON, an API error response, a required variable missing, an
        unknown unit, arrays of unequal length, or values that are not numbers.
    SchemaError
        ``issued_at`` is not a timezone-aware time.

    Examples
    --------
    >>> response = {
    ...     "latitude": 52.37, "longitude": 4.9, "utc_offset_seconds": 7200,
    ...     "timezone": "Europe/Amsterdam",
    ...     "hourly_units": {"temperature_2m": "°C", "precipitation": "mm",
    ...                      "wind_speed_10m": "km/h"},
    ...     "hourly": {"time": ["2024-06-01T14:00"], "temperature_2m": [21.5],
    ...                "precipitation": [0.4], "wind_speed_10m": [18.0]},
    ... }
    >>> df = read_open_meteo(response)
    >>> df.loc[0, "timestamp"]
    Timestamp('2024-06-01 11:00:00+0000', tz='UTC')
    >>> print(df.loc[0, "precipitation_mm"], df.loc[0, "wind_speed_ms"], df.loc[0, "station"])
    0.4 5.0 52.37,4.9
    """
    data, source = _load_json(path_or_obj)
    issued = _issued_at(issued_at, source)
    responses = data if isinstance(data, list) and data else [data]
    frames = [_open_meteo_frame(r, source, issued) for r in responses]
    return validate_weather(pd.concat(frames, ignore_index=True), source=source)


def _load_json(
    obj: PathOrFile | Mapping[str, Any] | Sequence[Mapping[str, Any]],
) -> tuple[Any, str]:
    if isinstance(obj, Mapping | list):
        return obj, "<Open-Meteo response>"
    if isinstance(obj, str) and obj.lstrip().startswith(("{", "[")):
        text, source = obj, "<JSON text>"
    else:
        text, source = _read_text(obj, _OPEN_METEO_TITLE)  # type: ignore[arg-type]
    try:
        return json.loads(text), source
    except json.JSONDecodeError as exc:
        raise ParseError(
            [
                Problem(
                    "the Open-Meteo response",
                    "valid JSON",
                    f"{exc.msg} at line {exc.lineno}, column {exc.colno}",
                    source=source,
                    hint="save the API response unchanged, e.g. curl -o weather.json '<url>'",
                )
            ],
            title=_OPEN_METEO_TITLE,
        ) from None


def _open_meteo_frame(resp: object, source: str, issued: object) -> pd.DataFrame:
    def fail(
        what: str, expectation: str, got: str, hint: str | None = _OPEN_METEO_HINT
    ) -> NoReturn:
        raise ParseError(
            [Problem(what, expectation, got, source=source, hint=hint)], title=_OPEN_METEO_TITLE
        )

    if not isinstance(resp, Mapping):
        fail("the Open-Meteo response", "a JSON object", type(resp).__name__, hint=None)
    if resp.get("error"):
        fail("the Open-Meteo response", "data, not an error", repr(resp.get("reason")), hint=None)
    hourly = resp.get("hourly")
    if not isinstance(hourly, Mapping):
        fail("the Open-Meteo response", "an 'hourly' block", f"keys {sorted(resp)}")
    found = {c: next((v for v in names if v in hourly), None) for c, names in _OPEN_METEO.items()}
    required = [c for c in _OPEN_METEO if WEATHER.column(c).required]
    needed = ["time", *(_OPEN_METEO[c][0] for c in required)]
    missing = ["time"] * ("time" not in hourly) + [
        _OPEN_METEO[c][0] for c in required if found[c] is None
    ]
    if missing:
        fail(
            f"Open-Meteo hourly variables {', '.join(needed)}",
            "present",
            f"no {', '.join(missing)} among {list(hourly)}",
        )
    n = len(hourly["time"]) if isinstance(hourly["time"], list) else 0
    arrays = ["time", *(name for name in found.values() if name)]
    uneven = [v for v in arrays if not isinstance(hourly[v], list) or len(hourly[v]) != n]
    if uneven:
        fail(
            "Open-Meteo hourly arrays",
            f"lists of one value per time ({n} values)",
            f"other lengths for {', '.join(uneven)}",
            hint="save the API response unchanged",
        )

    problems: list[Problem] = []
    units = resp.get("hourly_units") or {}
    times = _open_meteo_times(
        pd.Series(hourly["time"], dtype=object), resp, units, problems, source
    )
    out = pd.DataFrame({"timestamp": times - _HOUR})
    for column, name in found.items():
        if name is None:
            continue
        value = _to_float(
            pd.Series(hourly[name], dtype=object), problems, source=source, column=name
        )
        if column == "condition":
            out[column] = pd.Series(
                [None if np.isnan(v) else f"{v:g}" for v in value], dtype=object
            )
        else:
            out[column] = _convert(
                value, column, units.get(name), problems, source=source, name=name
            )
    lat, lon = resp.get("latitude"), resp.get("longitude")
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        out["station"] = f"{lat},{lon}"
    out["issued_at"] = _nat_column(out.index, issued)
    _raise_if_any(problems, _OPEN_METEO_TITLE)
    return out


def _open_meteo_times(
    raw: pd.Series,
    resp: Mapping[str, Any],
    units: Mapping[str, Any],
    problems: list[Problem],
    source: str,
) -> pd.Series:
    """UTC times of the labels (see :func:`read_open_meteo` on the fixed offset)."""
    if units.get("time") == "unixtime":
        seconds = _to_float(raw, problems, source=source, column="time")
        return pd.Series(pd.to_datetime(seconds, unit="s", utc=True), index=raw.index)
    local = pd.to_datetime(raw, format="ISO8601", errors="coerce")
    bad = local.isna().to_numpy()
    if bad.any():
        problems.append(
            Problem(
                "`time`",
                "ISO 8601 labels like '2024-06-01T00:00'",
                f"{int(bad.sum())} other value(s), e.g. {raw[bad].iloc[0]!r}",
                source=source,
                column="time",
                rows=tuple(raw.index[bad]),
            )
        )
    offset = resp.get("utc_offset_seconds", 0)
    if not isinstance(offset, int):
        problems.append(
            Problem("`utc_offset_seconds`", "whole seconds", repr(offset), source=source)
        )
        offset = 0
    return (local - pd.Timedelta(seconds=offset)).dt.tz_localize("UTC")


# ----------------------------------------------------------------------------- CSV

_CSV_TITLE = "Invalid weather file"


def read_weather_csv(
    path: str | os.PathLike[str],
    *,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    issued_at: TimeLike | None = None,
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
    issued = _issued_at(issued_at, source)
    _check_csv_arguments(columns or {}, timezone, source)
    required = [c for c in WEATHER.required if c != "issued_at"]
    table = read_table(Path(path), what="weather")
    df = map_columns(table, columns, required=required, source=source, what="weather")
    df = df[[c for c in WEATHER.names if c in df.columns]].copy()
    twice = sorted(set(df.columns[df.columns.duplicated()]))
    if twice or (issued_at is not None and "issued_at" in df.columns):
        got = (
            f"{', '.join(twice)} more than once after mapping"
            if twice
            else "both an issued_at column and the issued_at= argument"
        )
        raise SchemaError(
            [Problem("each weather column", "given once", got, source=source, hint="drop one")],
            title=_CSV_TITLE,
        )

    keys = [c for c in ("station", "issued_at") if c in df.columns]  # one local series each
    groups = df[keys].fillna("").astype(str).agg("|".join, axis=1) if keys else None
    for column in df.columns:
        if column == "timestamp":
            df[column] = parse_timestamps(
                df[column], column=column, source=source, timezone=timezone, groups=groups
            )
        elif column == "issued_at":  # blank = an observation
            given = df[column].notna().to_numpy()
            parsed = _nat_column(df.index)
            if given.any():
                parsed[given] = parse_timestamps(
                    df.loc[given, column], column=column, source=source, timezone=timezone
                )
            df[column] = parsed
        elif WEATHER.column(column).kind == "float":
            df[column] = parse_numbers(df[column], column=column, source=source)
    if "issued_at" not in df.columns:
        df["issued_at"] = _nat_column(df.index, issued)
    return validate_weather(df, source=source)


def _check_csv_arguments(columns: Mapping[str, str], timezone: str | None, source: str) -> None:
    problems = []
    unknown = [v for v in columns.values() if v not in WEATHER.names]
    if unknown:
        problems.append(
            Problem(
                "the values of `columns`",
                f"weather contract columns ({', '.join(WEATHER.names)})",
                ", ".join(repr(u) for u in unknown),
                source=source,
                hint="map file column -> contract column, e.g. columns={'temp': 'temperature_c'}",
            )
        )
    if timezone is not None:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            problems.append(
                Problem(
                    "`timezone`",
                    "an IANA time zone name such as 'Europe/Amsterdam'",
                    repr(timezone),
                    source=source,
                )
            )
    if problems:
        raise SchemaError(problems, title="Invalid argument")
