"""The default feature set, sized to the counting interval and the horizon."""

from __future__ import annotations

import math

import pandas as pd

from crowdcast._validation import positive_int
from crowdcast.exceptions import ParameterError, format_message
from crowdcast.features._base import FeatureUnion
from crowdcast.features._calendar import CalendarFeatures
from crowdcast.features._events import EventFeatures
from crowdcast.features._history import OriginLags, OriginRolling, SeasonalProfile, TargetLags
from crowdcast.features._static import HorizonFeature, StaticFeatures
from crowdcast.features._weather import WeatherFeatures
from crowdcast.profiles import SiteProfile
from crowdcast.schemas import DAY, HOUR, as_timedelta

__all__ = ["default_features"]


# Over 80 lines only for its docstring, the table of what each step holds.
def default_features(
    site: SiteProfile | None = None, *, horizon: int = 24, freq: str | pd.Timedelta = "1h"
) -> FeatureUnion:
    """A good default feature set: horizon, calendar, history, events, weather, zone.

    History features are sized in time, then converted to intervals of
    ``freq`` (``d`` intervals per day, ``p`` per hour):

    ========================  ==================================  ====================
    step                      rule                                hourly, horizon 24
    ========================  ==================================  ====================
    ``origin_lags``           1, 2, 3 intervals and 1, 2, 3 h     1, 2, 3
    ``target_lags``           the first two whole days that are   24, 48, 168, 336
                              known for every horizon up to
                              ``horizon``, and 7 and 14 days
    ``rolling``               means over the last day and week    24, 168
    ``profile``               4 weeks; ratio over the last 3 h    4 weeks, ratio 3
    ========================  ==================================  ====================

    So 15-minute data gets origin lags 1, 2, 3, 4, 8, 12, target lags 96,
    192, 672, 1344, rolling windows 96 and 672 and ``recent_ratio_12``.
    Calendar settings come from ``site`` when given, else from
    ``data.site`` in ``fit``; events look 24 hours ahead and back.

    Parameters
    ----------
    site
        The site profile (time zone, holidays, closed days).
    horizon
        The largest horizon to forecast, in intervals.
    freq
        The counting interval; must divide one day.

    Examples
    --------
    >>> pipe = default_features(horizon=48)
    >>> pipe.get_params()["target_lags__lags"]
    (48, 72, 168, 336)
    """
    step = as_timedelta(freq)
    if not positive_int(horizon):
        raise ParameterError(format_message("`horizon`", "a positive integer", repr(horizon)))
    day, hour = DAY, HOUR
    if day % step != pd.Timedelta(0):
        raise ParameterError(
            format_message("`freq`", "an interval that divides one day", repr(freq))
        )
    per_day = int(day // step)
    per_hour = int(hour // step) if hour % step == pd.Timedelta(0) else 0
    first_day = math.ceil(int(horizon) / per_day)
    calendar = (
        CalendarFeatures(
            timezone=site.timezone,
            country=site.country or None,
            subdivision=site.subdivision,
            closed_days=site.closed_days,
        )
        if site is not None
        else CalendarFeatures()
    )
    return FeatureUnion(
        [
            ("horizon", HorizonFeature()),
            ("calendar", calendar),
            (
                "origin_lags",
                OriginLags(lags=_sorted({1, 2, 3, per_hour, 2 * per_hour, 3 * per_hour})),
            ),
            (
                "target_lags",
                TargetLags(
                    lags=_sorted(
                        {first_day * per_day, (first_day + 1) * per_day, 7 * per_day, 14 * per_day}
                    )
                ),
            ),
            ("rolling", OriginRolling(windows=(per_day, 7 * per_day), stats=("mean",))),
            ("profile", SeasonalProfile(weeks=4, recent=max(1, round(3 * hour / step)))),
            ("events", EventFeatures(lead_hours=24, neighbours=True)),
            ("weather", WeatherFeatures()),
            ("static", StaticFeatures()),
        ]
    )


def _sorted(values: set[int]) -> tuple[int, ...]:
    return tuple(sorted(v for v in values if v > 0))
