"""Kinds of events, the events the simulator lists, and how each fills its zones.

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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crowdcast.sample._shapes import smooth_box

__all__ = ["KINDS", "EventKind", "Part", "SimEvent", "presence"]


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
