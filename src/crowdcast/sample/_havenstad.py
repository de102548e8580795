"""Havenstad, the fictional Dutch city centre of the sample data, written as data.

Zone *archetypes* say how a kind of place behaves (its daily rhythm in
people, its season, trend and weather sensitivity, how noisy it is); zones
place an archetype on the map with an area or a walkable width. Every number
here is a modelling choice of the simulator, documented in the generated
README, not a measurement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from crowdcast.sample._shapes import Block, Peak

__all__ = [
    "ARCHETYPES",
    "COUNTRY",
    "GLITCHES",
    "SCHOOL_HOLIDAYS",
    "SITE_ID",
    "SITE_NAME",
    "SUBDIVISION",
    "TIMEZONE",
    "VENUES",
    "ZONES",
    "Archetype",
    "Glitch",
    "VenueSpec",
    "ZoneSpec",
]

SITE_ID = "havenstad"
SITE_NAME = "Havenstad centrum (fictional sample city)"
TIMEZONE = "Europe/Amsterdam"
COUNTRY = "NL"
#: The school-holiday region (``holidays`` NL subdivision; public holidays are national).
SUBDIVISION = "Midden"


@dataclass(frozen=True)
class Archetype:
    """How one kind of place fills up.

    ``pattern`` is in persons present (occupancy) or persons passing per hour
    (passages) on a reference day: no trend, annual factor 1, neutral weather
    (15 °C, dry, no sun, 5 m/s wind). The expected count multiplies it by

    * ``1 + annual_amplitude * cos(2 pi (doy - annual_peak_doy) / 365.25)``,
    * ``1 + december`` in December up to the 24th (Christmas shopping),
    * ``school_holiday`` on school holidays (region midden),
    * ``(1 + trend) ** years`` since 2023-01-01,
    * ``exp(rain * log1p(2 * mm) + temperature * (T - 15) + sunshine * sun
      + wind * max(wind - 5, 0))`` for the hour's weather,

    then adds ``floor`` and the events. Counts are negative binomial around it
    with size ``dispersion``, after a day-level and an hour-level random effect.
    """

    measure: Literal["occupancy", "passages"]
    pattern: tuple[Peak | Block, ...]
    floor: float
    annual_amplitude: float = 0.0
    annual_peak_doy: int = 196
    december: float = 0.0
    school_holiday: float = 1.0
    trend: float = 0.03
    rain: float = 0.0
    temperature: float = 0.0
    sunshine: float = 0.0
    wind: float = 0.0
    dispersion: float = 30.0


ARCHETYPES: dict[str, Archetype] = {
    # Commuters at 7-9 and 16-19 on weekdays; trains at night on weekends.
    "transit": Archetype(
        measure="occupancy",
        pattern=(
            Block("all", 5.8, 24.3, 260.0, 0.6),
            Peak("Mon-Fri", 8.35, 0.7, 1900.0),
            Peak("Mon-Fri", 17.5, 1.1, 1250.0),
            Peak("Mon-Fri", 12.5, 1.5, 150.0),
            Block("Sat", 9.5, 20.0, 520.0, 0.9),
            Block("Sun", 10.5, 19.5, 330.0, 0.9),
            Peak("Fri-Sat", 24.6, 1.0, 260.0),
        ),
        floor=22.0,
        annual_amplitude=0.05,
        annual_peak_doy=285,
        school_holiday=0.85,
        trend=0.03,
        rain=0.04,
        temperature=-0.002,
        dispersion=60.0,
    ),
    # Shops 9:30-18, late-night shopping on Thursday, Sunday opening 12-17 only.
    "retail": Archetype(
        measure="passages",
        pattern=(
            Block("all", 7.5, 23.0, 180.0, 1.0),
            Block("Mon-Sat", 9.6, 18.0, 1400.0, 0.45),
            Peak("Mon-Fri", 12.8, 1.1, 450.0),
            Peak("Mon-Sat", 15.3, 1.7, 850.0),
            Block("Sat", 10.0, 17.6, 1900.0, 0.5),
            Block("Thu", 18.0, 21.0, 1200.0, 0.35),
            Block("Sun", 12.0, 17.0, 2100.0, 0.3),
        ),
        floor=35.0,
        annual_amplitude=0.06,
        annual_peak_doy=330,
        december=0.22,
        school_holiday=1.05,
        trend=0.02,
        rain=-0.10,
        temperature=-0.004,
        dispersion=40.0,
    ),
    # Terraces and a square; the Saturday market itself comes from events.ics.
    "market": Archetype(
        measure="occupancy",
        pattern=(
            Block("all", 8.0, 23.0, 110.0, 1.0),
            Peak("all", 13.5, 2.4, 160.0),
            Peak("Thu-Sat", 21.5, 1.8, 210.0),
            Peak("Sun", 15.0, 2.0, 120.0),
        ),
        floor=8.0,
        annual_amplitude=0.22,
        annual_peak_doy=196,
        school_holiday=1.05,
        trend=0.03,
        rain=-0.35,
        temperature=0.015,
        sunshine=0.15,
        dispersion=25.0,
    ),
    # Bars: Friday and Saturday nights to 04:00, a student night on Thursday.
    "nightlife": Archetype(
        measure="passages",
        pattern=(
            Block("all", 11.0, 19.0, 330.0, 1.0),
            Peak("Mon-Wed", 22.4, 1.9, 650.0),
            Peak("Sun", 21.0, 2.0, 480.0),
            Peak("Thu", 23.6, 1.8, 1100.0),
            Peak("Fri", 24.0, 2.2, 2900.0),
            Peak("Sat", 24.6, 2.3, 4100.0),
        ),
        floor=18.0,
        annual_amplitude=0.08,
        annual_peak_doy=200,
        school_holiday=0.95,
        trend=0.03,
        rain=-0.16,
        temperature=0.02,
        dispersion=25.0,
    ),
    # A stadium forecourt: near empty except on match and concert days.
    "stadium": Archetype(
        measure="occupancy",
        pattern=(
            Block("all", 7.0, 22.0, 35.0, 1.0),
            Peak("Sat-Sun", 14.0, 3.0, 55.0),
        ),
        floor=4.0,
        trend=0.0,
        rain=-0.3,
        temperature=0.01,
        dispersion=20.0,
    ),
    # Warm sunny weekend afternoons fill it; rain empties it.
    "park": Archetype(
        measure="occupancy",
        pattern=(
            Block("all", 7.0, 22.0, 240.0, 1.2),
            Peak("Mon-Fri", 12.6, 1.0, 140.0),
            Peak("Mon-Fri", 18.0, 2.0, 320.0),
            Peak("Sat-Sun", 14.8, 2.6, 1300.0),
        ),
        floor=14.0,
        annual_amplitude=0.25,
        annual_peak_doy=196,
        school_holiday=1.15,
        trend=0.04,
        rain=-1.1,
        temperature=0.07,
        sunshine=0.45,
        wind=-0.04,
        dispersion=10.0,
    ),
    # Museums open Tuesday to Sunday 10-17; rain sends people inside.
    "museum": Archetype(
        measure="occupancy",
        pattern=(
            Block("all", 7.0, 23.0, 110.0, 1.0),
            Block("Tue-Sun", 10.0, 17.0, 520.0, 0.4),
            Block("Mon", 10.0, 17.0, 140.0, 0.4),
            Peak("Sat-Sun", 14.0, 2.0, 420.0),
        ),
        floor=9.0,
        annual_amplitude=0.10,
        annual_peak_doy=205,
        school_holiday=1.3,
        trend=0.03,
        rain=0.12,
        temperature=-0.01,
        dispersion=20.0,
    ),
}


@dataclass(frozen=True)
class ZoneSpec:
    """One zone of the site profile and the archetype that drives it."""

    id: str
    name: str
    archetype: str
    tags: tuple[str, ...]
    lat: float
    lon: float
    neighbours: tuple[str, ...]
    area_m2: float | None = None
    width_m: float | None = None
    capacity: int | None = None


ZONES: tuple[ZoneSpec, ...] = (
    ZoneSpec(
        "station_square",
        "Stationsplein",
        "transit",
        ("transit",),
        52.0712,
        4.6050,
        ("shopping_street", "museum_quarter", "stadium_plaza"),
        area_m2=6000.0,
        capacity=12000,
    ),
    ZoneSpec(
        "shopping_street",
        "Havenstraat",
        "retail",
        ("retail",),
        52.0706,
        4.6094,
        ("station_square", "market_square"),
        width_m=12.0,
    ),
    ZoneSpec(
        "market_square",
        "Grote Markt",
        "market",
        ("market", "horeca"),
        52.0700,
        4.6138,
        ("shopping_street", "nightlife_street", "museum_quarter", "park_waterfront"),
        area_m2=3500.0,
        capacity=7000,
    ),
    ZoneSpec(
        "nightlife_street",
        "Kaaistraat",
        "nightlife",
        ("horeca", "nightlife"),
        52.0712,
        4.6166,
        ("market_square", "park_waterfront"),
        width_m=8.0,
    ),
    ZoneSpec(
        "stadium_plaza",
        "Stadionplein",
        "stadium",
        ("stadium", "event"),
        52.0756,
        4.6192,
        ("station_square", "park_waterfront"),
        area_m2=9000.0,
        capacity=22000,
    ),
    ZoneSpec(
        "park_waterfront",
        "Havenpark & Waterkant",
        "park",
        ("green", "waterfront"),
        52.0690,
        4.6205,
        ("market_square", "nightlife_street", "stadium_plaza"),
        area_m2=25000.0,
        capacity=50000,
    ),
    ZoneSpec(
        "museum_quarter",
        "Museumkwartier",
        "museum",
        ("culture", "tourism"),
        52.0679,
        4.6108,
        ("station_square", "market_square"),
        area_m2=8000.0,
        capacity=16000,
    ),
)


@dataclass(frozen=True)
class VenueSpec:
    """A venue; licensed ones report litres sold while open (``opens``..``closes`` local).

    ``closes`` may pass midnight (26.0 = 02:00); ``closes_weekend`` applies to
    Friday and Saturday nights. ``litres`` is the hourly sale at the zone's
    reference crowd (``reference``, in the zone's measure) at the evening peak.
    """

    id: str
    zone: str
    name: str
    tags: tuple[str, ...]
    lat: float
    lon: float
    litres: float = 0.0
    opens: float = 15.0
    closes: float = 26.0
    closes_weekend: float = 28.0
    reference: float = 1500.0
    months: tuple[int, ...] = tuple(range(1, 13))


_LICENSED = ("horeca", "licensed")

VENUES: tuple[VenueSpec, ...] = (
    VenueSpec(
        "cafe_de_haven", "nightlife_street", "Café De Haven", _LICENSED, 52.07128, 4.61520, 38.0
    ),
    VenueSpec(
        "de_gouden_leeuw", "nightlife_street", "De Gouden Leeuw", _LICENSED, 52.07112, 4.61578, 30.0
    ),
    VenueSpec(
        "bar_noord", "nightlife_street", "Bar Noord", _LICENSED, 52.07131, 4.61633, 44.0, opens=18.0
    ),
    VenueSpec(
        "club_kade_7",
        "nightlife_street",
        "Club Kade 7",
        _LICENSED,
        52.07110,
        4.61690,
        55.0,
        opens=21.0,
        closes=27.0,
        closes_weekend=29.0,
    ),
    VenueSpec(
        "t_anker",
        "nightlife_street",
        "Proeflokaal 't Anker",
        _LICENSED,
        52.07127,
        4.61742,
        26.0,
        opens=14.0,
        closes=25.0,
        closes_weekend=27.0,
    ),
    VenueSpec(
        "het_wapen", "nightlife_street", "Café Het Wapen", _LICENSED, 52.07113, 4.61795, 34.0
    ),
    VenueSpec(
        "grand_cafe_de_markt",
        "market_square",
        "Grand Café De Markt",
        _LICENSED,
        52.07004,
        4.61352,
        22.0,
        opens=10.0,
        closes=25.0,
        closes_weekend=26.0,
        reference=400.0,
    ),
    VenueSpec(
        "paviljoen_waterkant",
        "park_waterfront",
        "Paviljoen Waterkant",
        _LICENSED,
        52.06912,
        4.62088,
        28.0,
        opens=11.0,
        closes=24.0,
        closes_weekend=25.0,
        reference=1200.0,
        months=(4, 5, 6, 7, 8, 9),
    ),
    VenueSpec("station_kiosk", "station_square", "Stationskiosk", ("retail",), 52.07105, 4.60478),
    VenueSpec(
        "stadium_gate_north",
        "stadium_plaza",
        "Stadion ingang Noord",
        ("stadium", "gate"),
        52.07602,
        4.61915,
    ),
)

#: Dutch school holidays, region midden (rijksoverheid.nl; as in ``holidays`` NL, category school).
SCHOOL_HOLIDAYS: tuple[tuple[str, dt.date, dt.date], ...] = (
    ("Kerstvakantie 2022", dt.date(2022, 12, 24), dt.date(2023, 1, 8)),
    ("Voorjaarsvakantie 2023", dt.date(2023, 2, 25), dt.date(2023, 3, 5)),
    ("Meivakantie 2023", dt.date(2023, 4, 29), dt.date(2023, 5, 7)),
    ("Zomervakantie 2023", dt.date(2023, 7, 8), dt.date(2023, 8, 20)),
    ("Herfstvakantie 2023", dt.date(2023, 10, 14), dt.date(2023, 10, 22)),
    ("Kerstvakantie 2023", dt.date(2023, 12, 23), dt.date(2024, 1, 7)),
    ("Voorjaarsvakantie 2024", dt.date(2024, 2, 17), dt.date(2024, 2, 25)),
    ("Meivakantie 2024", dt.date(2024, 4, 27), dt.date(2024, 5, 5)),
    ("Zomervakantie 2024", dt.date(2024, 7, 13), dt.date(2024, 8, 25)),
    ("Herfstvakantie 2024", dt.date(2024, 10, 26), dt.date(2024, 11, 3)),
    ("Kerstvakantie 2024", dt.date(2024, 12, 21), dt.date(2025, 1, 5)),
    ("Voorjaarsvakantie 2025", dt.date(2025, 2, 22), dt.date(2025, 3, 2)),
    ("Meivakantie 2025", dt.date(2025, 4, 26), dt.date(2025, 5, 4)),
    ("Zomervakantie 2025", dt.date(2025, 7, 19), dt.date(2025, 8, 31)),
    ("Herfstvakantie 2025", dt.date(2025, 10, 18), dt.date(2025, 10, 26)),
    ("Kerstvakantie 2025", dt.date(2025, 12, 20), dt.date(2026, 1, 4)),
)


@dataclass(frozen=True)
class Glitch:
    """A documented fault in the observed counts (the true counts are unaffected).

    ``outage``: intervals absent from counts.csv; ``spike``: the count times
    ``value``; ``overflow``: the count replaced by ``value``; ``stuck``: the
    first interval's count repeated; ``zeros``: 0 instead of missing.
    """

    zone: str
    kind: Literal["outage", "spike", "overflow", "stuck", "zeros"]
    start: str  # UTC
    hours: int
    note: str
    value: float = 0.0


GLITCHES: tuple[Glitch, ...] = (
    Glitch("shopping_street", "outage", "2024-09-02T06:00:00Z", 14 * 24 + 4,
           "counting camera replaced after a lightning strike (two weeks without data)"),
    Glitch("station_square", "spike", "2023-06-14T15:00:00Z", 1,
           "firmware bug: one hour counted 25 times", 25.0),
    Glitch("nightlife_street", "spike", "2024-02-06T10:00:00Z", 1,
           "firmware bug: one hour counted 25 times", 25.0),
    Glitch("park_waterfront", "overflow", "2023-11-21T03:00:00Z", 1,
           "16-bit counter overflow: 65535 reported", 65535.0),
    Glitch("market_square", "stuck", "2024-01-15T08:00:00Z", 36,
           "sensor froze: the 08:00 UTC count repeated for 36 hours"),
    Glitch("museum_quarter", "zeros", "2023-09-05T09:00:00Z", 6,
           "camera covered by a banner: zeros reported instead of missing"),
)  # fmt: skip
