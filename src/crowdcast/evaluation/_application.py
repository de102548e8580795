"""Application KPIs: what acting on the forecasts achieves, apart from their accuracy.

- :func:`alert_kpis_backtest`: the alerts each model of a backtest would have
  raised (:func:`crowdcast.risk.assess` on every origin's forecast) judged
  against the actual counts by :func:`crowdcast.risk.alert_kpis`: precision,
  recall and lead time per model (definitions in :mod:`crowdcast.risk._kpis`).
- :func:`hit_rate`: for incident hazards (aggression, ...), the share of
  incidents that fall in the top-ranked ``(zone, interval)`` rows of a risk
  score, against the share of rows that are top.

Hit rate, with ``N`` ranked rows (a zone and interval with a score) and
``top`` the share to flag:

- the ``K = top × N`` highest-scored rows are **top**. Ties: rows strictly
  above the cut-off score are top (weight 1); the rows *tied* at the cut-off
  share the remaining ``K - (rows above)`` places equally (each gets the same
  fractional weight), which is the expected result of breaking the tie at
  random. So the outcome never depends on row order, and exactly ``K`` rows
  (in weight) are top even when ``K`` is not whole;
- ``hit_rate`` = Σ incidents × weight of their row / incidents in ranked rows;
  ``base_rate`` = Σ weights / N (= ``top``); ``lift`` = hit_rate / base_rate
  (1: the score does no better than flagging rows at random);
- an incident counts in the row of its zone whose interval ``[timestamp,
  timestamp + step)`` contains it (``step``: the smallest gap between the risk
  table's timestamps). Incidents in no ranked row (absent from the risk table,
  or with a NaN score) are not in the rates but counted in ``n_unmatched`` and
  listed in ``unmatched``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crowdcast.exceptions import ParameterError, Problem, SchemaError
from crowdcast.profiles import IndicatorLibrary, SiteProfile
from crowdcast.risk import RiskTable, alert_kpis, assess
from crowdcast.schemas import as_timedelta, quantile_columns, validate_incidents

__all__ = ["HitRate", "alert_kpis_backtest", "hit_rate"]

_FORECAST = ["zone", "origin", "timestamp", "horizon"]
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


def require_table(
    table: object, columns: Sequence[str], what: str, hint: str | None = None
) -> pd.DataFrame:
    """``table`` as a DataFrame with ``columns``, else a SchemaError naming what is missing."""
    if not isinstance(table, pd.DataFrame):
        raise SchemaError(
            [Problem(f"the {what}", "a pandas DataFrame", type(table).__name__, hint=hint)],
            title=f"Invalid {what}",
        )
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SchemaError(
            [
                Problem(
                    f"the {what}'s columns {', '.join(columns)}",
                    "present",
                    f"no column {', '.join(repr(m) for m in missing)} among {list(table.columns)}",
                    hint=hint,
                )
            ],
            title=f"Invalid {what}",
        )
    return table


def _step(rows: pd.DataFrame) -> pd.Timedelta | None:
    """The forecast interval: smallest step within a forecast, else between timestamps."""
    within = (
        rows.sort_values(["zone", "origin", "timestamp"])
        .groupby(["zone", "origin"])["timestamp"]
        .diff()
    )
    within = within[within > pd.Timedelta(0)]
    if len(within):
        return pd.Timedelta(within.min())
    stamps = pd.DatetimeIndex(rows["timestamp"].unique()).sort_values()
    gaps = stamps[1:] - stamps[:-1]
    return pd.Timedelta(gaps.min()) if len(gaps) else None


# ----------------------------------------------------------------------------- alerts


def alert_kpis_backtest(
    table: pd.DataFrame,
    site: SiteProfile,
    *,
    model: str | Sequence[str] | None = None,
    library: IndicatorLibrary | None = None,
    history: pd.DataFrame | None = None,
    hazard: str = "crowding",
    scheme: str | None = None,
    alert_level: str | Mapping[str, str] | None = None,
    alert_probability: float | None = None,
    freq: str | pd.Timedelta | None = None,
) -> pd.DataFrame:
    """Precision, recall and lead time of the alerts each backtested model would have raised.

    For each model, the rows of every origin become a forecast (``zone, origin,
    timestamp, horizon`` and the quantile columns the model produces), which
    :func:`~crowdcast.risk.assess` turns into alerts; :func:`~crowdcast.risk.alert_kpis`
    judges them against the table's ``actual`` column (NaN: not observed, not
    judged). Levels, alerts, events and hits are exactly those of the risk
    module (see :mod:`crowdcast.risk._kpis`).

    Parameters
    ----------
    table
        The long table of ``backtest(...)``.
    site
        The site profile (zone areas and widths, alert level and probability).
    model
        One model, several, or None for every model in the table.
    library, history, hazard, scheme, alert_level, alert_probability
        Passed to :func:`~crowdcast.risk.assess` (``history``: past counts,
        needed for ``hazard="busyness"``).
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
    t = require_table(table, ["model", *_FORECAST, "actual"], "backtest table", hint)
    available = [str(m) for m in pd.unique(t["model"].dropna())]
    models = available if model is None else [model] if isinstance(model, str) else list(model)
    unknown = [m for m in models if m not in available]
    if unknown or not models:
        raise ParameterError(
            [Problem("`model`", f"models of the backtest table ({available})", repr(unknown))]
        )
    step = as_timedelta(freq) if freq is not None else None
    out = []
    for m in models:
        rows = t[t["model"] == m]
        cols = list(quantile_columns(rows, with_values=True))
        if len(cols) < 2:
            raise ParameterError(
                [
                    Problem(
                        f"model {m!r}",
                        "a predictive distribution (two or more quantile columns) for alerts",
                        f"values only in {cols}",
                        hint="alerts need probabilities; choose the models with model=[...]",
                    )
                ]
            )
        forecast = rows[[*_FORECAST, *cols]].reset_index(drop=True)
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
        counts = (
            rows[["zone", "timestamp", "actual"]]
            .rename(columns={"actual": "count"})
            .drop_duplicates(["zone", "timestamp"])
        )
        risk = assess(
            forecast,
            site,
            library,
            hazard=hazard,
            scheme=scheme,
            alert_level=alert_level,
            alert_probability=alert_probability,
            history=history,
        )
        k = alert_kpis(risk, counts, site, library, history=history)
        out.append(
            {
                "model": m,
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
        )
    leads = pd.Series([r.pop("mean_lead_time") for r in out], dtype="timedelta64[ns]")
    return pd.DataFrame(out, columns=_KPI_COLUMNS[:-1]).assign(mean_lead_time=leads)


# ----------------------------------------------------------------------------- hit rate


@dataclass(frozen=True)
class HitRate:
    """Share of incidents in the top-ranked rows of a risk score (see the module docstring).

    Attributes
    ----------
    hit_rate, base_rate, lift
        Incidents in top rows / incidents in ranked rows; top rows / ranked
        rows (= ``top``); their ratio.
    top, score
        The share flagged and the score column ranked.
    n_incidents
        Incidents (sum of ``count``) of the kinds considered.
    n_matched, n_unmatched
        Incidents in a ranked row, and in none (absent or NaN score).
    n_rows, n_top
        Ranked rows, and top rows (a sum of weights: fractional at a tie).
    rows
        The ranked rows: ``zone, timestamp, score, rank`` (1 = highest; tied
        rows share their best rank), ``top`` (weight 0..1) and ``incidents``.
    unmatched
        The incident rows in no ranked row.
    """

    hit_rate: float
    base_rate: float
    lift: float
    top: float
    score: str
    n_incidents: int
    n_matched: int
    n_unmatched: int
    n_rows: int
    n_top: float
    rows: pd.DataFrame = field(repr=False)
    unmatched: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"HitRate(hit_rate={self.hit_rate:.3f}, base_rate={self.base_rate:.3f}, "
            f"lift={self.lift:.2f}, score={self.score!r}, incidents={self.n_incidents}, "
            f"matched={self.n_matched}, unmatched={self.n_unmatched}, rows={self.n_rows})"
        )


