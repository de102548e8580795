"""Point, quantile and interval accuracy metrics on plain arrays.

Every metric takes the actual values first and follows the same rules:

- a row whose **actual is NaN was not observed**: it is skipped, never read as
  zero (count the skipped rows with :func:`scored_mask`);
- when no row is scored the metric is NaN;
- a forecast that is NaN (or infinite) on a row whose actual *is* observed is
  a :class:`~crowdcast.exceptions.DataValidationError` naming the metric and
  the rows: a model that failed to forecast must not look accurate by omission;
- arrays of different lengths are a :class:`~crowdcast.exceptions.ParameterError`.

Definitions, with ``e = forecast - actual`` over the scored rows:

- ``mae = mean |e|``; ``rmse = sqrt(mean e²)``; ``bias = mean e`` (positive:
  over-forecast);
- ``smape = 100 · mean 2|e| / (|actual| + |forecast|)`` in percent (0 to 200);
  a row with actual = forecast = 0 contributes 0;
- ``mase = mean |e_i| / scale_i``: each row is scaled by its own in-sample
  seasonal-naive MAE, so with one scale per series this is the average of the
  per-series MASEs weighted by their number of scored rows;
- ``pinball = mean over rows and quantiles of ρ_τ(actual - q_τ)`` with
  ``ρ_τ(u) = τ·u`` if ``u >= 0`` else ``(τ - 1)·u`` (so at τ = 0.5 it is MAE / 2);
- ``coverage`` = share of rows with ``lower <= actual <= upper``; ``width`` =
  mean ``upper - lower``.

Each definition is written once, as a term per row (``abs_error``,
``smape_terms``, ``pinball_terms``, ... and :data:`POINT_METRICS`): the array
functions here average the terms over the rows they are given, and
:func:`crowdcast.evaluation.kpis` sums the same terms per model and group.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from crowdcast.exceptions import DataValidationError, ParameterError, Problem

__all__ = [
    "bias",
    "coverage",
    "mae",
    "mase",
    "pinball",
    "rmse",
    "scored_mask",
    "smape",
    "width",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


# ---------------------------------------------------------------------------- input checks


def _as_float(values: object, what: str, metric: str) -> FloatArray:
    """A 1-D float64 array; pandas NA becomes NaN."""
    try:
        if isinstance(values, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
            arr = values.to_numpy(dtype="float64", na_value=np.nan)
        else:
            arr = np.asarray(values, dtype="float64")
    except (TypeError, ValueError) as exc:
        raise ParameterError(
            [Problem(f"`{what}` of {metric}()", "numeric", f"{type(values).__name__}: {exc}")]
        ) from None
    if arr.ndim != 1:
        raise ParameterError(
            [Problem(f"`{what}` of {metric}()", "one-dimensional", f"shape {arr.shape}")]
        )
    return arr


def _check_length(arr: npt.NDArray[np.float64], n: int, what: str, metric: str) -> None:
    if len(arr) != n:
        raise ParameterError(
            [
                Problem(
                    f"`{what}` of {metric}()",
                    f"as long as `actual` ({n} rows)",
                    f"{len(arr)} rows",
                    hint="pass the actual and forecast values of the same rows",
                )
            ]
        )


def _actual(values: object, metric: str) -> tuple[FloatArray, BoolArray]:
    y = _as_float(values, "actual", metric)
    bad = np.flatnonzero(np.isinf(y))
    if len(bad):
        raise DataValidationError(
            [
                Problem(
                    f"`actual` of {metric}()",
                    "a finite number, or NaN when not observed",
                    f"{len(bad)} infinite value(s)",
                    rows=tuple(bad.tolist()),
                )
            ],
            title=f"Cannot compute {metric}",
        )
    return y, ~np.isnan(y)


def _forecast(values: object, what: str, metric: str, y: FloatArray, mask: BoolArray) -> FloatArray:
    f = _as_float(values, what, metric)
    _check_length(f, len(y), what, metric)
    bad = np.flatnonzero(mask & ~np.isfinite(f))
    if len(bad):
        raise DataValidationError(
            [
                Problem(
                    f"`{what}` of {metric}()",
                    "a finite number on every row whose actual is observed",
                    f"NaN or infinite on {len(bad)} observed row(s)",
                    rows=tuple(bad.tolist()),
                    hint="a model that did not forecast these rows cannot be scored on them; "
                    "fix the model or drop the rows from both arrays on purpose",
                )
            ],
            title=f"Cannot compute {metric}",
        )
    return f


def _mean(terms: FloatArray, mask: BoolArray) -> float:
    n = int(mask.sum())
    return float(terms[mask].sum() / n) if n else float("nan")


def _point_metric(name: str, actual: object, forecast: object) -> float:
    """One point metric of :data:`POINT_METRICS` over the observed rows."""
    y, m = _actual(actual, name)
    f = _forecast(forecast, "forecast", name, y, m)
    metric = POINT_METRICS[name]
    return float(metric.finished(_mean(metric.term(y, f), m)))


# ---------------------------------------------------------------------------- definitions
# The one definition of each metric: a term per row. The array functions below average
# the terms over their scored rows (numpy); ``kpis`` sums them per group (pandas). Terms
# on rows that are not scored are meaningless (they may be NaN): the caller masks them.


def error(y: FloatArray, f: FloatArray) -> FloatArray:
    """``f - y`` per row (bias; positive: over-forecast)."""
    return f - y


def abs_error(y: FloatArray, f: FloatArray) -> FloatArray:
    """``|f - y|`` per row (MAE)."""
    return np.abs(f - y)


def squared_error(y: FloatArray, f: FloatArray) -> FloatArray:
    """``(f - y)²`` per row (RMSE, before its square root)."""
    return (f - y) ** 2


def smape_terms(y: FloatArray, f: FloatArray) -> FloatArray:
    """``200·|f - y| / (|y| + |f|)`` per row; 0 where both are 0 (sMAPE)."""
    den = np.abs(y) + np.abs(f)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.minimum(200.0 * np.abs(f - y) / den, 200.0)  # rounding can overshoot 200
    return np.where(den == 0, 0.0, t)


def scaled_error(y: FloatArray, f: FloatArray, scale: FloatArray) -> FloatArray:
    """``|f - y| / scale`` per row (MASE); meaningless where the scale is not positive."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.abs(f - y) / scale


