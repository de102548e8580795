"""Helpers shared by the feature transformers: parameter rules, positions, reductions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from crowdcast._city import City
from crowdcast._validation import Check, Interval, positive_int
from crowdcast.schemas import History

__all__ = [
    "POSITIVE_NUMBER",
    "data_freq",
    "distinct_names",
    "distinct_positive_ints",
    "grid_positions",
    "nan_median",
    "ns",
    "pair_codes",
]


def _distinct_positive_ints(value: Any) -> bool:
    return (
        isinstance(value, tuple | list)
        and len(value) > 0
        and all(positive_int(v) for v in value)
        and len(set(value)) == len(value)
    )


def distinct_positive_ints(unit: str) -> Check:
    """The rule for a non-empty sequence of distinct positive integers (``unit`` in words)."""
    return Check(_distinct_positive_ints, f"distinct positive integers ({unit})")


def distinct_names(allowed: Sequence[str], hint: str | None = None) -> Check:
    """The rule for a non-empty sequence of distinct names from ``allowed``."""

    def ok(value: Any) -> bool:
        return (
            isinstance(value, tuple | list)
            and len(value) > 0
            and all(isinstance(v, str) and v in allowed for v in value)
            and len(set(value)) == len(value)
        )

    return Check(ok, f"distinct names among {', '.join(allowed)}", hint)


#: The rule for a positive real number.
POSITIVE_NUMBER = Interval(0, None, closed="neither", expectation="a positive number")


def ns(values: pd.Series | pd.DatetimeIndex | np.ndarray) -> np.ndarray:
    """Timestamps as int64 nanoseconds since the epoch (UTC)."""
    return np.asarray(pd.DatetimeIndex(values).as_unit("ns").asi8)


def grid_positions(
    rows: pd.DataFrame, history: History
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Zone index, target position and origin position of each row on the history grid."""
    codes, uniques = pd.factorize(rows["zone"])
    zone_idx = history.zone_index(np.asarray(uniques, dtype=object))[codes]
    return zone_idx, history.position(rows["timestamp"]), history.position(rows["origin"])


def data_freq(data: City) -> pd.Timedelta:
    """The counting interval of the data (built from the counts when not given)."""
    return data.freq if data.freq is not None else data.history().freq


def pair_codes(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the distinct ``(a, b)`` integer pairs and the index of one row of each.

    >>> codes, first = pair_codes(np.array([0, 0, 1, 0]), np.array([5, 5, 5, 6]))
    >>> codes.tolist(), first.tolist()
    ([0, 0, 1, 2], [0, 2, 3])
    """
    if a.size == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    span = int(b.max()) - int(b.min()) + 1
    key = (a.astype(np.int64) - int(a.min())) * span + (b.astype(np.int64) - int(b.min()))
    codes, _ = pd.factorize(key)  # numbered in order of first appearance
    seen = np.maximum.accumulate(codes)
    first = np.flatnonzero(np.concatenate([[True], codes[1:] > seen[:-1]]))
    return codes, first


def nan_median(values: np.ndarray) -> np.ndarray:
    """Median over the last axis ignoring NaN; NaN where nothing is observed (no warning).

    >>> nan_median(np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan]])).tolist()
    [2.0, nan]
    """
    ordered = np.sort(values, axis=-1)  # NaN sorts last
    n = np.count_nonzero(~np.isnan(values), axis=-1)
    lo = np.maximum((n - 1) // 2, 0)[..., None]
    hi = (n // 2)[..., None]
    low = np.take_along_axis(ordered, lo, axis=-1)[..., 0]
    high = np.take_along_axis(ordered, np.minimum(hi, values.shape[-1] - 1), axis=-1)[..., 0]
    return np.where(n > 0, (low + high) / 2, np.nan)
