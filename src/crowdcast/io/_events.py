"""Read and write event calendars: CSV tables and iCalendar (RFC 5545) files.

Both readers return a table in the ``events`` contract (see
:mod:`crowdcast.schemas`): one row per event, or per occurrence of a recurring
event, and zone; times in UTC. Zones are named by id or by name
(case-insensitive); several zones are separated by ``;``.

Times with a zone (``TZID``, a trailing ``Z``, an ISO offset) are converted to
UTC. Times without one (CSV cells without an offset, floating iCalendar times)
and all-day dates are local times of the site and need ``timezone=``:
crowdcast never guesses a time zone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from os import PathLike
from pathlib import Path
from typing import Protocol, TypeAlias, TypeVar, cast
from zoneinfo import ZoneInfo

import icalendar
import numpy as np
import pandas as pd
import recurring_ical_events
import x_wr_timezone

from crowdcast.exceptions import (
    DataError,
    DataValidationError,
    ParameterError,
    ParseError,
    Problem,
    SchemaError,
    format_message,
)
from crowdcast.io._common import (
    map_columns,
    parse_numbers,
    read_table,
    zone_lookup,
)
from crowdcast.schemas import EVENTS, validate_events

__all__ = ["ATTENDANCE_PROPERTY", "read_events_csv", "read_ical", "write_ical"]

ATTENDANCE_PROPERTY = "X-CROWDCAST-ATTENDANCE"
"""The iCalendar property holding the expected number of visitors, e.g. ``54000``."""

_DEFAULT_CATEGORY = "other"
_WINDOW_MARGIN = timedelta(days=2)  # more than any UTC offset or DST shift
_EARTH_RADIUS_M = 6_371_008.8
_SOURCE_MARK = "X-CROWDCAST-SOURCE"  # put on each VEVENT to find it from its occurrences
_TIME_PROPERTIES = ("DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID")
_TZ_HINT = "pass timezone= with the site's time zone, e.g. timezone='Europe/Amsterdam'"

PathType: TypeAlias = str | PathLike[str]
TimeLike: TypeAlias = str | date | datetime | pd.Timestamp
_T = TypeVar("_T")


class ZoneLike(Protocol):
    """What the readers need of a zone; :class:`crowdcast.profiles.Zone` has it."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def lat(self) -> float | None: ...
    @property
    def lon(self) -> float | None: ...


class HasZones(Protocol):
    """A site profile: anything with a ``zones`` attribute."""

    @property
    def zones(self) -> Sequence[ZoneLike]: ...


ZonesLike: TypeAlias = Iterable[ZoneLike] | HasZones


# ----------------------------------------------------------------------------- shared helpers


