"""Read Open-Meteo hourly responses (forecast or archive API) into the ``weather`` contract.

Open-Meteo labels an hour by its END (precipitation at ``05:00`` is the sum of
04:00-05:00); a row gets the timestamp of the START of its hour, as every
weather reader does (see :mod:`crowdcast.io`).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from crowdcast._validation import Problems, timezone_problem
from crowdcast.exceptions import DataQualityWarning, ParseError, Problem
from crowdcast.io._common import PathOrFile, parse_issued_at, read_text, utc_column
from crowdcast.io._units import convert, numbers, warn_implausible
from crowdcast.schemas import HOUR, WEATHER, TimestampLike, validate_weather

__all__ = ["read_open_meteo"]

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
    issued_at: TimestampLike | None = None,
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
    Requesting ``timezone=GMT`` avoids the question. A response saved without
    ``utc_offset_seconds`` is read with the offset its ``timezone`` has at the
    first label (a forecast is requested on its first day), with a
    :class:`~crowdcast.exceptions.DataQualityWarning` when that zone changes
    offset within the labels; without either, labels are UTC (the API's
    default).

    **Plausibility.** A month whose mean temperature is implausible for the
    season at the response's latitude, or whose mean wind is a gale, gives a
    warning (see :mod:`crowdcast.io._units`).

    **Timing.** Precipitation and sunshine at time ``T`` are sums over the
    preceding hour, ``[T - 1 h, T)``, so each row gets the timestamp
    ``T - 1 h``. Temperature, wind and humidity are instantaneous values at
    ``T``, the end of that hour, as in KNMI data (see :mod:`crowdcast.io`).

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
    issued = parse_issued_at(issued_at, source)
    responses = data if isinstance(data, list) and data else [data]
    frames = [_open_meteo_frame(r, source, issued) for r in responses]
    valid = validate_weather(pd.concat(frames, ignore_index=True), source=source)
    for r in responses:
        lat = r.get("latitude") if isinstance(r, Mapping) else None
        rows = (
            valid
            if "station" not in valid or len(responses) == 1
            else valid[valid["station"] == f"{lat},{r.get('longitude')}"]
        )
        warn_implausible(
            rows, latitude=lat if isinstance(lat, int | float) else None, source=source
        )
    return valid


def _load_json(
    obj: PathOrFile | Mapping[str, Any] | Sequence[Mapping[str, Any]],
) -> tuple[Any, str]:
    if isinstance(obj, Mapping | list):
        return obj, "<Open-Meteo response>"
    if isinstance(obj, str) and obj.lstrip().startswith(("{", "[")):
        text, source = obj, "<JSON text>"
    else:
        text, source = read_text(obj, _OPEN_METEO_TITLE)  # type: ignore[arg-type]
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
        fail(
            "the Open-Meteo response",
            "a JSON object",
            type(resp).__name__,
            hint="save the API response unchanged, e.g. curl -o weather.json '<url>'",
        )
    if resp.get("error"):
        fail(
            "the Open-Meteo response",
            "data, not an error",
            repr(resp.get("reason")),
            hint="fix the request the reason names and download the response again",
        )
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

    problems = Problems(source=source, error=ParseError, title=_OPEN_METEO_TITLE)
    units = resp.get("hourly_units") or {}
    times = _open_meteo_times(
        pd.Series(hourly["time"], dtype=object), resp, units, problems, source
    )
    out = pd.DataFrame({"timestamp": times - HOUR})
    for column, name in found.items():
        if name is None:
            continue
        value = numbers(pd.Series(hourly[name], dtype=object), problems, column=name, source=source)
        if column == "condition":
            out[column] = pd.Series(
                [None if np.isnan(v) else f"{v:g}" for v in value], dtype=object
            )
        else:
            out[column] = convert(value, column, units.get(name), problems, name=name)
    lat, lon = resp.get("latitude"), resp.get("longitude")
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        out["station"] = f"{lat},{lon}"
    out["issued_at"] = utc_column(out.index, issued)
    problems.raise_if_any()
    return out


def _open_meteo_times(
    raw: pd.Series,
    resp: Mapping[str, Any],
    units: Mapping[str, Any],
    problems: Problems,
    source: str,
) -> pd.Series:
    """UTC times of the labels (see :func:`read_open_meteo` on the fixed offset)."""
    if units.get("time") == "unixtime":
        seconds = numbers(raw, problems, column="time", source=source)
        return pd.Series(pd.to_datetime(seconds, unit="s", utc=True), index=raw.index)
    local = pd.to_datetime(raw, format="ISO8601", errors="coerce")
    bad = local.isna().to_numpy()
    if bad.any():
        problems.add(
            "`time`",
            "ISO 8601 labels like '2024-06-01T00:00'",
            f"{int(bad.sum())} other value(s), e.g. {raw[bad].iloc[0]!r}",
            column="time",
            rows=tuple(raw.index[bad]),
            hint="save the API response unchanged; request timeformat=iso8601 or unixtime",
        )
    offset = resp.get("utc_offset_seconds")
    if offset is None:
        offset = _offset_of(resp.get("timezone"), local[~bad], problems, source)
    if not isinstance(offset, int) or isinstance(offset, bool):
        problems.add(
            "`utc_offset_seconds`",
            "whole seconds",
            repr(offset),
            hint="save the API response unchanged",
        )
        offset = 0
    return (local - pd.Timedelta(seconds=offset)).dt.tz_localize("UTC")


def _offset_of(timezone: object, local: pd.Series, problems: Problems, source: str) -> int:
    """The UTC offset of labels in ``timezone``, for a response without ``utc_offset_seconds``.

    Open-Meteo writes every label of a response with the one offset of its
    ``timezone`` valid when it was asked; without the offset the one in force
    at the first label is taken (a forecast is asked on its first day). When
    the zone changes offset within the labels, a warning says that labels on
    the other side may be an hour off.
    """
    if timezone is None or timezone in ("GMT", "UTC"):
        return 0
    problem = timezone_problem(
        timezone,
        what="the response's `timezone`",
        source=source,
        hint="save the API response unchanged (with utc_offset_seconds), or request timezone=GMT",
    )
    if problem is not None:
        problems.extend([problem])
        return 0
    if local.empty:
        return 0
    stamps = pd.DatetimeIndex(local).tz_localize(
        str(timezone), ambiguous=True, nonexistent="shift_forward"
    )
    offsets = (stamps.tz_localize(None) - stamps.tz_convert("UTC").tz_localize(None)).unique()
    if len(offsets) > 1:
        warnings.warn(
            f"{source}: no utc_offset_seconds; the labels were read with the UTC offset of "
            f"{timezone} at the first label ({offsets[0]}), but {timezone} changes its offset "
            "within them, so labels after the change may be an hour off. Save the API response "
            "unchanged, or request timezone=GMT",
            DataQualityWarning,
            stacklevel=5,
        )
    return int(offsets[0].total_seconds())
