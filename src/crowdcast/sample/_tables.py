"""What :func:`~crowdcast.sample.make_city` returns: the contract tables and the truth.

:class:`Simulation` holds everything one simulation produced.
:func:`contract_tables` turns it into the tables crowdcast's readers return
from the written files (validated against their contracts), :func:`truth`
into what the data cannot tell directly: the true parameters, the expected
and the true counts, the gaps and glitches, the realised attendance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crowdcast.sample._clock import Clock
from crowdcast.sample._crowds import SimZone, ZoneResult, gap_table
from crowdcast.sample._event_kinds import KINDS, SimEvent
from crowdcast.sample._sales import (
    INCIDENT_ZONE,
    INDICATOR,
    PROFILE_WEIGHT,
    SALES,
    SIGNAL,
    TRUE_EFFECT,
    TRUE_WEIGHT,
    baseline_rates,
    scope_venues,
)
from crowdcast.sample._weather import STATION, Weather
from crowdcast.schemas import (
    validate_events,
    validate_incidents,
    validate_signals,
    validate_weather,
)

__all__ = ["Simulation", "contract_tables", "truth"]

_EVENT_COLUMNS = [
    "event_id",
    "name",
    "zone",
    "start",
    "end",
    "expected_attendance",
    "category",
    "status",
]
_GLITCH_COLUMNS = [
    "zone",
    "kind",
    "start",
    "end",
    "intervals",
    "true_mean",
    "observed_mean",
    "note",
]


@dataclass(frozen=True)
class Simulation:
    """Everything one simulation produced, before it is turned into tables and files."""

    seed: int
    first: dt.date
    last: dt.date
    step: pd.Timedelta
    zones: Sequence[SimZone]
    clock: Clock  # the counting intervals
    weather: Weather  # hourly, with a margin for the forecasts
    forecasts: pd.DataFrame
    events: Sequence[SimEvent]
    results: Mapping[str, ZoneResult]  # by zone id
    parts: list[dict[str, object]]  # one record per simulated event part
    litres: Mapping[str, np.ndarray]  # by venue, hourly, NaN when closed
    incident_table: pd.DataFrame | None  # hourly; None without the incident zone

    @property
    def ids(self) -> list[str]:
        """The zone ids, sorted."""
        return sorted(self.results)

    @property
    def days(self) -> int:
        """The number of days simulated."""
        return (self.last - self.first).days + 1


def _counts(sim: Simulation) -> pd.DataFrame:
    ids, clock = sim.ids, sim.clock
    n = len(clock.times)
    stamps = np.tile(clock.times.as_unit("ns").asi8, len(ids)).view("datetime64[ns]")
    return pd.DataFrame(
        {
            "zone": pd.Series(np.repeat(np.asarray(ids, dtype=object), n), dtype="str"),
            "timestamp": pd.DatetimeIndex(stamps).tz_localize("UTC"),
            "count": np.concatenate([sim.results[z].observed for z in ids]),
        }
    )


def _events(sim: Simulation) -> pd.DataFrame:
    included = set(sim.ids)
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
        for e in sim.events
        for zone in e.zones
        if zone in included
    ]
    events = pd.DataFrame(rows, columns=_EVENT_COLUMNS)
    for col in ("start", "end"):
        events[col] = pd.to_datetime(events[col], utc=True)
    return validate_events(events.astype({"expected_attendance": "float64"}))


def _signals(sim: Simulation) -> pd.DataFrame:
    hourly_times = sim.clock.times[:: round(1.0 / sim.clock.step_h)]
    parts = []
    for vid in sorted(sim.litres):
        values = sim.litres[vid]
        keep = ~np.isnan(values)
        parts.append(
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
        pd.concat(parts, ignore_index=True)
        if parts
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
    return validate_signals(signals)


def _incidents(sim: Simulation) -> pd.DataFrame:
    if sim.incident_table is not None:
        hit = sim.incident_table[sim.incident_table["count"] > 0]
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
    return validate_incidents(incidents)


def contract_tables(sim: Simulation) -> dict[str, pd.DataFrame]:
    """The tables as crowdcast's readers return them from the files written.

    ``counts`` has every zone on the full grid (``NaN`` where the sensor was
    out); ``incidents`` only the hours with at least one incident.
    """
    return {
        "counts": _counts(sim),
        "events": _events(sim),
        "weather": validate_weather(sim.weather.frame(24 * sim.days)),
        "weather_forecasts": validate_weather(sim.forecasts.assign(station=STATION)),
        "signals": _signals(sim),
        "incidents": _incidents(sim),
    }


def truth(sim: Simulation) -> dict[str, Any]:
    """What the data cannot tell directly (see :class:`~crowdcast.sample.SimulatedCity`)."""
    ids, results, clock = sim.ids, sim.results, sim.clock
    gaps = [row for z in ids for row in gap_table(z, results[z].observed, results[z].causes, clock)]
    glitches = [g for z in ids for g in results[z].glitches]
    baseline = pd.DataFrame(
        {
            "weekday": np.repeat(np.arange(7), 24),
            "hour": np.tile(np.arange(24), 7),
            "rate": baseline_rates().ravel(),
        }
    )
    index = pd.DatetimeIndex(clock.times, name="timestamp")
    return {
        "indicator": INDICATOR,
        "effect": TRUE_EFFECT,
        "site_weight": TRUE_WEIGHT,
        "profile_weight": PROFILE_WEIGHT,
        "incident_zone": INCIDENT_ZONE,
        "scope_venues": scope_venues(),
        "exposure": (
            "mean over the licensed venues of nightlife_street of the litres each sold in the "
            "hour (a closed venue counts 0 L), in hours starting 18:00-05:00 local; 0 otherwise"
        ),
        "baseline_rates": baseline,
        "sales": dict(SALES),
        "incident_rates": sim.incident_table,
        "expected_counts": pd.DataFrame(
            {z: results[z].expected.astype("float32") for z in ids}, index=index
        ),
        "true_counts": pd.DataFrame({z: results[z].true.astype("int32") for z in ids}, index=index),
        "gaps": pd.DataFrame(gaps, columns=["zone", "start", "end", "intervals", "cause"]),
        "glitches": pd.DataFrame(glitches, columns=_GLITCH_COLUMNS),
        "attendance": pd.DataFrame(sim.parts),
        "zones": {z.spec.id: z.spec.archetype for z in sim.zones},
        "seed": sim.seed,
        "start": sim.first,
        "end": sim.last,
        "freq": sim.step,
    }
