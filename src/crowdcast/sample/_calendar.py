"""The sample city's event calendar: every event Havenstad lists, year by year.

Football matches follow the season (August to May, with breaks); every year
has King's Day and King's Night, New Year's Eve, stadium concerts in June,
free concerts in the park, the Havenfestival in July, Christmas shopping
Sundays, Museum Night and the Saturday markets; one year has a demonstration.
Each year and each season draws from its own random generator, so a year's
calendar is the same whatever range is simulated. The kinds of event and how
each fills its zones are in :mod:`crowdcast.sample._event_kinds`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import replace

import holidays
import numpy as np
import pandas as pd

from crowdcast.sample._event_kinds import Part, SimEvent
from crowdcast.sample._havenstad import TIMEZONE
from crowdcast.schemas import DAY

__all__ = ["event_calendar"]


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


def _match_days(
    rng: np.random.Generator, season: int
) -> tuple[list[tuple[dt.date, float]], np.ndarray]:
    """The home matches of a season (day, local kick-off hour), sorted; the opponents' order.

    Every other Saturday outside the breaks (or the Sunday after), and two cup
    matches on Wednesdays at 20:00.
    """
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
    return sorted(matches), opponents


def _football(
    rng: np.random.Generator, season: int, postpone_first_after_break: bool
) -> list[SimEvent]:
    """About 20 home matches of Havenstad FC in the season starting in August of ``season``.

    With ``postpone_first_after_break`` the first match in January is
    cancelled (a storm) and played on a Wednesday evening two weeks later.
    """
    matches, opponents = _match_days(rng, season)
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
            and (day.year, day.month) == (season + 1, 1)
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


def _kings_day(year: int) -> list[SimEvent]:
    """King's Day (27 April, or 26 April when the 27th is a Sunday) and King's Night before it."""
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
    day = _event(
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
    eve = kings - dt.timedelta(days=1)
    bars = ("nightlife_street", "market_square")
    n_start, n_end = _local(eve, 20.0), _local(eve, 27.0)
    night = _event(
        "koningsnacht",
        "Koningsnacht",
        "kings_night",
        bars,
        eve,
        20.0,
        27.0,
        15000,
        parts=(Part(bars[0], n_start, n_end, 0.7), Part(bars[1], n_start, n_end, 0.3)),
    )
    return [day, night]


def _new_years_eve(year: int) -> SimEvent:
    """New Year's Eve at the waterfront: 31 Dec 21:00 to 1 Jan 02:00."""
    nye = dt.date(year, 12, 31)
    w_start, w_end = _local(nye, 21.0), _local(nye, 26.0)
    return _event(
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


def _stadium_concerts(rng: np.random.Generator, year: int) -> list[SimEvent]:
    """Three stadium concerts on Fridays or Saturdays in June."""
    june = list(_days(dt.date(year, 6, 1), dt.date(year, 7, 5), 4))
    artists = rng.permutation(len(_ARTISTS))
    events = []
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
    return events


def _festival_friday(year: int) -> dt.date:
    """The first day of the Havenfestival: the second Friday of July."""
    return next(_days(dt.date(year, 7, 8), dt.date(year, 7, 14), 4))


def _park_concerts(rng: np.random.Generator, year: int, cancel_year: int) -> list[SimEvent]:
    """Four free open-air concerts in the park on Sundays, mid May to mid September.

    Not on the festival's Sunday; the last is tentative (and took place); in
    ``cancel_year`` one in August is cancelled.
    """
    festival_sunday = _festival_friday(year) + dt.timedelta(days=2)
    sundays = [
        d for d in _days(dt.date(year, 5, 14), dt.date(year, 9, 15), 6) if d != festival_sunday
    ]
    picks = sorted(rng.choice(len(sundays), size=4, replace=False).tolist())
    events = []
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
    return events


def _havenfestival(year: int) -> SimEvent:
    """Havenfestival: three days from the second Friday of July; listed as one event."""
    friday = _festival_friday(year)
    days = [friday + dt.timedelta(days=k) for k in range(3)]
    parts = tuple(Part("park_waterfront", _local(d, 12.0), _local(d, 23.0), 1 / 3) for d in days)
    return replace(
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


def _shopping_sundays(year: int) -> list[SimEvent]:
    """Christmas shopping Sundays in December, before Christmas."""
    return [
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
        for day in _days(dt.date(year, 12, 1), dt.date(year, 12, 23), 6)
    ]


def _museum_night(year: int) -> SimEvent:
    """Museumnacht: first Saturday of November, 19:00 to 01:00."""
    day = next(_days(dt.date(year, 11, 1), dt.date(year, 11, 7), 5))
    return _event(
        "museumnacht",
        "Museumnacht Havenstad",
        "museum_night",
        ("museum_quarter",),
        day,
        19.0,
        25.0,
        9000,
    )


def _demonstration(year: int) -> SimEvent:
    """A demonstration on the second Sunday of March: market -> shopping street -> station."""
    day = list(_days(dt.date(year, 3, 1), dt.date(year, 3, 31), 6))[1]
    route = ("market_square", "shopping_street", "station_square")
    legs = (
        Part("market_square", _local(day, 13.0), _local(day, 14.25), 1.0),
        Part("shopping_street", _local(day, 14.0), _local(day, 15.0), 1.25),
        Part("station_square", _local(day, 14.75), _local(day, 16.0), 1.0),
    )
    return _event(
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


def _markets(year: int) -> list[SimEvent]:
    """The weekly Saturday market, 08:00-17:00 (not on public holidays)."""
    public = holidays.country_holidays("NL", years=year)
    return [
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
        for day in _days(dt.date(year, 1, 1), dt.date(year, 12, 31), 5)
        if day not in public
    ]


def _year_events(
    rng: np.random.Generator, year: int, demo_year: int, cancel_year: int
) -> list[SimEvent]:
    """Every event of ``year`` but football, in a fixed order (``rng`` is drawn from in it)."""
    events = [*_kings_day(year), _new_years_eve(year)]
    events += _stadium_concerts(rng, year)
    events += _park_concerts(rng, year, cancel_year)
    events += [_havenfestival(year), *_shopping_sundays(year), _museum_night(year)]
    if year == demo_year:  # one demonstration, in the last year simulated
        events.append(_demonstration(year))
    return events + _markets(year)


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
    lo = pd.Timestamp(first, tz="UTC") - DAY
    hi = pd.Timestamp(last, tz="UTC") + 2 * DAY
    kept = [e for e in events if e.start < hi and e.end > lo]
    return sorted(kept, key=lambda e: (e.start, e.event_id))
