"""Technology KPIs of forecasts: accuracy tables from a backtest table.

The input is the long table of ``backtest(...)``, one row per (model, origin,
zone, horizon): ``model, fold, origin, zone, timestamp, horizon``, quantile
columns ``q<τ>`` (``q0.5`` is the point forecast; a column that is NaN on all
rows of a model means that model does not produce it), ``actual`` (NaN = not
observed), ``event`` and ``scale`` (the in-sample seasonal-naive MAE of the zone
before the origin).

Definitions (see :mod:`crowdcast.evaluation._metrics` for the metrics):

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
  nominal 80 %), NaN for a model without it;
- **daily peaks** (:func:`peak_days`): for each model, origin, zone and *local*
  date of the target timestamp with at least one observed actual, the actual
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
from collections.abc import Hashable, Iterable, Sequence

import numpy as np
import pandas as pd

from crowdcast.evaluation._metrics import FloatArray, _pinball_terms, _smape_terms
from crowdcast.exceptions import (
    DataValidationError,
    ParameterError,
    Problem,
    SchemaError,
)
from crowdcast.schemas import quantile_column, quantile_columns

__all__ = ["kpis", "peak_days", "peak_kpis", "skill"]

GROUP_KEYS = ("zone", "horizon", "hour", "event", "origin", "weekday")
"""What :func:`kpis` can group by; ``hour`` and ``weekday`` (0 = Monday) are local."""

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

_POINT = "q0.5"
_KPI_REQUIRED = ("model", "origin", "zone", "timestamp", "horizon", "actual", "event", "scale")
_PEAK_REQUIRED = ("model", "origin", "zone", "timestamp", "actual")
_BACKTEST_HINT = "pass the table from backtest(...)"


# ---------------------------------------------------------------------------- validation


def _check_timezone(timezone: object) -> None:
    try:
        pd.Timestamp("2000-01-01", tz="UTC").tz_convert(timezone)  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ParameterError(
            [Problem("`timezone`", "an IANA time zone like 'Europe/Amsterdam'", repr(timezone))]
        ) from None


def _check_by(by: str | Sequence[str] | None) -> list[str]:
    keys = [by] if isinstance(by, str) else list(by or [])
    unknown = [k for k in keys if k not in GROUP_KEYS]
    if unknown:
        raise ParameterError(
            [Problem("`by`", f"None or some of {list(GROUP_KEYS)}", repr(unknown))]
        )
    return list(dict.fromkeys(keys))


def _check_interval(interval: object) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in interval)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        lo = hi = float("nan")
    if not 0 < lo < hi < 1:
        raise ParameterError(
            [
                Problem(
                    "`interval`",
                    "two quantile levels (lower, upper) with 0 < lower < upper < 1",
                    repr(interval),
                    hint="e.g. interval=(0.1, 0.9) for the central 80 % interval",
                )
            ]
        )
    return lo, hi


def _check_table(table: object, required: Sequence[str], function: str) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise ParameterError(
            [
                Problem(
                    f"`table` of {function}()",
                    "a pandas DataFrame",
                    type(table).__name__,
                    hint=_BACKTEST_HINT,
                )
            ]
        )
    problems = []
    missing = [c for c in (*required, _POINT) if c not in table.columns]
    if missing:
        problems.append(
            Problem(
                f"the backtest table passed to {function}()",
                f"a table with columns {[*required, _POINT]} (and more quantiles)",
                f"missing {missing}",
                hint=_BACKTEST_HINT,
            )
        )
    if "timestamp" in table.columns and not isinstance(
        table["timestamp"].dtype, pd.DatetimeTZDtype
    ):
        problems.append(
            Problem(
                "`timestamp`",
                "timezone-aware datetimes (datetime64[ns, UTC])",
                str(table["timestamp"].dtype),
                column="timestamp",
                hint="localise or convert with .dt.tz_localize('UTC'); " + _BACKTEST_HINT,
            )
        )
    numeric = ["actual", *(["scale"] if "scale" in required else []), *quantile_columns(table)]
    for col in numeric:
        if col in table.columns and (
            not pd.api.types.is_numeric_dtype(table[col]) or pd.api.types.is_bool_dtype(table[col])
        ):
            problems.append(
                Problem(
                    f"`{col}`", "numeric", str(table[col].dtype), column=col, hint=_BACKTEST_HINT
                )
            )
    if (
        "event" in required
        and "event" in table.columns
        and (not pd.api.types.is_bool_dtype(table["event"]) or table["event"].isna().any())
    ):
        problems.append(
            Problem("`event`", "booleans without missing values", str(table["event"].dtype))
        )
    if problems:
        raise SchemaError(problems, title=f"Invalid backtest table for {function}()")
    keys = ["model", "origin", "zone", "timestamp"]
    dup = table.duplicated(keys)
    if dup.any():
        rows = table.index[dup]
        raise DataValidationError(
            [
                Problem(
                    "rows of the backtest table",
                    "unique per (model, origin, zone, timestamp)",
                    f"{len(rows)} duplicate row(s)",
                    rows=tuple(rows.tolist()),
                    hint="a row counted twice would weigh twice; " + _BACKTEST_HINT,
                )
            ],
            title=f"Invalid backtest table for {function}()",
        )
    return table


def _has_column(table: pd.DataFrame, cols: Iterable[str]) -> dict[str, np.ndarray]:
    """Per row: does the row's model produce quantile column ``c`` (any non-NaN value)."""
    out = {}
    for c in cols:
        per_model = table[c].notna().groupby(table["model"], sort=False).any()
        out[c] = table["model"].map(per_model).to_numpy(dtype=bool)
    return out


