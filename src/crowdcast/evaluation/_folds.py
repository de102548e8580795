"""Where a rolling-origin backtest puts its forecast origins, and when it refits.

A :class:`Fold` describes the protocol only (horizon, number of windows, step,
gap, refit policy, time of day); :meth:`Fold.origins` turns it into concrete
UTC origins for a given counts grid and site timezone. Origins run backwards
from the last one whose whole horizon lies inside the data, so the most recent
data is always tested, and are returned oldest first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from crowdcast._validation import (
    Check,
    Duration,
    InstanceOf,
    Interval,
    ParameterRules,
    PositiveInt,
    check_params,
)
from crowdcast.exceptions import ParameterError, Problem
from crowdcast.schemas import DAY, History, as_utc

__all__ = ["Fold"]


def _time_of_day(value: Any) -> bool:
    if value is not None:
        dt.time.fromisoformat(str(value))  # a ValueError means no
    return True


@dataclass(frozen=True)
class Fold:
    """A rolling-origin backtest protocol.

    Parameters
    ----------
    horizon
        Intervals forecast from each origin (``1..horizon``).
    n_windows
        Number of forecast origins.
    step
        Time between consecutive origins (a multiple of the counting interval;
        whole days when ``origin_time`` is set).
    gap
        Intervals between the last count a forecast may use and its origin,
        to mimic data latency: with ``gap=2`` an origin at 12:00 is fitted and
        forecast from counts before 10:00 (the lags in between are missing).
    refit
        ``True``: refit before every origin (the honest default); ``False``:
        fit once before the first origin and only update the history after;
        an integer ``k``: refit every ``k`` origins.
    origin_time
        Local time of day of every origin (``"06:00"``) in the site's timezone,
        DST-correct; ``None`` aligns origins to the end of the data.
    end
        The last origin is at or before this time (default: the last origin
        whose horizon is still inside the data).

    Examples
    --------
    Daily origins at 06:00 Amsterdam time across the switch to summer time:

    >>> import numpy as np, pandas as pd
    >>> from crowdcast.schemas import History
    >>> grid = History(("a",), pd.Timestamp("2024-03-01", tz="UTC"), pd.Timedelta("1h"),
    ...                np.zeros((1, 24 * 32)))
    >>> Fold(horizon=24, n_windows=3, origin_time="06:00").origins(grid, "Europe/Amsterdam")
    DatetimeIndex(['2024-03-29 05:00:00+00:00', '2024-03-30 05:00:00+00:00',
                   '2024-03-31 04:00:00+00:00'],
                  dtype='datetime64[ns, UTC]', freq=None)
    """

    horizon: int = 24
    n_windows: int = 28
    step: str | pd.Timedelta = "1D"
    gap: int = 0
    refit: bool | int = True
    origin_time: str | None = None
    end: Any = None

    _parameter_rules: ClassVar[ParameterRules] = {
        "horizon": [PositiveInt()],
        "n_windows": [PositiveInt()],
        "step": [Duration(hint="e.g. '1D', '6h'")],
        "gap": [Interval(0, None, integer=True, expectation="a non-negative integer (intervals)")],
        "refit": [InstanceOf(bool, "True, False"), PositiveInt()],
        "origin_time": [Check(_time_of_day, "a time of day 'HH:MM'")],
    }

    def __post_init__(self) -> None:
        check_params(self, title="Invalid Fold")

    def _more_problems(self) -> list[Problem]:
        step = self.step_delta
        if self.origin_time is not None and step is not None and step % DAY != pd.Timedelta(0):
            return [
                Problem(
                    "`step`",
                    "whole days when `origin_time` is set",
                    repr(self.step),
                    hint="drop origin_time to step by hours",
                )
            ]
        return []

    @property
    def step_delta(self) -> pd.Timedelta | None:
        try:
            step = pd.Timedelta(self.step)
        except (TypeError, ValueError):
            return None
        return step if not pd.isna(step) and step > pd.Timedelta(0) else None

    @property
    def time_of_day(self) -> dt.time | None:
        if self.origin_time is None:
            return None
        return dt.time.fromisoformat(str(self.origin_time))

    def refit_groups(self, n: int) -> list[list[int]]:
        """Origin indices ``0..n-1`` grouped by the fit they share."""
        every = 1 if self.refit is True else n if self.refit is False else int(self.refit)
        return [list(range(i, min(i + every, n))) for i in range(0, n, every)]

    def origins(self, history: History, timezone: str = "UTC") -> pd.DatetimeIndex:
        """The UTC origins, oldest first, for a :class:`~crowdcast.schemas.History` grid."""
        freq: pd.Timedelta = history.freq
        step = self.step_delta
        assert step is not None  # validated
        if step % freq != pd.Timedelta(0):
            raise ParameterError(
                [Problem("`step`", f"a multiple of the counting interval {freq}", repr(self.step))],
                title="Invalid Fold",
            )
        last = history.end - self.horizon * freq
        if self.end is not None:
            last = min(last, as_utc(self.end, "end"))
        tod = self.time_of_day
        if tod is None:
            last = history.start + ((last - history.start) // freq) * freq
            origins = pd.DatetimeIndex([last - k * step for k in range(self.n_windows)][::-1])
        else:
            local_last = last.tz_convert(timezone)
            day = local_last.normalize().tz_localize(None)
            if dt.datetime.combine(day.date(), tod) > local_last.tz_localize(None):
                day -= DAY
            days = int(step / DAY)
            naive = pd.DatetimeIndex(
                [
                    dt.datetime.combine((day - k * days * DAY).date(), tod)
                    for k in range(self.n_windows)
                ][::-1]
            )
            origins = naive.tz_localize(
                timezone, ambiguous=np.zeros(len(naive), dtype=bool), nonexistent="shift_forward"
            ).tz_convert("UTC")
        origins = origins.as_unit("ns")
        off_grid = (origins - history.start) % freq != pd.Timedelta(0)
        if off_grid.any():
            raise ParameterError(
                [
                    Problem(
                        "`origin_time`",
                        f"on the counting grid (every {freq} from {history.start})",
                        repr(self.origin_time),
                        hint="choose a time of day at the start of an interval, e.g. '06:00'",
                    )
                ],
                title="Invalid Fold",
            )
        first_data = origins[0] - self.gap * freq
        if first_data <= history.start:
            raise ParameterError(
                [
                    Problem(
                        "the backtest windows",
                        f"a first origin after the first count ({history.start})",
                        f"first origin {origins[0]} ({self.n_windows} windows of {step})",
                        hint="use fewer windows, a shorter step, or more history",
                    )
                ],
                title="Invalid Fold",
            )
        return origins
