"""Tables for people: the peak of each zone in a forecast, next to last week."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crowdcast._validation import check_timezone
from crowdcast.risk import RiskTable

__all__ = ["peak_table"]


def peak_table(
    forecast: pd.DataFrame,
    counts: pd.DataFrame,
    timezone: str,
    *,
    risk: RiskTable | None = None,
) -> pd.DataFrame:
    """Per zone: the peak interval of the median forecast, P50 and P90 there, and the change
    against the count observed at the same local time one week earlier.

    ``timezone`` (an IANA name, e.g. ``site.timezone``) is the time zone of
    the ``peak`` column. With ``risk`` (:func:`crowdcast.assess` of the
    forecast) the table also has, at the peak, the ``level`` and ``p_alert``,
    the probability of the zone's alert level or worse (empty for zones the
    risk table does not hold).

    Examples
    --------
    >>> t = pd.date_range("2024-06-08", periods=3, freq="h", tz="UTC")
    >>> fc = pd.DataFrame({"zone": "a", "origin": t[0], "timestamp": t, "horizon": [1, 2, 3],
    ...                    "q0.5": [5.0, 9.0, 7.0], "q0.9": [8.0, 12.0, 9.0]})
    >>> obs = pd.DataFrame({"zone": "a", "timestamp": t - pd.Timedelta("7D"), "count": 6.0})
    >>> table = peak_table(fc, obs, "UTC")
    >>> table[["zone", "p50", "p90", "last_week", "change_pct"]].values.tolist()
    [['a', 9.0, 12.0, 6.0, 50.0]]
    """
    check_timezone(timezone)
    top = forecast.loc[forecast.groupby("zone", sort=True)["q0.5"].idxmax()].reset_index(drop=True)
    week_ago = top["timestamp"] - pd.Timedelta("7D")
    observed = counts.set_index(["zone", "timestamp"])["count"]
    keys = pd.MultiIndex.from_arrays([top["zone"], week_ago])
    last_week = observed.reindex(keys).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(last_week > 0, 100 * (top["q0.5"].to_numpy() / last_week - 1), np.nan)
    out = pd.DataFrame(
        {
            "zone": top["zone"],
            "peak": top["timestamp"].dt.tz_convert(timezone),
            "p50": top["q0.5"].round(0),
            "p90": top["q0.9"].round(0) if "q0.9" in top else np.nan,
            "last_week": last_week,
            "change_pct": np.round(change, 1),
        }
    )
    if risk is not None:
        out[["level", "p_alert"]] = _at_peak(risk, top)
    return out


def _at_peak(risk: RiskTable, top: pd.DataFrame) -> pd.DataFrame:
    """The level and P(alert level or worse) of each peak row, from the risk table."""
    from crowdcast.report._plan import _levels

    level, p_alert = _levels(risk, top)
    return pd.DataFrame({"level": level.to_numpy(), "p_alert": p_alert.to_numpy()}, index=top.index)
