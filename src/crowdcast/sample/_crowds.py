"""The crowds: how many people each zone of Havenstad holds or sees pass, interval by interval.

For each zone the expected count is its archetype's rhythm in local time,
scaled by season, December, school holidays, trend and weather, plus a floor
and the events (:func:`event_effects`), times a day-level and an hour-level
random effect. The true count is negative binomial around it. The observed
count is the true one with sensor outages left out (:func:`outages`) and the
documented glitches of :data:`~crowdcast.sample._havenstad.GLITCHES` put in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from crowdcast.sample._clock import Clock, child
from crowdcast.sample._event_kinds import KINDS, SimEvent, presence
from crowdcast.sample._havenstad import ARCHETYPES, GLITCHES, ZONES, Archetype, ZoneSpec
from crowdcast.sample._shapes import ar1, rhythm
from crowdcast.sample._weather import Weather
from crowdcast.schemas import HOUR, HOUR_NS

__all__ = [
    "MEASURE",
    "SimZone",
    "ZoneResult",
    "choose_zones",
    "gap_table",
    "simulate_crowds",
]

#: What each base zone counts: ``"occupancy"`` or ``"passages"``.
MEASURE = {z.id: ARCHETYPES[z.archetype].measure for z in ZONES}
_NEIGHBOURS = {z.id: z.neighbours for z in ZONES}
_SUBSTEPS = 4  # event curves are averaged over 4 points per interval


# ----------------------------------------------------------------------------- zones


@dataclass(frozen=True)
class SimZone:
    """A zone to simulate: its spec, its (jittered) archetype and level."""

    spec: ZoneSpec
    archetype: Archetype
    level: float = 1.0
    replica: bool = False


def choose_zones(seed: int, zones: Sequence[str] | None, n_zones: int | None) -> list[SimZone]:
    """The zones to simulate: the chosen base zones, then replicas up to ``n_zones``.

    The arguments are valid (:func:`~crowdcast.sample._simulator.make_city`
    checked them).
    """
    base = {z.id: z for z in ZONES}
    chosen = list(base) if zones is None else list(zones)
    total = len(chosen) if n_zones is None else int(n_zones)
    out = [
        SimZone(base[z], ARCHETYPES[base[z].archetype]) for z in chosen[: min(total, len(chosen))]
    ]
    width = max(3, len(str(total // len(chosen) + 1)))
    for i in range(len(out), total):
        spec = base[chosen[i % len(chosen)]]
        copy = i // len(chosen) + 1
        out.append(_replica(seed, spec, f"{spec.id}_{copy:0{width}d}", copy))
    return out


def _replica(seed: int, spec: ZoneSpec, zone_id: str, copy: int) -> SimZone:
    """Another zone of the same character with jittered size, level and sensitivities."""
    rng = child(seed, f"replica/{zone_id}")
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
    return SimZone(zone, archetype, level=level, replica=True)


# ----------------------------------------------------------------------------- expected counts


def _weather_factor(a: Archetype, w: Weather, idx: np.ndarray) -> np.ndarray:
    rain = w.precipitation_mm[idx]
    return np.exp(
        a.rain * np.log1p(2.0 * rain)
        + a.temperature * (w.temperature_c[idx] - 15.0)
        + a.sunshine * w.sunshine_h[idx]
        + a.wind * np.maximum(w.wind_speed_ms[idx] - 5.0, 0.0)
    )


def _baseline(z: SimZone, shape: np.ndarray, clock: Clock, w: Weather) -> np.ndarray:
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
        z = float(child(seed, f"events/attendance/{e.event_id}").standard_normal())
        i0 = max(0, (e.start.value - start) // HOUR_NS)
        i1 = min(len(w.hours), -(-(e.end.value - start) // HOUR_NS))
        rain = float(w.precipitation_mm[i0:i1].mean()) if i1 > i0 else 0.0
        value = e.expected * np.exp(kind.noise * z - 0.5 * kind.noise**2)
        value *= np.exp(kind.rain * np.log1p(2.0 * rain))
        if kind.capacity is not None:
            value = min(value, max(kind.capacity, e.expected))  # bigger events: a bigger venue
        out[e.event_id] = float(value)
    return out


def _event_effects(
    events: Sequence[SimEvent], realised: Mapping[str, float], clock: Clock
) -> tuple[dict[str, np.ndarray], list[dict[str, object]]]:
    """Extra people per interval in every base zone, and a record per simulated part."""
    n = len(clock.times)
    effects = {z.id: np.zeros(n) for z in ZONES}
    records: list[dict[str, object]] = []
    t0 = clock.times.as_unit("ns").asi8
    step_ns = int(clock.step_h * HOUR_NS)
    sub = ((np.arange(_SUBSTEPS) + 0.5) / _SUBSTEPS * step_ns).astype("int64")
    margin = 10 * HOUR_NS
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
            rel = (t0[lo:hi, None] + sub[None, :] - part.start.value) / HOUR_NS
            duration = (part.end - part.start) / HOUR
            curve = attendance * presence(kind, rel, duration).mean(axis=1)
            spill = [(nb, kind.spill) for nb in _NEIGHBOURS[part.zone] if nb not in e.zones]
            for zone, fraction in [(part.zone, 1.0), *spill]:
                scale = clock.step_h if MEASURE[zone] == "passages" else 1.0
                effects[zone][lo:hi] += fraction * scale * curve
    return effects, records


# ----------------------------------------------------------------------------- observed counts


def _outages(rng: np.random.Generator, n: int, per_hour: int) -> list[tuple[int, int]]:
    """Random sensor outages: (first interval, number of intervals)."""
    margin = 48 * per_hour
    if n <= 4 * margin:
        return []
    k = int(rng.poisson(2.5 * n / (8766 * per_hour)))  # 2.5 a year (8766 h)
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


def _glitches(
    zone: str,
    true: np.ndarray,
    observed: np.ndarray,
    causes: list[tuple[int, int, str]],
    clock: Clock,
) -> tuple[list[dict[str, object]], np.ndarray]:
    """Put the documented glitches of ``zone`` into ``observed`` (in place).

    A glitch of kind ``"outage"`` is added to ``causes``. Returns a record per
    glitch put in and which intervals hold a wrong value.
    """
    n = len(clock.times)
    per_hour = clock.per_hour
    t0 = clock.times.as_unit("ns").asi8
    records: list[dict[str, object]] = []
    glitched = np.zeros(n, dtype=bool)
    for g in GLITCHES:
        if g.zone != zone:
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
        glitched[i : i + k] = True
        records.append(
            {
                "zone": zone,
                "kind": g.kind,
                "start": clock.times[i],
                "end": clock.times[i] + pd.Timedelta(hours=g.hours),
                "intervals": k,
                "true_mean": float(before.mean()),
                "observed_mean": float(observed[i : i + k].mean()),
                "note": g.note,
            }
        )
    return records, glitched


@dataclass
class ZoneResult:
    """The counts of one zone: expected, true, and as the sensor reported them."""

    expected: np.ndarray
    true: np.ndarray
    observed: np.ndarray  # float, NaN = not observed
    causes: list[tuple[int, int, str]]  # outages: first interval, intervals, cause
    glitches: list[dict[str, object]]


def _simulate_zone(
    z: SimZone,
    shape: np.ndarray,
    clock: Clock,
    w: Weather,
    effect: np.ndarray | None,
    seed: int,
) -> ZoneResult:
    n = len(clock.times)
    rng = child(seed, f"counts/{z.spec.id}")
    day_effect = ar1(rng, int(clock.day_index.max()) + 1, 0.6, 0.07)[clock.day_index]
    hour_effect = ar1(rng, n, 0.7, 0.05)
    mean = _baseline(z, shape, clock, w) + (0.0 if effect is None else effect)
    mean = mean * np.exp(day_effect + hour_effect)
    size = z.archetype.dispersion
    true = rng.negative_binomial(size, size / (size + mean)).astype("int64")

    observed = true.astype("float64")
    causes = [
        (s, k, "sensor outage")
        for s, k in _outages(child(seed, f"outages/{z.spec.id}"), n, clock.per_hour)
    ]
    glitches: list[dict[str, object]] = []
    glitched = np.zeros(n, dtype=bool)
    if not z.replica:
        glitches, glitched = _glitches(z.spec.id, true, observed, causes, clock)
    for s, k, _ in causes:
        window = np.arange(s, s + k)
        observed[window[~glitched[window]]] = np.nan
    return ZoneResult(mean, true, observed, causes, glitches)


def simulate_crowds(
    seed: int,
    zones: Sequence[SimZone],
    clock: Clock,
    weather: Weather,
    events: Sequence[SimEvent],
) -> tuple[dict[str, ZoneResult], list[dict[str, object]]]:
    """The counts of every zone, and a record per simulated event part (with its attendance).

    Replicas see no events.
    """
    realised = _realised(events, seed, weather)
    effects, parts = _event_effects(events, realised, clock)
    shapes = {
        key: rhythm(a.pattern, clock.hour, clock.day, clock.previous)
        for key, a in ARCHETYPES.items()
        if any(z.spec.archetype == key for z in zones)
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
        for z in zones
    }
    return results, parts


def gap_table(
    zone: str, observed: np.ndarray, causes: list[tuple[int, int, str]], clock: Clock
) -> list[dict[str, object]]:
    """One row per run of missing intervals in ``observed``, with its cause."""
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
