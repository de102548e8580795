"""Daily peaks: does the forecast get the level and the time of each day's peak right?

The input is the long table of ``backtest(...)`` (``model, origin, zone,
timestamp``, ``q0.5`` and ``actual``; see :mod:`crowdcast.evaluation._kpis`).

Definitions: for each model, origin, zone and *local* date of the target
timestamp with at least one observed actual (a **forecast day**), the actual
peak is the largest observed actual and its time the first interval where it
occurs; the forecast peak is the largest ``q0.5`` over the **same observed
intervals** and its time the first interval where that occurs. Comparing over
the same intervals keeps an unobserved interval from counting against the
forecast. ``peak_error = forecast peak - actual peak`` (positive:
over-forecast) and ``timing_error_hours = forecast peak time - actual peak
time`` in hours (positive: the forecast peaks later than reality).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

import numpy as np
import pandas as pd

from crowdcast._validation import Problems, check_timezone
from crowdcast.evaluation._tables import (
    POINT,
    check_forecasts,
    check_table,
    model_categories,
    produced_columns,
)
from crowdcast.exceptions import ParameterError
from crowdcast.schemas import DAY, HOUR

__all__ = ["peak_days", "peak_kpis"]

_PEAK_REQUIRED = ("model", "origin", "zone", "timestamp", "actual")
_DAY_KEYS = ["model", "origin", "zone", "day"]
_PEAK_COLUMNS = [
    "n_intervals",
    "n_observed",
    "complete",
    "actual_peak",
    "actual_peak_time",
    "forecast_peak",
    "forecast_peak_time",
    "peak_error",
    "timing_error_hours",
]


def peak_days(table: pd.DataFrame, *, timezone: str | dt.tzinfo) -> pd.DataFrame:
    """The daily peak of every forecast day, actual against forecast (``q0.5``).

    A forecast day is a (model, origin, zone, local date of the target in
    ``timezone``) with at least one observed actual; see the module docstring
    for the exact definitions of the peaks and the errors.

    Returns
    -------
    DataFrame
        ``model, origin, zone, day`` (a ``datetime.date``), ``n_intervals``
        (rows of that day), ``n_observed`` (of them with an actual),
        ``complete`` (True when the rows cover the whole local day at the
        forecast's regular step, every one observed: a peak of a partial day is
        only the peak of the covered window), ``actual_peak``,
        ``actual_peak_time``, ``forecast_peak``, ``forecast_peak_time`` (UTC),
        ``peak_error`` and ``timing_error_hours``. Models in order of first
        appearance, then sorted by origin, zone and day.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.Timestamp("2024-06-01 10:00", tz="UTC")
    >>> table = pd.DataFrame({"model": "m", "origin": t, "zone": "square",
    ...     "timestamp": [t + pd.Timedelta(hours=h) for h in range(4)],
    ...     "q0.5": [10.0, 30.0, 20.0, 5.0], "actual": [10.0, 20.0, 40.0, float("nan")]})
    >>> d = peak_days(table, timezone="Europe/Amsterdam")
    >>> d[["day", "actual_peak", "forecast_peak", "peak_error", "timing_error_hours"]]
              day  actual_peak  forecast_peak  peak_error  timing_error_hours
    0  2024-06-01         40.0           30.0       -10.0                -1.0
    """
    return _peak_days(table, timezone, "peak_days")[0]


def peak_kpis(
    table: pd.DataFrame, *, timezone: str | dt.tzinfo, complete_only: bool = False
) -> pd.DataFrame:
    """Daily-peak KPIs per model: level and timing of the peak (see :func:`peak_days`).

    Parameters
    ----------
    table
        The long table of ``backtest(...)``.
    timezone
        The site's time zone: days are local calendar days.
    complete_only
        Judge only days the forecast covers completely, every interval observed.

    Returns
    -------
    DataFrame
        One row per model (order of first appearance): ``n_days`` (forecast
        days judged), ``n_complete_days``, ``n_unobserved_days`` (forecast days
        without any observed actual, left out), ``peak_mae`` (mean ``|forecast
        peak - actual peak|``), ``peak_bias`` (mean ``forecast peak - actual
        peak``), ``timing_mae_hours`` (mean ``|timing error|``) and
        ``timing_bias_hours`` (mean timing error; positive: forecast peaks late).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.Timestamp("2024-06-01 10:00", tz="UTC")
    >>> table = pd.DataFrame({"model": "m", "origin": t, "zone": "square",
    ...     "timestamp": [t + pd.Timedelta(hours=h) for h in range(4)],
    ...     "q0.5": [10.0, 30.0, 20.0, 5.0], "actual": [10.0, 20.0, 40.0, float("nan")]})
    >>> peak_kpis(table, timezone="Europe/Amsterdam")[["model", "n_days", "peak_mae",
    ...     "timing_mae_hours"]]
      model  n_days  peak_mae  timing_mae_hours
    0     m       1      10.0               1.0
    """
    per_day, unobserved = _peak_days(table, timezone, "peak_kpis")
    if complete_only:
        per_day = per_day[per_day["complete"]]
    models = pd.Index(pd.unique(table["model"]), name="model")
    g = per_day.assign(
        abs_peak=per_day["peak_error"].abs(), abs_timing=per_day["timing_error_hours"].abs()
    ).groupby("model", sort=False)
    out = pd.DataFrame(
        {
            "n_days": g.size(),
            "n_complete_days": g["complete"].sum(),
            "peak_mae": g["abs_peak"].mean(),
            "peak_bias": g["peak_error"].mean(),
            "timing_mae_hours": g["abs_timing"].mean(),
            "timing_bias_hours": g["timing_error_hours"].mean(),
        }
    ).reindex(models)
    out[["n_days", "n_complete_days"]] = out[["n_days", "n_complete_days"]].fillna(0)
    out.insert(2, "n_unobserved_days", [unobserved.get(m, 0) for m in models])
    out = out.astype({"n_days": "int64", "n_complete_days": "int64"}).reset_index()
    out.attrs = {"timezone": str(timezone), "complete_only": complete_only}
    return out


# ---------------------------------------------------------------------------- the days


def _peak_days(
    table: pd.DataFrame, timezone: str | dt.tzinfo, function: str
) -> tuple[pd.DataFrame, dict[Hashable, int]]:
    """The per-day table and, per model, the number of forecast days without observations."""
    arguments = Problems(error=ParameterError, title=f"Invalid arguments of {function}()")
    arguments.attempt(check_timezone, timezone)
    arguments.raise_if_any()
    table = check_table(table, _PEAK_REQUIRED, function)
    rows = _day_rows(table, timezone, function)
    days = _days(rows, timezone)
    out = days[["n_intervals", "n_observed", "complete"]].join(
        _peaks(rows[rows["observed"]]), how="inner"
    )
    out["n_observed"] = out["n_observed"].astype("int64")
    out["peak_error"] = out["forecast_peak"] - out["actual_peak"]
    timing = out["forecast_peak_time"] - out["actual_peak_time"]
    out["timing_error_hours"] = timing.dt.total_seconds() / HOUR.total_seconds()
    out = out[_PEAK_COLUMNS].reset_index()
    out["day"] = out["day"].dt.date
    out["model"] = out["model"].astype(table["model"].dtype)
    out.attrs = {"timezone": str(timezone)}
    return out, _unobserved(days)


def _day_rows(table: pd.DataFrame, timezone: str | dt.tzinfo, function: str) -> pd.DataFrame:
    """The rows with their local day, forecast, whether observed, and their forecast's step."""
    y = table["actual"].to_numpy(dtype="float64", na_value=np.nan)
    obs = ~np.isnan(y)
    found = Problems(title=f"Cannot compute {function}()")
    check_forecasts(table, obs, produced_columns(table, [POINT]), found)
    found.raise_if_any()
    ts = table["timestamp"]
    day = ts.dt.tz_convert(timezone).dt.tz_localize(None).dt.normalize()
    rows = pd.DataFrame(
        {
            "model": model_categories(table),
            "origin": table["origin"].array,
            "zone": table["zone"].array,
            "day": day.array,
            "timestamp": ts.array,
            "actual": y,
            "forecast": table[POINT].to_numpy(dtype="float64", na_value=np.nan),
            "observed": obs,
        },
        index=table.index,
    )
    # The regular step of each forecast (origin, zone): span / (rows - 1).
    per_fc = rows.groupby(["model", "origin", "zone"], observed=True, sort=False)["timestamp"]
    span = per_fc.transform("max") - per_fc.transform("min")
    count = per_fc.transform("size")
    rows["step"] = span / (count - 1).where(count > 1)
    return rows


