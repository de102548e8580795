"""The forecast table: its keys, its quantile columns and their order, the rows to predict.

A forecast has one row per ``(zone, origin, horizon)``: ``zone``, ``origin``
(the start of the first forecast interval, UTC), ``timestamp`` (the start of
the target interval, ``origin + (horizon - 1) * freq``), ``horizon`` (1, 2,
...) and one column per predictive quantile, named ``q<level>`` (``q0.1``,
``q0.5``, ``q0.9``) in increasing level, non-negative and never crossing.
Risk assessment adds ``density``/``flow``, ``level`` and ``p_<level>``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crowdcast.schemas._contracts import Column, Contract
from crowdcast.schemas._time import as_timedelta, utc

__all__ = ["FORECAST", "FORECAST_KEYS", "make_rows", "quantile_column", "quantile_columns"]

#: The columns that identify a forecast row, in order.
FORECAST_KEYS = ("zone", "origin", "timestamp", "horizon")

FORECAST = Contract(
    "forecast",
    (
        Column("zone", "str", "zone id"),
        Column("origin", "datetime", "start of the first forecast interval, UTC"),
        Column("timestamp", "datetime", "start of the target interval, UTC"),
        Column("horizon", "int", "intervals ahead: 1 is the interval starting at the origin"),
        Column(
            "q<level>",
            "float",
            "one column per predictive quantile (q0.1, q0.5, q0.9), increasing level, "
            "never crossing; q0.5 is the point forecast",
            unit="persons",
            required=False,
        ),
    ),
    key=("zone", "origin", "horizon"),
)


def quantile_column(q: float) -> str:
    """The forecast column of a quantile: ``0.1 -> 'q0.1'``.

    >>> quantile_column(0.9)
    'q0.9'
    """
    return f"q{q:g}"


def quantile_columns(df: pd.DataFrame, *, with_values: bool = False) -> dict[str, float]:
    """The ``q<level>`` columns of a table and their level, by increasing level.

    With ``with_values`` only columns holding at least one value count (a
    model that does not produce a quantile leaves its column all NaN).

    >>> quantile_columns(pd.DataFrame(columns=["zone", "q0.9", "q0.1", "qty", "q1.5"]))
    {'q0.1': 0.1, 'q0.9': 0.9}
    """
    found: list[tuple[float, str]] = []
    for col in df.columns:
        if isinstance(col, str) and col.startswith("q"):
            try:
                tau = float(col[1:])
            except ValueError:
                continue
            if 0 < tau < 1 and (not with_values or df[col].notna().any()):
                found.append((tau, col))
    return {col: tau for tau, col in sorted(found)}


def make_rows(
    zones: Sequence[str],
    origins: Sequence[pd.Timestamp] | pd.DatetimeIndex,
    horizons: Sequence[int] | np.ndarray,
    freq: pd.Timedelta | str,
) -> pd.DataFrame:
    """All ``(zone, origin, horizon)`` combinations with their target ``timestamp``.

    Examples
    --------
    >>> rows = make_rows(["a"], [pd.Timestamp("2024-01-01", tz="UTC")], [1, 2], "1h")
    >>> rows["timestamp"].dt.hour.tolist()
    [0, 1]
    """
    step = as_timedelta(freq)
    origins = pd.DatetimeIndex(
        list(origins) if not isinstance(origins, pd.DatetimeIndex) else origins
    )
    horizons = np.asarray(horizons, dtype=np.int64)
    n_z, n_o, n_h = len(zones), len(origins), len(horizons)
    zone_col = np.repeat(np.asarray(zones, dtype=object), n_o * n_h)
    origin_col = np.tile(np.repeat(origins.as_unit("ns").asi8, n_h), n_z)
    horizon_col = np.tile(horizons, n_z * n_o)
    ts = origin_col + (horizon_col - 1) * step.value
    return pd.DataFrame(
        {
            "zone": pd.Series(zone_col, dtype="str"),
            "origin": utc(origin_col),
            "horizon": horizon_col,
            "timestamp": utc(ts),
        }
    )