def pinball_terms(y: FloatArray, q: FloatArray, tau: float | FloatArray) -> FloatArray:
    """``ρ_τ(y - q)`` per row (pinball loss)."""
    u = y - q
    return np.maximum(tau * u, (tau - 1.0) * u)


def covered(y: FloatArray, lower: FloatArray, upper: FloatArray) -> FloatArray:
    """1.0 where ``lower <= y <= upper`` (bounds included), else 0.0 (coverage)."""
    return ((lower <= y) & (y <= upper)).astype("float64")


def interval_width(lower: FloatArray, upper: FloatArray) -> FloatArray:
    """``upper - lower`` per row (width)."""
    return upper - lower


@dataclass(frozen=True)
class PointMetric:
    """A metric of the point forecast: its row term, and what is applied to the mean."""

    term: Callable[[FloatArray, FloatArray], FloatArray]
    finish: Callable[[Any], Any] | None = None

    def finished(self, mean: Any) -> Any:
        """The metric from the mean of its terms (a float, or a Series of group means)."""
        return mean if self.finish is None else self.finish(mean)


#: The point metrics, in the order of the KPI table.
POINT_METRICS: dict[str, PointMetric] = {
    "mae": PointMetric(abs_error),
    "rmse": PointMetric(squared_error, np.sqrt),
    "smape": PointMetric(smape_terms),
    "bias": PointMetric(error),
}


def crossing_problem(
    lower: FloatArray,
    upper: FloatArray,
    scored: BoolArray,
    *,
    what: tuple[str, str],
    labels: pd.Index | None = None,
) -> Problem | None:
    """The problem of ``what[0]`` above ``what[1]`` on scored rows (positions, or ``labels``)."""
    bad = scored & (lower > upper)
    if not bad.any():
        return None
    rows = np.flatnonzero(bad) if labels is None else labels[bad]
    return Problem(
        what[0],
        f"at most {what[1]}",
        f"above it on {int(bad.sum())} row(s) (crossing quantiles)",
        rows=tuple(rows.tolist()),
        hint="forecasts must keep their quantiles in order; sort them per row",
    )


# ---------------------------------------------------------------------------- public


