"""Simulate Havenstad, the fictional Dutch city centre of the sample data.

:func:`make_city` generates every table crowdcast reads (counts, events,
weather observations and forecasts, alcohol sales, incidents) and the site
profile that declares them, and writes them in the formats real sources use.
The generative model is documented in the README it writes next to the
files, including the *true* values calibration should recover.

Reproducibility: every component draws from its own generator, derived from
``seed`` and the component's name (``"counts/station_square"``,
``"weather"``, ...), so adding a zone or a component leaves the others
unchanged, and the same arguments give the same bytes.

Run as a script::

    python -m crowdcast.sample._simulator OUT_DIR [--overwrite] [--seed 2024]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import holidays
import numpy as np
import pandas as pd
import tomli_w

from crowdcast.exceptions import CrowdcastError, format_message
from crowdcast.profiles import (
    ClosedDays,
    DataSource,
    IndicatorWeight,
    PrivacySettings,
    RiskSettings,
    SiteProfile,
    Venue,
    Zone,
)
from crowdcast.sample._havenstad import (
    ARCHETYPES,
    COUNTRY,
    GLITCHES,
    SCHOOL_HOLIDAYS,
    SITE_ID,
    SITE_NAME,
    SUBDIVISION,
    TIMEZONE,
    VENUES,
    ZONES,
    Archetype,
    VenueSpec,
    ZoneSpec,
)
from crowdcast.sample._shapes import ar1, rhythm, smooth_box
from crowdcast.sample._simevents import KINDS, SimEvent, event_calendar, presence
from crowdcast.sample._simweather import (
    STATION,
    Weather,
    simulate_forecasts,
    simulate_weather,
)
from crowdcast.sample._simwrite import fixed, iso_utc, write_csv, write_knmi
from crowdcast.schemas import (
    validate_events,
    validate_incidents,
    validate_signals,
    validate_weather,
)

__all__ = ["FILES", "SimulatedCity", "main", "make_city"]

#: The generic effect of the ``alcohol_aggression`` indicator: +1 % per litre.
TRUE_EFFECT = 0.01
#: The site weight the simulator uses for ``alcohol_aggression`` (the profile says 1.0).
TRUE_WEIGHT = 1.6
PROFILE_WEIGHT = 1.0
INDICATOR = "alcohol_aggression"
INCIDENT_ZONE = "nightlife_street"
SIGNAL = "alcohol_litres_sold"
#: Files make_city writes, in the order it writes them.
FILES = (
    "site.toml",
    "counts.csv",
    "events.ics",
    "weather_knmi.txt",
    "weather_forecasts.csv",
    "signals.csv",
    "incidents.csv",
    "README.md",
)

_NS_HOUR = 3_600_000_000_000
_NS_DAY = 24 * _NS_HOUR
_TREND_ORIGIN = pd.Timestamp("2023-01-01", tz="UTC")
_FORECAST_MARGIN_DAYS = 3
_SUBSTEPS = 4  # event curves are averaged over 4 points per interval
_NEIGHBOURS = {z.id: z.neighbours for z in ZONES}
_MEASURE = {z.id: ARCHETYPES[z.archetype].measure for z in ZONES}


@dataclass(frozen=True)
class SimulatedCity:
    """What :func:`make_city` simulated.

    Attributes
    ----------
    site
        The site profile (as :func:`~crowdcast.profiles.load_site_profile`
        reads the written ``site.toml``).
    counts
        Observed counts in the contract: every zone on the full grid, ``NaN``
        where the sensor was out (absent rows in ``counts.csv``), glitches
        included, exactly as :func:`~crowdcast.io.read_counts` reads the file.
    events, weather, weather_forecasts, signals, incidents
        Contract tables as the readers return them from the written files
        (``incidents`` holds only intervals with at least one incident).
    truth
        What the data cannot tell directly: ``site_weight`` (the true weight
        of ``alcohol_aggression``), ``effect``, ``profile_weight``,
        ``exposure`` (its definition), ``baseline_rates`` (weekday x hour),
        ``incident_rates`` (per hour: exposure, baseline and rate),
        ``expected_counts`` and ``true_counts`` (wide, zone columns; before
        outages and glitches), ``gaps``, ``glitches``, ``attendance`` (per
        event part, realised) and the arguments.
    paths
        The files written, in writing order; empty when no ``path`` was given.
    """

    site: SiteProfile
    counts: pd.DataFrame
    events: pd.DataFrame
    weather: pd.DataFrame
    weather_forecasts: pd.DataFrame
    signals: pd.DataFrame
    incidents: pd.DataFrame
    truth: Mapping[str, Any]
    paths: tuple[Path, ...] = ()

    def __repr__(self) -> str:
        first, last = self.counts["timestamp"].min(), self.counts["timestamp"].max()
        return (
            f"<SimulatedCity {self.site.id!r}: {len(self.site.zones)} zones, "
            f"{first:%Y-%m-%d} to {last:%Y-%m-%d}, {self.events['event_id'].nunique()} events, "
            f"{int(self.incidents['count'].sum())} incidents, {len(self.paths)} files written>"
        )


# ----------------------------------------------------------------------------- arguments


def _child(seed: int, name: str) -> np.random.Generator:
    """The generator of one component: depends only on the seed and the name."""
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little")
    return np.random.default_rng(np.random.SeedSequence([seed, key]))


def _day(value: str | dt.date | pd.Timestamp, name: str) -> dt.date:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = None
    if ts is None or pd.isna(ts):
        raise ValueError(format_message(f"`{name}`", "a date like '2023-01-01'", repr(value)))
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC")
    return ts.date()


def _step(freq: str | pd.Timedelta) -> pd.Timedelta:
    try:
        step = pd.Timedelta(freq)
    except (TypeError, ValueError):
        step = pd.Timedelta(0)
    if step <= pd.Timedelta(0) or pd.Timedelta(hours=1) % step != pd.Timedelta(0):
        raise ValueError(
            format_message(
                "`freq`", "an interval that divides one hour ('1h', '30min', '15min')", repr(freq)
            )
        )
    return step


@dataclass(frozen=True)
class _SimZone:
    """A zone to simulate: its spec, its (jittered) archetype and level."""

    spec: ZoneSpec
    archetype: Archetype
    level: float = 1.0
    replica: bool = False


def _zones(seed: int, zones: Sequence[str] | None, n_zones: int | None) -> list[_SimZone]:
    base = {z.id: z for z in ZONES}
    chosen = list(base) if zones is None else list(zones)
    unknown = [z for z in chosen if z not in base]
    if unknown or not chosen or len(set(chosen)) != len(chosen):
        raise ValueError(
            format_message(
                "`zones`",
                f"distinct zone ids of the sample city ({', '.join(base)})",
                repr(zones),
            )
        )
    if n_zones is not None and (not isinstance(n_zones, int | np.integer) or n_zones < 1):
        raise ValueError(format_message("`n_zones`", "a positive integer or None", repr(n_zones)))
    total = len(chosen) if n_zones is None else int(n_zones)
    out = [
        _SimZone(base[z], ARCHETYPES[base[z].archetype]) for z in chosen[: min(total, len(chosen))]
    ]
    width = max(3, len(str(total // len(chosen) + 1)))
    for i in range(len(out), total):
        spec = base[chosen[i % len(chosen)]]
        copy = i // len(chosen) + 1
        out.append(_replica(seed, spec, f"{spec.id}_{copy:0{width}d}", copy))
    return out


def _replica(seed: int, spec: ZoneSpec, zone_id: str, copy: int) -> _SimZone:
    """Another zone of the same character with jittered size, level and sensitivities."""
    rng = _child(seed, f"replica/{zone_id}")
    size = float(np.exp(rng.normal(0.0, 0.25)))
    jitter = rng.uniform(0.7, 1.3, size=4)
    a = ARCHETYPES[spec.archetype]
    archetype = replace(
        a,
        rain=a.rain * jitter[0],
        temperature=a.temperature * jitter[1],
        sunshine=a.sunshine * jitter[2],
        dispersion=a.dispersion * jitter[3],
        trend=a.trend + float(rng.normal(0.0, 0.01)),
    )
    lat, lon = rng.uniform(-0.02, 0.02, size=2)
    zone = replace(
        spec,
        id=zone_id,
        name=f"{spec.name} {copy}",
        lat=round(spec.lat + float(lat), 5),
        lon=round(spec.lon + float(lon), 5),
        neighbours=(),
        area_m2=None if spec.area_m2 is None else round(spec.area_m2 * size, -1),
        width_m=None if spec.width_m is None else round(spec.width_m * size**0.5, 1),
        capacity=None if spec.capacity is None else int(round(spec.capacity * size, -1)),
    )
    level = size * float(np.exp(rng.normal(0.0, 0.15)))
    return _SimZone(zone, archetype, level=level, replica=True)


# ----------------------------------------------------------------------------- the clock


@dataclass(frozen=True)
class _Clock:
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


def _clock(times: pd.DatetimeIndex, step: pd.Timedelta, weather_start: pd.Timestamp) -> _Clock:
    local = times.tz_convert(TIMEZONE)
    wall = local.tz_localize(None).as_unit("ns").asi8
    day_number = wall // _NS_DAY
    hour_start = (wall % _NS_DAY) / _NS_HOUR
    step_h = step / pd.Timedelta(hours=1)
    years = range(local.year.min() - 1, local.year.max() + 2)
    epoch = dt.date(1970, 1, 1)
    public = np.array(
        sorted((d - epoch).days for d in holidays.country_holidays(COUNTRY, years=years)),
        dtype="int64",
    )
    school = np.array(
        sorted(
            {
                (start - epoch).days + k
                for _, start, end in SCHOOL_HOLIDAYS
                for k in range((end - start).days + 1)
            }
        ),
        dtype="int64",
    )

    def day_type(days: np.ndarray) -> np.ndarray:
        return np.where(np.isin(days, public), 6, (days + 3) % 7)

    hour_int = np.floor(hour_start).astype("int64")
    utc = times.as_unit("ns").asi8
    return _Clock(
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
        years=(utc - _TREND_ORIGIN.value) / (365.25 * _NS_DAY),
        day_index=day_number - day_number.min(),
        weather_index=(utc - weather_start.value) // _NS_HOUR,
    )


# ----------------------------------------------------------------------------- crowds


def _weather_factor(a: Archetype, w: Weather, idx: np.ndarray) -> np.ndarray:
    rain = w.precipitation_mm[idx]
    return np.exp(
        a.rain * np.log1p(2.0 * rain)
        + a.temperature * (w.temperature_c[idx] - 15.0)
        + a.sunshine * w.sunshine_h[idx]
        + a.wind * np.maximum(w.wind_speed_ms[idx] - 5.0, 0.0)
    )


def _baseline(z: _SimZone, shape: np.ndarray, clock: _Clock, w: Weather) -> np.ndarray:
    """Expected count per interval without events or random effects."""
    a = z.archetype
    factor = (
        (1.0 + a.annual_amplitude * np.cos(2.0 * np.pi * (clock.doy - a.annual_peak_doy) / 365.25))
        * np.where(clock.december, 1.0 + a.december, 1.0)
        * np.where(clock.school, a.school_holiday, 1.0)
        * (1.0 + a.trend) ** clock.years
        * _weather_factor(a, w, clock.weather_index)
    )
    per_hour = z.level * shape * factor + a.floor
    return per_hour * (clock.step_h if a.measure == "passages" else 1.0)


def _realised(events: Sequence[SimEvent], seed: int, w: Weather) -> dict[str, float]:
    """Attendance that actually came: noise around the expected, fewer when it rains."""
    out: dict[str, float] = {}
    start = w.hours[0].value
    for e in events:
        if e.status == "cancelled":
            out[e.event_id] = 0.0
            continue
        kind = KINDS[e.kind]
        z = float(_child(seed, f"events/attendance/{e.event_id}").standard_normal())
        i0 = max(0, (e.start.value - start) // _NS_HOUR)
        i1 = min(len(w.hours), -(-(e.end.value - start) // _NS_HOUR))
        rain = float(w.precipitation_mm[i0:i1].mean()) if i1 > i0 else 0.0
        value = e.expected * np.exp(kind.noise * z - 0.5 * kind.noise**2)
        value *= np.exp(kind.rain * np.log1p(2.0 * rain))
        if kind.capacity is not None:
            value = min(value, kind.capacity)
        out[e.event_id] = float(value)
    return out


def _event_effects(
    events: Sequence[SimEvent], realised: Mapping[str, float], clock: _Clock
) -> tuple[dict[str, np.ndarray], list[dict[str, object]]]:
    """Extra people per interval in every base zone, and a record per simulated part."""
    n = len(clock.times)
    effects = {z.id: np.zeros(n) for z in ZONES}
    records: list[dict[str, object]] = []
    t0 = clock.times.as_unit("ns").asi8
    step_ns = int(clock.step_h * _NS_HOUR)
    sub = ((np.arange(_SUBSTEPS) + 0.5) / _SUBSTEPS * step_ns).astype("int64")
    margin = 10 * _NS_HOUR
    for e in events:
        kind = KINDS[e.kind]
        for part in e.parts:
            attendance = realised[e.event_id] * part.share
            records.append(
                {
                    "event_id": e.event_id,
                    "name": e.name,
                    "zone": part.zone,
                    "start": part.start,
                    "end": part.end,
                    "status": e.status,
                    "expected_attendance": e.expected * part.share,
                    "realised_attendance": round(attendance, 1),
                    "note": e.note,
                }
            )
            if attendance <= 0:
                continue
            lo = int(np.searchsorted(t0, part.start.value - margin))
            hi = int(np.searchsorted(t0, part.end.value + margin))
            if hi <= lo:
                continue
            rel = (t0[lo:hi, None] + sub[None, :] - part.start.value) / _NS_HOUR
            duration = (part.end - part.start) / pd.Timedelta(hours=1)
            curve = attendance * presence(kind, rel, duration).mean(axis=1)
            spill = [(nb, kind.spill) for nb in _NEIGHBOURS[part.zone] if nb not in e.zones]
            for zone, fraction in [(part.zone, 1.0), *spill]:
                scale = clock.step_h if _MEASURE[zone] == "passages" else 1.0
                effects[zone][lo:hi] += fraction * scale * curve
    return effects, records


def _outages(rng: np.random.Generator, n: int, per_hour: int) -> list[tuple[int, int]]:
    """Random sensor outages: (first interval, number of intervals)."""
    margin = 48 * per_hour
    if n <= 4 * margin:
        return []
    k = int(rng.poisson(2.5 * n / (8766 * per_hour)))
    starts = rng.integers(margin, n - margin, size=k)
    kind = rng.random(k)
    short = rng.integers(1, 7, size=k)
    medium = rng.integers(6, 49, size=k)
    long = rng.integers(48, 97, size=k)
    hours = np.where(kind < 0.55, short, np.where(kind < 0.9, medium, long))
    return [
        (int(s), int(min(h * per_hour, n - margin - s)))
        for s, h in zip(starts.tolist(), hours.tolist(), strict=True)
    ]


@dataclass
class _ZoneResult:
    expected: np.ndarray
    true: np.ndarray
    observed: np.ndarray  # float, NaN = not observed
    causes: list[tuple[int, int, str]]  # outages: first interval, intervals, cause
    glitches: list[dict[str, object]]


def _simulate_zone(
    z: _SimZone,
    shape: np.ndarray,
    clock: _Clock,
    w: Weather,
    effect: np.ndarray | None,
    seed: int,
) -> _ZoneResult:
    n = len(clock.times)
    per_hour = round(1.0 / clock.step_h)
    rng = _child(seed, f"counts/{z.spec.id}")
    day_effect = ar1(rng, int(clock.day_index.max()) + 1, 0.6, 0.07)[clock.day_index]
    hour_effect = ar1(rng, n, 0.7, 0.05)
    mean = _baseline(z, shape, clock, w) + (0.0 if effect is None else effect)
    mean = mean * np.exp(day_effect + hour_effect)
    size = z.archetype.dispersion
    true = rng.negative_binomial(size, size / (size + mean)).astype("int64")

    observed = true.astype("float64")
    causes = [
        (s, k, "sensor outage")
        for s, k in _outages(_child(seed, f"outages/{z.spec.id}"), n, per_hour)
    ]
    glitches: list[dict[str, object]] = []
    spans: list[tuple[int, int]] = []
    t0 = clock.times.as_unit("ns").asi8
    for g in GLITCHES if not z.replica else ():
        if g.zone != z.spec.id:
            continue
        at = pd.Timestamp(g.start).value
        i = int(np.searchsorted(t0, at))
        k = g.hours * per_hour
        if i >= n or t0[i] != at or i + k > n:
            continue
        if g.kind == "outage":
            causes.append((i, k, g.note))
            continue
        before = observed[i : i + k].copy()
        if g.kind == "spike":
            observed[i : i + k] = np.round(true[i : i + k] * g.value)
        elif g.kind == "overflow":
            observed[i : i + k] = g.value
        elif g.kind == "stuck":
            observed[i : i + k] = true[i]
        elif g.kind == "zeros":
            observed[i : i + k] = 0.0
        spans.append((i, k))
        glitches.append(
            {
                "zone": z.spec.id,
                "kind": g.kind,
                "start": clock.times[i],
                "end": clock.times[i] + pd.Timedelta(hours=g.hours),
                "intervals": k,
                "true_mean": float(before.mean()),
                "observed_mean": float(observed[i : i + k].mean()),
                "note": g.note,
            }
        )
    glitched = np.zeros(n, dtype=bool)
    for span in spans:
        glitched[span[0] : span[0] + span[1]] = True
    for s, k, _ in causes:
        window = np.arange(s, s + k)
        observed[window[~glitched[window]]] = np.nan
    return _ZoneResult(mean, true, observed, causes, glitches)


def _gap_table(
    zone: str, observed: np.ndarray, causes: list[tuple[int, int, str]], clock: _Clock
) -> list[dict[str, object]]:
    miss = np.isnan(observed)
    if not miss.any():
        return []
    edges = np.diff(np.concatenate([[0], miss.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    step = pd.Timedelta(hours=clock.step_h)
    rows = []
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        named = sorted(
            {c for cs, ck, c in causes if cs < e and cs + ck > s and c != "sensor outage"}
        )
        rows.append(
            {
                "zone": zone,
                "start": clock.times[s],
                "end": clock.times[e - 1] + step,
                "intervals": e - s,
                "cause": "; ".join(named) or "sensor outage",
            }
        )
    return rows


# ----------------------------------------------------------------------------- signals, incidents

_DRINKING_SD = 0.45  # night-to-night drinking per head, log scale
_SALES_NOISE_SHAPE = 5.0  # Gamma(shape, 1 / shape) hourly noise per venue
_SALES_CAP = 4.0  # demand saturates softly at this multiple of the venue's L/h
_BASELINE_EVENING = 0.03
_BASELINE_DAY = 0.01
_BASELINE_NIGHT = (0.07, 0.07, 0.07, 0.09, 0.13, 0.13, 0.07)  # Mon..Sun nights


def baseline_rates() -> np.ndarray:
    """Incidents per hour in nightlife_street at zero litres, by [weekday of the night, hour]."""
    rate = np.full((7, 24), _BASELINE_DAY)
    rate[:, 18:22] = _BASELINE_EVENING
    for d in range(7):
        rate[d, 22:] = _BASELINE_NIGHT[d]
        rate[d, :6] = _BASELINE_NIGHT[d]
    return rate


def _hourly(values: np.ndarray, per_hour: int, measure: str) -> np.ndarray:
    if per_hour == 1:
        return values
    blocks = values.reshape(-1, per_hour)
    return blocks.sum(axis=1) if measure == "passages" else blocks.mean(axis=1)


def _drinking(zone: str, clock: _Clock, seed: int) -> np.ndarray:
    """How much people drink per head this night, shared by a zone's venues (log-normal).

    Nights differ beyond the crowd (students, paydays, a match on TV), so that
    sales carry information the counts do not.
    """
    rng = _child(seed, f"signals/nights/{zone}")
    night = clock.day_index - (clock.hour_int < 6)
    night = night - night.min()
    sd = _DRINKING_SD
    return np.exp(sd * rng.standard_normal(int(night.max()) + 1) - 0.5 * sd**2)[night]


def _venue_litres(
    v: VenueSpec, crowd: np.ndarray, drinking: np.ndarray, clock: _Clock, w: Weather, seed: int
) -> np.ndarray:
    """Litres sold per hour (NaN when closed), rounded to 0.1 L as reported."""
    rng = _child(seed, f"signals/{v.id}")
    night_hour = np.where(clock.hour_int < 6, clock.hour_int + 24, clock.hour_int).astype("float64")
    closes = np.where(np.isin(clock.night_weekday, (4, 5)), v.closes_weekend, v.closes)
    months = clock.times.tz_convert(TIMEZONE).month.to_numpy()
    is_open = (night_hour >= v.opens) & (night_hour < closes) & np.isin(months, v.months)
    evening = 0.35 + 0.65 * smooth_box(night_hour + 0.5, 19.0, closes - 0.5, 1.0)
    idx = clock.weather_index
    terrace = np.exp(
        0.015 * (w.temperature_c[idx] - 15.0) - 0.1 * np.log1p(2.0 * w.precipitation_mm[idx])
    )
    noise = rng.gamma(_SALES_NOISE_SHAPE, 1.0 / _SALES_NOISE_SHAPE, size=len(crowd))
    demand = v.litres * (crowd / v.reference) ** 0.8 * drinking * evening * terrace * noise
    cap = _SALES_CAP * v.litres  # a bar can serve only so fast
    litres = demand / np.sqrt(1.0 + (demand / cap) ** 2)
    return np.where(is_open, np.round(litres, 1) + 0.0, np.nan)


def _incidents(litres: Mapping[str, np.ndarray], clock: _Clock, seed: int) -> pd.DataFrame:
    """Poisson incidents: baseline(weekday of night, hour) x 1.01 ** (weight x litres per venue)."""
    scope = [v.id for v in VENUES if v.zone == INCIDENT_ZONE and "licensed" in v.tags]
    per_venue = np.mean([np.nan_to_num(litres[v], nan=0.0) for v in scope], axis=0)
    in_window = (clock.hour_int >= 18) | (clock.hour_int < 6)
    exposure = np.where(in_window, per_venue, 0.0)
    base = baseline_rates()[clock.night_weekday, clock.hour_int]
    rate = base * np.exp(TRUE_WEIGHT * np.log1p(TRUE_EFFECT) * exposure)
    counts = _child(seed, "incidents").poisson(rate)
    table = pd.DataFrame(
        {
            "timestamp": clock.times,
            "exposure_l": exposure,
            "in_window": in_window,
            "baseline_rate": base,
            "rate": rate,
            "count": counts,
        }
    )
    return table


# ----------------------------------------------------------------------------- site profile

_HEADER = """\
# Site profile of Havenstad, the fictional sample city of crowdcast.
#
# LOCAL and CONFIDENTIAL in a real deployment: zones, venues, data sources and
# the purposes they may be used for, risk and privacy settings, and the site
# weights that scale the generic indicators. Generated by crowdcast's
# make_city (`make sample`): change the simulator, not this file.
#
# Occupancy zones count people present (area_m2 -> density, persons/m2);
# passage zones count people passing per interval (width_m -> flow,
# persons/m/min). Capacities are planning capacities in persons.
#
# The alcohol_aggression weight is the site's expert BELIEF (1.0). The weight
# the simulator used is in README.md, so that calibration can be checked.

