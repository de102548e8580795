"""Small predicates shared by the parameter checks of every module."""

from __future__ import annotations

from typing import Any

import numpy as np


def positive_int(value: Any) -> bool:
    """True for a positive integer (numpy integers included, booleans not).

    >>> [positive_int(v) for v in (3, np.int64(3), 0, True, 2.0)]
    [True, True, False, False, False]
    """
    return bool(not isinstance(value, bool) and isinstance(value, int | np.integer) and value >= 1)
