"""What a planner's report shows, as data: :class:`PlanReport`, and its numbers per hour.

:func:`crowdcast.jobs.plan_event` fills a :class:`PlanReport` (forecasts, risk
tables, explanations, the calendar and what was changed);
:func:`~crowdcast.report.render_plan` turns it into HTML and
:func:`plan_table` into the spreadsheet table. Both read the same rounded
numbers from :func:`plan_table`, so the CSV and the report always agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crowdcast.profiles import SiteProfile
from crowdcast.report._card import ModelCard
from crowdcast.risk import RiskTable, quantile_at
from crowdcast.schemas import quantile_columns

__all__ = ["PLAN_COLUMNS", "PlanReport", "plan_table"]

#: The columns of the spreadsheet table, in order.
PLAN_COLUMNS = ("zone", "local_time", "expected", "low_80", "high_80", "level", "p_alert")


@dataclass(frozen=True)
class PlanReport:
    """Everything the planner's report shows.

    Attributes
    ----------
    site
        The site profile (zone names, areas, time zone, planning settings).
    start, end
        The planning window ``[start, end)`` (UTC, on the counts grid).
    last_count
        The start of the last counted interval the forecast starts after.
    forecast
        The forecast contract from the origin to ``end``: the scenario's when
        one is given.
    history
        Counts shown before the forecast (counts contract).
    events
        The event calendar the forecast used (with the scenario's changes).
    risk
        Levels and alerts of the window's rows (zones with an area or width).
    base, base_risk
        The forecast without the scenario and its levels (only with a scenario).
    changes
        The scenario (:mod:`crowdcast.scenarios` changes), described in words.
    base_events
        The calendar before the scenario's changes (for "instead of ...").
    event
        The id of the event planned for, if any.
    drivers
        The explanations at each zone's peak (``explain``: zone, timestamp,
        feature, value, label, contribution), if the model has them.
    card
        The model card; an excerpt and the whole card go into the report.
    provenance
        The forecast's provenance (model, training range, fit time...).
    attendance_seen
        Per event category, the lowest and highest attendance the model has
        seen (empty when the model has no event load).
    stale
        Whether the counts are older than the site's ``planning.max_data_age_h``
        (a plan forced with ``allow_stale``).
    notes
        Other warnings, as the library worded them.
    suppressed
        Whether small values were suppressed for publication.
    """

    site: SiteProfile
    start: pd.Timestamp
    end: pd.Timestamp
    last_count: pd.Timestamp
    forecast: pd.DataFrame
    history: pd.DataFrame
    events: pd.DataFrame
    risk: RiskTable | None = None
    base: pd.DataFrame | None = None
    base_risk: RiskTable | None = None
    changes: Sequence[Any] = ()
    base_events: pd.DataFrame | None = None
    event: str | None = None
    drivers: pd.DataFrame | None = None
    card: ModelCard | None = None
    provenance: Mapping[str, Any] = field(default_factory=dict)
    attendance_seen: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    stale: bool = False
    notes: Sequence[str] = ()
    suppressed: bool = False

    @property
    def freq(self) -> pd.Timedelta:
        """The forecast interval."""
        prov = self.provenance or self.forecast.attrs.get("provenance", {})
        if prov.get("freq"):
            return pd.Timedelta(str(prov["freq"]))
        steps = pd.DatetimeIndex(self.forecast["timestamp"].unique()).sort_values()
        return steps[1] - steps[0] if len(steps) > 1 else pd.Timedelta("1h")

    @property
    def zones(self) -> list[str]:
        """The forecast's zones, in the order of the site profile."""
        present = set(self.forecast["zone"])
        return [z for z in self.site.zone_ids if z in present]

    @property
    def data_age(self) -> pd.Timedelta:
        """From the end of the last counted interval to the start of the window."""
        return self.start - (self.last_count + self.freq)

    @property
    def planned_event(self) -> pd.DataFrame:
        """The calendar rows of the planned event (empty without one)."""
        if self.event is None:
            return self.events.iloc[:0]
        return self.events[self.events["event_id"] == self.event]

    def window_rows(self, table: pd.DataFrame) -> pd.DataFrame:
        """The rows of a forecast inside the window."""
        ts = table["timestamp"]
        return table[(ts >= self.start) & (ts < self.end)]