"""

_ALL = ["crowd_safety", "event_planning", "operations"]
_SOURCES = (
    (
        "counts",
        "counts",
        "csv",
        "counts.csv",
        _ALL,
        "People per zone and hour from counting cameras; absent rows are outages.",
    ),
    (
        "events",
        "events",
        "ical",
        "events.ics",
        _ALL,
        "The city's events calendar with expected attendance.",
    ),
    (
        "weather_observed",
        "weather",
        "knmi",
        "weather_knmi.txt",
        _ALL,
        "Hourly weather observations in the KNMI layout (station 260).",
    ),
    (
        "weather_forecasts",
        "weather",
        "csv",
        "weather_forecasts.csv",
        _ALL,
        "Weather forecasts issued daily at 05:00 UTC for the next 48 hours.",
    ),
    (
        "alcohol_sales",
        "signals",
        "csv",
        "signals.csv",
        ["crowd_safety"],
        "Litres of alcohol sold per licensed venue and hour, while open.",
    ),
    (
        "incidents",
        "incidents",
        "csv",
        "incidents.csv",
        ["crowd_safety"],
        "Aggression incidents registered per zone and hour; absent = none.",
    ),
)


def _profile_doc(zones: Sequence[_SimZone], first: dt.date, last: dt.date) -> dict[str, Any]:
    ids = {z.spec.id for z in zones}
    zone_tables = []
    for z in zones:
        s = z.spec
        table: dict[str, Any] = {"id": s.id, "name": s.name, "measure": z.archetype.measure}
        if s.area_m2 is not None:
            table["area_m2"] = float(s.area_m2)
        if s.width_m is not None:
            table["width_m"] = float(s.width_m)
        if s.capacity is not None:
            table["capacity"] = int(s.capacity)
        table["tags"] = list(s.tags)
        table["lat"] = s.lat
        table["lon"] = s.lon
        table["neighbours"] = [n for n in s.neighbours if n in ids]
        zone_tables.append(table)
    venues = [
        {
            "id": v.id,
            "zone": v.zone,
            "name": v.name,
            "tags": list(v.tags),
            "lat": v.lat,
            "lon": v.lon,
        }
        for v in VENUES
        if v.zone in ids
    ]
    closed = [
        {"name": name, "start": start, "end": end, "kind": "school_holiday"}
        for name, start, end in SCHOOL_HOLIDAYS
        if start <= last and end >= first
    ]
    sources = [
        {
            "id": sid,
            "kind": kind,
            "path": file,
            "format": fmt,
            "purposes": list(purposes),
            "description": text,
        }
        for sid, kind, fmt, file, purposes, text in _SOURCES
    ]
    return {
        "site": {
            "id": SITE_ID,
            "name": SITE_NAME,
            "timezone": TIMEZONE,
            "country": COUNTRY,
            "subdivision": SUBDIVISION,
        },
        "zones": zone_tables,
        "venues": venues,
        "closed_days": closed,
        "sources": sources,
        "risk": {
            "density_scheme": "default",
            "alert_level": "orange",
            "alert_probability": 0.5,
            "distance_rule_m": 1.5,
        },
        "privacy": {"min_count_per_hour": 15.0},
        "weights": [
            {
                "indicator": INDICATOR,
                "target": "site",
                "value": PROFILE_WEIGHT,
                "source": "expert",
                "note": "expert judgement of the city's nightlife team; not yet calibrated",
            }
        ],
    }


def _site(doc: Mapping[str, Any], folder: Path | None) -> SiteProfile:
    """The profile :func:`load_site_profile` reads from the written ``site.toml``."""
    base = folder if folder is not None else Path()
    s = doc["site"]
    return SiteProfile(
        id=s["id"],
        name=s["name"],
        timezone=s["timezone"],
        country=s["country"],
        subdivision=s["subdivision"],
        zones=tuple(
            Zone(
                id=z["id"],
                name=z["name"],
                measure=z["measure"],
                area_m2=z.get("area_m2"),
                width_m=z.get("width_m"),
                capacity=z.get("capacity"),
                tags=tuple(z["tags"]),
                lat=z["lat"],
                lon=z["lon"],
                neighbours=tuple(z["neighbours"]),
            )
            for z in doc["zones"]
        ),
        venues=tuple(
            Venue(
                id=v["id"],
                zone=v["zone"],
                name=v["name"],
                tags=tuple(v["tags"]),
                lat=v["lat"],
                lon=v["lon"],
            )
            for v in doc["venues"]
        ),
        closed_days=tuple(
            ClosedDays(name=c["name"], start=c["start"], end=c["end"], kind=c["kind"])
            for c in doc["closed_days"]
        ),
        sources=tuple(
            DataSource(
                id=x["id"],
                kind=x["kind"],
                path=base / x["path"],
                format=x["format"],
                purposes=tuple(x["purposes"]),
                description=x["description"],
                options={},
            )
            for x in doc["sources"]
        ),
        risk=RiskSettings(**doc["risk"]),
        privacy=PrivacySettings(**doc["privacy"]),
        weights=tuple(
            IndicatorWeight(
                indicator=w["indicator"],
                target=w["target"],
                value=w["value"],
                source=w["source"],
                note=w["note"],
            )
            for w in doc["weights"]
        ),
        path=None if folder is None else folder / "site.toml",
    )


# ----------------------------------------------------------------------------- make_city


def _check_targets(folder: Path, overwrite: bool) -> None:
    if folder.exists() and not folder.is_dir():
        raise CrowdcastError(
            format_message(
                "`path`", "a folder", f"the file {folder}", hint="give a folder to write into"
            )
        )
    existing = [folder / f for f in FILES if (folder / f).exists()]
    if existing and not overwrite:
        raise CrowdcastError(
            format_message(
                "the sample city's files",
                "absent from the output folder",
                f"{len(existing)} existing file(s): {', '.join(str(p) for p in existing)}",
                hint="pass overwrite=True (crowdcast make-sample --overwrite) to replace them",
            )
        )


def make_city(
    path: str | Path | None = None,
    *,
    zones: Sequence[str] | None = None,
    n_zones: int | None = None,
    start: str | dt.date | pd.Timestamp = "2023-01-01",
    end: str | dt.date | pd.Timestamp = "2024-12-31",
    freq: str | pd.Timedelta = "1h",
    seed: int = 2024,
    overwrite: bool = False,
) -> SimulatedCity:
    """Simulate the sample city Havenstad and, given a folder, write its files.

    Counts follow each zone's daily and weekly rhythm in local time (so DST
    shifts them in UTC), the season, a slow trend, public and school holidays,
    the weather and the events (with arrival and departure curves and spill
    into neighbouring zones), with day- and hour-level random effects and
    negative binomial noise. Sensor outages are left out of ``counts.csv``
    and a few documented glitches are put in. Aggression incidents follow the
    generic ``alcohol_aggression`` indicator with a true site weight of 1.6
    (the profile says 1.0). ``README.md`` documents all of it.

    Parameters
    ----------
    path
        Folder to write ``site.toml``, ``counts.csv``, ``events.ics``,
        ``weather_knmi.txt``, ``weather_forecasts.csv``, ``signals.csv``,
        ``incidents.csv`` and ``README.md`` into (created if needed). None:
        simulate only.
    zones
        Ids of the sample city's zones to include; all seven by default.
    n_zones
        Total number of zones. Beyond the chosen zones, replicas of them
        (``station_square_002``, ...) with jittered size, level and weather
        sensitivity are added, without events; for benchmarks.
    start, end
        First and last UTC day simulated (both included).
    freq
        Counting interval, dividing one hour (``"1h"``, ``"15min"``).
        Weather, signals and incidents stay hourly.
    seed
        Seed of every random draw; the same arguments give the same bytes.
    overwrite
        Replace existing files; otherwise an existing file is an error.

    Returns
    -------
    SimulatedCity
        The profile, the contract tables as the readers return them, the
        ``truth`` and the paths written.

    Raises
    ------
    CrowdcastError
        A file to write exists and ``overwrite`` is False (nothing is written).
    ValueError
        An argument is invalid.

    Examples
    --------
    >>> city = make_city(start="2024-06-01", end="2024-06-07", zones=["station_square"])
    >>> city.counts["zone"].unique().tolist()
    ['station_square']
    >>> city.truth["site_weight"]
    1.6
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(format_message("`seed`", "a non-negative integer", repr(seed)))
    seed = int(seed)
    first, last = _day(start, "start"), _day(end, "end")
    if last < first:
        raise ValueError(format_message("`end`", f"on or after start {first}", str(last)))
    step = _step(freq)
    sim_zones = _zones(seed, zones, n_zones)
    folder = None if path is None else Path(path)
    if folder is not None:
        _check_targets(folder, overwrite)

    days = (last - first).days + 1
    t_first = pd.Timestamp(first, tz="UTC")
    times = pd.date_range(t_first, periods=int(days * pd.Timedelta(days=1) / step), freq=step)
    hours = pd.date_range(t_first, periods=24 * (days + _FORECAST_MARGIN_DAYS), freq="h")
    weather = simulate_weather(_child(seed, "weather"), hours)
    clock = _clock(times, step, hours[0])
    hourly_clock = (
        clock
        if step == pd.Timedelta(hours=1)
        else _clock(times[:: round(1 / clock.step_h)], pd.Timedelta(hours=1), hours[0])
    )

    events = event_calendar(lambda name: _child(seed, name), first, last)
    realised = _realised(events, seed, weather)
    effects, parts = _event_effects(events, realised, clock)

    shapes = {
        key: rhythm(a.pattern, clock.hour, clock.day, clock.previous)
        for key, a in ARCHETYPES.items()
        if any(z.spec.archetype == key for z in sim_zones)
    }
    results = {
        z.spec.id: _simulate_zone(
            z,
            shapes[z.spec.archetype],
            clock,
            weather,
            None if z.replica else effects[z.spec.id],
            seed,
        )
        for z in sim_zones
    }
    ids = sorted(results)
    per_hour = round(1.0 / clock.step_h)

    # signals and incidents (hourly), driven by the expected crowd of each venue's zone
    litres: dict[str, np.ndarray] = {}
    for v in VENUES:
        if v.litres > 0 and v.zone in results:
            crowd = _hourly(results[v.zone].expected, per_hour, _MEASURE[v.zone])
            drinking = _drinking(v.zone, hourly_clock, seed)
            litres[v.id] = _venue_litres(v, crowd, drinking, hourly_clock, weather, seed)
    incident_table: pd.DataFrame | None = None
    if INCIDENT_ZONE in results and all(
        v.id in litres for v in VENUES if v.zone == INCIDENT_ZONE and v.litres > 0
    ):
        incident_table = _incidents(litres, hourly_clock, seed)

    forecasts = simulate_forecasts(_child(seed, "forecasts"), weather, t_first, days)

    doc = _profile_doc(sim_zones, first, last)
    tables = _tables(ids, results, clock, events, weather, forecasts, litres, incident_table, days)
    truth = _truth(seed, first, last, step, sim_zones, results, clock, parts, incident_table, ids)
    written: tuple[Path, ...] = ()
    if folder is not None:
        written = _write(folder, doc, tables, weather, days, truth, sim_zones)
    return SimulatedCity(
        site=_site(doc, folder),
        counts=tables["counts"],
        events=tables["events"],
        weather=tables["weather"],
        weather_forecasts=tables["weather_forecasts"],
        signals=tables["signals"],
        incidents=tables["incidents"],
        truth=truth,
        paths=written,
    )


