"""The sample city's event calendar and how each event fills its zones.

Each event is listed once (``events.ics``: one VEVENT, one start and end, the
zones it names) but simulated as *parts*: a zone, a time span and a share of
the attendance. A demonstration gathers on the market square, marches down
the shopping street and ends at the station; a three-day festival is one
listed event with three daily programmes.

An :class:`EventKind` says where the visitors are relative to the part's
start and end, as a fraction of the part's attendance: a bump of arrivals
before the start, a plateau during, a bump of departures after the end and
optionally a peak inside. For an occupancy zone the fraction is of people
present; for a passage zone of people passing per hour. Neighbouring zones
that the event does not name see ``spill`` times the same curve.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import holidays
import numpy as np
import pandas as pd

from crowdcast.sample._havenstad import TIMEZONE
from crowdcast.sample._shapes import smooth_box

__all__ = ["KINDS", "EventKind", "Part", "SimEvent", "event_calendar", "presence"]


@dataclass(frozen=True)
class EventKind:
    """The shape of one kind of event; ``(offset h, sd h, fraction)`` per bump."""

    category: str
    during: float
    edge: float = 0.25
    before: tuple[float, float, float] | None = None
    after: tuple[float, float, float] | None = None
    peak: tuple[float, float, float] | None = None
    spill: float = 0.05
    rain: float = 0.0  # realised attendance x exp(rain * log1p(2 * mean mm/h))
    noise: float = 0.1  # sd of log(realised / expected)
    capacity: float | None = None


KINDS: dict[str, EventKind] = {
    "market": EventKind(
        "market", during=0.09, edge=0.5, peak=(2.5, 1.3, 0.07), spill=0.06, rain=-0.45, noise=0.12
    ),
    "football": EventKind(
        "football",
        during=0.02,
        before=(0.75, 0.6, 0.8),
        after=(0.3, 0.35, 0.45),
        spill=0.10,
        rain=-0.03,
        noise=0.04,
        capacity=35000.0,
    ),
    "stadium_concert": EventKind(
        "concert",
        during=0.02,
        before=(1.6, 0.9, 0.40),
        after=(0.3, 0.4, 0.50),
        spill=0.10,
        rain=-0.02,
        noise=0.03,
        capacity=48000.0,
    ),
    "park_concert": EventKind(
        "concert",
        during=0.85,
        edge=0.5,
        before=(0.5, 0.5, 0.15),
        after=(0.3, 0.3, 0.15),
        spill=0.06,
        rain=-0.4,
        noise=0.10,
    ),
    "festival": EventKind(
        "festival",
        during=0.55,
        edge=0.6,
        peak=(8.0, 2.0, 0.20),
        after=(0.3, 0.4, 0.1),
        spill=0.05,
        rain=-0.35,
        noise=0.08,
    ),
    "kings_day": EventKind(
        "holiday",
        during=0.30,
        edge=1.0,
        peak=(5.0, 2.5, 0.10),
        after=(0.5, 0.6, 0.05),
        spill=0.03,
        rain=-0.35,
        noise=0.10,
    ),
    "kings_night": EventKind("nightlife", during=0.25, edge=0.6, spill=0.05, rain=-0.2, noise=0.1),
    "new_year": EventKind(
        "new_year",
        during=0.30,
        edge=0.6,
        peak=(3.0, 0.5, 0.55),
        after=(0.4, 0.4, 0.2),
        spill=0.03,
        rain=-0.25,
        noise=0.1,
    ),
    "demonstration": EventKind(
        "demonstration",
        during=0.80,
        edge=0.2,
        before=(0.3, 0.3, 0.1),
        after=(0.2, 0.3, 0.1),
        spill=0.05,
        rain=-0.2,
        noise=0.15,
    ),
    "shopping_sunday": EventKind(
        "shopping", during=0.11, edge=0.4, peak=(3.5, 1.5, 0.04), spill=0.04, rain=-0.1, noise=0.08
    ),
    "museum_night": EventKind("culture", during=0.35, edge=0.4, spill=0.05, noise=0.08),
}


@dataclass(frozen=True)
class Part:
    """Where and when (UTC) a share of an event's attendance shows up."""

    zone: str
    start: pd.Timestamp
    end: pd.Timestamp
    share: float = 1.0


@dataclass(frozen=True)
class SimEvent:
    """One listed event: what ``events.ics`` says, and the parts the simulator uses."""

    event_id: str
    name: str
    kind: str
    zones: tuple[str, ...]
    start: pd.Timestamp
    end: pd.Timestamp
    expected: float
    status: str
    parts: tuple[Part, ...]
    note: str = ""


