"""Probabilities of exceeding a threshold from a few predictive quantiles.

A forecast gives quantiles ``v_1 <= ... <= v_k`` at levels ``tau_1 < ... <
tau_k`` (``q0.1, q0.5, q0.9``). Between them the quantile function ``Q(u)`` is
linear in ``u`` (so the CDF is piecewise linear between the quantile values).

Tail rule: below ``tau_1`` and above ``tau_k``, ``Q`` continues linearly with
the slope of the nearest segment (``tau_1..tau_2`` and ``tau_{k-1}..tau_k``)
up to ``u = 0`` and ``u = 1``, and is clipped at 0 below (counts are never
negative). A flat nearest segment gives a flat tail, i.e. a point mass at the
outer quantile. So ``P(Y >= t) = 1 - u*(t)`` with ``u*(t) = inf {u in [0, 1]:
Q(u) >= t}`` (1 when no ``u`` reaches ``t``), and ``P(Y > t) = 1 - u+(t)`` with
``u+(t) = sup {u in [0, 1]: Q(u) <= t}`` (0 when none is), both in ``[0, 1]`` and
never increasing with ``t``. The two differ only where ``Q`` is flat at ``t`` (a
point mass: the clip at 0, a flat tail, two equal quantiles), which is where a
level scheme's boundary side matters (``strict``). ``Y = Q(U)`` with ``U``
uniform draws exactly this distribution (the brute-force reference in the tests).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crowdcast.exceptions import ParameterError, Problem
from crowdcast.schemas import quantile_columns

__all__ = ["exceedance_probability", "predictive_quantiles", "quantile_at"]


def predictive_quantiles(forecast: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    """The forecast's quantile columns sorted by level, and the levels: at least two.

    The columns are those of :func:`crowdcast.schemas.quantile_columns`; one
    alone gives no distribution to take a probability from.
    """
    found = [(tau, col) for col, tau in quantile_columns(forecast).items()]
    if len(found) < 2:
        raise ParameterError(
            [
                Problem(
                    "`forecast`",
                    "a forecast with at least two quantile columns (q0.1, q0.5, q0.9)",
                    repr([c for _, c in found]),
                    hint="level probabilities need the predictive distribution, not one value",
                )
            ]
        )
    return [c for _, c in found], np.array([t for t, _ in found])


def _knots(values: np.ndarray, taus: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knots ``u = [0, tau_1..tau_k, 1]`` and ``Q`` there (lower tail not yet clipped)."""
    v = np.sort(values, axis=1)  # forecasts never cross; sorting guards rounding
    s_lo = (v[:, 1] - v[:, 0]) / (taus[1] - taus[0])
    s_hi = (v[:, -1] - v[:, -2]) / (taus[-1] - taus[-2])
    q0 = v[:, 0] - s_lo * taus[0]
    q1 = v[:, -1] + s_hi * (1.0 - taus[-1])
    u = np.concatenate([[0.0], taus, [1.0]])
    return u, np.column_stack([q0, v, q1])


def exceedance_probability(
    values: np.ndarray,
    taus: Sequence[float] | np.ndarray,
    thresholds: np.ndarray,
    *,
    strict: bool = False,
) -> np.ndarray:
    """``P(Y >= t)`` (or ``P(Y > t)``, ``strict``) per row for the module's quantile function.

    Parameters
    ----------
    values
        ``(n, k)`` quantile values per row.
    taus
        ``(k,)`` increasing quantile levels.
    thresholds
        ``(n,)`` or ``(n, m)`` thresholds on the same scale as ``values``.
    strict
        ``P(Y > t)`` rather than ``P(Y >= t)``: the chance of a level whose scheme
        puts a value on its lower threshold in the level below (``inclusive =
        "upper"``, as Fruin's "A <= 23 p/m/min").

    Returns
    -------
    ``(n, m)`` probabilities (``(n, 1)`` for one threshold per row); NaN where a
    quantile or threshold is NaN.

    Examples
    --------
    >>> import numpy as np
    >>> exceedance_probability(np.array([[10.0, 20.0, 30.0]]), [0.1, 0.5, 0.9],
    ...                        np.array([[20.0, 30.0, 100.0]])).round(3)
    array([[0.5, 0.1, 0. ]])
    >>> certain = np.array([[23.0, 23.0, 23.0]])  # a point mass on the threshold
    >>> exceedance_probability(certain, [0.1, 0.5, 0.9], np.array([23.0])).item()
    1.0
    >>> exceedance_probability(certain, [0.1, 0.5, 0.9], np.array([23.0]), strict=True).item()
    0.0
    """
    taus = np.asarray(taus, dtype="float64")
    values = np.asarray(values, dtype="float64")
    t = np.asarray(thresholds, dtype="float64")
    if t.ndim == 1:
        t = t[:, None]
    u, q = _knots(values, taus)
    out = np.empty(t.shape)
    for m in range(t.shape[1]):
        ustar = _upper_u(u, q, t[:, m]) if strict else _lower_u(u, q, t[:, m])
        out[:, m] = np.clip(1.0 - ustar, 0.0, 1.0)
    bad = np.isnan(values).any(axis=1)[:, None] | np.isnan(t)
    out[bad] = np.nan
    return out


def _lower_u(u: np.ndarray, q: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``inf {u: Q(u) >= t}`` per row (1 when no ``u`` reaches ``t``; 0 for ``t <= 0``)."""
    rows = np.arange(len(q))
    ge = q >= t[:, None]
    j = np.argmax(ge, axis=1)
    lo = np.maximum(j - 1, 0)
    q_lo, q_hi = q[rows, lo], q[rows, j]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(q_hi > q_lo, (t - q_lo) / (q_hi - q_lo), 0.0)
    ustar = np.where(j == 0, 0.0, u[lo] + frac * (u[j] - u[lo]))
    ustar = np.where(ge.any(axis=1), ustar, 1.0)
    return np.where(t <= 0, 0.0, ustar)  # Q is clipped at 0: Y >= 0 always


def _upper_u(u: np.ndarray, q: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``sup {u: Q(u) <= t}`` per row (0 when none is; 0 for ``t < 0``: Y > t always)."""
    rows = np.arange(len(q))
    le = q <= t[:, None]
    j = le.sum(axis=1) - 1  # Q never decreases: the last knot at or below t
    last = q.shape[1] - 1
    lo = np.clip(j, 0, last)
    hi = np.clip(j + 1, 0, last)
    q_lo, q_hi = q[rows, lo], q[rows, hi]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(q_hi > q_lo, (t - q_lo) / (q_hi - q_lo), 0.0)
    ustar = np.where(j >= last, 1.0, u[lo] + frac * (u[hi] - u[lo]))
    # below the first knot: the clipped lower tail is 0 <= t for every u with Q(u) <= 0
    ustar = np.where(j < 0, 0.0, ustar)
    return np.where(t < 0, 0.0, ustar)


def quantile_at(values: np.ndarray, taus: Sequence[float] | np.ndarray, level: float) -> np.ndarray:
    """``Q(level)`` per row under the same interpolation and tail rule, clipped at 0."""
    u, q = _knots(np.asarray(values, dtype="float64"), np.asarray(taus, dtype="float64"))
    j = int(np.clip(np.searchsorted(u, level, side="right"), 1, len(u) - 1))
    w = (level - u[j - 1]) / (u[j] - u[j - 1])
    return np.maximum(q[:, j - 1] + w * (q[:, j] - q[:, j - 1]), 0.0)
