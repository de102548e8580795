"""Read iCalendar (RFC 5545) event calendars.

:func:`read_ical` returns a table in the ``events`` contract (see
:mod:`crowdcast.schemas`): one row per occurrence of an event (recurrences
expanded) and zone; times in UTC. :func:`~crowdcast.io.write_ical`
(:mod:`crowdcast.io._ical_write`) writes such a table back, reproducibly.
Zones are named in LOCATION by id, name or alias (case-insensitive; several
separated by ``;``, or in free text), or given by a GEO position (see
:mod:`crowdcast.io._zones`). Attendance and category may come from the
DESCRIPTION or a side CSV (see :mod:`crowdcast.io._event_details`).

Times with a zone (``TZID``, a trailing ``Z``) are converted to UTC. Floating
times (no ``TZID``, no ``Z``) and all-day dates are local times of the site and
need ``timezone=``: crowdcast never guesses a time zone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Literal, TypeAlias

import icalendar
import pandas as pd
import recurring_ical_events
import x_wr_timezone

from crowdcast._validation import Problems, check_timezone
from crowdcast.exceptions import ParameterError, ParseError, Problem, SchemaError, format_message
from crowdcast.io._common import DEFAULT_CATEGORY
from crowdcast.io._event_details import (
    Details,
    check_patterns,
    from_description,
    parse_attendance,
    read_details,
)
from crowdcast.io._times import TIMEZONE_HINT, TIMEZONE_NAME_HINT, to_utc
from crowdcast.io._zones import Unmatched, ZoneMatcher, ZonesLike
from crowdcast.schemas import EVENTS, PathLike, validate_events

__all__ = ["ATTENDANCE_PROPERTY", "read_ical"]

ATTENDANCE_PROPERTY = "X-CROWDCAST-ATTENDANCE"
"""The iCalendar property holding the expected number of visitors, e.g. ``54000``."""

_WINDOW_MARGIN = timedelta(days=2)  # more than any UTC offset or DST shift
_SOURCE_MARK = "X-CROWDCAST-SOURCE"  # put on each VEVENT to find it from its occurrences
_EXPORT_HINT = "export the calendar again as an .ics file (File > Export in most calendar apps)"
_WINDOW_HINT = "e.g. window=('2024-01-01', '2024-12-31')"
_TIME_PROPERTIES = ("DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID")

TimeLike: TypeAlias = str | date | datetime | pd.Timestamp


# ----------------------------------------------------------------------------- read


def read_ical(
    path: PathLike,
    *,
    zones: ZonesLike,
    window: tuple[TimeLike, TimeLike] | None = None,
    timezone: str | None = None,
    radius_m: float = 500.0,
    attendance_property: str = ATTENDANCE_PROPERTY,
    on_unmatched: Literal["warn", "error"] = "warn",
    description_patterns: Mapping[str, str] | None = None,
    details: PathLike | None = None,
) -> pd.DataFrame:
    """Read the events of an iCalendar (RFC 5545) file, recurrences expanded.

    Parameters
    ----------
    path
        An ``.ics`` file, e.g. exported from Google Calendar or Outlook.
    zones
        The site's zones (objects with ``id``, ``name``, ``lat``, ``lon``) or a
        site profile with a ``zones`` attribute.
    window
        ``(start, end)``: keep only the events overlapping it (whole, not
        cut). Times or dates; naive ones are in ``timezone``, else UTC.
        Required when an RRULE has neither COUNT nor UNTIL. Without it every
        event is read.
    timezone
        The site's time zone, for floating times (no TZID, no ``Z``) and
        all-day dates. Google's ``X-WR-TIMEZONE`` already places floating times.
        Defaults to the site profile's time zone when ``zones`` is a profile.
    radius_m
        How far (metres) a GEO position may be from the nearest zone's
        ``lat``/``lon`` to count as in that zone.
    attendance_property
        The property holding the expected number of visitors.
    on_unmatched
        An event whose LOCATION (and GEO) names no zone of the site:
        ``"warn"`` (the default) keeps the other events and lists the skipped
        ones in one :class:`~crowdcast.exceptions.DataQualityWarning`;
        ``"error"`` refuses the file. Free-text locations are matched on the
        zones' names and aliases (see :mod:`crowdcast.io._zones`).
    description_patterns
        How the attendance and category are read from DESCRIPTION when the
        event has no property for them; the default patterns read lines such
        as ``Verwachte bezoekers: 23.157`` and ``Categorie: markt`` (see
        :mod:`crowdcast.io._event_details`).
    details
        A CSV with a ``uid`` column and ``expected_attendance`` and/or
        ``category``: the values of each UID's events, before any the
        calendar has.

    Returns
    -------
    pandas.DataFrame
        The ``events`` contract, one row per occurrence and zone:

        - ``event_id``: the UID. Occurrences of a recurring event get
          ``"<UID>@<RECURRENCE-ID>"``: the occurrence's scheduled start in UTC
          (``20240601T070000Z``; ``20240601`` for all-day events), which an
          occurrence keeps when it is moved.
        - ``zone``: the zones LOCATION names by id, name or alias (several
          separated by ``;``, or named in free text); only when LOCATION names
          no zone, the zone nearest to GEO within ``radius_m``.
        - ``start``, ``end``: an all-day event runs from local midnight of its
          first day to local midnight after its last (DTEND is exclusive; no
          DTEND means one day). A DURATION adds its days in local time and its
          hours in absolute time, so ``PT5H`` lasts five hours across a DST
          change. A local time skipped or repeated by a DST change takes the
          UTC offset in force before the change, as RFC 5545 prescribes.
        - ``expected_attendance``: from ``details``, the attendance property
          or DESCRIPTION, in that order; NaN when none says it.
        - ``category``: from ``details``, the first CATEGORIES value or
          DESCRIPTION, lower-cased; "other" if none.
        - ``status``: "cancelled" (kept, not dropped), "tentative" or "confirmed".

    Raises
    ------
    ParseError
        The file is unreadable or not one VCALENDAR, or a time property or
        GEO is malformed, or an event has both DTEND and DURATION (RFC 5545
        allows one).
    SchemaError
        Floating times or all-day dates without ``timezone``.
    DataValidationError
        Listing every other problem, each naming the event's UID: an event
        that does not end after it starts (a timed event without DTEND or
        DURATION lasts no time, which is refused rather than guessed), an
        endless RRULE without ``window``, a location matching no zone (with
        ``on_unmatched="error"``), an attendance that is not a number.

    Examples
    --------
    >>> import tempfile
    >>> from crowdcast.io import write_ical
    >>> from crowdcast.profiles import Zone
    >>> t = pd.Timestamp("2024-06-01 18:00", tz="UTC")
    >>> ev = pd.DataFrame({"event_id": ["e1"], "name": ["Concert"], "zone": ["park"],
    ...     "start": [t], "end": [t + pd.Timedelta("3h")], "expected_attendance": [5000.0],
    ...     "category": ["concert"], "status": ["confirmed"]})
    >>> path = Path(tempfile.mkdtemp()) / "events.ics"
    >>> write_ical(ev, path, timezone="Europe/Amsterdam")
    >>> read_ical(path, zones=[Zone("park", "Park")]).loc[0, ["event_id", "zone", "start"]].tolist()
    ['e1', 'park', Timestamp('2024-06-01 18:00:00+0000', tz='UTC')]
    """
    # Long only for its docstring, which is the reference of how a calendar is read;
    # the work is in the helpers below.
    source = str(path)
    site = ZoneMatcher.of(zones)
    mode = Unmatched.check(on_unmatched)
    patterns = check_patterns(description_patterns)
    zone_tz = timezone if timezone is not None else site.timezone
    tz = None if zone_tz is None else check_timezone(zone_tz, hint=TIMEZONE_NAME_HINT)
    span = _window(window, tz)
    side = read_details(details) if details is not None else None
    calendar = _read_calendar(path, source)
    events = calendar.events
    problems = Problems(source=source, title="Invalid events file")
    timings = [_timing(ev, tz, span is not None, problems) for ev in events]
    problems.raise_if_any()
    unmatched = Unmatched(mode, problems)
    reading = _Reading(site, tz, span, radius_m, attendance_property, patterns, side, unmatched)
    records = _records(calendar, events, timings, reading, problems, source)
    problems.raise_if_any()
    unmatched.warn(source)
    if side is not None:
        side.warn_unknown(str(ev.get("UID", "")).strip() for ev in events)
    df = pd.DataFrame.from_records(records, columns=list(EVENTS.names))
    df.index = pd.Index(df["event_id"].tolist())  # validation messages name the event
    df = df.astype({"expected_attendance": "float64"})
    for col in ("start", "end"):
        df[col] = pd.to_datetime(df[col], utc=True)
    return validate_events(df, source=source, zones=site.ids)


@dataclass(frozen=True)
class _Reading:
    """The arguments of one :func:`read_ical` call that its occurrences are read with."""

    site: ZoneMatcher
    tz: tzinfo | None
    span: tuple[pd.Timestamp, pd.Timestamp] | None
    radius_m: float
    attendance_property: str
    patterns: Mapping[str, re.Pattern[str]]
    details: Details | None
    unmatched: Unmatched


def _records(
    calendar: icalendar.Calendar,
    events: list[icalendar.Event],
    timings: list[_Timing | None],
    reading: _Reading,
    problems: Problems,
    source: str,
) -> list[dict[str, object]]:
    """One record per occurrence (in the window) and zone; problems of their content kept."""
    tz, span = reading.tz, reading.span
    for i, ev in enumerate(events):
        ev[_SOURCE_MARK] = str(i)
    contents: dict[int, _Content | None] = {}
    records: list[dict[str, object]] = []
    for occurrence in _expand(calendar, span, source):
        i = int(str(occurrence[_SOURCE_MARK]))
        timing = timings[i]
        assert timing is not None  # problems raised before otherwise
        first = occurrence.DTSTART
        assert first is not None  # every VEVENT was checked to have one
        start = to_utc(first, tz)
        end = to_utc(first + timing.nominal, tz) + timing.exact
        if span is not None and not (start < span[1] and end > span[0]):
            continue
        if i not in contents:
            contents[i] = _content(events[i], reading, problems)
        content = contents[i]
        if content is None:
            continue
        event_id = timing.uid
        if timing.recurring:
            event_id += "@" + _stamp(occurrence.RECURRENCE_ID or first, tz)
        records.extend(
            {
                "event_id": event_id,
                "name": content.name,
                "zone": zone,
                "start": start,
                "end": end,
                "expected_attendance": content.attendance,
                "category": content.category,
                "status": content.status,
            }
            for zone in content.zones
        )
    return records


@dataclass(frozen=True)
class _Timing:
    """How an occurrence of one VEVENT gets its event id and its end.

    The end is the start plus ``nominal`` in local wall-clock time, then plus
    ``exact`` in absolute time (RFC 5545: DURATION days are nominal, hours
    exact; DTEND - DTSTART is exact, and applies to every occurrence).
    """

    uid: str
    recurring: bool
    nominal: timedelta
    exact: timedelta


@dataclass(frozen=True)
class _Content:
    """What an event says besides its times."""

    name: str
    zones: list[str]
    attendance: float
    category: str
    status: str


def _window(
    window: tuple[TimeLike, TimeLike] | None, tz: tzinfo | None
) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    if window is None:
        return None
    expectation = "a pair (start, end) of times or dates, start first"
    try:
        start, end = (to_utc(pd.Timestamp(bound).to_pydatetime(), tz or UTC) for bound in window)
    except (TypeError, ValueError, AttributeError):  # NaT has no usable to_pydatetime
        raise ParameterError(
            format_message("`window`", expectation, repr(window), hint=_WINDOW_HINT)
        ) from None
    if not start < end:
        raise ParameterError(
            format_message("`window`", expectation, repr(window), hint=_WINDOW_HINT)
        )
    return start, end


def _unreadable(source: str, got: str, expectation: str, hint: str | None = None) -> ParseError:
    problem = Problem("the events file", expectation, got, source=source, hint=hint)
    return ParseError([problem], title="Cannot read events file")


def _read_calendar(path: PathLike, source: str) -> icalendar.Calendar:
    one_calendar = "an iCalendar (RFC 5545) file with one VCALENDAR"
    if not Path(path).is_file():
        raise _unreadable(source, source, "an existing file", hint="check the path")
    try:
        calendar = icalendar.Calendar.from_ical(Path(path).read_bytes())
    except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        raise _unreadable(source, str(exc).splitlines()[0], one_calendar, _EXPORT_HINT) from exc
    if not isinstance(calendar, icalendar.Calendar):
        raise _unreadable(source, f"a lone {calendar.name}", one_calendar, _EXPORT_HINT)
    try:  # Google: floating times are in the calendar's X-WR-TIMEZONE
        return x_wr_timezone.to_standard(calendar)
    except (ValueError, KeyError) as exc:  # ZoneInfoNotFoundError is a KeyError
        got = f"unknown X-WR-TIMEZONE {str(calendar.get('X-WR-TIMEZONE'))!r}"
        raise _unreadable(
            source,
            got,
            "a calendar with a known X-WR-TIMEZONE",
            "set the calendar's time zone in the calendar app and export it again",
        ) from exc


def _label(ev: icalendar.Event) -> str:
    summary = str(ev.get("SUMMARY", "")).strip()
    uid = str(ev.get("UID", "")).strip()
    return "event" + (f" {uid!r}" if uid else "") + (f" ({summary})" if summary else "")


def _raw(ev: icalendar.Event, name: str) -> str:
    value = ev[name].to_ical()
    return value.decode() if isinstance(value, bytes) else str(value)


def _is_local(value: date | datetime) -> bool:
    return not isinstance(value, datetime) or value.tzinfo is None


def _timing(
    ev: icalendar.Event, tz: tzinfo | None, windowed: bool, problems: Problems
) -> _Timing | None:
    """Check what expanding one VEVENT needs; return how its occurrences are timed."""
    label = _label(ev)
    broken = [(name, why) for name, why in ev.errors if name in (*_TIME_PROPERTIES, "GEO")]
    for name, why in broken:
        problems.add(
            f"{name} of {label}",
            "a valid iCalendar value",
            why,
            error=ParseError,
            hint="fix the property in the calendar app, or export the calendar again",
        )
    for name in ("UID", "DTSTART"):
        if not ev.get(name):
            problems.add(
                f"{name} of {label}",
                "present in every VEVENT",
                hint="export the calendar again from the calendar app; RFC 5545 requires "
                f"{name} in every event",
            )
    if "DTEND" in ev and "DURATION" in ev:
        problems.add(
            f"{label}",
            "timed by DTEND or by DURATION, not both (RFC 5545)",
            f"DTEND {_raw(ev, 'DTEND')} and DURATION {_raw(ev, 'DURATION')}",
            error=ParseError,
            hint="drop one of them in the calendar; they may say different things",
        )
        return None
    if broken or not ev.get("UID") or not ev.get("DTSTART"):
        return None
    start, end = ev.DTSTART, ev.DTEND
    assert start is not None
    tzids = {
        str(getattr(ev[p], "params", {}).get("TZID", "")) for p in ("DTSTART", "DTEND") if p in ev
    }
    if _is_local(start) and isinstance(start, datetime) and tzids - {""}:
        problems.add(
            f"the TZID of {label}",
            "an IANA time zone name or defined by a VTIMEZONE in the file",
            ", ".join(repr(t) for t in sorted(tzids - {""})),
            error=ParseError,
            hint="export the calendar with its VTIMEZONE definitions (Outlook: 'Save as "
            "iCalendar'), or pass timezone= after removing the TZID",
        )
        return None
    if tz is None and any(_is_local(v) for v in (start, end) if v is not None):
        problems.add(
            f"the times of {label}",
            "in a known time zone (TZID or UTC)",
            f"DTSTART {_raw(ev, 'DTSTART')}, "
            + ("a floating time" if isinstance(start, datetime) else "an all-day date"),
            hint=f"{TIMEZONE_HINT}, to read them as local times",
            error=SchemaError,
        )
        return None
    endless = [r for r in ev.rrules if "COUNT" not in r and "UNTIL" not in r]
    if endless and not windowed:
        problems.add(
            f"the recurrence of {label}",
            "bounded (COUNT or UNTIL) when no window is given",
            f"RRULE {endless[0].to_ical().decode()}, which repeats forever",
            hint="pass window=(start, end) to read the occurrences in that period",
        )
    nominal, exact, given = _length(ev, start, end, tz)
    if to_utc(start + nominal, tz) + exact <= to_utc(start, tz):
        problems.add(
            f"the end of {label}",
            f"after its start {_raw(ev, 'DTSTART')}",
            f"{given} {_raw(ev, 'DTEND')}" if given == "DTEND" else given,
            hint="give the event a DTEND after DTSTART, or a positive DURATION",
        )
        return None
    recurring = any(p in ev for p in ("RRULE", "RDATE", "RECURRENCE-ID"))
    return _Timing(str(ev.uid), recurring, nominal, exact)


def _length(
    ev: icalendar.Event, start: date | datetime, end: date | datetime | None, tz: tzinfo | None
) -> tuple[timedelta, timedelta, str]:
    """How long an event lasts: nominal (local) and exact parts, and what says so."""
    if ev.DURATION is not None:
        days = timedelta(days=ev.DURATION.days)
        return days, ev.DURATION - days, f"DURATION {_raw(ev, 'DURATION')}"
    if end is not None and (isinstance(start, datetime) or isinstance(end, datetime)):
        return timedelta(0), to_utc(end, tz) - to_utc(start, tz), "DTEND"
    if end is not None:  # two dates
        return end - start, timedelta(0), "DTEND"
    # RFC 5545: an all-day event lasts a day, a timed one no time at all
    one_day = timedelta(days=0 if isinstance(start, datetime) else 1)
    return one_day, timedelta(0), "neither DTEND nor DURATION"


def _expand(
    calendar: icalendar.Calendar, span: tuple[pd.Timestamp, pd.Timestamp] | None, source: str
) -> list[icalendar.Event]:
    """Every occurrence, or those near the window (the caller filters exactly)."""
    try:
        query = recurring_ical_events.CalendarQuery(calendar)
        if span is None:
            return list(query.all())
        start, end = (t.to_pydatetime() for t in span)
        return list(query.between(start - _WINDOW_MARGIN, end + _WINDOW_MARGIN))
    except ValueError as exc:  # recurring_ical_events.InvalidCalendar and bad rules
        got = str(exc).splitlines()[0]
        raise _unreadable(
            source,
            got,
            "a calendar whose recurrences can be expanded",
            "check the RRULE, RDATE and EXDATE of the recurring events; export them again",
        ) from exc


def _stamp(value: date | datetime, tz: tzinfo | None) -> str:
    if isinstance(value, datetime):
        return to_utc(value, tz).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d")


def _content(ev: icalendar.Event, reading: _Reading, problems: Problems) -> _Content | None:
    """What an event says besides its times; None when it names no zone or is unreadable."""
    label = _label(ev)
    geo = ev.get("GEO")
    zones = reading.site.match_place(
        str(ev.get("LOCATION", "")).strip(),
        (geo.latitude, geo.longitude) if isinstance(geo, icalendar.vGeo) else None,
        radius_m=reading.radius_m,
        label=label,
        unmatched=reading.unmatched,
    )
    side = reading.details.of(str(ev.get("UID", "")).strip()) if reading.details else {}
    described = from_description(str(ev.get("DESCRIPTION", "")), reading.patterns)
    attendance = _attendance(ev, side, described, reading, label, problems)
    if attendance is None or not zones:
        return None
    categories = [c.strip().lower() for c in ev.categories if c.strip()]
    category = side.get("category") or (categories[0] if categories else None)
    category = category or described.get("category", "").lower() or DEFAULT_CATEGORY
    status = str(ev.get("STATUS", "")).strip().lower().replace("canceled", "cancelled")
    return _Content(
        name=str(ev.get("SUMMARY", "")).strip(),
        zones=zones,
        attendance=attendance,
        category=str(category),
        status=status if status in ("cancelled", "tentative") else "confirmed",
    )


def _attendance(
    ev: icalendar.Event,
    side: Mapping[str, object],
    described: Mapping[str, str],
    reading: _Reading,
    label: str,
    problems: Problems,
) -> float | None:
    """The expected attendance (NaN: unknown); None, with a problem, when it is unreadable."""
    if "expected_attendance" in side:
        return float(side["expected_attendance"])  # type: ignore[arg-type]
    name = reading.attendance_property
    if name in ev:
        text = str(ev[name]).strip()
        try:
            value = float(text)
            if math.isfinite(value):
                return value
        except ValueError:
            pass
        problems.add(
            f"{name} of {label}",
            "a number of persons such as 54000",
            repr(text),
            hint=f"write the expected visitors as digits, or leave {name} out",
        )
        return None
    if "expected_attendance" in described:
        found = parse_attendance(described["expected_attendance"])
        if found is None:
            problems.add(
                f"the attendance in the DESCRIPTION of {label}",
                "a whole number of persons such as 23157 or 23.157",
                repr(described["expected_attendance"]),
                hint="write the number of expected visitors in digits, or pass "
                "description_patterns= to read it otherwise",
            )
        return found
    return math.nan