def presence(kind: EventKind, hours_from_start: np.ndarray, duration_h: float) -> np.ndarray:
    """Fraction of a part's attendance in its zone, ``hours_from_start`` after its start."""
    x = hours_from_start
    out = kind.during * smooth_box(x, 0.0, duration_h, kind.edge)
    for bump, anchor, sign in (
        (kind.before, 0.0, -1.0),
        (kind.peak, 0.0, 1.0),
        (kind.after, duration_h, 1.0),
    ):
        if bump is not None:
            offset, sd, fraction = bump
            out = out + fraction * np.exp(-0.5 * ((x - anchor - sign * offset) / sd) ** 2)
    return out


def _local(day: dt.date, hour: float) -> pd.Timestamp:
    """Local wall-clock ``hour`` (may exceed 24) of ``day`` as a UTC timestamp."""
    naive = pd.Timestamp(day) + pd.Timedelta(minutes=round(hour * 60))
    return naive.tz_localize(TIMEZONE, ambiguous=False, nonexistent="shift_forward").tz_convert(
        "UTC"
    )


def _event(
    uid: str,
    name: str,
    kind: str,
    zones: tuple[str, ...],
    day: dt.date,
    start_h: float,
    end_h: float,
    expected: float,
    status: str = "confirmed",
    parts: tuple[Part, ...] = (),
    note: str = "",
) -> SimEvent:
    start, end = _local(day, start_h), _local(day, end_h)
    if not parts:
        parts = tuple(Part(z, start, end) for z in zones)
    return SimEvent(
        event_id=f"{uid}-{day:%Y%m%d}@havenstad.example",
        name=name,
        kind=kind,
        zones=zones,
        start=start,
        end=end,
        expected=float(expected),
        status=status,
        parts=parts,
        note=note,
    )


def _days(first: dt.date, last: dt.date, weekday: int) -> Iterator[dt.date]:
    day = first + dt.timedelta(days=(weekday - first.weekday()) % 7)
    while day <= last:
        yield day
        day += dt.timedelta(days=7)


_OPPONENTS = (
    ("FC Polderdam", 34500),
    ("Rijnstad United", 34000),
    ("SV Duinwijk", 33500),
    ("VV Kanaalzone", 31000),
    ("FC Molendijk", 30000),
    ("Sporting Veenhoven", 29500),
    ("Dijkland Boys", 29000),
    ("SC Heideveld", 28500),
    ("FC Zandbergen", 28000),
    ("Kreekdal '09", 27500),
    ("Vlietland FC", 27000),
    ("Terpdorp SV", 26500),
    ("Achterhoek Athletic", 26000),
    ("FC Bollenstreek", 26000),
    ("SC Slikwaard", 25500),
    ("Go Ahead Wadden", 25500),
    ("Excelsior Geestdorp", 25000),
)
_ARTISTS = (
    "The Harbour Lights",
    "Noordzee Orkest",
    "Kim & de Kadetten",
    "Polderpop Allstars",
    "DJ Eb & Vloed",
    "Maan & Meeuwen",
    "De Dijkwerkers",
    "Lucy Lighthouse",
)
_SAT_KICKOFF = (16.5, 18.75, 20.0, 21.0)
_SUN_KICKOFF = (12.25, 14.5, 16.75)


