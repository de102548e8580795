"""Calendar features of the target interval, in the site's local time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from crowdcast._city import City
from crowdcast._validation import Problems, describe_value, timezone_problem
from crowdcast.exceptions import ParameterError
from crowdcast.features._base import FeatureTransformer
from crowdcast.features._common import ns
from crowdcast.profiles import ClosedDays

__all__ = ["CalendarFeatures"]

#: ``days_to_holiday`` and ``days_from_holiday`` never exceed this many days.
HOLIDAY_CAP_DAYS = 30
_NAMES = [
    "hour",
    "weekday",
    "month",
    "day_of_year",
    "is_weekend",
    "is_holiday",
    "days_to_holiday",
    "days_from_holiday",
    "is_bridge_day",
    "is_closed_day",
    "holiday",
    "next_holiday",
]


class CalendarFeatures(FeatureTransformer):
    """When the target interval falls, in local time (DST days have 23 or 25 hours).

    Columns: ``hour`` (local hour of day, fractional for sub-hourly data,
    e.g. 13.25), ``weekday`` (0 = Monday), ``month``, ``day_of_year``,
    ``is_weekend`` (the country's weekend, Saturday and Sunday by default),
    ``is_holiday`` (public holidays of the ``holidays`` package for the
    country and subdivision), ``days_to_holiday`` and ``days_from_holiday``
    (0 on a holiday, capped at 30), ``is_bridge_day`` (a working day between
    a holiday and another day off, such as the Friday after Ascension
    Thursday), ``is_closed_day`` (the site's extra closed days, e.g.
    school holidays), ``holiday`` (which holiday falls on the date, as a
    code of its name, 0 on other dates) and ``next_holiday`` (the code of
    the next holiday within 30 days, 0 if none).

    Holidays differ in kind, not only in being days off: King's Day fills a
    city centre, Christmas Day empties it and Boxing Day fills its shops. The
    codes let a model learn each holiday from the same holiday in earlier
    years. They follow the holiday's own date (Christmas Day on 25 December
    even on a Sunday), whereas ``is_holiday`` and the day counts follow the
    day off (the Tuesday a Sunday Christmas is observed on). Codes number,
    in alphabetical order, the names of the holidays that fall on the dates
    ``fit`` saw whole, that is other than its first and last date
    (``holiday_names_``); any other holiday gets 0, so a model never meets a
    code it could not learn, nor one learnt from a few hours of the day (it
    still sees ``is_holiday``). Models should treat the codes as categories
    (``get_categorical_names_out()``).

    Parameters
    ----------
    timezone, country, subdivision
        IANA time zone and holiday calendar; taken from ``data.site`` in
        ``fit`` when None (the subdivision only with the site's own country).
        Without a site: UTC and no holidays.
    closed_days
        :class:`~crowdcast.profiles.ClosedDays` periods and/or single dates;
        the site's ``closed_days`` when None.

    Attributes
    ----------
    timezone_, country_, subdivision_
        The resolved values (``country_`` None: no holidays).
    closed_dates_
        Sorted local dates counted as closed (``datetime64[D]``).
    weekend_
        Weekday numbers of the weekend.
    holiday_names_
        The names of the holidays on the dates seen in ``fit``, coded 1, 2,
        ... in ``holiday`` and ``next_holiday``.

    Examples
    --------
    >>> from crowdcast.schemas import make_rows
    >>> rows = make_rows(["a"], [pd.Timestamp("2024-04-26 22:00", tz="UTC")], [1], "h")
    >>> cal = CalendarFeatures(timezone="Europe/Amsterdam", country="NL")
    >>> cal.fit_transform(rows, City(pd.DataFrame()))[["hour", "is_holiday"]]
       hour  is_holiday
    0   0.0           1
    """

    def __init__(
        self,
        *,
        timezone: str | None = None,
        country: str | None = None,
        subdivision: str | None = None,
        closed_days: Sequence[ClosedDays | dt.date] | None = None,
    ) -> None:
        self.timezone = timezone
        self.country = country
        self.subdivision = subdivision
        self.closed_days = closed_days

    _categorical = ("holiday", "next_holiday")

    def get_feature_names_out(self) -> list[str]:
        return list(_NAMES)

    def _fit(self, rows: pd.DataFrame, data: City) -> None:
        site = data.site
        tz = self.timezone if self.timezone is not None else (site.timezone if site else "UTC")
        country = self.country if self.country is not None else (site.country if site else None)
        subdivision = self.subdivision
        if subdivision is None and site is not None and country == site.country:
            subdivision = site.subdivision
        closed = self.closed_days
        if closed is None:
            closed = site.closed_days if site is not None else ()
        self.timezone_ = tz
        self.country_ = country or None
        self.subdivision_ = subdivision or None
        self.closed_dates_ = self._check(closed)
        self.holiday_names_ = self._holiday_names(rows)
        self.weekend_ = (
            tuple(sorted(_calendar(self.country_, self.subdivision_, []).weekend))
            if self.country_
            else (5, 6)
        )

    def get_code_labels(self) -> dict[str, dict[int, str]]:
        names = {i + 1: n for i, n in enumerate(getattr(self, "holiday_names_", ()))}
        return {
            "holiday": {0: "none", **names},
            "next_holiday": {0: f"none within {HOLIDAY_CAP_DAYS} days", **names},
        }

    def _check(self, closed: Any) -> np.ndarray:
        """Check the resolved time zone and holiday calendar; the closed days as dates."""
        import holidays

        found = Problems(error=ParameterError, title="Invalid CalendarFeatures parameters")
        found.extend([p for p in [timezone_problem(self.timezone_)] if p is not None])
        supported = holidays.list_supported_countries()
        if self.country_ is not None and self.country_ not in supported:
            found.add(
                "`country`",
                "an ISO 3166-1 alpha-2 code supported by `holidays`",
                repr(self.country_),
            )
        elif self.subdivision_ is not None and self.subdivision_ not in supported.get(
            self.country_ or "", []
        ):
            found.add("`subdivision`", f"a subdivision of {self.country_}", repr(self.subdivision_))
        dates: list[dt.date] = []
        for item in closed if isinstance(closed, tuple | list) else [closed]:
            if isinstance(item, ClosedDays):
                dates.extend(item.dates())
            elif isinstance(item, dt.date) and not isinstance(item, dt.datetime):
                dates.append(item)
            else:
                found.add("`closed_days`", "ClosedDays periods or dates", describe_value(item))
                break
        found.raise_if_any()
        return np.unique(np.array(dates, dtype="datetime64[D]"))

    def _transform(self, rows: pd.DataFrame, data: City) -> pd.DataFrame:
        codes, uniques = pd.factorize(ns(rows["timestamp"]))
        wall = pd.to_datetime(uniques, utc=True).tz_convert(self.timezone_).tz_localize(None)
        day = wall.to_numpy().astype("datetime64[D]").astype(np.int64)
        days = self._day_features(day)
        out: dict[str, np.ndarray] = {
            "hour": (wall.hour + wall.minute / 60 + wall.second / 3600).to_numpy(np.float64),
            "weekday": wall.day_of_week.to_numpy(np.int8),
            "month": wall.month.to_numpy(np.int8),
            "day_of_year": wall.day_of_year.to_numpy(np.int16),
            **days,
        }
        return pd.DataFrame({k: out[k][codes] for k in _NAMES}, index=rows.index)

    def _day_features(self, day: np.ndarray) -> dict[str, np.ndarray]:
        """Per-date features; ``day`` holds local dates as days since 1970-01-01."""
        first = int(day.min()) - HOLIDAY_CAP_DAYS - 1 if day.size else 0
        last = int(day.max()) + HOLIDAY_CAP_DAYS + 1 if day.size else 0
        span = np.arange(first - 1, last + 2)  # every date involved, one spare each side
        hol = self._holidays(first, last)
        is_hol = np.isin(span, hol)
        weekend = np.isin((span + 3) % 7, self.weekend_)  # 1970-01-01 was a Thursday
        off = weekend | is_hol
        bridge = np.zeros_like(off)
        bridge[1:-1] = ~off[1:-1] & off[:-2] & off[2:] & (is_hol[:-2] | is_hol[2:])
        at = day - span[0]
        nxt = np.searchsorted(hol, day, side="left")
        prv = np.searchsorted(hol, day, side="right") - 1
        padded = np.concatenate([hol, [np.iinfo(np.int32).max]]).astype(np.int64)
        to_next = padded[nxt] - day
        from_prev = np.where(prv >= 0, day - padded[np.maximum(prv, 0)], HOLIDAY_CAP_DAYS)
        return {
            "is_weekend": weekend[at].astype(np.int8),
            "is_holiday": is_hol[at].astype(np.int8),
            "days_to_holiday": np.minimum(to_next, HOLIDAY_CAP_DAYS).astype(np.int16),
            "days_from_holiday": np.minimum(from_prev, HOLIDAY_CAP_DAYS).astype(np.int16),
            "is_bridge_day": bridge[at].astype(np.int8),
            "is_closed_day": np.isin(day, self.closed_dates_.astype(np.int64)).astype(np.int8),
            **self._holiday_codes(day, first, last),
        }

    def _named(
        self, first: int, last: int, *, observed: bool = False
    ) -> tuple[np.ndarray, list[str]]:
        """Sorted dates (days since the epoch) and names of the holidays between two dates,
        with a year spare each side: on their own dates, or with ``observed`` on the days off.
        """
        if self.country_ is None:
            return np.zeros(0, dtype=np.int64), []
        years = range(_year(first) - 1, _year(last) + 2)
        cal = _calendar(self.country_, self.subdivision_, years, observed=observed)
        named = sorted(cal.items())
        dates = np.array([d for d, _ in named], dtype="datetime64[D]").astype(np.int64)
        return dates, [n for _, n in named]

    def _holiday_names(self, rows: pd.DataFrame) -> tuple[str, ...]:
        """Names of the holidays whose whole date ``rows`` span: the ones a model can learn.

        A holiday on the first or last date of the rows is left out unless it
        also falls on an inner date: fitting at 06:00 on New Year's Day, its
        first hours are the tail of the New Year's Eve crowd, and a code learnt
        from them alone would predict that crowd for the whole day.
        """
        if self.country_ is None or rows.empty:
            return ()
        stamps = pd.DatetimeIndex(pd.unique(ns(rows["timestamp"]))).tz_localize("UTC")
        wall = stamps.tz_convert(self.timezone_).tz_localize(None)
        day = np.unique(wall.to_numpy().astype("datetime64[D]").astype(np.int64))
        dates, names = self._named(int(day[0]), int(day[-1]))
        seen = np.isin(dates, day[1:-1])
        return tuple(sorted({n for n, s in zip(names, seen, strict=True) if s}))

    def _holiday_codes(self, day: np.ndarray, first: int, last: int) -> dict[str, np.ndarray]:
        """``holiday`` and ``next_holiday``: codes of the holiday on / after each date."""
        known = getattr(self, "holiday_names_", ())
        dates, names = self._named(first, last)
        code = {name: i + 1 for i, name in enumerate(known)}
        codes = np.array([code.get(n, 0) for n in names] + [0], dtype=np.int16)
        padded = np.concatenate([dates, [np.iinfo(np.int32).max]]).astype(np.int64)
        on = np.searchsorted(dates, day, side="left")
        after = np.searchsorted(dates, day, side="right")
        here = padded[on] == day
        soon = padded[after] - day <= HOLIDAY_CAP_DAYS
        return {
            "holiday": np.where(here, codes[on], 0).astype(np.int16),
            "next_holiday": np.where(soon, codes[after], 0).astype(np.int16),
        }

    def _holidays(self, first: int, last: int) -> np.ndarray:
        """Sorted dates of the days off (observed holidays), with a year spare each side."""
        return self._named(first, last, observed=True)[0]


def _year(day: int) -> int:
    return int(np.datetime64(day, "D").astype("datetime64[Y]").astype(np.int64)) + 1970


def _calendar(country: str, subdivision: str | None, years: Any, *, observed: bool = True) -> Any:
    import holidays

    return holidays.country_holidays(country, subdiv=subdivision, years=years, observed=observed)