def _tables(
    ids: list[str],
    results: Mapping[str, _ZoneResult],
    clock: _Clock,
    events: Sequence[SimEvent],
    weather: Weather,
    forecasts: pd.DataFrame,
    litres: Mapping[str, np.ndarray],
    incident_table: pd.DataFrame | None,
    days: int,
) -> dict[str, pd.DataFrame]:
    n = len(clock.times)
    stamps = np.tile(clock.times.as_unit("ns").asi8, len(ids)).view("datetime64[ns]")
    counts = pd.DataFrame(
        {
            "zone": pd.Series(np.repeat(np.asarray(ids, dtype=object), n), dtype="str"),
            "timestamp": pd.DatetimeIndex(stamps).tz_localize("UTC"),
            "count": np.concatenate([results[z].observed for z in ids]),
        }
    )

    included = set(ids)
    rows = [
        {
            "event_id": e.event_id,
            "name": e.name,
            "zone": zone,
            "start": e.start,
            "end": e.end,
            "expected_attendance": e.expected,
            "category": KINDS[e.kind].category,
            "status": e.status,
        }
        for e in events
        for zone in e.zones
        if zone in included
    ]
    events_df = pd.DataFrame(
        rows,
        columns=[
            "event_id",
            "name",
            "zone",
            "start",
            "end",
            "expected_attendance",
            "category",
            "status",
        ],
    )
    for col in ("start", "end"):
        events_df[col] = pd.to_datetime(events_df[col], utc=True)
    events_df = validate_events(events_df.astype({"expected_attendance": "float64"}))

    observed = validate_weather(weather.frame(24 * days))
    fc = forecasts.assign(station=STATION)
    fc = validate_weather(fc)

    hourly_times = clock.times[:: round(1.0 / clock.step_h)]
    sig_parts = []
    for vid in sorted(litres):
        values = litres[vid]
        keep = ~np.isnan(values)
        sig_parts.append(
            pd.DataFrame(
                {
                    "timestamp": hourly_times[keep],
                    "location": vid,
                    "signal": SIGNAL,
                    "value": values[keep],
                    "unit": "L",
                }
            )
        )
    signals = (
        pd.concat(sig_parts, ignore_index=True)
        if sig_parts
        else pd.DataFrame(
            {
                "timestamp": pd.DatetimeIndex([], tz="UTC"),
                "location": pd.Series([], dtype="str"),
                "signal": pd.Series([], dtype="str"),
                "value": np.array([], dtype="float64"),
                "unit": pd.Series([], dtype="str"),
            }
        )
    )
    signals = validate_signals(signals)

    if incident_table is not None:
        hit = incident_table[incident_table["count"] > 0]
        incidents = pd.DataFrame(
            {
                "timestamp": hit["timestamp"].to_numpy(),
                "zone": INCIDENT_ZONE,
                "kind": "aggression",
                "count": hit["count"].astype("int64").to_numpy(),
            }
        )
        incidents["timestamp"] = pd.to_datetime(incidents["timestamp"], utc=True)
    else:
        incidents = pd.DataFrame(
            {
                "timestamp": pd.DatetimeIndex([], tz="UTC"),
                "zone": pd.Series([], dtype="str"),
                "kind": pd.Series([], dtype="str"),
                "count": np.array([], dtype="int64"),
            }
        )
    incidents = validate_incidents(incidents)
    return {
        "counts": counts,
        "events": events_df,
        "weather": observed,
        "weather_forecasts": fc,
        "signals": signals,
        "incidents": incidents,
    }


