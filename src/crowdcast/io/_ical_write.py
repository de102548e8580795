"""Write an events table as an iCalendar (RFC 5545) file that :func:`read_ical` reads back."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, tzinfo

import icalendar
import pandas as pd

from crowdcast._validation import Problems, atomic_write, check_timezone
from crowdcast.io._ical import ATTENDANCE_PROPERTY
from crowdcast.io._times import TIMEZONE_NAME_HINT
from crowdcast.schemas import EVENTS, PathLike, validate_events

__all__ = ["write_ical"]


def write_ical(
    events: pd.DataFrame,
    path: PathLike,
    *,
    timezone: str,
    attendance_property: str = ATTENDANCE_PROPERTY,
    calendar_name: str | None = None,
    overwrite: bool = False,
) -> None:
    """Write an events table to an iCalendar (RFC 5545) file, reproducibly.

    One VEVENT per ``event_id``: UID is the event id, LOCATION its zone ids
    joined by ``"; "``, CATEGORIES the category, STATUS the status and
    ``attendance_property`` the expected attendance (left out when unknown).
    Times are written in ``timezone``, with its VTIMEZONE, except times in the
    hour that local time repeats when DST ends, which only UTC names
    unambiguously. :func:`read_ical` reads the file back into the same table.

    The same table gives the same bytes: events sorted by start and id,
    DTSTAMP is each event's start (not the time of writing), CRLF line endings.

    Parameters
    ----------
    events
        A table in the ``events`` contract. The rows of one event (one per
        zone) must agree on everything but the zone.
    path
        The ``.ics`` file to write.
    timezone
        IANA time zone to write local times in, e.g. ``"Europe/Amsterdam"``.
    attendance_property
        The property for the expected attendance.
    calendar_name
        Written as NAME and X-WR-CALNAME; calendar apps show it.
    overwrite
        Replace ``path`` when it exists. The file is written whole or not at
        all (to a temporary file beside it, then renamed).

    Raises
    ------
    ParameterError
        ``timezone`` is not a known time zone, or ``path`` exists and
        ``overwrite`` is false: crowdcast never replaces a file unasked.
    SchemaError, DataValidationError
        The table breaks the contract, the rows of an event disagree, or a
        time has fractions of a second (iCalendar counts whole seconds).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> t = pd.Timestamp("2024-06-01 18:00", tz="UTC")
    >>> ev = pd.DataFrame({"event_id": "e1", "name": "Parade", "zone": ["dam", "park"],
    ...     "start": t, "end": t + pd.Timedelta("2h"), "expected_attendance": 9000.0,
    ...     "category": "parade", "status": "confirmed"})
    >>> path = Path(tempfile.mkdtemp()) / "events.ics"
    >>> write_ical(ev, path, timezone="Europe/Amsterdam")
    >>> [x for x in path.read_text().splitlines() if x.startswith(("DTSTART;", "LOCATION"))]
    ['DTSTART;TZID=Europe/Amsterdam:20240601T200000', 'LOCATION:dam\\\\; park']
    """
    tz = check_timezone(timezone, hint=TIMEZONE_NAME_HINT)
    table = validate_events(events)
    _check_writable(table)
    calendar = _calendar(table, tz, attendance_property, calendar_name)
    atomic_write(path, calendar.to_ical(), overwrite=overwrite)


def _calendar(
    table: pd.DataFrame, tz: tzinfo, attendance_property: str, calendar_name: str | None
) -> icalendar.Calendar:
    """The calendar of a valid events table: one VEVENT per event, in table order."""
    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//crowdcast//crowdcast events//EN")
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    if calendar_name is not None:
        calendar.calendar_name = calendar_name
    for event_id, rows in table.groupby("event_id", sort=False):
        first = rows.iloc[0]
        event = icalendar.Event()
        event.add("UID", str(event_id))
        event.add("DTSTAMP", first["start"].to_pydatetime())
        event.add("DTSTART", _local_or_utc(first["start"], tz))
        event.add("DTEND", _local_or_utc(first["end"], tz))
        event.add("SUMMARY", first["name"])
        event.add("LOCATION", "; ".join(rows["zone"]))
        event.add("CATEGORIES", [first["category"]])
        event.add("STATUS", first["status"].upper())
        if not math.isnan(first["expected_attendance"]):
            event.add(attendance_property, f"{first['expected_attendance']:.15g}")
        calendar.add_component(event)
    if not table.empty:  # a VTIMEZONE covering just the events keeps the file small
        day = timedelta(days=1)
        first_day, last_day = table["start"].min().date() - day, table["end"].max().date() + day
        calendar.add_missing_timezones(first_date=first_day, last_date=last_day)
    return calendar


def _local_or_utc(ts: pd.Timestamp, tz: tzinfo) -> datetime:
    """``ts`` as local time if that names it unambiguously, else in UTC."""
    utc = ts.to_pydatetime()
    local = utc.astimezone(tz)
    return local if local.replace(fold=0).astimezone(UTC) == utc else utc


def _check_writable(table: pd.DataFrame) -> None:
    problems = Problems(source="<DataFrame>", title="Cannot write events")
    shared = [c for c in EVENTS.names if c not in ("event_id", "zone")]
    differs = table.groupby("event_id", sort=False)[shared].nunique(dropna=False).gt(1).any(axis=1)
    if differs.any():
        problems.add(
            "the rows of one event",
            "equal but for the zone",
            "differences in " + ", ".join(repr(e) for e in differs.index[differs]),
            hint="give the parts of an event that differ their own event_id",
        )
    times = table[["start", "end"]]
    fractional = (times != times.apply(lambda s: s.dt.floor("s"))).any(axis=1).to_numpy()
    if fractional.any():
        problems.add(
            "`start` and `end`",
            "whole seconds (iCalendar has no fractions of a second)",
            f"{int(fractional.sum())} row(s) with fractions",
            rows=tuple(table.index[fractional]),
            hint="round them first, e.g. with .dt.round('s')",
        )
    problems.raise_if_any()
