"""The event response: generic curves in time (publishable) and a site's shares (confidential).

An event of category ``c`` with attendance ``A``, listed in venue zone ``v``,
adds to zone ``z`` at a time ``t`` around it

    A × Σ_phase share[c, v, z, phase] × curve[c, phase](t)

people present (occupancy zones) or people passing per hour (passage
zones). The **curve** is generic: the fraction of the attendance present (or
passing per hour) in the event's own zone, hour by hour, in three phases:
*arrival* (the hours before the start), *during* (hours since the start,
until the end) and *egress* (the hours after the end). It says nothing about
a place and moves between cities. The **share** is site-specific: how much
of each phase reaches a zone (1 for the venue zone where the curve was
measured, less for a neighbouring square, 0 inside a stadium where nobody is
counted). Shares live in the site profile, curves in the indicator library.

The hours of each phase are cut into fixed bins (:data:`BINS`) so that a
curve is a short, readable vector.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

__all__ = [
    "BINS",
    "PHASES",
    "EventCurve",
    "EventResponse",
    "EventShare",
    "EventSpread",
    "Phase",
]

Phase = Literal["arrival", "during", "egress"]
PHASES: tuple[Phase, ...] = ("arrival", "during", "egress")

#: Bin edges in hours of each phase: arrival relative to the start (negative),
#: during since the start, egress since the end. The during bins repeat every
#: 24 hours, so an event listed over several days (a three-day festival) has
#: the same daily course each day.
BINS: dict[Phase, tuple[float, ...]] = {
    "arrival": (-6.0, -5.0, -4.0, -3.0, -2.0, -1.0, 0.0),
    "during": (0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 24.0),
    "egress": (0.0, 1.0, 2.0, 3.0, 4.0),
}
N_BINS: dict[Phase, int] = {p: len(e) - 1 for p, e in BINS.items()}


def bin_labels(phase: Phase) -> list[str]:
    """Readable names of a phase's bins, e.g. ``'-3..-2 h'`` or ``'12..24 h'``.

    Examples
    --------
    >>> bin_labels("egress")
    ['0..1 h', '1..2 h', '2..3 h', '3..4 h']
    """
    edges = BINS[phase]
    return [f"{lo:g}..{hi:g} h" for lo, hi in itertools.pairwise(edges)]


@dataclass(frozen=True)
class EventCurve:
    """The generic shape of one event category in time (publishable).

    Each phase holds one value per bin of :data:`BINS`: the fraction of the
    attendance present in the event's zone (occupancy), or passing it per
    hour (passages), during that bin.
    """

    category: str
    arrival: tuple[float, ...]
    during: tuple[float, ...]
    egress: tuple[float, ...]
    source: str = ""
    n_events: int = 0

    def __post_init__(self) -> None:
        for phase in PHASES:
            values = getattr(self, phase)
            if len(values) != N_BINS[phase] or any(not np.isfinite(v) or v < 0 for v in values):
                raise ValueError(
                    f"EventCurve {self.category!r}: `{phase}` needs {N_BINS[phase]} "
                    f"non-negative numbers (bins {bin_labels(phase)}), got {values!r}"
                )

    def phase(self, phase: Phase) -> np.ndarray:
        return np.asarray(getattr(self, phase), dtype=float)

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            **{p: [round(v, 6) for v in getattr(self, p)] for p in PHASES},
            "source": self.source,
            "n_events": self.n_events,
        }


@dataclass(frozen=True)
class EventShare:
    """How much of each phase of a category's events at ``venue`` reaches ``zone``.

    Site-specific and confidential: it goes to the site profile.
    """

    category: str
    venue: str
    zone: str
    arrival: float
    during: float
    egress: float

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"category": self.category, "venue": self.venue, "zone": self.zone}
        out.update({p: round(float(getattr(self, p)), 6) for p in PHASES})
        return out


@dataclass(frozen=True)
class EventSpread:
    """How realised crowds scatter around the expected load, for one category (site-specific).

    ``ratio_quantiles`` maps a probability to the quantile of the ratio
    realised / expected event load (hour by hour over the hours where the
    event matters); ``attendance`` holds the attendances seen, for the
    typical value of an unknown attendance and the range beyond which a
    forecast extrapolates. ``rain`` is the elasticity of the load to the
    wetness ``log1p(2 × mean mm/h)`` during the event, as the data showed it
    (0 when the data showed no clear effect), around ``rain_reference``.
    """

    category: str
    ratio_quantiles: Mapping[float, float]
    attendance: tuple[float, ...] = ()
    n_events: int = 0
    rain: float = 0.0
    rain_reference: float = 0.0

    def rain_factor(self, wetness: np.ndarray) -> np.ndarray:
        """The load multiplier for events with ``wetness = log1p(2 × mean mm/h)`` (NaN: 1).

        ``exp(rain × (wetness - rain_reference))``: the ratio quantiles hold at
        the mean wetness of the events learned from.
        """
        w = np.asarray(wetness, dtype=float)
        return np.where(np.isnan(w), 1.0, np.exp(self.rain * (w - self.rain_reference)))

    @property
    def attendance_range(self) -> tuple[float, float] | None:
        return (min(self.attendance), max(self.attendance)) if self.attendance else None

    @property
    def typical_attendance(self) -> float | None:
        return float(np.median(self.attendance)) if self.attendance else None


@dataclass(frozen=True)
class EventResponse:
    """Curves, shares and spreads: everything the event load needs.

    ``curves`` are generic (they go to an indicator library); ``shares`` and
    ``spreads`` are the site's (they go to its site profile).
    """

    curves: Mapping[str, EventCurve]
    shares: tuple[EventShare, ...]
    spreads: Mapping[str, EventSpread] = field(default_factory=dict)

    def shares_of(self, category: str, venue: str) -> list[EventShare]:
        return [s for s in self.shares if s.category == category and s.venue == venue]
