"""What every part of the simulation shares: its random streams and its local-time calendar.

Every component draws from its own generator, derived from the seed and the
component's name (:func:`child`), so adding a zone or a component leaves the
others unchanged. The :class:`Clock` says, for each interval, what local time
and what kind of day it is: the rhythms of the city follow local time, DST
included.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import holidays
import numpy as np
import pandas as pd

from crowdcast.sample._havenstad import COUNTRY, SCHOOL_HOLIDAYS, TIMEZONE
from crowdcast.schemas import DAY, HOUR, HOUR_NS

__all__ = ["DAY_NS", "Clock", "child", "make_clock"]

#: One day in nanoseconds, for arithmetic on ``int64`` timestamps.
DAY_NS: int = DAY.value
#: The trend of every zone counts years from here.
_TREND_ORIGIN = pd.Timestamp("2023-01-01", tz="UTC")


def child(seed: int, name: str) -> np.random.Generator:
    """The generator of one component: depends only on the seed and the name.

    Examples
    --------
    >>> a, b = child(2024, "weather"), child(2024, "weather")
    >>> bool(a.random() == b.random())
    True
    """
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little")
    return np.random.default_rng(np.random.SeedSequence([seed, key]))


@dataclass(frozen=True)
class Clock:
    """Local-time calendar of each interval (the rhythms follow local time, DST included)."""

    times: pd.DatetimeIndex  # interval starts, UTC
    step_h: float
    hour: np.ndarray  # local hour at the middle of the interval (fractional)
    hour_int: np.ndarray  # local clock hour at the start of the interval
    day: np.ndarray  # day type: Mon=0 .. Sun=6, public holidays 6
    previous: np.ndarray  # day type of the previous local day
    night_weekday: np.ndarray  # weekday of the night an hour belongs to (before 06:00: yesterday)
    school: np.ndarray
    doy: np.ndarray
    december: np.ndarray
    years: np.ndarray
    day_index: np.ndarray  # local day number from the first local day
    weather_index: np.ndarray

    @property
    def per_hour(self) -> int:
        """Intervals per hour."""
        return round(1.0 / self.step_h)


def _day_numbers(days: list[dt.date]) -> np.ndarray:
    epoch = dt.date(1970, 1, 1)
    return np.array(sorted({(d - epoch).days for d in days}), dtype="int64")


def make_clock(times: pd.DatetimeIndex, step: pd.Timedelta, weather_start: pd.Timestamp) -> Clock:
    """The calendar of the intervals starting at ``times`` (UTC), each ``step`` long.

    ``weather_start`` is the first hour of the simulated weather, which
    ``weather_index`` counts from.

    Examples
    --------
    >>> times = pd.date_range("2024-03-31", periods=4, freq="h", tz="UTC")
    >>> make_clock(times, pd.Timedelta("1h"), times[0]).hour_int.tolist()
    [1, 3, 4, 5]
    """
    local = times.tz_convert(TIMEZONE)
    wall = local.tz_localize(None).as_unit("ns").asi8
    day_number = wall // DAY_NS
    hour_start = (wall % DAY_NS) / HOUR_NS
    step_h = step / HOUR
    years = range(local.year.min() - 1, local.year.max() + 2)
    public = _day_numbers(list(holidays.country_holidays(COUNTRY, years=years)))
    school = _day_numbers(
        [
            start + dt.timedelta(days=k)
            for _, start, end in SCHOOL_HOLIDAYS
            for k in range((end - start).days + 1)
        ]
    )

    def day_type(days: np.ndarray) -> np.ndarray:
        return np.where(np.isin(days, public), 6, (days + 3) % 7)

    hour_int = np.floor(hour_start).astype("int64")
    utc = times.as_unit("ns").asi8
    return Clock(
        times=times,
        step_h=step_h,
        hour=hour_start + step_h / 2.0,
        hour_int=hour_int,
        day=day_type(day_number),
        previous=day_type(day_number - 1),
        night_weekday=(day_number - (hour_int < 6) + 3) % 7,
        school=np.isin(day_number, school),
        doy=local.day_of_year.to_numpy().astype("float64"),
        december=(local.month.to_numpy() == 12) & (local.day.to_numpy() <= 24),
        years=(utc - _TREND_ORIGIN.value) / (365.25 * DAY_NS),
        day_index=day_number - day_number.min(),
        weather_index=(utc - weather_start.value) // HOUR_NS,
    )