def _football(
    rng: np.random.Generator, season: int, postpone_first_after_break: bool
) -> list[SimEvent]:
    """About 20 home matches of Havenstad FC in the season starting in August of ``season``."""
    first, last = dt.date(season, 8, 8), dt.date(season + 1, 5, 20)
    breaks = [(dt.date(season, 12, 22), dt.date(season + 1, 1, 12))] + [
        (d, d + dt.timedelta(days=1))
        for d in (
            dt.date(season, 9, 6),
            dt.date(season, 10, 11),
            dt.date(season, 11, 15),
            dt.date(season + 1, 3, 21),
        )
    ]
    saturdays = [
        d
        for d in _days(first, last, 5)
        if not any(a <= d <= b or a <= d + dt.timedelta(days=1) <= b for a, b in breaks)
    ]
    home = saturdays[int(rng.integers(2)) :: 2]
    cup_pool = [
        d
        for d in _days(dt.date(season, 10, 1), dt.date(season + 1, 2, 28), 2)
        if not any(a <= d <= b for a, b in breaks)
    ]
    cups = sorted(rng.choice(len(cup_pool), size=2, replace=False).tolist())
    opponents = rng.permutation(len(_OPPONENTS))
    matches: list[tuple[dt.date, float]] = []
    for saturday in home:
        if rng.random() < 0.55:
            matches.append((saturday, float(rng.choice(_SAT_KICKOFF))))
        else:
            matches.append((saturday + dt.timedelta(days=1), float(rng.choice(_SUN_KICKOFF))))
    matches += [(cup_pool[i], 20.0) for i in cups]
    matches.sort()
    events = []
    postponed = False
    for i, (day, kickoff) in enumerate(matches):
        opponent, crowd = _OPPONENTS[int(opponents[i % len(opponents)])]
        cup = day.weekday() == 2
        name = f"Havenstad FC – {opponent}" + (" (beker)" if cup else "")
        expected = min(
            35000.0, round(crowd * (0.8 if cup else 1.0) * float(rng.uniform(0.97, 1.02)), -2)
        )
        event = _event(
            "football",
            name,
            "football",
            ("stadium_plaza",),
            day,
            kickoff,
            kickoff + 115 / 60,
            expected,
        )
        if (
            postpone_first_after_break
            and not postponed
            and day.year == season + 1
            and day.month == 1
        ):
            postponed = True
            events.append(replace(event, status="cancelled", note="postponed: storm warning"))
            new_day = day + dt.timedelta(days=(2 - day.weekday()) % 7 + 14)
            events.append(
                _event(
                    "football",
                    name + " (ingehaald)",
                    "football",
                    ("stadium_plaza",),
                    new_day,
                    20.0,
                    20.0 + 115 / 60,
                    round(expected * 0.9, -2),
                    note="rescheduled match",
                )
            )
        else:
            events.append(event)
    return events


