"""Weather values in the contract's units: source numbers parsed and converted.

The ``weather`` contract (see :mod:`crowdcast.schemas`) holds °C, mm, m/s,
hours and %. Sources write other units (KNMI tenths, Open-Meteo's requested
units); :data:`UNITS` lists every unit crowdcast converts, per contract column.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from crowdcast._validation import Problems
from crowdcast.io._numbers import parse_numbers

__all__ = ["UNITS", "convert", "numbers"]


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