def _alert_probability(risk: RiskTable) -> pd.Series:
    """P(level >= the zone's alert level) per row of a RiskTable."""
    t = risk.table
    out = pd.Series(np.nan, index=t.index, dtype="float64")
    for zone, (_, _, alert) in risk.schemes.items():
        rows = t["zone"] == zone
        out[rows] = t.loc[rows, f"p_{alert}"]
    return out


def _scored(risk: pd.DataFrame | RiskTable, score: str | None) -> tuple[pd.DataFrame, str]:
    hint = "pass indicator_lift(...), assess(...) or a table with zone, timestamp and a score"
    if isinstance(risk, RiskTable):
        table = risk.table
        if score is None:
            score = "p_alert"
            table = table.assign(p_alert=_alert_probability(risk))
    else:
        table = require_table(risk, ["zone", "timestamp"], "risk table", hint)
        if score is None:
            score = next((c for c in ("lift", "p_alert") if c in table.columns), None)
    numeric = [
        str(c)
        for c in table.columns
        if pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
    ]
    if score is None or score not in numeric:
        raise ParameterError(
            [
                Problem(
                    "`score`",
                    f"a numeric column of the risk table ({', '.join(numeric)})",
                    repr(score),
                    hint="score='lift' for indicator_lift(...), score='p_<level>' for assess(...)",
                )
            ]
        )
    ts = table["timestamp"]
    if not isinstance(ts.dtype, pd.DatetimeTZDtype):
        raise SchemaError(
            [Problem("`timestamp` of the risk table", "timezone-aware", str(ts.dtype), hint=hint)]
        )
    dup = table.duplicated(["zone", "timestamp"])
    if dup.any():
        raise ParameterError(
            [
                Problem(
                    "the risk table",
                    "one row per zone and interval (one forecast of each interval)",
                    f"{int(dup.sum())} repeated (zone, timestamp) rows",
                    rows=tuple(table.index[dup].tolist()),
                    hint="keep one horizon, e.g. dataclasses.replace(risk, "
                    "table=risk.table[risk.table['horizon'] == 1])",
                )
            ]
        )
    out = pd.DataFrame(
        {
            "zone": table["zone"].astype(str).to_numpy(),
            "timestamp": ts.dt.tz_convert("UTC").astype("datetime64[ns, UTC]").array,
            "score": table[score].to_numpy(dtype="float64"),
        }
    )
    return out, score


