"""Weather values in the contract's units: source numbers parsed, converted and checked.

The ``weather`` contract (see :mod:`crowdcast.schemas`) holds °C, mm, m/s,
hours and %. Sources write other units (KNMI tenths, Open-Meteo's requested
units, a CSV in °F); :data:`UNITS` lists every unit crowdcast converts, per
contract column, and :data:`UNIT_NAMES` the other ways of writing them
(``degF``, ``F``, ``kmh``, ``knots``).

A temperature in °F below 60 passes the contract's range as °C, so
:func:`warn_implausible` looks at each calendar month's mean: above 28 °C in
a winter month outside the tropics (November-March north of 23.5°, May-
September south of -23.5°), above 38 °C in any month, or, when the latitude
is not known, above 32 °C in any month, it warns that the file may be in °F;
a monthly mean wind above 15 m/s (a month-long gale) that it may be in km/h.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from crowdcast._validation import Problems
from crowdcast.exceptions import DataQualityWarning, ParameterError
from crowdcast.io._numbers import parse_numbers

__all__ = ["UNITS", "UNIT_NAMES", "check_units", "convert", "numbers", "warn_implausible"]


def _same(v: pd.Series) -> pd.Series:
    return v


def _tenths(v: pd.Series) -> pd.Series:
    return v / 10  # exact for KNMI's whole tenths: 49 / 10 == 4.9, 49 * 0.1 != 4.9


#: Per contract column: source unit -> conversion to the contract's unit.
UNITS: dict[str, dict[str, Callable[[pd.Series], pd.Series]]] = {
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

#: Other ways of writing a unit of :data:`UNITS` (compared in lower case, without spaces).
UNIT_NAMES: Mapping[str, str] = {
    "c": "°C",
    "degc": "°C",
    "celsius": "°C",
    "f": "°F",
    "degf": "°F",
    "fahrenheit": "°F",
    "in": "inch",
    "inches": "inch",
    "ms": "m/s",
    "m/sec": "m/s",
    "mps": "m/s",
    "kmh": "km/h",
    "kph": "km/h",
    "km/u": "km/h",
    "mi/h": "mph",
    "kt": "kn",
    "kts": "kn",
    "knots": "kn",
    "hours": "h",
    "sec": "s",
    "seconds": "s",
    "percent": "%",
}


def _canonical(column: str, unit: object) -> object:
    """The unit as :data:`UNITS` writes it, when ``unit`` is another way of writing one."""
    if not isinstance(unit, str) or unit in UNITS.get(column, {}):
        return unit
    key = unit.replace(" ", "").lower()
    for known in UNITS.get(column, {}):
        if key == known.replace(" ", "").lower():
            return known
    return UNIT_NAMES.get(key, unit)


def check_units(units: Mapping[str, str] | None, source: str) -> dict[str, str]:
    """The ``units=`` argument of a weather reader, each unit as :data:`UNITS` writes it.

    >>> check_units({"temperature_c": "degF", "wind_speed_ms": "km/h"}, "w.csv")
    {'temperature_c': '°F', 'wind_speed_ms': 'km/h'}
    """
    found = Problems(source=source, error=ParameterError, title="Invalid argument")
    out: dict[str, str] = {}
    for column, unit in (units or {}).items():
        if column not in UNITS:
            found.add(
                f"the key {column!r} of `units`",
                f"a weather column with a unit ({', '.join(UNITS)})",
                hint="map the file's columns to contract columns with columns=, then give "
                "the contract column's unit, e.g. units={'temperature_c': 'degF'}",
            )
            continue
        canonical = _canonical(column, unit)
        if canonical not in UNITS[column]:
            found.add(
                f"the unit of {column!r} in `units`",
                f"one of {', '.join(UNITS[column])}",
                repr(unit),
                hint="write the unit as listed, e.g. '°F' (or 'degF'), 'km/h', 'kn'",
            )
            continue
        out[column] = str(canonical)
    found.raise_if_any()
    return out


def convert(
    values: pd.Series, column: str, unit: object, problems: Problems, *, name: str
) -> pd.Series:
    """Convert ``values`` given in ``unit`` to the unit of contract ``column``.

    An unknown unit is a problem (naming the source's variable ``name``) and
    gives NaN.

    >>> found = Problems()
    >>> convert(pd.Series([36.0]), "wind_speed_ms", "km/h", found, name="wind").tolist()
    [10.0]
    """
    known = UNITS[column]
    unit = _canonical(column, unit)
    if not isinstance(unit, str) or unit not in known:
        problems.add(
            f"the unit of `{name}`",
            f"one of {', '.join(known)}",
            repr(unit),
            column=name,
            hint="request a unit crowdcast converts, e.g. wind_speed_unit=ms",
        )
        return values * np.nan
    return known[unit](values)


def numbers(raw: pd.Series, problems: Problems, *, column: str, source: str) -> pd.Series:
    """Parse numbers (blank or null = NaN); a problem is kept, and the column is NaN."""
    parsed = problems.attempt(parse_numbers, raw, column=column, source=source)
    return parsed if parsed is not None else pd.Series(np.nan, index=raw.index)


_TROPIC = 23.5
_WINTER_NORTH = (11, 12, 1, 2, 3)
_WINTER_SOUTH = (5, 6, 7, 8, 9)
_WARMEST_WINTER_MEAN = 28.0
_WARMEST_MEAN = 38.0
_WARMEST_MEAN_ANYWHERE = 32.0
_WINDIEST_MEAN = 15.0


def _warmest_mean(month: int, latitude: float | None) -> float:
    """The highest plausible monthly mean temperature (°C) of a month at a latitude."""
    if latitude is None:
        return _WARMEST_MEAN_ANYWHERE
    if latitude >= _TROPIC and month in _WINTER_NORTH:
        return _WARMEST_WINTER_MEAN
    if latitude <= -_TROPIC and month in _WINTER_SOUTH:
        return _WARMEST_WINTER_MEAN
    return _WARMEST_MEAN


def warn_implausible(weather: pd.DataFrame, *, latitude: float | None, source: str) -> None:
    """Warn when a month's mean temperature or wind speed suggests °F or km/h (see the module).

    >>> t = pd.date_range("2024-01-01", periods=48, freq="h", tz="UTC")
    >>> warn_implausible(pd.DataFrame({"timestamp": t, "temperature_c": 5.0}),
    ...                  latitude=52.4, source="w.csv")
    """
    if weather.empty or "timestamp" not in weather:
        return
    months = weather["timestamp"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("M")
    problems: list[str] = []
    if "temperature_c" in weather:
        means = weather["temperature_c"].groupby(months.to_numpy()).mean().dropna()
        for month, mean in means.items():
            limit = _warmest_mean(month.month, latitude)  # type: ignore[attr-defined]
            if mean > limit:
                where = f" at latitude {latitude:g}" if latitude is not None else ""
                problems.append(
                    f"the mean temperature of {month} is {mean:.1f} °C, more than the "
                    f"{limit:g} °C plausible in that month{where}: is it in °F? "
                    "pass units={'temperature_c': 'degF'}"
                )
    if "wind_speed_ms" in weather:
        means = weather["wind_speed_ms"].groupby(months.to_numpy()).mean().dropna()
        problems += [
            f"the mean wind speed of {month} is {mean:.1f} m/s, a gale for a whole month: "
            "is it in km/h? pass units={'wind_speed_ms': 'km/h'}"
            for month, mean in means.items()
            if mean > _WINDIEST_MEAN
        ]
    if problems:
        warnings.warn(
            f"{source}: " + "; ".join(problems[:3]) + ("; ..." if len(problems) > 3 else ""),
            DataQualityWarning,
            stacklevel=3,
        )