def _year_events(
    rng: np.random.Generator, year: int, demo_year: int, cancel_year: int
) -> list[SimEvent]:
    events: list[SimEvent] = []
    # King's Day: 27 April, or 26 April when the 27th is a Sunday; Koningsnacht the evening before.
    kings = dt.date(year, 4, 27)
    if kings.weekday() == 6:
        kings = dt.date(year, 4, 26)
    city = (
        "market_square",
        "shopping_street",
        "nightlife_street",
        "park_waterfront",
        "museum_quarter",
        "station_square",
    )
    shares = (0.12, 0.25, 0.15, 0.25, 0.08, 0.15)
    start, end = _local(kings, 9.0), _local(kings, 21.0)
    events.append(
        _event(
            "koningsdag",
            "Koningsdag",
            "kings_day",
            city,
            kings,
            9.0,
            21.0,
            80000,
            parts=tuple(Part(z, start, end, s) for z, s in zip(city, shares, strict=True)),
        )
    )
    eve = kings - dt.timedelta(days=1)
    night = ("nightlife_street", "market_square")
    n_start, n_end = _local(eve, 20.0), _local(eve, 27.0)
    events.append(
        _event(
            "koningsnacht",
            "Koningsnacht",
            "kings_night",
            night,
            eve,
            20.0,
            27.0,
            15000,
            parts=(Part(night[0], n_start, n_end, 0.7), Part(night[1], n_start, n_end, 0.3)),
        )
    )

    # New Year's Eve at the waterfront: 31 Dec 21:00 to 1 Jan 02:00.
    nye = dt.date(year, 12, 31)
    w_start, w_end = _local(nye, 21.0), _local(nye, 26.0)
    events.append(
        _event(
            "oudjaarsavond",
            "Oudjaarsavond vuurwerk Waterkant",
            "new_year",
            ("park_waterfront", "station_square"),
            nye,
            21.0,
            26.0,
            25000,
            parts=(
                Part("park_waterfront", w_start, w_end, 0.8),
                Part("station_square", w_start, w_end, 0.2),
            ),
        )
    )

    # Stadium concerts on Fridays/Saturdays in June.
    june = list(_days(dt.date(year, 6, 1), dt.date(year, 7, 5), 4))
    artists = rng.permutation(len(_ARTISTS))
    for k, i in enumerate(sorted(rng.choice(len(june), size=3, replace=False).tolist())):
        day = june[i] + dt.timedelta(days=int(rng.integers(2)))
        events.append(
            _event(
                "concert-stadium",
                f"{_ARTISTS[int(artists[k])]} in het stadion",
                "stadium_concert",
                ("stadium_plaza",),
                day,
                20.0,
                23.0,
                round(float(rng.uniform(42000, 48000)), -2),
            )
        )

    # Free open-air concerts in the park on Sundays, mid May to mid September.
    festival_friday = next(_days(dt.date(year, 7, 8), dt.date(year, 7, 14), 4))
    sundays = [
        d
        for d in _days(dt.date(year, 5, 14), dt.date(year, 9, 15), 6)
        if d != festival_friday + dt.timedelta(days=2)
    ]
    picks = sorted(rng.choice(len(sundays), size=4, replace=False).tolist())
    for j, i in enumerate(picks):
        day = sundays[i]
        status = "tentative" if j == len(picks) - 1 else "confirmed"
        note = "tentative in the calendar, took place"
        if year == cancel_year and day.month == 8:
            status, note = "cancelled", "cancelled: storm warning"
        events.append(
            _event(
                "concert-park",
                "Havenpark Live",
                "park_concert",
                ("park_waterfront",),
                day,
                15.0,
                22.0,
                round(float(rng.uniform(8000, 14000)), -2),
                status=status,
                note=note if status != "confirmed" else "",
            )
        )

    # Havenfestival: three days from the second Friday of July; listed as one event.
    friday = festival_friday
    days = [friday + dt.timedelta(days=k) for k in range(3)]
    parts = tuple(Part("park_waterfront", _local(d, 12.0), _local(d, 23.0), 1 / 3) for d in days)
    events.append(
        replace(
            _event(
                "havenfestival",
                "Havenfestival",
                "festival",
                ("park_waterfront",),
                friday,
                12.0,
                12.0 + 48 + 11,
                60000,
                parts=parts,
            ),
            note="listed as one event Fri 12:00 to Sun 23:00; simulated as 12:00-23:00 each day, "
            "a third of the attendance per day",
        )
    )

    # Christmas shopping Sundays in December, before Christmas.
    for day in _days(dt.date(year, 12, 1), dt.date(year, 12, 23), 6):
        events.append(
            _event(
                "koopzondag",
                "Koopzondag december",
                "shopping_sunday",
                ("shopping_street",),
                day,
                12.0,
                18.0,
                30000,
            )
        )

    # Museumnacht: first Saturday of November, 19:00 to 01:00.
    day = next(_days(dt.date(year, 11, 1), dt.date(year, 11, 7), 5))
    events.append(
        _event(
            "museumnacht",
            "Museumnacht Havenstad",
            "museum_night",
            ("museum_quarter",),
            day,
            19.0,
            25.0,
            9000,
        )
    )

    # One demonstration on the second Sunday of March of the last year:
    # market square -> shopping street -> station square.
    if year == demo_year:
        day = list(_days(dt.date(year, 3, 1), dt.date(year, 3, 31), 6))[1]
        route = ("market_square", "shopping_street", "station_square")
        legs = (
            Part("market_square", _local(day, 13.0), _local(day, 14.25), 1.0),
            Part("shopping_street", _local(day, 14.0), _local(day, 15.0), 1.25),
            Part("station_square", _local(day, 14.75), _local(day, 16.0), 1.0),
        )
        events.append(
            _event(
                "demonstratie",
                "Demonstratie Klimaatmars",
                "demonstration",
                route,
                day,
                13.0,
                16.0,
                6000,
                parts=legs,
                note="gathers 13:00 on the market square, marches 14:00-15:00, "
                "rally at the station 14:45-16:00",
            )
        )

    # The weekly Saturday market, 08:00-17:00 (not on public holidays).
    public = holidays.country_holidays("NL", years=year)
    for day in _days(dt.date(year, 1, 1), dt.date(year, 12, 31), 5):
        if day not in public:
            events.append(
                _event(
                    "weekmarkt",
                    "Weekmarkt Grote Markt",
                    "market",
                    ("market_square",),
                    day,
                    8.0,
                    17.0,
                    5000,
                )
            )
    return events


def event_calendar(
    child: Callable[[str], np.random.Generator], first: dt.date, last: dt.date
) -> list[SimEvent]:
    """Every event overlapping ``first`` - 1 day .. ``last`` + 1 day, sorted by start and id.

    ``child(name)`` gives the random generator of one component; one per year
    and per football season keeps each year's calendar the same whatever range
    is simulated.
    """
    events: list[SimEvent] = []
    for year in range(first.year - 1, last.year + 1):
        events += _football(
            child(f"events/football/{year}"), year, postpone_first_after_break=year == first.year
        )
        events += _year_events(
            child(f"events/calendar/{year}"), year, demo_year=last.year, cancel_year=first.year
        )
    lo = pd.Timestamp(first, tz="UTC") - pd.Timedelta(days=1)
    hi = pd.Timestamp(last, tz="UTC") + pd.Timedelta(days=2)
    kept = [e for e in events if e.start < hi and e.end > lo]
    return sorted(kept, key=lambda e: (e.start, e.event_id))