def _truth(
    seed: int,
    first: dt.date,
    last: dt.date,
    step: pd.Timedelta,
    sim_zones: Sequence[_SimZone],
    results: Mapping[str, _ZoneResult],
    clock: _Clock,
    parts: list[dict[str, object]],
    incident_table: pd.DataFrame | None,
    ids: list[str],
) -> dict[str, Any]:
    gaps = [
        row for z in ids for row in _gap_table(z, results[z].observed, results[z].causes, clock)
    ]
    glitches = [g for z in ids for g in results[z].glitches]
    rates = baseline_rates()
    baseline = pd.DataFrame(
        {
            "weekday": np.repeat(np.arange(7), 24),
            "hour": np.tile(np.arange(24), 7),
            "rate": rates.ravel(),
        }
    )
    index = pd.DatetimeIndex(clock.times, name="timestamp")
    return {
        "indicator": INDICATOR,
        "effect": TRUE_EFFECT,
        "site_weight": TRUE_WEIGHT,
        "profile_weight": PROFILE_WEIGHT,
        "incident_zone": INCIDENT_ZONE,
        "scope_venues": tuple(
            v.id for v in VENUES if v.zone == INCIDENT_ZONE and "licensed" in v.tags
        ),
        "exposure": (
            "mean over the licensed venues of nightlife_street of the litres each sold in the "
            "hour (a closed venue counts 0 L), in hours starting 18:00-05:00 local; 0 otherwise"
        ),
        "baseline_rates": baseline,
        "sales": {
            "noise_shape": _SALES_NOISE_SHAPE,
            "cap": _SALES_CAP,
            "drinking_sd": _DRINKING_SD,
        },
        "incident_rates": incident_table,
        "expected_counts": pd.DataFrame(
            {z: results[z].expected.astype("float32") for z in ids}, index=index
        ),
        "true_counts": pd.DataFrame({z: results[z].true.astype("int32") for z in ids}, index=index),
        "gaps": pd.DataFrame(gaps, columns=["zone", "start", "end", "intervals", "cause"]),
        "glitches": pd.DataFrame(
            glitches,
            columns=[
                "zone",
                "kind",
                "start",
                "end",
                "intervals",
                "true_mean",
                "observed_mean",
                "note",
            ],
        ),
        "attendance": pd.DataFrame(parts),
        "zones": {z.spec.id: z.spec.archetype for z in sim_zones},
        "seed": seed,
        "start": first,
        "end": last,
        "freq": step,
    }


