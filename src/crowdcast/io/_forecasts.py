"""Observed weather as forecasts issued at each origin: perfect-forecast weather for backtests.

A model is trained and served on weather *forecasts* (what was known at the
origin); a backtest over a past period often has only observations. Giving
the observations as forecasts "issued" at each origin measures how much a
perfect forecast would help: an upper bound, since real forecasts err.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crowdcast.exceptions import ParameterError, Problem
from crowdcast.schemas import HOUR, as_timedelta, validate_weather

__all__ = ["observed_as_forecasts"]


def observed_as_forecasts(
    weather: pd.DataFrame,
    *,
    every: str | pd.Timedelta = "1h",
    horizon: str | pd.Timedelta = "48h",
    origins: pd.DatetimeIndex | None = None,
) -> pd.DataFrame:
    """Observations repeated as forecasts issued at each origin, with the observations kept.

    For each origin (every ``every`` from the first observed hour to the last,
    or the ``origins`` given) and each hour from the one holding the origin up
    to ``horizon`` later, a row with ``issued_at`` = the origin and the values
    observed in that hour, for every station. Hours after the last observation
    get no row, so no forecast reaches beyond the data.

    Parameters
    ----------
    weather
        A weather table; its observations (``issued_at`` NaT) are used, any
        forecasts in it are dropped.
    every
        How often a forecast is issued, when ``origins`` is not given.
    horizon
        How far ahead each forecast reaches.
    origins
        The times forecasts are issued at (timezone-aware), e.g. a backtest's
        origins.

    Returns
    -------
    pandas.DataFrame
        A validated weather table: the observations, then the forecasts.

    Examples
    --------
    >>> t = pd.date_range("2024-06-01", periods=4, freq="h", tz="UTC")
    >>> obs = pd.DataFrame({"timestamp": t, "temperature_c": [10.0, 11.0, 12.0, 13.0],
    ...     "precipitation_mm": 0.0, "wind_speed_ms": 3.0,
    ...     "issued_at": pd.array([pd.NaT] * 4, dtype="datetime64[ns, UTC]")})
    >>> out = observed_as_forecasts(obs, horizon="2h")
    >>> issued = out[out["issued_at"] == t[1]]
    >>> issued["timestamp"].dt.hour.tolist(), issued["temperature_c"].tolist()
    ([1, 2], [11.0, 12.0])
    """
    table = validate_weather(weather, source="<weather>")
    observed = table[table["issued_at"].isna()]
    reach = _positive(horizon, "horizon")
    if observed.empty:
        return table.iloc[:0]
    hours = observed["timestamp"].dt.floor("h")
    if origins is None:
        step = _positive(every, "every")
        at = pd.date_range(hours.min(), observed["timestamp"].max(), freq=step)
    else:
        at = pd.DatetimeIndex(origins)
        if at.tz is None:
            raise ParameterError(
                [
                    Problem(
                        "`origins`",
                        "timezone-aware times",
                        "naive times",
                        hint="e.g. pd.DatetimeIndex(times).tz_localize('UTC')",
                    )
                ]
            )
        at = at.tz_convert("UTC")
    steps = int(np.ceil(reach / HOUR))
    first = at.floor("h")
    grid = pd.DataFrame(
        {
            "issued_at": np.repeat(at, steps),
            "timestamp": np.repeat(first, steps) + np.tile(np.arange(steps) * HOUR, len(at)),
        }
    )
    grid = grid[grid["timestamp"] < grid["issued_at"] + reach]
    values = observed.drop(columns="issued_at")
    forecasts = grid.merge(values, on="timestamp", how="inner")
    out = pd.concat([observed, forecasts[list(observed.columns)]], ignore_index=True)
    return validate_weather(out, source="<weather>")


def _positive(value: str | pd.Timedelta, name: str) -> pd.Timedelta:
    try:
        return as_timedelta(value)
    except ParameterError:
        raise ParameterError(
            [
                Problem(
                    f"`{name}`",
                    "a positive duration such as '1h' or '48h'",
                    repr(value),
                    hint=f"e.g. {name}='48h'",
                )
            ]
        ) from None
