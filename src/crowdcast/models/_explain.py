"""What the global model's numbers rest on: ranked SHAP contributions, conformal shifts.

Helpers of :class:`~crowdcast.models.GBMForecaster`: the table ``explain``
returns, and the interval arithmetic (split-conformal shifts, quantiles kept
monotone around the median).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["around_centre", "conformal_shift", "top_contributions"]


def top_contributions(
    rows: pd.DataFrame,
    names: list[str],
    X: np.ndarray,
    contrib: np.ndarray,
    top: int,
    code_labels: Mapping[str, Mapping[int, str]],
    extra_labels: np.ndarray | None = None,
) -> pd.DataFrame:
    """The ``top`` largest absolute contributions per row, with values and labels.

    ``contrib`` has one column per name, the last being the bias (never
    ranked). ``code_labels`` say what a code column's values stand for;
    ``extra_labels`` label the ``event_load`` column, row by row.
    """
    n = contrib.shape[0]
    order = np.argsort(-np.abs(contrib[:, :-1]), axis=1)[:, :top]
    r = np.repeat(np.arange(n), order.shape[1])
    c = order.ravel()
    feature = np.asarray(names, dtype=object)[c]
    value = X[r, c].astype(float)
    label = _labels(feature, value, code_labels)
    if extra_labels is not None:
        at = feature == "event_load"
        label[at] = extra_labels[r[at]]
    return pd.DataFrame(
        {
            "zone": rows["zone"].to_numpy()[r],
            "timestamp": rows["timestamp"].to_numpy()[r],
            "horizon": rows["horizon"].to_numpy()[r],
            "feature": feature,
            "value": value,
            "label": pd.array(label, dtype="string"),
            "contribution": contrib[r, c],
        }
    )


def _labels(
    feature: np.ndarray, value: np.ndarray, code_labels: Mapping[str, Mapping[int, str]]
) -> np.ndarray:
    """What the code in ``value`` stands for where ``feature`` is a code column."""
    out = np.full(len(feature), None, dtype=object)
    for name, codes in code_labels.items():
        at = (feature == name) & ~np.isnan(value)
        out[at] = [codes.get(code, str(code)) for code in value[at].astype(int)]
    return out


def around_centre(values: np.ndarray, taus: list[float]) -> np.ndarray:
    """Make quantiles monotone outwards from the median, which is never moved.

    A calibration shift can push a tail quantile across the median; sorting
    would then swap them and change the point forecast. Instead each lower
    quantile is capped by the next one up and each upper quantile floored by
    the next one down. Without a 0.5 column the values are left to be sorted.

    Examples
    --------
    >>> around_centre(np.array([[5.0, 4.0, 9.0, 3.0]]), [0.1, 0.5, 0.9, 0.95])
    array([[4., 4., 9., 9.]])
    """
    if 0.5 not in taus:
        return values
    out = values.copy()
    m = taus.index(0.5)
    for j in range(m - 1, -1, -1):
        out[:, j] = np.minimum(out[:, j], out[:, j + 1])
    for j in range(m + 1, len(taus)):
        out[:, j] = np.maximum(out[:, j], out[:, j - 1])
    return out


def conformal_shift(actual: np.ndarray, predicted: np.ndarray, tau: float) -> float:
    """The shift that puts a share ``tau`` of ``actual`` at or below ``predicted + shift``.

    Split-conformal calibration of one quantile on held-out data: the
    ``tau``-quantile of the residuals ``actual - predicted``.

    Examples
    --------
    >>> conformal_shift(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.full(5, 3.0), 0.5)
    0.0
    """
    return float(np.quantile(np.asarray(actual) - np.asarray(predicted), tau))
