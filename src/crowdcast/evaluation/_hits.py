"""Hit rate: for incident hazards (aggression, ...), the share of incidents in the top-ranked
``(zone, interval)`` rows of a risk score, against the share of rows that are top.

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

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crowdcast._validation import Interval
from crowdcast.exceptions import DataValidationError, ParameterError, Problem, SchemaError
from crowdcast.risk import RiskTable
from crowdcast.schemas import infer_freq, require_columns, validate_incidents

__all__ = ["HitRate", "hit_rate"]

_TOP = Interval(0, 1, closed="right", expectation="a share in (0, 1]", hint="e.g. top=0.05 (5 %)")


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
        table = require_columns(risk, ["zone", "timestamp"], "risk table", hint)
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
    if not _TOP(top):
        raise ParameterError([Problem("`top`", _TOP.expectation, repr(top), hint=_TOP.hint)])
    rows, score = _scored(risk, score)
    inc = _incidents(incidents, kind)
    ranked = rows[rows["score"].notna()].reset_index(drop=True)
    weight, rank = _top_weights(ranked["score"].to_numpy(), top)
    ranked["rank"] = rank.astype("int64")
    ranked["top"] = weight
    row = _matching_rows(inc, ranked, _step(rows["timestamp"]))
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


def _incidents(incidents: pd.DataFrame, kind: str | Sequence[str] | None) -> pd.DataFrame:
    """The incidents contract, checked, with only the ``kind`` (or kinds) asked for."""
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
    return inc.reset_index(drop=True)


def _step(timestamps: pd.Series) -> pd.Timedelta:
    """The interval of the risk table: the smallest step between its timestamps (0 if one)."""
    try:
        return infer_freq(timestamps)
    except DataValidationError:  # fewer than two distinct timestamps
        return pd.Timedelta(0)


def _matching_rows(inc: pd.DataFrame, ranked: pd.DataFrame, step: pd.Timedelta) -> np.ndarray:
    """Per incident, the ranked row of its zone whose interval holds it (NaN when none)."""
    slots = ranked[["zone", "timestamp"]].assign(_row=np.arange(len(ranked)))
    matched = pd.merge_asof(
        inc.assign(_order=np.arange(len(inc))).sort_values("timestamp"),
        slots.sort_values("timestamp"),
        on="timestamp",
        by="zone",
        direction="backward",
        tolerance=max(step - pd.Timedelta(1, "ns"), pd.Timedelta(0)),
    ).sort_values("_order")
    return matched["_row"].to_numpy(dtype="float64")
