"""Type aliases shared by the public signatures."""

from __future__ import annotations

import datetime as dt
import os
from typing import TypeAlias

import pandas as pd

__all__ = ["FreqLike", "PathLike", "TimestampLike"]

#: A file path as users write it.
PathLike: TypeAlias = str | os.PathLike[str]
#: An interval: ``"15min"``, ``"h"``, a :class:`pandas.Timedelta`.
FreqLike: TypeAlias = str | pd.Timedelta
#: A timezone-aware instant: a :class:`pandas.Timestamp`, a ``datetime`` or ISO text.
TimestampLike: TypeAlias = str | pd.Timestamp | dt.datetime