def _top_weights(score: np.ndarray, top: float) -> tuple[np.ndarray, np.ndarray]:
    """Per row: its weight in the top ``top`` share (ties share) and its rank (min method)."""
    _, inverse, counts = np.unique(-score, return_inverse=True, return_counts=True)
    above = np.cumsum(counts) - counts  # rows with a strictly higher score
    places = top * len(score)
    weight = np.clip((places - above) / counts, 0.0, 1.0)
    return weight[inverse.ravel()], (above + 1)[inverse.ravel()]


def hit_rate(
    risk: pd.DataFrame | RiskTable,
    incidents: pd.DataFrame,
    *,
    top: float = 0.05,
    kind: str | Sequence[str] | None = None,
    score: str | None = None,
) -> HitRate:
    """Share of incidents in the ``top`` share of (zone, interval) rows ranked by a risk score.

    See the module docstring for the ranking, the tie rule and the matching.

    Parameters
    ----------
    risk
        One row per zone and interval with a score: :func:`~crowdcast.risk.indicator_lift`
        (score ``lift``), a :class:`~crowdcast.risk.RiskTable` (default score:
        each zone's P(level >= alert level), named ``p_alert``) or any table
        with ``zone, timestamp`` and the ``score`` column.
    incidents
        The incidents contract (``timestamp, zone, kind, count``).
    top
        The share of rows flagged, in (0, 1].
    kind
        The incident kind(s) to count (default all).
    score
        The column ranked (higher = riskier); default ``lift``, or ``p_alert``.

    Examples
    --------
    >>> import pandas as pd
    >>> ts = pd.date_range("2024-06-01", periods=4, freq="h", tz="UTC")
    >>> lift = pd.DataFrame({"zone": "street", "timestamp": ts, "lift": [3.0, 1.0, 2.0, 1.0]})
    >>> inc = pd.DataFrame({"timestamp": ts[[0, 1]], "zone": "street", "kind": "aggression",
    ...     "count": [3, 1]})
    >>> r = hit_rate(lift, inc, top=0.25)  # the top row (lift 3) holds 3 of 4 incidents
    >>> r.hit_rate, r.base_rate, r.lift
    (0.75, 0.25, 3.0)
    >>> r = hit_rate(lift, inc, top=0.75)  # two rows tied at 1.0 share the third place
    >>> r.rows[["score", "rank", "top", "incidents"]].to_numpy().tolist()
    [[3.0, 1.0, 1.0, 3.0], [1.0, 3.0, 0.5, 1.0], [2.0, 2.0, 1.0, 0.0], [1.0, 3.0, 0.5, 0.0]]
    >>> r.hit_rate  # (3 + 0.5 × 1) / 4
    0.875
    """
    if not 0 < top <= 1:
        raise ParameterError(
            [Problem("`top`", "a share in (0, 1]", repr(top), hint="e.g. top=0.05 (5 %)")]
        )
    rows, score = _scored(risk, score)
    inc = validate_incidents(incidents, source="incidents")
    if kind is not None:
        kinds = [kind] if isinstance(kind, str) else list(kind)
        known = sorted(inc["kind"].unique().tolist())
        unknown = [k for k in kinds if k not in known]
        if unknown:
            raise ParameterError(
                [
                    Problem(
                        "`kind`", f"incident kinds of the table ({', '.join(known)})", repr(unknown)
                    )
                ]
            )
        inc = inc[inc["kind"].isin(kinds)]
    inc = inc.reset_index(drop=True)

    ranked = rows[rows["score"].notna()].reset_index(drop=True)
    weight, rank = _top_weights(ranked["score"].to_numpy(), top)
    ranked["rank"] = rank.astype("int64")
    ranked["top"] = weight

    stamps = pd.DatetimeIndex(rows["timestamp"].unique()).sort_values()
    gaps = stamps[1:] - stamps[:-1]
    step = pd.Timedelta(gaps.min()) if len(gaps) else pd.Timedelta(0)
    slots = ranked[["zone", "timestamp"]].assign(_row=np.arange(len(ranked)))
    matched = pd.merge_asof(
        inc.assign(_order=np.arange(len(inc))).sort_values("timestamp"),
        slots.sort_values("timestamp"),
        on="timestamp",
        by="zone",
        direction="backward",
        tolerance=max(step - pd.Timedelta(1, "ns"), pd.Timedelta(0)),
    ).sort_values("_order")
    row = matched["_row"].to_numpy(dtype="float64")
    found = ~np.isnan(row)
    count = inc["count"].to_numpy(dtype="int64")
    per_row = np.bincount(row[found].astype("int64"), weights=count[found], minlength=len(ranked))
    ranked["incidents"] = per_row.astype("int64")

    n_matched = int(count[found].sum())
    hits = float((per_row * weight).sum())
    n_rows = len(ranked)
    n_top = float(weight.sum())
    rate = hits / n_matched if n_matched else float("nan")
    base = n_top / n_rows if n_rows else float("nan")
    return HitRate(
        hit_rate=rate,
        base_rate=base,
        lift=rate / base if base else float("nan"),
        top=top,
        score=score,
        n_incidents=int(count.sum()),
        n_matched=n_matched,
        n_unmatched=int(count[~found].sum()),
        n_rows=n_rows,
        n_top=n_top,
        rows=ranked[["zone", "timestamp", "score", "rank", "top", "incidents"]],
        unmatched=inc[~found].reset_index(drop=True),
    )