def _days(rows: pd.DataFrame, timezone: str | dt.tzinfo) -> pd.DataFrame:
    """Per forecast day: its rows, observed rows, first timestamp, step and completeness."""
    days = rows.groupby(_DAY_KEYS, observed=True, sort=True).agg(
        n_intervals=("timestamp", "size"),
        n_observed=("observed", "sum"),
        first=("timestamp", "min"),
        step=("step", "first"),
    )
    # complete: the rows start at local midnight and fill the local day (23/24/25 h) at the step.
    start = _local_midnight_utc(days.index.get_level_values("day"), timezone)
    end = _local_midnight_utc(days.index.get_level_values("day") + DAY, timezone)
    length = pd.Series(end - start, index=days.index)
    days["complete"] = (
        (days["n_observed"] == days["n_intervals"])
        & (days["first"] == pd.Series(start, index=days.index))
        & (days["step"] * days["n_intervals"] == length).fillna(False).astype(bool)
    )
    return days


def _peaks(seen: pd.DataFrame) -> pd.DataFrame:
    """Per forecast day, from its observed rows: the actual and forecast peaks and their times."""
    grouped = seen.groupby(_DAY_KEYS, observed=True, sort=True)
    peak = grouped.agg(actual_peak=("actual", "max"), forecast_peak=("forecast", "max"))
    at_a = seen["actual"] == seen.groupby(_DAY_KEYS, observed=True)["actual"].transform("max")
    at_f = seen["forecast"] == seen.groupby(_DAY_KEYS, observed=True)["forecast"].transform("max")
    peak["actual_peak_time"] = seen[at_a].groupby(_DAY_KEYS, observed=True)["timestamp"].min()
    peak["forecast_peak_time"] = seen[at_f].groupby(_DAY_KEYS, observed=True)["timestamp"].min()
    return peak


def _local_midnight_utc(days: pd.Index, timezone: str | dt.tzinfo) -> pd.DatetimeIndex:
    """UTC instants of local midnight of naive local dates (shifted forward if nonexistent)."""
    idx = pd.DatetimeIndex(days)
    local = idx.tz_localize(
        timezone, ambiguous=np.ones(len(idx), dtype=bool), nonexistent="shift_forward"
    )
    return local.tz_convert("UTC")


def _unobserved(days: pd.DataFrame) -> dict[Hashable, int]:
    """Per model: forecast days without a single observed actual."""
    none = days[days["n_observed"] == 0]
    counts = none.index.get_level_values("model").value_counts(sort=False)
    return {m: int(c) for m, c in counts.items() if c}
