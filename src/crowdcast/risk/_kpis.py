"""Application KPIs of alerts against what actually happened.

Definitions (per zone and *local* calendar day of the site):

- **event**: a zone-day on which the actual count reached the alert level
  (P(level >= alert level) = 1 for the observed count, with the same scheme
  as the assessment) at some interval covered by the forecast; its time is
  the first such interval. Intervals not observed (NaN) do not count.
- **alert**: a row of ``RiskTable.alerts`` (zone, origin, first_alert); it is
  about the zone-day of its ``first_alert``.
- an alert is **timely** when its origin (when it was issued) is at or before
  the event's first exceedance; an alerted zone-day is a **hit** when it had
  an event and at least one timely alert. A late alert counts against precision.
- **precision** = hit zone-days / alerted zone-days; **recall** = events with a
  timely alert / events; **lead time** of a hit = first exceedance − origin of
  its earliest timely alert; ``mean_lead_time`` averages over hits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crowdcast.exceptions import ParameterError, Problem
from crowdcast.profiles import IndicatorLibrary, SiteProfile
from crowdcast.risk._assess import _DENSITY_INDICATORS, RiskTable, assess

__all__ = ["AlertKPIs", "alert_kpis"]


@dataclass(frozen=True)
class AlertKPIs:
    """Precision, recall and lead time of alerts; ``days`` holds every zone-day judged."""

    precision: float
    recall: float
    mean_lead_time: pd.Timedelta
    n_alerted_days: int
    n_events: int
    n_hits: int
    days: pd.DataFrame

    def __repr__(self) -> str:
        return (
            f"AlertKPIs(precision={self.precision:.2f}, recall={self.recall:.2f}, "
            f"mean_lead_time={self.mean_lead_time}, alerted_days={self.n_alerted_days}, "
            f"events={self.n_events}, hits={self.n_hits})"
        )


def _actual_exceedances(
    risk: RiskTable,
    counts: pd.DataFrame,
    site: SiteProfile,
    library: IndicatorLibrary | None,
    history: pd.DataFrame | None,
) -> pd.DataFrame:
    covered = risk.table[["zone", "timestamp"]].drop_duplicates()
    actual = covered.merge(counts[["zone", "timestamp", "count"]], on=["zone", "timestamp"])
    actual = actual.dropna(subset=["count"]).reset_index(drop=True)
    pseudo = pd.DataFrame(
        {
            "zone": actual["zone"],
            "origin": actual["timestamp"],
            "timestamp": actual["timestamp"],
            "horizon": 1,
            "q0.1": actual["count"],
            "q0.5": actual["count"],
            "q0.9": actual["count"],
        }
    )
    if risk.freq is not None:
        pseudo.attrs["provenance"] = {"freq": str(risk.freq)}
    indicators = {ind for ind, _, _ in risk.schemes.values()}
    scheme = next((k for k, v in _DENSITY_INDICATORS.items() if v in indicators), None)
    levels = {ind: alert for ind, _, alert in risk.schemes.values()}
    if pseudo.empty:
        return pseudo.assign(exceeded=pd.Series(dtype=bool))
    observed = assess(
        pseudo,
        site,
        library,
        hazard=risk.hazard,
        scheme=scheme,
        alert_level=levels,
        alert_probability=0.5,
        history=history,
    ).table
    alert_of = {z: alert for z, (_, _, alert) in risk.schemes.items()}
    p = np.array(
        [observed.at[i, f"p_{alert_of[z]}"] for i, z in enumerate(observed["zone"])],
        dtype="float64",
    )
    return observed.assign(exceeded=p >= 1.0)


def alert_kpis(
    risk: RiskTable,
    counts: pd.DataFrame,
    site: SiteProfile,
    library: IndicatorLibrary | None = None,
    *,
    history: pd.DataFrame | None = None,
) -> AlertKPIs:
    """Precision, recall and mean lead time of ``risk``'s alerts against actual ``counts``.

    See the module docstring for the exact definitions. ``history`` is needed
    only for busyness levels (the percentiles the levels were judged on).

    Examples
    --------
    >>> import pandas as pd, crowdcast as cc
    >>> site = cc.load_site_profile(cc.sample_path() / "site.toml")
    >>> t = pd.Timestamp("2024-12-14 15:00", tz="UTC")
    >>> fc = pd.DataFrame({"zone": "stadium_plaza", "origin": t,
    ...     "timestamp": [t + pd.Timedelta(hours=h) for h in range(3)], "horizon": [1, 2, 3],
    ...     "q0.1": 1000.0, "q0.5": [2000.0, 30000.0, 2000.0], "q0.9": 40000.0})
    >>> actual = fc[["zone", "timestamp"]].assign(count=[500.0, 20000.0, 40000.0])
    >>> k = alert_kpis(assess(fc, site), actual, site)
    >>> k.precision, k.recall, k.mean_lead_time
    (1.0, 1.0, Timedelta('0 days 01:00:00'))
    """
    if not isinstance(risk, RiskTable):
        raise ParameterError(
            [Problem("`risk`", "a RiskTable from assess(...)", type(risk).__name__)]
        )
    tz = site.timezone
    obs = _actual_exceedances(risk, counts, site, library, history)
    ex = obs[obs["exceeded"]]
    events = (
        ex.assign(day=ex["timestamp"].dt.tz_convert(tz).dt.date)
        .groupby(["zone", "day"], as_index=False)
        .agg(first_exceedance=("timestamp", "min"))
    )
    al = risk.alerts.assign(day=risk.alerts["first_alert"].dt.tz_convert(tz).dt.date)
    days = events.merge(
        al[["zone", "day", "origin"]], on=["zone", "day"], how="outer", indicator=True
    )
    days["alerted"] = days["origin"].notna()
    days["timely"] = days["alerted"] & (days["origin"] <= days["first_exceedance"])
    per_day = days.groupby(["zone", "day"], as_index=False).agg(
        first_exceedance=("first_exceedance", "first"),
        alerted=("alerted", "any"),
        hit=("timely", "any"),
    )
    timely = days[days["timely"]].groupby(["zone", "day"])["origin"].min()
    per_day = per_day.merge(timely.rename("earliest_timely_alert"), on=["zone", "day"], how="left")
    per_day["event"] = per_day["first_exceedance"].notna()
    per_day["lead_time"] = per_day["first_exceedance"] - per_day["earliest_timely_alert"]
    n_alerted = int(per_day["alerted"].sum())
    n_events = int(per_day["event"].sum())
    n_hits = int(per_day["hit"].sum())
    leads = per_day.loc[per_day["hit"], "lead_time"]
    return AlertKPIs(
        precision=n_hits / n_alerted if n_alerted else float("nan"),
        recall=n_hits / n_events if n_events else float("nan"),
        mean_lead_time=pd.Timedelta(leads.mean()) if len(leads) else pd.Timedelta("NaT"),
        n_alerted_days=n_alerted,
        n_events=n_events,
        n_hits=n_hits,
        days=per_day.sort_values(["zone", "day"], ignore_index=True),
    )
