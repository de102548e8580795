"""The planning window: around an event of the calendar, or between two local times.

The window is snapped outwards to the counts grid and must lie after the
last count (a forecast cannot start before it), and not too long after it:
beyond the site's ``[planning] max_data_age_h`` the counts are stale.
"""

from __future__ import annotations

import pandas as pd

from crowdcast._city import City
from crowdcast.exceptions import DataValidationError, ParameterError, Problem
from crowdcast.profiles import SiteProfile
from crowdcast.schemas import TimestampLike

__all__ = ["ARRIVAL", "EGRESS", "check_data_age", "cut_counts", "local_time", "planning_window"]

#: The window around an event: its arrivals before the start, its egress after the end
#: (the event curve's bins, docs/events.md).
ARRIVAL = pd.Timedelta("6h")
EGRESS = pd.Timedelta("4h")


def local_time(value: TimestampLike, timezone: str, what: str) -> pd.Timestamp:
    """A time argument in UTC: with an offset as given, without one in ``timezone``.

    >>> local_time("2024-12-14 18:45", "Europe/Amsterdam", "start")
    Timestamp('2024-12-14 17:45:00+0000', tz='UTC')
    """
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = None
    if ts is None or ts is pd.NaT:
        raise ParameterError(
            [Problem(f"`{what}`", "a date and time like '2024-12-14 12:00'", repr(value))]
        )
    if ts.tzinfo is not None:
        return ts.tz_convert("UTC")
    try:
        return ts.tz_localize(timezone, ambiguous="raise", nonexistent="raise").tz_convert("UTC")
    except (ValueError, Exception) as err:  # pytz/zoneinfo errors for DST edges
        raise ParameterError(
            [
                Problem(
                    f"`{what}`",
                    f"a time that exists once in {timezone}",
                    f"{value!r} ({type(err).__name__}: a daylight-saving change)",
                    hint="give the offset, e.g. '2024-10-27 02:30+01:00'",
                )
            ]
        ) from err


def _event_rows(city: City, event: str, origin: pd.Timestamp) -> pd.DataFrame:
    events = city.events
    rows = events[events["event_id"] == event] if events is not None else None
    if rows is not None and len(rows):
        return rows
    upcoming = (
        events[events["start"] >= origin].sort_values("start")["event_id"].drop_duplicates()
        if events is not None
        else pd.Series(dtype=object)
    )
    listed = ", ".join(upcoming.head(6).astype(str)) or "none"
    raise ParameterError(
        [
            Problem(
                "`event`",
                "the id of an event in the calendar",
                repr(event),
                hint=f"events after the last count: {listed}",
            )
        ]
    )


def planning_window(
    city: City,
    *,
    event: str | None,
    start: TimestampLike | None,
    end: TimestampLike | None,
    origin: pd.Timestamp,
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``[start, end)`` in UTC on the counts grid: 6 h before the event's start to 4 h after
    its end, or the given local times; after ``origin``, the first interval a forecast has."""
    site = city.require_site("plan_event")
    freq = city.history().freq
    given = start is not None or end is not None
    if (event is None) == (not given) or (given and (start is None or end is None)):
        raise ParameterError(
            [
                Problem(
                    "the planning window",
                    "an event id, or both a start and an end",
                    f"event={event!r}, start={start!r}, end={end!r}",
                    hint="--event ID, or --from and --to in local time",
                )
            ]
        )
    if event is not None:
        rows = _event_rows(city, event, origin)
        lo, hi = rows["start"].min() - ARRIVAL, rows["end"].max() + EGRESS
    else:
        lo = local_time(start, site.timezone, "start")  # type: ignore[arg-type]
        hi = local_time(end, site.timezone, "end")  # type: ignore[arg-type]
    lo, hi = lo.floor(freq), hi.ceil(freq)
    if hi <= lo:
        raise ParameterError([Problem("the window's end", f"after its start ({lo})", str(hi))])
    if lo < origin:
        raise ParameterError(
            [
                Problem(
                    "the planning window",
                    f"after the last count (forecasts start at {origin:%Y-%m-%d %H:%M} UTC)",
                    f"{lo:%Y-%m-%d %H:%M} to {hi:%Y-%m-%d %H:%M} UTC",
                    hint="plan a window after the last count, or replay the past as it was "
                    "then with as_of (--as-of) before the window",
                )
            ],
            title="The window is in the past",
        )
    return lo, hi


def cut_counts(city: City, at: pd.Timestamp) -> City:
    """The city with its counts before ``at`` only."""
    counts = city.counts[city.counts["timestamp"] < at]
    if counts["count"].notna().sum() == 0:
        raise ParameterError(
            [
                Problem(
                    "`as_of`",
                    "a time after the first count",
                    str(at),
                    hint=f"the counts start {city.counts['timestamp'].min()}",
                )
            ]
        )
    return city.replace(counts=counts)


def check_data_age(
    city: City,
    site: SiteProfile,
    last: pd.Timestamp,
    origin: pd.Timestamp,
    start: pd.Timestamp,
    *,
    allow_stale: bool,
) -> bool:
    """Whether the counts are stale for this window; an error when they are, unless allowed."""
    limit = pd.Timedelta(hours=site.planning.max_data_age_h)
    age = start - origin
    if age <= limit:
        return False
    if allow_stale:
        return True
    sources = [str(s.path) for s in site.sources_of("counts") if s.id in (city.sources or [s.id])]
    days = age / pd.Timedelta("1D")
    raise DataValidationError(
        [
            Problem(
                "the last count",
                f"at most {site.planning.max_data_age_h:g} h before the planning window",
                f"{last:%Y-%m-%d %H:%M} UTC, {age / pd.Timedelta('1h'):,.0f} h "
                f"({days:.1f} days) before the window starts at {start:%Y-%m-%d %H:%M} UTC",
                source=", ".join(sources) or None,
                column="timestamp",
                hint="update the counts (the feed may have stopped), or plan anyway with "
                "allow_stale=True (--allow-stale): the report then says the data is stale; "
                "the limit is [planning] max_data_age_h in the site profile",
            )
        ],
        title="Stale counts",
    )