def _outer(forecast: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P10, P50 and P90 of each row, interpolated between the quantiles it has."""
    cols = quantile_columns(forecast)
    taus = np.array(list(cols.values()))
    values = forecast[list(cols)].to_numpy(dtype="float64")
    return tuple(quantile_at(values, taus, tau) for tau in (0.1, 0.5, 0.9))  # type: ignore[return-value]


def _whole(values: np.ndarray) -> pd.Series:
    return pd.Series(np.round(values), dtype="float64").astype("Int64")


def plan_table(report: PlanReport, forecast: pd.DataFrame | None = None) -> pd.DataFrame:
    """The spreadsheet table of a plan: one row per zone and interval of the window.

    Columns :data:`PLAN_COLUMNS`: ``zone``, ``local_time`` (the site's wall
    clock, ``YYYY-MM-DD HH:MM``), ``expected`` (P50), ``low_80`` and
    ``high_80`` (P10 and P90: the 80 % range) in whole persons, ``level``
    (the risk level at P50; empty for a zone without levels) and ``p_alert``
    (the probability of the zone's alert level or worse, two decimals).

    ``forecast`` is the report's own by default (``report.base`` gives the
    numbers without the scenario; its levels come from ``report.base_risk``).

    Examples
    --------
    >>> import crowdcast as cc
    >>> site = cc.load_site_profile(cc.sample_path() / "site.toml")
    >>> t = pd.Timestamp("2024-12-14 17:00", tz="UTC")
    >>> fc = pd.DataFrame({"zone": "stadium_plaza", "origin": t, "horizon": [1, 2],
    ...     "timestamp": [t, t + pd.Timedelta("1h")], "q0.1": [9000.4, 20000.0],
    ...     "q0.5": [18000.6, 30000.0], "q0.9": [27000.0, 40000.0]})
    >>> report = PlanReport(site, t, t + pd.Timedelta("2h"), t - pd.Timedelta("1h"), fc,
    ...                     fc.iloc[:0], fc.iloc[:0], risk=cc.assess(fc, site))
    >>> plan_table(report).to_string(index=False).splitlines()[1]
    'stadium_plaza 2024-12-14 18:00     18001    9000    27000 orange     0.50'
    """
    use_base = forecast is not None and forecast is report.base
    rows = report.window_rows(report.forecast if forecast is None else forecast)
    order = {z: i for i, z in enumerate(report.site.zone_ids)}
    rows = rows.assign(_order=rows["zone"].map(order)).sort_values(["_order", "timestamp"])
    low, mid, high = _outer(rows)
    local = pd.DatetimeIndex(rows["timestamp"]).tz_convert(report.site.timezone)
    out = pd.DataFrame(
        {
            "zone": rows["zone"].astype(str).to_numpy(),
            "local_time": local.strftime("%Y-%m-%d %H:%M"),
            "expected": _whole(mid),
            "low_80": _whole(low),
            "high_80": _whole(high),
        }
    )
    level, p_alert = _levels(report.base_risk if use_base else report.risk, rows)
    out["level"] = level
    out["p_alert"] = p_alert
    return out


def _levels(risk: RiskTable | None, rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per row the level at P50 and P(alert level or worse), from the risk table."""
    n = len(rows)
    level = pd.Series([None] * n, dtype="object")
    p_alert = pd.Series(np.full(n, np.nan))
    if risk is None or risk.table.empty:
        return level, p_alert
    t = risk.table
    alert_col = t["zone"].map({z: f"p_{s[2]}" for z, s in risk.schemes.items()})
    p = np.full(len(t), np.nan)
    for col in alert_col.dropna().unique():
        at = (alert_col == col).to_numpy()
        p[at] = t.loc[at, col].to_numpy(dtype="float64")
    keyed = pd.DataFrame(
        {"level": t["level"].to_numpy(), "p": p}, index=[t["zone"], t["timestamp"]]
    )
    keys = pd.MultiIndex.from_arrays([rows["zone"], rows["timestamp"]])
    found = keyed.reindex(keys)
    level = pd.Series(found["level"].to_numpy(), dtype="object")
    return level.where(level.notna(), None), pd.Series(np.round(found["p"].to_numpy(), 2))