def _check_forecasts(
    table: pd.DataFrame, observed: np.ndarray, has: dict[str, np.ndarray], function: str
) -> None:
    """NaN forecasts on observed rows of a model that produces the column are errors."""
    problems = []
    lacking = ~has[_POINT]
    if lacking.any():
        names = list(pd.unique(table["model"][lacking]))
        problems.append(
            Problem(
                f"`{_POINT}` (the point forecast behind mae, rmse, mase, smape, bias)",
                "produced by every model",
                f"all NaN for model(s) {names}",
                column=_POINT,
                hint=_BACKTEST_HINT,
            )
        )
    for c, has_c in has.items():
        bad = observed & has_c & table[c].isna().to_numpy()
        if bad.any():
            models = list(pd.unique(table["model"][bad]))
            metrics = (
                "mae, rmse, mase, smape, bias, pinball" if c == _POINT else "pinball, coverage"
            )
            problems.append(
                Problem(
                    f"`{c}` (used by {metrics})",
                    "a number on every row whose actual is observed",
                    f"NaN on {int(bad.sum())} observed row(s) of model(s) {models}",
                    column=c,
                    rows=tuple(table.index[bad].tolist()),
                    hint="the model failed to forecast these rows; they are not skipped "
                    "because that would flatter the model. Fix the model or drop the rows",
                )
            )
    if problems:
        raise DataValidationError(problems, title=f"Cannot compute {function}()")


def _model_categories(table: pd.DataFrame) -> pd.Categorical:
    """``model`` as a categorical ordered by first appearance (for deterministic output)."""
    return pd.Categorical(table["model"], categories=pd.unique(table["model"]))


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return num / den.where(den > 0)


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
    keys = _check_by(by)
    _check_timezone(timezone)
    lo_tau, hi_tau = _check_interval(interval)
    table = _check_table(table, _KPI_REQUIRED, "kpis")
    qcols = quantile_columns(table)
    y = table["actual"].to_numpy(dtype="float64", na_value=np.nan)
    obs = ~np.isnan(y)
    has = _has_column(table, qcols)
    _check_forecasts(table, obs, has, "kpis")

    def col(name: str) -> FloatArray:
        return table[name].to_numpy(dtype="float64", na_value=np.nan)

    f = col(_POINT)
    with np.errstate(invalid="ignore", divide="ignore"):
        e = np.where(obs, f - y, 0.0)
        ae = np.abs(e)
        s = col("scale")
        negative = obs & (s < 0)
        if negative.any():
            raise DataValidationError(
                [
                    Problem(
                        "`scale`",
                        "a non-negative MAE, or NaN when not computable",
                        f"negative on {int(negative.sum())} row(s)",
                        column="scale",
                        rows=tuple(table.index[negative].tolist()),
                        hint=_BACKTEST_HINT,
                    )
                ],
                title="Cannot compute kpis()",
            )
        use_scale = obs & np.isfinite(s) & (s > 0)
        ase = np.where(use_scale, ae / s, 0.0)
        pin_sum = np.zeros(len(table))
        n_q = np.zeros(len(table))
        for c, tau in qcols.items():  # a handful of quantile columns, never rows
            use = obs & has[c]
            pin_sum += np.where(use, _pinball_terms(y, col(c), tau), 0.0)
            n_q += use
        pin = np.where(obs, pin_sum / np.maximum(n_q, 1), 0.0)
        lo_col, hi_col = quantile_column(lo_tau), quantile_column(hi_tau)
        if lo_col in has and hi_col in has:
            lo, hi = col(lo_col), col(hi_col)
            use_int = obs & has[lo_col] & has[hi_col]
            crossing = use_int & (lo > hi)
            if crossing.any():
                raise DataValidationError(
                    [
                        Problem(
                            f"`{lo_col}`",
                            f"at most `{hi_col}`",
                            f"above it on {int(crossing.sum())} row(s) (crossing quantiles)",
                            rows=tuple(table.index[crossing].tolist()),
                            hint="forecasts must keep their quantiles in order",
                        )
                    ],
                    title="Cannot compute kpis()",
                )
            inside = np.where(use_int, (lo <= y) & (y <= hi), 0.0)
            wid = np.where(use_int, hi - lo, 0.0)
        else:
            use_int = np.zeros(len(table), dtype=bool)
            inside = wid = np.zeros(len(table))
        parts = pd.DataFrame(
            {
                "model": _model_categories(table),
                **_group_columns(table, keys, timezone),
                "n": obs.astype("int64"),
                "n_missing": (~obs).astype("int64"),
                "n_mase": use_scale.astype("int64"),
                "_n_int": use_int.astype("int64"),
                "_ae": ae,
                "_se": e**2,
                "_e": e,
                "_sape": np.where(obs, _smape_terms(y, f), 0.0),
                "_ase": ase,
                "_pin": pin,
                "_in": inside,
                "_wid": wid,
            },
            index=table.index,
        )
    g = parts.groupby(["model", *keys], observed=True, sort=True, dropna=False).sum()
    n = g["n"]
    out = pd.DataFrame(
        {
            "n": n,
            "n_missing": g["n_missing"],
            "n_mase": g["n_mase"],
            "mae": _ratio(g["_ae"], n),
            "rmse": np.sqrt(_ratio(g["_se"], n)),
            "mase": _ratio(g["_ase"], g["n_mase"]),
            "smape": _ratio(g["_sape"], n),
            "bias": _ratio(g["_e"], n),
            "pinball": _ratio(g["_pin"], n),
            "coverage": _ratio(g["_in"], g["_n_int"]),
            "width": _ratio(g["_wid"], g["_n_int"]),
        },
        index=g.index,
    ).reset_index()
    out["model"] = out["model"].astype(table["model"].dtype)
    out[["n", "n_missing", "n_mase"]] = out[["n", "n_missing", "n_mase"]].astype("int64")
    out.attrs = {
        "interval": (lo_tau, hi_tau),
        "nominal_coverage": round(hi_tau - lo_tau, 10),
        "timezone": str(timezone),
    }
    return out


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


