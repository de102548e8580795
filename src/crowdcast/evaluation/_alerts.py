"""Application KPIs of alerts: were they raised in time, and did they come true?

- :func:`alert_kpis`: precision, recall and lead time of a
  :class:`~crowdcast.risk.RiskTable`'s alerts against the actual counts;
- :func:`alert_kpis_backtest`: the alerts each model of a backtest would have
  raised (:func:`crowdcast.risk.assess` on every origin's forecast), judged
  the same way, one row per model.

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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crowdcast.exceptions import DataValidationError, ParameterError, Problem
from crowdcast.profiles import IndicatorLibrary, RiskSettings, SiteProfile
from crowdcast.risk import RiskTable, assess
from crowdcast.schemas import (
    FORECAST_KEYS,
    as_timedelta,
    infer_freq,
    quantile_columns,
    require_columns,
)

__all__ = ["AlertKPIs", "alert_kpis", "alert_kpis_backtest"]

_KPI_COLUMNS = [
    "model",
    "n_origins",
    "n_alerts",
    "n_alerted_days",
    "n_events",
    "n_hits",
    "n_misses",
    "n_false_alarms",
    "precision",
    "recall",
    "mean_lead_time",
]


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
    levels = {ind: alert for ind, _, alert in risk.schemes.values()}
    if pseudo.empty:
        return pseudo.assign(exceeded=pd.Series(dtype=bool))
    used = risk.settings if risk.settings is not None else site.risk
    observed = assess(
        pseudo,
        site,
        hazard=risk.hazard,
        settings=used.replace(alert_level=levels, alert_probability=0.5),
        library=library,
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


def _step(rows: pd.DataFrame) -> pd.Timedelta | None:
    """The forecast interval: smallest step within a forecast, else between timestamps."""
    per_forecast = rows.groupby(["zone", "origin"], sort=False).ngroup()
    for by in (per_forecast, None):
        try:
            return infer_freq(rows["timestamp"], by=by)
        except DataValidationError:  # fewer than two distinct timestamps (per forecast)
            continue
    return None


# Over 80 lines only for its numpydoc docstring: the code is about 30 lines.
def alert_kpis_backtest(
    table: pd.DataFrame,
    site: SiteProfile,
    *,
    model: str | Sequence[str] | None = None,
    hazard: str = "crowding",
    settings: RiskSettings | None = None,
    library: IndicatorLibrary | None = None,
    history: pd.DataFrame | None = None,
    freq: str | pd.Timedelta | None = None,
) -> pd.DataFrame:
    """Precision, recall and lead time of the alerts each backtested model would have raised.

    For each model, the rows of every origin become a forecast (``zone, origin,
    timestamp, horizon`` and the quantile columns the model produces), which
    :func:`~crowdcast.risk.assess` turns into alerts; :func:`alert_kpis`
    judges them against the table's ``actual`` column (NaN: not observed, not
    judged). Levels and alerts are exactly those of the risk module; events
    and hits are defined in this module's docstring.

    Parameters
    ----------
    table
        The long table of ``backtest(...)``.
    site
        The site profile (zone areas and widths, alert level and probability).
    model
        One model, several, or None for every model in the table.
    hazard, settings, library, history
        Passed to :func:`~crowdcast.risk.assess` (``settings``: the site's
        ``risk`` by default; ``history``: past counts, needed for
        ``hazard="busyness"``).
    freq
        The forecast interval (default: inferred from the timestamps; needed
        only when no forecast has two intervals and origins are farther apart).

    Returns
    -------
    DataFrame
        One row per model (order of first appearance): ``n_origins``,
        ``n_alerts`` (rows of ``RiskTable.alerts``: zone × origin), ``n_alerted_days``,
        ``n_events`` (zone-days that reached the alert level), ``n_hits``,
        ``n_misses`` (events without a timely alert), ``n_false_alarms`` (alerted
        zone-days that were not hits), ``precision``, ``recall`` and
        ``mean_lead_time`` (a Timedelta; NaT without hits).

    Examples
    --------
    >>> import pandas as pd, crowdcast as cc
    >>> site = cc.load_site_profile(cc.sample_path() / "site.toml")
    >>> t = pd.Timestamp("2024-12-14 15:00", tz="UTC")
    >>> bt = pd.DataFrame({"model": "gbm", "fold": 0, "origin": t, "zone": "stadium_plaza",
    ...     "timestamp": [t + pd.Timedelta(hours=h) for h in range(3)], "horizon": [1, 2, 3],
    ...     "q0.1": 1000.0, "q0.5": [2000.0, 30000.0, 2000.0], "q0.9": 40000.0,
    ...     "actual": [500.0, 20000.0, 40000.0], "event": True, "scale": 1000.0})
    >>> k = alert_kpis_backtest(bt, site)
    >>> k[["model", "n_alerts", "n_hits", "precision", "recall", "mean_lead_time"]]
      model  n_alerts  n_hits  precision  recall  mean_lead_time
    0   gbm         1       1        1.0     1.0 0 days 01:00:00
    """
    hint = "pass the table from backtest(...)"
    t = require_columns(table, ["model", *FORECAST_KEYS, "actual"], "backtest table", hint)
    step = as_timedelta(freq) if freq is not None else None
    out = []
    for m in _models(t, model):
        rows = t[t["model"] == m]
        risk = assess(
            _forecast_of(m, rows, step, hazard),
            site,
            hazard=hazard,
            settings=settings,
            library=library,
            history=history,
        )
        counts = (
            rows[["zone", "timestamp", "actual"]]
            .rename(columns={"actual": "count"})
            .drop_duplicates(["zone", "timestamp"])
        )
        k = alert_kpis(risk, counts, site, library, history=history)
        out.append(_kpi_row(m, rows, risk, k))
    leads = pd.Series([r.pop("mean_lead_time") for r in out], dtype="timedelta64[ns]")
    return pd.DataFrame(out, columns=_KPI_COLUMNS[:-1]).assign(mean_lead_time=leads)


def _models(table: pd.DataFrame, model: str | Sequence[str] | None) -> list[str]:
    """The models asked for (every model of the table by default), each one of the table."""
    available = [str(m) for m in pd.unique(table["model"].dropna())]
    models = available if model is None else [model] if isinstance(model, str) else list(model)
    unknown = [m for m in models if m not in available]
    if unknown or not models:
        raise ParameterError(
            [Problem("`model`", f"models of the backtest table ({available})", repr(unknown))]
        )
    return models


def _kpi_row(model: str, rows: pd.DataFrame, risk: RiskTable, k: AlertKPIs) -> dict[str, object]:
    """One model's row of :func:`alert_kpis_backtest`."""
    return {
        "model": model,
        "n_origins": int(rows["origin"].nunique()),
        "n_alerts": len(risk.alerts),
        "n_alerted_days": k.n_alerted_days,
        "n_events": k.n_events,
        "n_hits": k.n_hits,
        "n_misses": k.n_events - k.n_hits,
        "n_false_alarms": k.n_alerted_days - k.n_hits,
        "precision": k.precision,
        "recall": k.recall,
        "mean_lead_time": k.mean_lead_time,
    }


def _forecast_of(
    model: str, rows: pd.DataFrame, step: pd.Timedelta | None, hazard: str
) -> pd.DataFrame:
    """One model's rows of a backtest table as a forecast table with its interval."""
    cols = list(quantile_columns(rows, with_values=True))
    if len(cols) < 2:
        raise ParameterError(
            [
                Problem(
                    f"model {model!r}",
                    "a predictive distribution (two or more quantile columns) for alerts",
                    f"values only in {cols}",
                    hint="alerts need probabilities; choose the models with model=[...]",
                )
            ]
        )
    forecast = rows[[*FORECAST_KEYS, *cols]].reset_index(drop=True)
    interval = step if step is not None else _step(rows)
    if interval is not None:
        forecast.attrs["provenance"] = {"freq": str(interval)}
    elif hazard == "crowding":
        raise ParameterError(
            [
                Problem(
                    "`freq`",
                    "given when the table does not show the forecast interval",
                    "None, and one timestamp per forecast",
                    hint="e.g. freq='1h'",
                )
            ]
        )
    return forecast