def _write(
    folder: Path,
    doc: Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame],
    weather: Weather,
    days: int,
    truth: Mapping[str, Any],
    sim_zones: Sequence[_SimZone],
) -> tuple[Path, ...]:
    from crowdcast.io._events import write_ical
    from crowdcast.sample._simreadme import readme

    folder.mkdir(parents=True, exist_ok=True)
    paths = tuple(folder / f for f in FILES)
    (
        site_toml,
        counts_csv,
        events_ics,
        knmi,
        forecasts_csv,
        signals_csv,
        incidents_csv,
        readme_md,
    ) = paths

    site_toml.write_text(_HEADER + tomli_w.dumps(doc), encoding="utf-8", newline="\n")

    counts = tables["counts"]
    seen = counts["count"].notna().to_numpy()
    values = counts["count"].to_numpy()[seen].astype("int64")
    write_csv(
        counts_csv,
        {
            "zone": counts["zone"].to_numpy(dtype=object)[seen],
            "timestamp": iso_utc(pd.DatetimeIndex(counts["timestamp"][seen])),
            "count": np.asarray([str(v) for v in values.tolist()], dtype=object),
        },
    )

    write_ical(
        tables["events"], events_ics, timezone=TIMEZONE, calendar_name="Havenstad evenementen"
    )
    write_knmi(knmi, weather, 24 * days)

    fc = tables["weather_forecasts"].sort_values(["issued_at", "timestamp"], kind="stable")
    write_csv(
        forecasts_csv,
        {
            "timestamp": iso_utc(pd.DatetimeIndex(fc["timestamp"])),
            "issued_at": iso_utc(pd.DatetimeIndex(fc["issued_at"])),
            "station": fc["station"].to_numpy(dtype=object),
            "temperature_c": fixed(fc["temperature_c"].to_numpy(), 1),
            "precipitation_mm": fixed(fc["precipitation_mm"].to_numpy(), 1),
            "wind_speed_ms": fixed(fc["wind_speed_ms"].to_numpy(), 1),
        },
    )

    sig = tables["signals"]
    write_csv(
        signals_csv,
        {
            "timestamp": iso_utc(pd.DatetimeIndex(sig["timestamp"])),
            "location": sig["location"].to_numpy(dtype=object),
            "signal": sig["signal"].to_numpy(dtype=object),
            "value": fixed(sig["value"].to_numpy(), 1),
            "unit": sig["unit"].to_numpy(dtype=object),
        },
    )

    inc = tables["incidents"]
    write_csv(
        incidents_csv,
        {
            "timestamp": iso_utc(pd.DatetimeIndex(inc["timestamp"])),
            "zone": inc["zone"].to_numpy(dtype=object),
            "kind": inc["kind"].to_numpy(dtype=object),
            "count": np.asarray([str(v) for v in inc["count"].tolist()], dtype=object),
        },
    )

    readme_md.write_text(readme(doc, tables, truth, sim_zones), encoding="utf-8", newline="\n")
    return paths


# ----------------------------------------------------------------------------- script


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m crowdcast.sample._simulator OUT_DIR [--overwrite] [--seed N]``."""
    parser = argparse.ArgumentParser(
        prog="python -m crowdcast.sample._simulator", description="Simulate the sample city."
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args(argv)
    try:
        city = make_city(args.out, seed=args.seed, overwrite=args.overwrite)
    except (CrowdcastError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for p in city.paths:
        print(p)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