# ---------------------------------------------------------------------------- peaks


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


def _peak_days(
    table: pd.DataFrame, timezone: str | dt.tzinfo, function: str
) -> tuple[pd.DataFrame, dict[Hashable, int]]:
    """The per-day table and, per model, the number of forecast days without observations."""
    _check_timezone(timezone)
    table = _check_table(table, _PEAK_REQUIRED, function)
    y = table["actual"].to_numpy(dtype="float64", na_value=np.nan)
    obs = ~np.isnan(y)
    _check_forecasts(table, obs, _has_column(table, [_POINT]), function)
    ts = table["timestamp"]
    day = ts.dt.tz_convert(timezone).dt.tz_localize(None).dt.normalize()
    keys = ["model", "origin", "zone", "day"]
    rows = pd.DataFrame(
        {
            "model": _model_categories(table),
            "origin": table["origin"].array,
            "zone": table["zone"].array,
            "day": day.array,
            "timestamp": ts.array,
            "actual": y,
            "forecast": table[_POINT].to_numpy(dtype="float64", na_value=np.nan),
            "observed": obs,
        },
        index=table.index,
    )
    # The regular step of each forecast (origin, zone): span / (rows - 1).
    per_fc = rows.groupby(["model", "origin", "zone"], observed=True, sort=False)["timestamp"]
    span = per_fc.transform("max") - per_fc.transform("min")
    count = per_fc.transform("size")
    step = span / (count - 1).where(count > 1)
    rows["step"] = step
    grouped = rows.groupby(keys, observed=True, sort=True)
    days = grouped.agg(
        n_intervals=("timestamp", "size"),
        n_observed=("observed", "sum"),
        first=("timestamp", "min"),
        step=("step", "first"),
    )
    # complete: the rows start at local midnight and fill the local day (23/24/25 h) at the step.
    start = _local_midnight_utc(days.index.get_level_values("day"), timezone)
    end = _local_midnight_utc(days.index.get_level_values("day") + pd.Timedelta(days=1), timezone)
    length = pd.Series(end - start, index=days.index)
    days["complete"] = (
        (days["n_observed"] == days["n_intervals"])
        & (days["first"] == pd.Series(start, index=days.index))
        & (days["step"] * days["n_intervals"] == length).fillna(False).astype(bool)
    )
    seen = rows[obs]
    peak = seen.groupby(keys, observed=True, sort=True).agg(
        actual_peak=("actual", "max"), forecast_peak=("forecast", "max")
    )
    at_a = seen["actual"] == seen.groupby(keys, observed=True)["actual"].transform("max")
    at_f = seen["forecast"] == seen.groupby(keys, observed=True)["forecast"].transform("max")
    peak["actual_peak_time"] = seen[at_a].groupby(keys, observed=True)["timestamp"].min()
    peak["forecast_peak_time"] = seen[at_f].groupby(keys, observed=True)["timestamp"].min()
    out = days[["n_intervals", "n_observed", "complete"]].join(peak, how="inner")
    out["n_observed"] = out["n_observed"].astype("int64")
    out["peak_error"] = out["forecast_peak"] - out["actual_peak"]
    timing = out["forecast_peak_time"] - out["actual_peak_time"]
    out["timing_error_hours"] = timing.dt.total_seconds() / 3600.0
    out = out[
        [
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
    ].reset_index()
    out["day"] = out["day"].dt.date
    out["model"] = out["model"].astype(table["model"].dtype)
    out.attrs = {"timezone": str(timezone)}
    return out, _unobserved(days)


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
