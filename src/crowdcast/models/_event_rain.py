"""Rain and events: how wet an event was or will be, and who minds.

The wetness of an event is ``log1p(2 × mean precipitation mm/h)`` over its
hours, as observed (past events) or as forecast at the origin; a zone's own
crowd and an event's crowd each get an elasticity to it, as the data show it
(zero unless clear).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crowdcast.schemas import History

__all__ = ["event_wetness", "rain_adjusted", "significant_slope"]


def event_wetness(
    events: pd.DataFrame, weather: pd.DataFrame, origin: pd.Timestamp | None = None
) -> np.ndarray:
    """``log1p(2 × mean precipitation mm/h)`` over each event's hours, NaN when unknown.

    Without ``origin`` the observed weather is used (past events); with it,
    per hour the latest forecast issued at or before ``origin``, else the
    observation when the hour ended by ``origin``.
    """
    if "precipitation_mm" not in weather or events.empty:
        return np.full(len(events), np.nan)
    issued = weather["issued_at"] if "issued_at" in weather else pd.Series(pd.NaT, weather.index)
    table = pd.DataFrame(
        {"timestamp": weather["timestamp"], "issued": issued, "mm": weather["precipitation_mm"]}
    )
    observed = table["issued"].isna()
    if origin is None:
        table = table[observed]
    else:
        ended = table["timestamp"] + pd.Timedelta("1h") <= origin
        forecast = ~observed & (table["issued"] <= origin)
        table = table[forecast | (observed & ended)]
        latest = table.groupby("timestamp")["issued"].transform("max")  # NaT: observations only
        table = table[latest.isna() | (table["issued"] == latest)]
    rain = table.groupby("timestamp")["mm"].mean().sort_index()  # stations averaged
    stamps = np.asarray(pd.DatetimeIndex(rain.index).as_unit("ns").asi8)
    cum = np.concatenate([[0.0], np.cumsum(np.nan_to_num(rain.to_numpy(dtype=float)))])
    known = np.concatenate([[0], np.cumsum(rain.notna().to_numpy())])
    starts = np.asarray(pd.DatetimeIndex(events["start"]).floor("h").as_unit("ns").asi8)
    ends = np.asarray(pd.DatetimeIndex(events["end"]).as_unit("ns").asi8)
    lo = np.searchsorted(stamps, starts, side="left")
    hi = np.searchsorted(stamps, ends, side="left")
    n = known[hi] - known[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, (cum[hi] - cum[lo]) / np.maximum(n, 1), np.nan)
    return np.log1p(2.0 * np.clip(mean, 0.0, None))


def significant_slope(x: np.ndarray, y: np.ndarray) -> float:
    """The least-squares slope of centred ``y`` on centred ``x`` when |t| > 2, else 0."""
    sxx = float(x @ x)
    if len(x) < 4 or sxx <= 0:
        return 0.0
    slope = float(x @ y) / sxx
    resid = y - slope * x
    se = np.sqrt(float(resid @ resid) / (len(x) - 2) / sxx)
    return slope if se > 0 and abs(slope / se) > 2 else 0.0


def rain_adjusted(
    history: History, baseline: np.ndarray, touched: np.ndarray, weather: pd.DataFrame
) -> np.ndarray:
    """The baseline scaled by each zone's own response to the rain observed in each interval.

    Without it, a square that empties in the rain would make its events look
    more rain-shy than they are. Per zone, the slope of ``log((count + 1) /
    (baseline + 1))`` on the wetness ``log1p(2 mm/h)`` over intervals no event
    touches (0 unless |t| > 2).
    """
    times = history.times(np.arange(history.values.shape[1]))
    hourly = weather.loc[weather.get("issued_at", pd.Series(pd.NaT, weather.index)).isna()]
    if "precipitation_mm" not in hourly or hourly.empty:
        return baseline
    rain = hourly.groupby("timestamp")["precipitation_mm"].mean()
    wet = np.log1p(2.0 * np.clip(rain.reindex(times.floor("h")).to_numpy(dtype=float), 0, None))
    out = baseline.copy()
    for z in range(history.values.shape[0]):
        y = np.log1p(history.values[z]) - np.log1p(baseline[z])
        ok = ~touched[z] & np.isfinite(y) & np.isfinite(wet)
        if ok.sum() < 50:
            continue
        x = wet[ok] - wet[ok].mean()
        slope = significant_slope(x, y[ok] - y[ok].mean())
        if slope:
            factor = np.exp(slope * (wet - wet[ok].mean()))
            out[z] = np.where(np.isfinite(factor), baseline[z] * factor, baseline[z])
    return out