class _Problems:
    """Problems found in one file, raised together as the most basic kind found."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.found: dict[type[DataError], list[Problem]] = {
            kind: [] for kind in (ParseError, SchemaError, DataValidationError)
        }

    def add(
        self,
        kind: type[DataError],
        what: str,
        expectation: str,
        got: str | None = None,
        **where: object,
    ) -> None:
        problem = Problem(what, expectation, got, source=self.source, **where)  # type: ignore[arg-type]
        if problem not in self.found[kind]:
            self.found[kind].append(problem)

    def attempt(self, parse: Callable[..., _T], *args: object, **kwargs: object) -> _T | None:
        """``parse(*args, **kwargs)``, or None with its problems kept for later."""
        try:
            return parse(*args, **kwargs)
        except DataError as exc:
            kind = next((k for k in self.found if isinstance(exc, k)), DataValidationError)
            self.found[kind].extend(exc.problems)
            return None

    def raise_if_any(self, title: str = "Invalid events file") -> None:
        everything = [p for problems in self.found.values() for p in problems]
        for kind, problems in self.found.items():
            if problems:
                raise kind(everything, title=title)


def _zone_info(timezone: str | None) -> ZoneInfo | None:
    if timezone is None:
        return None
    try:
        return ZoneInfo(timezone)
    except (ValueError, TypeError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        expectation = "an IANA time zone name such as 'Europe/Amsterdam'"
        raise ParameterError(format_message("`timezone`", expectation, repr(timezone))) from None


def _to_utc(value: date | datetime, tz: tzinfo | None) -> pd.Timestamp:
    """A UTC instant; a date is local midnight, a naive time a local time in ``tz``.

    A local time skipped or repeated by a DST change takes the UTC offset in
    force before the change (fold=0), as RFC 5545 prescribes.
    """
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        if tz is None:  # pragma: no cover - callers check first
            raise ValueError(f"{value} has no time zone")
        value = value.replace(tzinfo=tz)
    return pd.Timestamp(value.astimezone(UTC))


def _haversine_m(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    phi, phis = np.radians(lat), np.radians(lats)
    a = (
        np.sin((phis - phi) / 2) ** 2
        + np.cos(phi) * np.cos(phis) * np.sin(np.radians(lons - lon) / 2) ** 2
    )
    return np.asarray(2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(a)))


@dataclass(frozen=True)
class _Site:
    """The zones of a site, found by id or name (case-insensitive) or by position."""

    keys: Mapping[str, str]  # case-folded id or name -> id
    points: tuple[tuple[str, float, float], ...]  # (id, lat, lon) of zones with a position

    @classmethod
    def of(cls, zones: ZonesLike) -> _Site:
        items = list(cast(Iterable[ZoneLike], getattr(zones, "zones", zones)))
        points = tuple(
            (z.id, float(lat), float(lon))
            for z in items
            if (lat := getattr(z, "lat", None)) is not None
            and (lon := getattr(z, "lon", None)) is not None
        )
        return cls(zone_lookup(items) or {}, points)

    @property
    def ids(self) -> list[str]:
        return list(dict.fromkeys(self.keys.values()))

    def lookup(self, text: str) -> tuple[list[str], list[str]]:
        """The zone ids named in ``text`` (separated by ';') and the parts naming no zone."""
        parts = [p.strip() for p in text.split(";") if p.strip()]
        found = [self.keys[p.casefold()] for p in parts if p.casefold() in self.keys]
        unknown = [p for p in parts if p.casefold() not in self.keys]
        return list(dict.fromkeys(found)), unknown

    def nearest(self, lat: float, lon: float) -> tuple[str, float] | None:
        """The zone closest to a point, and its distance in metres."""
        if not self.points:
            return None
        ids, lats, lons = zip(*self.points, strict=True)
        distances = _haversine_m(lat, lon, np.asarray(lats), np.asarray(lons))
        i = int(np.argmin(distances))
        return ids[i], float(distances[i])


# ----------------------------------------------------------------------------- CSV


def read_events_csv(
    path: PathType,
    *,
    zones: ZonesLike,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
) -> pd.DataFrame:
    """Read an events table from a CSV file.

    Parameters
    ----------
    path
        CSV file with a header line (a ``.parquet`` file works too).
    zones
        The site's zones (objects with ``id`` and ``name``) or a site profile
        with a ``zones`` attribute. A ``zone`` cell holds zone ids or names
        (case-insensitive), several separated by ``;``: the event gets one row
        per zone.
    columns
        Maps the file's column names to the contract's: ``event_id``, ``name``,
        ``zone``, ``start``, ``end`` (required), ``expected_attendance``,
        ``category``, ``status`` (optional). Other columns are ignored.
    timezone
        The clock of start and end cells without a UTC offset (ISO 8601 such
        as ``2024-06-01 20:00``). Without it such cells are an error; so is a
        local time that a DST change skips or repeats: write those with their
        offset. Cells with an offset may be mixed with cells without.

    Returns
    -------
    pandas.DataFrame
        The ``events`` contract. Without an ``expected_attendance`` column
        attendance is NaN (unknown); an absent or empty ``status`` is
        "confirmed", an absent or empty ``category`` "other". Status and
        category are lower-cased and "canceled" is read as "cancelled".

    Raises
    ------
    ParseError, SchemaError, DataValidationError
        Listing the problems of every column at once; rows are file line
        numbers (the header is line 1).

    Examples
    --------
    >>> import tempfile
    >>> from crowdcast.profiles import Zone
    >>> path = Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = path.write_text("id,title,zone,start,end\\n"
    ...     "e1,Concert,Park,2024-06-01T20:00+02:00,2024-06-01T23:00+02:00\\n")
    >>> ev = read_events_csv(path, zones=[Zone("park", "Park")],
    ...                      columns={"id": "event_id", "title": "name"})
    >>> ev.loc[0, ["zone", "start", "status"]].tolist()
    ['park', Timestamp('2024-06-01 18:00:00+0000', tz='UTC'), 'confirmed']
    """
    source = str(path)
    site = _Site.of(zones)
    tz = _zone_info(timezone)
    required = ["event_id", "name", "zone", "start", "end"]
    df = read_table(Path(path), what="events")
    df = map_columns(df, columns, required=required, source=source, what="events")
    problems = _Problems(source)
    start, end = (_csv_times(df[col], tz, col, problems) for col in ("start", "end"))
    attendance: pd.Series | None = pd.Series(np.nan, index=df.index, dtype="float64")
    if "expected_attendance" in df.columns:
        attendance = problems.attempt(
            parse_numbers, df["expected_attendance"], column="expected_attendance", source=source
        )
    zone_ids = _csv_zones(df["zone"], site, problems)
    problems.raise_if_any()
    out = df[["event_id", "name"]].assign(
        zone=zone_ids,
        start=start,
        end=end,
        expected_attendance=attendance,
        category=_csv_text(df, "category", _DEFAULT_CATEGORY),
        status=_csv_text(df, "status", "confirmed").replace("canceled", "cancelled"),
    )
    return validate_events(out.explode("zone"), source=source, zones=site.ids)


def _csv_zones(cells: pd.Series, site: _Site, problems: _Problems) -> pd.Series:
    ids: dict[object, list[str]] = {}
    unknown: dict[object, list[str]] = {}
    for line, cell in cells.dropna().items():
        ids[line], parts = site.lookup(str(cell))
        if parts:
            unknown[line] = parts
    if unknown:
        names = sorted({p for parts in unknown.values() for p in parts})
        problems.add(
            DataValidationError,
            "`zone`",
            f"zone ids or names of the site profile ({', '.join(site.ids)})",
            "unknown " + ", ".join(repr(n) for n in names),
            column="zone",
            rows=tuple(unknown),
            hint="fix the name or add the zone to the site profile; separate several zones "
            "with ';'",
        )
    return pd.Series(ids, index=cells.index, dtype=object)


def _csv_times(cells: pd.Series, tz: tzinfo | None, column: str, problems: _Problems) -> pd.Series:
    """ISO 8601 cells as UTC; cells without an offset are local times in ``tz``."""
    values: dict[Hashable, pd.Timestamp] = {}
    failed: dict[str, list[tuple[Hashable, str]]] = {"naive": [], "unreadable": [], "unclear": []}
    for line, cell in cells.dropna().items():
        try:
            parsed = datetime.fromisoformat(str(cell).strip())
        except ValueError:
            failed["unreadable"].append((line, cell))
            continue
        if parsed.tzinfo is None and tz is None:
            failed["naive"].append((line, cell))
        elif parsed.tzinfo is None and not _exists_once(parsed, tz):
            failed["unclear"].append((line, cell))
        else:
            values[line] = _to_utc(parsed, tz)
    explain = {
        "naive": (
            SchemaError,
            "timezone-aware (ISO 8601 with an offset such as +02:00 or Z)",
            f"{_TZ_HINT}, to read them as local times",
        ),
        "unreadable": (ParseError, "ISO 8601 times such as 2024-06-01T18:00+02:00", None),
        "unclear": (
            ParseError,
            f"local times that exist exactly once in {tz}",
            "write the times a DST change skips or repeats with their UTC offset, "
            "e.g. 2024-10-27T02:30+01:00",
        ),
    }
    for reason, cases in failed.items():
        kind, expectation, hint = explain[reason]
        if cases:
            got = f"{len(cases)} value(s) such as {cases[0][1]!r}"
            rows = tuple(line for line, _ in cases)
            problems.add(kind, f"`{column}`", expectation, got, column=column, rows=rows, hint=hint)
    return pd.Series(values, index=cells.index, dtype="datetime64[ns, UTC]")


def _exists_once(local: datetime, tz: tzinfo | None) -> bool:
    """Whether a naive local time is neither skipped nor repeated by a DST change."""
    return (
        local.replace(tzinfo=tz, fold=0).utcoffset() == local.replace(tzinfo=tz, fold=1).utcoffset()
    )


def _csv_text(df: pd.DataFrame, column: str, default: str) -> pd.Series:
    if column not in df.columns:
        return pd.Series(default, index=df.index, dtype=object)
    text = df[column].fillna("").astype(str).str.strip().str.lower()
    return text.where(text != "", default)


# ----------------------------------------------------------------------------- iCalendar: read


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


def read_ical(
    path: PathType,
    *,
    zones: ZonesLike,
    window: tuple[TimeLike, TimeLike] | None = None,
    timezone: str | None = None,
    radius_m: float = 500.0,
    attendance_property: str = ATTENDANCE_PROPERTY,
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
    radius_m
        How far (metres) a GEO position may be from the nearest zone's
        ``lat``/``lon`` to count as in that zone.
    attendance_property
        The property holding the expected number of visitors.

    Returns
    -------
    pandas.DataFrame
        The ``events`` contract, one row per occurrence and zone:

        - ``event_id``: the UID. Occurrences of a recurring event get
          ``"<UID>@<RECURRENCE-ID>"``: the occurrence's scheduled start in UTC
          (``20240601T070000Z``; ``20240601`` for all-day events), which an
          occurrence keeps when it is moved.
        - ``zone``: the zone ids or names in LOCATION (several separated by
          ``;``); only when LOCATION names no zone, the zone nearest to GEO
          within ``radius_m``.
        - ``start``, ``end``: an all-day event runs from local midnight of its
          first day to local midnight after its last (DTEND is exclusive; no
          DTEND means one day). A DURATION adds its days in local time and its
          hours in absolute time, so ``PT5H`` lasts five hours across a DST
          change. A local time skipped or repeated by a DST change takes the
          UTC offset in force before the change, as RFC 5545 prescribes.
        - ``category``: the first CATEGORIES value, lower-cased; "other" if none.
        - ``status``: "cancelled" (kept, not dropped), "tentative" or "confirmed".

    Raises
    ------
    ParseError
        The file is unreadable or not one VCALENDAR, or a time property or
        GEO is malformed.
    SchemaError
        Floating times or all-day dates without ``timezone``.
    DataValidationError
        Listing every other problem: an event that does not end after it
        starts (a timed event without DTEND or DURATION lasts no time, which
        is refused rather than guessed), an endless RRULE without ``window``,
        a location matching no zone, a non-numeric attendance.

    Examples
    --------
    >>> import tempfile
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
    source = str(path)
    site = _Site.of(zones)
    tz = _zone_info(timezone)
    span = _window(window, tz)
    calendar = _read_calendar(path, source)
    events = calendar.events
    problems = _Problems(source)
    timings = [_timing(ev, tz, span is not None, problems) for ev in events]
    problems.raise_if_any()

    for i, ev in enumerate(events):
        ev[_SOURCE_MARK] = str(i)
    contents: dict[int, _Content | None] = {}
    records: list[dict[str, object]] = []
    for occurrence in _expand(calendar, span, source):
        i = int(str(occurrence[_SOURCE_MARK]))
        timing = timings[i]
        assert timing is not None  # problems raised above otherwise
        first = occurrence.DTSTART
        assert first is not None  # every VEVENT was checked to have one
        start = _to_utc(first, tz)
        end = _to_utc(first + timing.nominal, tz) + timing.exact
        if span is not None and not (start < span[1] and end > span[0]):
            continue
        if i not in contents:
            contents[i] = _content(events[i], site, radius_m, attendance_property, problems)
        content = contents[i]
        if content is None:
            continue
        event_id = timing.uid
        if timing.recurring:
            event_id += "@" + _stamp(occurrence.RECURRENCE_ID or first, tz)
        for zone in content.zones:
            records.append(
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
            )
    problems.raise_if_any()
    df = pd.DataFrame.from_records(records, columns=list(EVENTS.names))
    df.index = pd.Index(df["event_id"].tolist())  # validation messages name the event
    df = df.astype({"expected_attendance": "float64"})
    for col in ("start", "end"):
        df[col] = pd.to_datetime(df[col], utc=True)
    return validate_events(df, source=source, zones=site.ids)


def _window(
    window: tuple[TimeLike, TimeLike] | None, tz: tzinfo | None
) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    if window is None:
        return None
    expectation = "a pair (start, end) of times or dates, start first"
    try:
        start, end = (_to_utc(pd.Timestamp(bound).to_pydatetime(), tz or UTC) for bound in window)
    except (TypeError, ValueError, AttributeError):  # NaT has no usable to_pydatetime
        raise ParameterError(format_message("`window`", expectation, repr(window))) from None
    if not start < end:
        raise ParameterError(format_message("`window`", expectation, repr(window)))
    return start, end


def _unreadable(source: str, got: str, expectation: str, hint: str | None = None) -> ParseError:
    problem = Problem("the events file", expectation, got, source=source, hint=hint)
    return ParseError([problem], title="Cannot read events file")


def _read_calendar(path: PathType, source: str) -> icalendar.Calendar:
    one_calendar = "an iCalendar (RFC 5545) file with one VCALENDAR"
    if not Path(path).is_file():
        raise _unreadable(source, source, "an existing file", hint="check the path")
    try:
        calendar = icalendar.Calendar.from_ical(Path(path).read_bytes())
    except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        raise _unreadable(source, str(exc).splitlines()[0], one_calendar) from exc
    if not isinstance(calendar, icalendar.Calendar):
        raise _unreadable(source, f"a lone {calendar.name}", one_calendar)
    try:  # Google: floating times are in the calendar's X-WR-TIMEZONE
        return x_wr_timezone.to_standard(calendar)
    except (ValueError, KeyError) as exc:  # ZoneInfoNotFoundError is a KeyError
        got = f"unknown X-WR-TIMEZONE {str(calendar.get('X-WR-TIMEZONE'))!r}"
        raise _unreadable(source, got, "a calendar with a known X-WR-TIMEZONE") from exc


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
    ev: icalendar.Event, tz: tzinfo | None, windowed: bool, problems: _Problems
) -> _Timing | None:
    """Check what expanding one VEVENT needs; return how its occurrences are timed."""
    label = _label(ev)
    broken = [(name, why) for name, why in ev.errors if name in (*_TIME_PROPERTIES, "GEO")]
    for name, why in broken:
        problems.add(ParseError, f"{name} of {label}", "a valid iCalendar value", why)
    for name in ("UID", "DTSTART"):
        if not ev.get(name):
            problems.add(DataValidationError, f"{name} of {label}", "present in every VEVENT")
    if broken or not ev.get("UID") or not ev.get("DTSTART"):
        return None
    start, end = ev.DTSTART, ev.DTEND
    assert start is not None
    tzids = {
        str(getattr(ev[p], "params", {}).get("TZID", "")) for p in ("DTSTART", "DTEND") if p in ev
    }
    if _is_local(start) and isinstance(start, datetime) and tzids - {""}:
        problems.add(
            ParseError,
            f"the TZID of {label}",
            "an IANA time zone name or defined by a VTIMEZONE in the file",
            ", ".join(repr(t) for t in sorted(tzids - {""})),
        )
        return None
    if tz is None and any(_is_local(v) for v in (start, end) if v is not None):
        problems.add(
            SchemaError,
            f"the times of {label}",
            "in a known time zone (TZID or UTC)",
            f"DTSTART {_raw(ev, 'DTSTART')}, "
            + ("a floating time" if isinstance(start, datetime) else "an all-day date"),
            hint=f"{_TZ_HINT}, to read them as local times",
        )
        return None
    endless = [r for r in ev.rrules if "COUNT" not in r and "UNTIL" not in r]
    if endless and not windowed:
        problems.add(
            DataValidationError,
            f"the recurrence of {label}",
            "bounded (COUNT or UNTIL) when no window is given",
            f"RRULE {endless[0].to_ical().decode()}, which repeats forever",
            hint="pass window=(start, end) to read the occurrences in that period",
        )
    if ev.DURATION is not None:
        days = timedelta(days=ev.DURATION.days)
        nominal, exact, given = days, ev.DURATION - days, f"DURATION {_raw(ev, 'DURATION')}"
    elif end is not None and (isinstance(start, datetime) or isinstance(end, datetime)):
        nominal, exact, given = timedelta(0), _to_utc(end, tz) - _to_utc(start, tz), "DTEND"
    elif end is not None:  # two dates
        nominal, exact, given = end - start, timedelta(0), "DTEND"
    else:  # RFC 5545: an all-day event lasts a day, a timed one no time at all
        one_day = timedelta(days=0 if isinstance(start, datetime) else 1)
        nominal, exact, given = one_day, timedelta(0), "neither DTEND nor DURATION"
    if _to_utc(start + nominal, tz) + exact <= _to_utc(start, tz):
        problems.add(
            DataValidationError,
            f"the end of {label}",
            f"after its start {_raw(ev, 'DTSTART')}",
            f"{given} {_raw(ev, 'DTEND')}" if given == "DTEND" else given,
            hint="give the event a DTEND after DTSTART, or a positive DURATION",
        )
        return None
    recurring = any(p in ev for p in ("RRULE", "RDATE", "RECURRENCE-ID"))
    return _Timing(str(ev.uid), recurring, nominal, exact)


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
        raise _unreadable(source, got, "a calendar whose recurrences can be expanded") from exc


def _stamp(value: date | datetime, tz: tzinfo | None) -> str:
    if isinstance(value, datetime):
        return _to_utc(value, tz).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d")


def _content(
    ev: icalendar.Event,
    site: _Site,
    radius_m: float,
    attendance_property: str,
    problems: _Problems,
) -> _Content | None:
    label = _label(ev)
    zones = _ical_zones(ev, site, radius_m, label, problems)
    attendance = math.nan
    if attendance_property in ev:
        text = str(ev[attendance_property]).strip()
        try:
            attendance = float(text)
            if not math.isfinite(attendance):
                raise ValueError(text)
        except ValueError:
            problems.add(
                DataValidationError,
                f"{attendance_property} of {label}",
                "a number of persons such as 54000",
                repr(text),
                hint=f"write the expected visitors as digits, or leave {attendance_property} out",
            )
            return None
    if zones is None:
        return None
    categories = [c.strip().lower() for c in ev.categories if c.strip()]
    status = str(ev.get("STATUS", "")).strip().lower().replace("canceled", "cancelled")
    return _Content(
        name=str(ev.get("SUMMARY", "")).strip(),
        zones=zones,
        attendance=attendance,
        category=categories[0] if categories else _DEFAULT_CATEGORY,
        status=status if status in ("cancelled", "tentative") else "confirmed",
    )


def _ical_zones(
    ev: icalendar.Event, site: _Site, radius_m: float, label: str, problems: _Problems
) -> list[str] | None:
    """The zones named in LOCATION; only when it names none, the zone nearest to GEO."""
    location = str(ev.get("LOCATION", "")).strip()
    ids, unknown = site.lookup(location)
    if ids and not unknown:
        return ids
    geo = ev.get("GEO")
    geo_text = "no GEO"
    if isinstance(geo, icalendar.vGeo):
        geo_text = f"GEO {geo.latitude};{geo.longitude}"
        nearest = site.nearest(geo.latitude, geo.longitude)
        if nearest is not None and not ids:
            if nearest[1] <= radius_m:
                return [nearest[0]]
            geo_text += f" (nearest zone {nearest[0]!r} is {nearest[1]:,.0f} m away)"
    problems.add(
        DataValidationError,
        f"the zone of {label}",
        f"named in LOCATION (zone ids or names: {', '.join(site.ids)}) or given by a GEO "
        f"within {radius_m:g} m of a zone",
        f"LOCATION {location!r}, {geo_text}",
        hint="add the zone id or name to LOCATION (several separated by ';'), or widen radius_m",
    )
    return None


# ----------------------------------------------------------------------------- iCalendar: write


def write_ical(
    events: pd.DataFrame,
    path: PathType,
    *,
    timezone: str,
    attendance_property: str = ATTENDANCE_PROPERTY,
    calendar_name: str | None = None,
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

    Raises
    ------
    SchemaError, DataValidationError
        The table breaks the contract, the rows of an event disagree, or a
        time has fractions of a second (iCalendar counts whole seconds).

    Examples
    --------
    >>> import tempfile
    >>> t = pd.Timestamp("2024-06-01 18:00", tz="UTC")
    >>> ev = pd.DataFrame({"event_id": "e1", "name": "Parade", "zone": ["dam", "park"],
    ...     "start": t, "end": t + pd.Timedelta("2h"), "expected_attendance": 9000.0,
    ...     "category": "parade", "status": "confirmed"})
    >>> path = Path(tempfile.mkdtemp()) / "events.ics"
    >>> write_ical(ev, path, timezone="Europe/Amsterdam")
    >>> [x for x in path.read_text().splitlines() if x.startswith(("DTSTART;", "LOCATION"))]
    ['DTSTART;TZID=Europe/Amsterdam:20240601T200000', 'LOCATION:dam\\\\; park']
    """
    tz = _zone_info(timezone)
    if tz is None:
        expectation = "an IANA time zone name such as 'Europe/Amsterdam'"
        raise ParameterError(format_message("`timezone`", expectation, "None"))
    table = validate_events(events)
    _check_writable(table)
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
    Path(path).write_bytes(calendar.to_ical())