def scored_mask(actual: npt.ArrayLike | pd.Series) -> BoolArray:
    """Which rows a metric scores: those whose actual was observed (not NaN).

    ``(~scored_mask(actual)).sum()`` is the number of rows skipped.

    Examples
    --------
    >>> scored_mask([3.0, float("nan"), 0.0])
    array([ True, False,  True])
    """
    return ~np.isnan(_as_float(actual, "actual", "scored_mask"))


def mae(actual: npt.ArrayLike | pd.Series, forecast: npt.ArrayLike | pd.Series) -> float:
    """Mean absolute error over the observed rows.

    Examples
    --------
    >>> mae([10.0, float("nan"), 4.0], [12.0, 99.0, 1.0])   # (2 + 3) / 2; the NaN row is skipped
    2.5
    """
    return _point_metric("mae", actual, forecast)


def rmse(actual: npt.ArrayLike | pd.Series, forecast: npt.ArrayLike | pd.Series) -> float:
    """Root mean squared error over the observed rows.

    Examples
    --------
    >>> rmse([0.0, 0.0], [3.0, -4.0])   # sqrt((9 + 16) / 2)
    3.5355339059327378
    """
    return _point_metric("rmse", actual, forecast)


def bias(actual: npt.ArrayLike | pd.Series, forecast: npt.ArrayLike | pd.Series) -> float:
    """Mean of ``forecast - actual`` over the observed rows (positive: over-forecast).

    Examples
    --------
    >>> bias([10.0, 10.0], [13.0, 9.0])   # (3 - 1) / 2
    1.0
    """
    return _point_metric("bias", actual, forecast)


def smape(actual: npt.ArrayLike | pd.Series, forecast: npt.ArrayLike | pd.Series) -> float:
    """Symmetric MAPE in percent (0 to 200): ``100 · mean 2|e| / (|y| + |f|)``.

    A row where actual and forecast are both 0 is a perfect forecast and counts as 0.

    Examples
    --------
    >>> smape([0.0, 10.0, 0.0], [0.0, 30.0, 5.0])   # (0 + 2·20/40 + 2·5/5) / 3 · 100
    100.0
    """
    return _point_metric("smape", actual, forecast)


def mase(
    actual: npt.ArrayLike | pd.Series,
    forecast: npt.ArrayLike | pd.Series,
    scale: npt.ArrayLike | pd.Series,
) -> float:
    """Mean absolute scaled error: ``mean |e_i| / scale_i`` over the observed rows.

    ``scale_i`` is the in-sample seasonal-naive MAE of row *i*'s series before
    its origin. It must be finite and positive on every observed row (a zero
    or NaN scale makes the ratio meaningless): drop such rows on purpose, or
    use :func:`crowdcast.evaluation.kpis`, which leaves them out of MASE and
    counts the rows that entered it in ``n_mase``.

    Examples
    --------
    >>> mase([10.0, 10.0, float("nan")], [12.0, 4.0, 1.0], [2.0, 3.0, float("nan")])
    1.5
    """
    y, m = _actual(actual, "mase")
    f = _forecast(forecast, "forecast", "mase", y, m)
    s = _as_float(scale, "scale", "mase")
    _check_length(s, len(y), "scale", "mase")
    bad = np.flatnonzero(m & ~(np.isfinite(s) & (s > 0)))
    if len(bad):
        raise DataValidationError(
            [
                Problem(
                    "`scale` of mase()",
                    "finite and positive on every row whose actual is observed",
                    f"NaN, zero, negative or infinite on {len(bad)} observed row(s)",
                    rows=tuple(bad.tolist()),
                    hint="a zone without seasonal-naive history has no scale: drop its rows, "
                    "or use kpis(), which leaves them out of MASE and reports n_mase",
                )
            ],
            title="Cannot compute mase",
        )
    return _mean(scaled_error(y, f, s), m)


