"""Technology KPIs of forecasts: the accuracy table of a backtest, and skill against baselines.

The input is the long table of ``backtest(...)``, one row per (model, origin,
zone, horizon): ``model, fold, origin, zone, timestamp, horizon``, quantile
columns ``q<τ>`` (``q0.5`` is the point forecast; a column that is NaN on all
rows of a model means that model does not produce it), ``actual`` (NaN = not
observed), ``event`` and ``scale`` (the in-sample seasonal-naive MAE of the zone
before the origin).

The metrics are those of :mod:`crowdcast.evaluation._metrics`, from the same
row terms: :func:`kpis` sums them per model and group. Definitions:

- a row is **scored** when its actual is observed; ``n`` counts scored rows and
  ``n_missing`` the rows skipped because the actual is NaN (never read as 0);
- the point metrics (``mae, rmse, smape, bias``) use ``q0.5``; a NaN forecast on
  a scored row is an error, never skipped;
- ``mase`` averages ``|e| / scale`` over the scored rows whose scale is finite
  and positive (``n_mase`` of them): a NaN scale (no seasonal-naive history
  before the origin) or a zero scale (a zone that never changed) has no MASE;
- ``pinball`` averages over scored rows and over the quantile columns the model
  produces (so it compares like with like only between models with the same
  quantiles: a median-only model's pinball is its MAE / 2); ``coverage`` and
  ``width`` are those of the ``interval`` pair (``(0.1, 0.9)`` → ``q0.1``–``q0.9``,
  nominal 80 %), NaN for a model without it.

The daily peaks are in :mod:`crowdcast.evaluation._peaks`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from crowdcast._validation import Problems, check_timezone
from crowdcast.evaluation._metrics import (
    POINT_METRICS,
    FloatArray,
    covered,
    crossing_problem,
    interval_width,
    pinball_terms,
    scaled_error,
)
from crowdcast.evaluation._tables import (
    BACKTEST_HINT,
    GROUP_KEYS,
    POINT,
    check_forecasts,
    check_table,
    group_keys,
    interval_levels,
    model_categories,
    produced_columns,
)
from crowdcast.exceptions import DataValidationError, ParameterError, Problem, SchemaError
from crowdcast.schemas import quantile_column, quantile_columns

__all__ = ["SKILL_METRICS", "kpis", "skill"]

KPI_COLUMNS = (
    "n",
    "n_missing",
    "n_mase",
    "mae",
    "rmse",
    "mase",
    "smape",
    "bias",
    "pinball",
    "coverage",
    "width",
)
SKILL_METRICS = ("mae", "rmse", "mase", "smape", "pinball")
"""Metrics where lower is better and 0 is perfect: the ones a skill score makes sense for."""

_KPI_REQUIRED = ("model", "origin", "zone", "timestamp", "horizon", "actual", "event", "scale")


# ---------------------------------------------------------------------------- kpis


def kpis(
    table: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    interval: tuple[float, float] = (0.1, 0.9),
    timezone: str | dt.tzinfo = "UTC",
) -> pd.DataFrame:
    """Accuracy KPIs per model (and per group) of a backtest table.

    Parameters
    ----------
    table
        The long table of ``backtest(...)`` (see the module docstring).
    by
        None, or one or more of ``"zone"``, ``"horizon"``, ``"hour"`` (local
        hour of the target timestamp in ``timezone``), ``"event"``,
        ``"origin"``, ``"weekday"`` (local day of the week of the target, 0 = Monday).
    interval
        The quantile pair of the prediction interval for ``coverage`` and
        ``width``; ``(0.1, 0.9)`` is the central 80 % interval.
    timezone
        Time zone of ``hour`` and ``weekday`` (the site's, e.g. ``"Europe/Amsterdam"``).

    Returns
    -------
    DataFrame
        ``model``, the ``by`` keys, ``n`` (scored rows), ``n_missing`` (rows
        with NaN actual, skipped), ``n_mase`` (scored rows with a usable scale),
        ``mae, rmse, mase, smape, bias, pinball, coverage, width``; one row per
        model and group, models in order of first appearance, groups sorted.
        ``attrs`` holds ``interval``, ``nominal_coverage`` and ``timezone``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.Timestamp("2024-06-01 08:00", tz="UTC")
    >>> table = pd.DataFrame({"model": "naive", "fold": 0, "origin": t, "zone": "square",
    ...     "timestamp": [t, t + pd.Timedelta("1h"), t + pd.Timedelta("2h")], "horizon": [1, 2, 3],
    ...     "q0.1": [5.0, 5.0, 5.0], "q0.5": [10.0, 12.0, 10.0], "q0.9": [20.0, 20.0, 20.0],
    ...     "actual": [12.0, float("nan"), 30.0], "event": False, "scale": 4.0})
    >>> k = kpis(table)
    >>> k[["model", "n", "n_missing", "mae", "bias", "mase", "coverage", "width"]]
       model  n  n_missing   mae  bias  mase  coverage  width
    0  naive  2          1  11.0 -11.0  2.75       0.5   15.0
    """
    arguments = Problems(error=ParameterError, title="Invalid arguments of kpis()")
    keys = group_keys(by, arguments)
    arguments.attempt(check_timezone, timezone)
    lo_tau, hi_tau = interval_levels(interval, arguments)
    arguments.raise_if_any()
    table = check_table(table, _KPI_REQUIRED, "kpis")
    terms = pd.DataFrame(
        {
            "model": model_categories(table),
            **_group_columns(table, keys, timezone),
            **_row_terms(table, (lo_tau, hi_tau)),
        },
        index=table.index,
    )
    sums = terms.groupby(["model", *keys], observed=True, sort=True, dropna=False).sum()
    out = _means(sums).reset_index()
    out["model"] = out["model"].astype(table["model"].dtype)
    out[["n", "n_missing", "n_mase"]] = out[["n", "n_missing", "n_mase"]].astype("int64")
    out.attrs = {
        "interval": (lo_tau, hi_tau),
        "nominal_coverage": round(hi_tau - lo_tau, 10),
        "timezone": str(timezone),
    }
    return out


def _row_terms(table: pd.DataFrame, interval: tuple[float, float]) -> dict[str, np.ndarray]:
    """Per row, the counts and the metric terms that :func:`kpis` sums per group.

    Rows that are not scored by a metric hold 0 in its terms; the counts say
    how many rows each metric's sum is over.
    """

    def col(name: str) -> FloatArray:
        return table[name].to_numpy(dtype="float64", na_value=np.nan)

    y = col("actual")
    obs = ~np.isnan(y)
    taus = quantile_columns(table)
    has = produced_columns(table, taus)
    found = Problems(title="Cannot compute kpis()")
    check_forecasts(table, obs, has, found)
    f, s = col(POINT), col("scale")
    negative = obs & (s < 0)
    if negative.any():
        found.add(
            "`scale`",
            "a non-negative MAE, or NaN when not computable",
            f"negative on {int(negative.sum())} row(s)",
            column="scale",
            rows=table.index[negative].tolist(),
            hint=BACKTEST_HINT,
        )
    use_scale = obs & np.isfinite(s) & (s > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = {
            "n": obs.astype("int64"),
            "n_missing": (~obs).astype("int64"),
            "n_mase": use_scale.astype("int64"),
            **{name: np.where(obs, m.term(y, f), 0.0) for name, m in POINT_METRICS.items()},
            "mase": np.where(use_scale, scaled_error(y, f, s), 0.0),
            "pinball": _pinball_rows(table, y, obs, taus, has),
            **_interval_rows(table, y, obs, has, interval, found),
        }
    found.raise_if_any()
    return terms


def _pinball_rows(
    table: pd.DataFrame,
    y: FloatArray,
    obs: np.ndarray,
    taus: Mapping[str, float],
    has: dict[str, np.ndarray],
) -> FloatArray:
    """Per scored row, the mean pinball loss over the quantile columns its model produces."""
    pin_sum = np.zeros(len(table))
    n_q = np.zeros(len(table))
    for c, tau in taus.items():  # a handful of quantile columns, never rows
        use = obs & has[c]
        q = table[c].to_numpy(dtype="float64", na_value=np.nan)
        pin_sum += np.where(use, pinball_terms(y, q, tau), 0.0)
        n_q += use
    return np.where(obs, pin_sum / np.maximum(n_q, 1), 0.0)


def _interval_rows(
    table: pd.DataFrame,
    y: FloatArray,
    obs: np.ndarray,
    has: dict[str, np.ndarray],
    interval: tuple[float, float],
    found: Problems,
) -> dict[str, np.ndarray]:
    """Per row, the coverage and width terms of ``interval`` and the count of rows they score."""
    lo_col, hi_col = quantile_column(interval[0]), quantile_column(interval[1])
    if lo_col not in has or hi_col not in has:
        zeros = np.zeros(len(table))
        return {"n_interval": zeros.astype("int64"), "coverage": zeros, "width": zeros}
    lo = table[lo_col].to_numpy(dtype="float64", na_value=np.nan)
    hi = table[hi_col].to_numpy(dtype="float64", na_value=np.nan)
    use = obs & has[lo_col] & has[hi_col]
    crossing = crossing_problem(
        lo, hi, use, what=(f"`{lo_col}`", f"`{hi_col}`"), labels=table.index
    )
    if crossing is not None:
        found.extend([crossing])
    return {
        "n_interval": use.astype("int64"),
        "coverage": np.where(use, covered(y, lo, hi), 0.0),
        "width": np.where(use, interval_width(lo, hi), 0.0),
    }


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return num / den.where(den > 0)


def _means(sums: pd.DataFrame) -> pd.DataFrame:
    """The KPI columns from the per-group sums of the row terms."""
    n = sums["n"]
    point = {name: m.finished(_ratio(sums[name], n)) for name, m in POINT_METRICS.items()}
    means = {
        **point,
        "mase": _ratio(sums["mase"], sums["n_mase"]),
        "pinball": _ratio(sums["pinball"], n),
        "coverage": _ratio(sums["coverage"], sums["n_interval"]),
        "width": _ratio(sums["width"], sums["n_interval"]),
    }
    columns = {**{c: sums[c] for c in ("n", "n_missing", "n_mase")}, **means}
    return pd.DataFrame({c: columns[c] for c in KPI_COLUMNS}, index=sums.index)


def _group_columns(
    table: pd.DataFrame, keys: Sequence[str], timezone: str | dt.tzinfo
) -> dict[str, object]:
    cols: dict[str, object] = {}
    local = None
    for k in keys:
        if k in ("hour", "weekday"):
            if local is None:
                local = table["timestamp"].dt.tz_convert(timezone)
            part = local.dt.hour if k == "hour" else local.dt.day_of_week
            cols[k] = part.to_numpy()
        else:
            cols[k] = table[k].array
    return cols


# ---------------------------------------------------------------------------- skill


def skill(
    kpi_table: pd.DataFrame,
    baseline: str | Sequence[str],
    *,
    metrics: Sequence[str] = ("mae", "rmse", "mase", "pinball"),
) -> pd.DataFrame:
    """Skill scores ``1 - metric(model) / metric(baseline)`` per model and group.

    Positive: better than the baseline (1 = perfect); 0: as good; negative: worse.
    A group where the baseline has no value, or a perfect 0, has NaN skill.

    Parameters
    ----------
    kpi_table
        A table of :func:`kpis` (any ``by``).
    baseline
        The model to compare against, or several: one block of rows per baseline.
    metrics
        Some of ``"mae", "rmse", "mase", "smape", "pinball"``.

    Returns
    -------
    DataFrame
        ``baseline, model``, the group keys of ``kpi_table``, and ``<metric>_skill``
        per metric; baselines in the order given, models and groups as in ``kpi_table``
        (the baseline itself included, with skill 0).

    Examples
    --------
    >>> k = pd.DataFrame({"model": ["naive", "gbm"], "mae": [10.0, 8.0], "rmse": [20.0, 25.0]})
    >>> skill(k, "naive", metrics=["mae", "rmse"])
      baseline  model  mae_skill  rmse_skill
    0    naive  naive        0.0        0.00
    1    naive    gbm        0.2       -0.25
    """
    metrics, keys, baselines = _skill_inputs(kpi_table, baseline, metrics)
    blocks = []
    left = kpi_table[["model", *keys, *metrics]].reset_index(drop=True)
    for b in baselines:  # one block per baseline model, never per row
        base = left.loc[left["model"] == b, [*keys, *metrics]]
        if keys:
            merged = left.merge(base, on=keys, how="left", suffixes=("", "_b"), sort=False)
        else:
            merged = left.merge(base.add_suffix("_b"), how="cross")
        block = merged[["model", *keys]].copy()
        for m in metrics:
            den = merged[f"{m}_b"].where(merged[f"{m}_b"] > 0)
            block[f"{m}_skill"] = 1.0 - merged[m] / den
        block.insert(0, "baseline", b)
        blocks.append(block)
    return pd.concat(blocks, ignore_index=True)


def _skill_inputs(
    kpi_table: object, baseline: str | Sequence[str], metrics: Sequence[str]
) -> tuple[list[str], list[str], list[str]]:
    """The metrics, the group keys and the baselines of a :func:`skill` call, checked.

    The arguments are checked before the table, the table before the
    baselines (which must be models of it); each step raises on its own.
    """
    metrics = list(metrics)
    wrong = [m for m in metrics if m not in SKILL_METRICS]
    if wrong or not metrics:
        raise ParameterError(
            [
                Problem(
                    "`metrics` of skill()",
                    f"some of {list(SKILL_METRICS)} (lower is better, 0 is perfect)",
                    repr(wrong or metrics),
                    hint="bias and coverage have targets other than 0: compare them directly",
                )
            ]
        )
    if not isinstance(kpi_table, pd.DataFrame):
        raise ParameterError(
            [Problem("`kpi_table`", "a DataFrame from kpis(...)", type(kpi_table).__name__)]
        )
    missing = [c for c in ("model", *metrics) if c not in kpi_table.columns]
    if missing:
        raise SchemaError(
            [
                Problem(
                    "`kpi_table` of skill()",
                    f"a table with columns {['model', *metrics]}",
                    f"missing {missing}",
                    hint="pass the table from kpis(...)",
                )
            ]
        )
    keys = [c for c in kpi_table.columns if c in GROUP_KEYS]
    dup = kpi_table.duplicated(["model", *keys])
    if dup.any():
        raise DataValidationError(
            [
                Problem(
                    "`kpi_table` of skill()",
                    f"one row per model and group {keys}",
                    f"{int(dup.sum())} duplicate row(s)",
                    rows=tuple(kpi_table.index[dup].tolist()),
                    hint="pass the table from kpis(...) unchanged",
                )
            ]
        )
    baselines = [baseline] if isinstance(baseline, str) else list(baseline)
    available = list(pd.unique(kpi_table["model"]))
    unknown = [b for b in baselines if b not in available]
    if unknown or not baselines:
        raise ParameterError(
            [
                Problem(
                    "`baseline` of skill()",
                    f"a model of the KPI table, one of {available}",
                    repr(unknown or baselines),
                )
            ]
        )
    return metrics, keys, baselines