def _local_or_utc(ts: pd.Timestamp, tz: tzinfo) -> datetime:
    """``ts`` as local time if that names it unambiguously, else in UTC."""
    utc = ts.to_pydatetime()
    local = utc.astimezone(tz)
    return local if local.replace(fold=0).astimezone(UTC) == utc else utc


def _check_writable(table: pd.DataFrame) -> None:
    problems = _Problems("<DataFrame>")
    shared = [c for c in EVENTS.names if c not in ("event_id", "zone")]
    differs = table.groupby("event_id", sort=False)[shared].nunique(dropna=False).gt(1).any(axis=1)
    if differs.any():
        problems.add(
            DataValidationError,
            "the rows of one event",
            "equal but for the zone",
            "differences in " + ", ".join(repr(e) for e in differs.index[differs]),
            hint="give the parts of an event that differ their own event_id",
        )
    times = table[["start", "end"]]
    fractional = (times != times.apply(lambda s: s.dt.floor("s"))).any(axis=1).to_numpy()
    if fractional.any():
        problems.add(
            DataValidationError,
            "`start` and `end`",
            "whole seconds (iCalendar has no fractions of a second)",
            f"{int(fractional.sum())} row(s) with fractions",
            rows=tuple(table.index[fractional]),
            hint="round them first, e.g. with .dt.round('s')",
        )
    problems.raise_if_any(title="Cannot write events")