def pinball(
    actual: npt.ArrayLike | pd.Series,
    quantiles: npt.ArrayLike | pd.DataFrame,
    taus: float | Sequence[float] | npt.ArrayLike,
) -> float:
    """Mean pinball (quantile) loss over the observed rows and the quantile columns.

    ``quantiles`` is ``(n_rows, n_quantiles)``, column *j* forecasting the
    ``taus[j]`` quantile (a 1-D array with one ``tau`` is one column).
    ``ρ_τ(u) = τ·u`` if ``u = actual - q >= 0`` else ``(τ - 1)·u``.

    Examples
    --------
    >>> pinball([10.0, 10.0], [[8.0, 12.0], [11.0, 15.0]], [0.25, 0.75])
    ... # row 1: 0.25·2 = 0.5, 0.25·2 = 0.5 | row 2: 0.75·1 = 0.75, 0.25·5 = 1.25 -> 3 / 4
    0.75
    """
    y, m = _actual(actual, "pinball")
    t = np.atleast_1d(np.asarray(taus, dtype="float64"))
    if t.ndim != 1 or len(t) == 0 or not np.all((t > 0) & (t < 1)):
        raise ParameterError(
            [Problem("`taus` of pinball()", "probabilities strictly between 0 and 1", repr(taus))]
        )
    if isinstance(quantiles, pd.DataFrame):
        q = quantiles.to_numpy(dtype="float64", na_value=np.nan)
    else:
        try:
            q = np.asarray(quantiles, dtype="float64")
        except (TypeError, ValueError) as exc:
            raise ParameterError(
                [Problem("`quantiles` of pinball()", "numeric", str(exc))]
            ) from None
    if q.ndim == 1:
        q = q[:, None]
    if q.ndim != 2 or q.shape[1] != len(t):
        raise ParameterError(
            [
                Problem(
                    "`quantiles` of pinball()",
                    f"a (rows, {len(t)}) array: one column per tau",
                    f"shape {q.shape}",
                )
            ]
        )
    for j in range(q.shape[1]):  # a handful of quantile columns, never rows
        _forecast(q[:, j], f"quantiles[:, {j}] (tau {t[j]:g})", "pinball", y, m)
    n = int(m.sum())
    if not n:
        return float("nan")
    return float(pinball_terms(y[m, None], q[m], t[None, :]).mean())


def coverage(
    actual: npt.ArrayLike | pd.Series,
    lower: npt.ArrayLike | pd.Series,
    upper: npt.ArrayLike | pd.Series,
) -> float:
    """Share of observed rows with ``lower <= actual <= upper`` (bounds included).

    ``lower > upper`` on an observed row (crossing quantiles) is an error.

    Examples
    --------
    >>> coverage([5.0, 9.0, float("nan"), 1.0], [4.0, 4.0, 4.0, 4.0], [9.0, 8.0, 8.0, 8.0])
    ... # 5 in [4, 9] yes, 9 in [4, 8] no, NaN skipped, 1 in [4, 8] no -> 1 / 3
    0.3333333333333333
    """
    y, m = _actual(actual, "coverage")
    lo = _forecast(lower, "lower", "coverage", y, m)
    hi = _forecast(upper, "upper", "coverage", y, m)
    _check_not_crossing(lo, hi, m, "coverage")
    return _mean(covered(y, lo, hi), m)


def width(
    lower: npt.ArrayLike | pd.Series,
    upper: npt.ArrayLike | pd.Series,
    *,
    actual: npt.ArrayLike | pd.Series | None = None,
) -> float:
    """Mean interval width ``upper - lower`` over the scored rows.

    With ``actual`` the scored rows are the observed ones (the rows
    :func:`coverage` judges); without it every row is scored.

    Examples
    --------
    >>> width([4.0, 4.0, 0.0], [9.0, 8.0, 100.0], actual=[5.0, 9.0, float("nan")])  # (5 + 4) / 2
    4.5
    """
    lo_raw = _as_float(lower, "lower", "width")
    if actual is None:
        y = np.zeros(len(lo_raw))
        m = np.ones(len(lo_raw), dtype=bool)
    else:
        y, m = _actual(actual, "width")
    lo = _forecast(lo_raw, "lower", "width", y, m)
    hi = _forecast(upper, "upper", "width", y, m)
    _check_not_crossing(lo, hi, m, "width")
    return _mean(interval_width(lo, hi), m)


def _check_not_crossing(lo: FloatArray, hi: FloatArray, m: BoolArray, metric: str) -> None:
    problem = crossing_problem(lo, hi, m, what=(f"`lower` of {metric}()", "`upper`"))
    if problem is not None:
        raise DataValidationError([problem], title=f"Cannot compute {metric}")
