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
from pathlib import Path
from typing import Any, Literal

import numpy as np

__all__ = [
    "BINS",
    "DEFAULT_CURVES_PATH",
    "PHASES",
    "EventCurve",
    "EventResponse",
    "EventShare",
    "EventSpread",
    "Phase",
    "bin_labels",
    "default_event_curves",
    "load_event_response",
    "save_event_response",
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
            **{p: [float(v) for v in getattr(self, p)] for p in PHASES},
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
        out.update({p: float(getattr(self, p)) for p in PHASES})
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
    #: Bootstrap intervals of the peak load per attendee, per (category, venue, zone):
    #: ``(category, venue, zone, peak, low, high)``; empty unless asked for.
    peak_intervals: tuple[tuple[str, str, str, float, float, float], ...] = ()

    def shares_of(self, category: str, venue: str) -> list[EventShare]:
        return [s for s in self.shares if s.category == category and s.venue == venue]

    def peaks(self) -> dict[tuple[str, str, str], float]:
        """Per (category, venue, zone), the largest fraction of the attendance in one hour.

        ``max over bins of share × curve``: the people present (or passing per
        hour) per attendee at the busiest hour, a number that does not depend
        on how curve and share split it.
        """
        out = {}
        for share in self.shares:
            curve = self.curves.get(share.category)
            if curve is not None:
                out[(share.category, share.venue, share.zone)] = max(
                    float(getattr(share, p) * curve.phase(p).max(initial=0.0)) for p in PHASES
                )
        return out

    def reach(self) -> Any:
        """One row per (category, venue, zone): the peak per attendee and its 95 % interval.

        The interval columns are NaN unless the response was calibrated with
        ``n_boot`` (``calibrate_events``).
        """
        import pandas as pd

        ranges = {(c, v, z): (lo, hi) for c, v, z, _, lo, hi in self.peak_intervals}
        rows = [
            {
                "category": c,
                "venue": v,
                "zone": z,
                "peak_per_attendee": peak,
                "low": ranges.get((c, v, z), (np.nan, np.nan))[0],
                "high": ranges.get((c, v, z), (np.nan, np.nan))[1],
            }
            for (c, v, z), peak in sorted(self.peaks().items())
        ]
        columns = ["category", "venue", "zone", "peak_per_attendee", "low", "high"]
        return pd.DataFrame(rows, columns=columns)

    def summary(self) -> Any:
        """One row per category: events, attendances seen, peak fractions, spread and rain.

        ``peak_arrival``/``peak_during``/``peak_egress`` are the curve's
        largest fraction of the attendance in each phase; ``ratio_p10``..
        ``ratio_p90`` the spread of realised / expected load; ``rain`` the
        elasticity to ``log1p(2 mm/h)``.
        """
        import pandas as pd

        rows = []
        for category, curve in sorted(self.curves.items()):
            spread = self.spreads.get(category)
            seen = spread.attendance_range if spread is not None else None
            q = dict(spread.ratio_quantiles) if spread is not None else {}
            rows.append(
                {
                    "category": category,
                    "n_events": curve.n_events,
                    "attendance_min": seen[0] if seen else np.nan,
                    "attendance_max": seen[1] if seen else np.nan,
                    **{f"peak_{p}": float(curve.phase(p).max(initial=0.0)) for p in PHASES},
                    "ratio_p10": q.get(0.1, np.nan),
                    "ratio_p50": q.get(0.5, np.nan),
                    "ratio_p90": q.get(0.9, np.nan),
                    "rain": spread.rain if spread is not None else 0.0,
                    "zones_reached": len({s.zone for s in self.shares if s.category == category}),
                }
            )
        return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- files


#: crowdcast's default curves, for categories a site has no history of.
DEFAULT_CURVES_PATH = Path(__file__).parent.parent / "data" / "event_curves.toml"
#: Where the default curves come from (written into the file, checked by the tests).
DEFAULT_CURVES_SOURCE = (
    "crowdcast default: learned by calibrate_events from the simulated sample city "
    "Havenstad (load_sample(), 2023-2024); a starting point for a category a site has no "
    "history of, to be replaced by curves learned from real events"
)


def default_event_curves() -> dict[str, EventCurve]:
    """crowdcast's published default curves by category (:data:`DEFAULT_CURVES_PATH`).

    Examples
    --------
    >>> default_event_curves()["football"].source.startswith("crowdcast default")
    True
    """
    return dict(load_event_response(curves=DEFAULT_CURVES_PATH).curves)


def save_event_response(
    response: EventResponse,
    *,
    curves: str | Path | None = None,
    shares: str | Path | None = None,
    overwrite: bool = False,
) -> None:
    """Write the curves (publishable) and the shares and spreads (confidential) to TOML files.

    The two go to separate files on purpose: the curves may be published in
    an indicator library, the shares are the site's own and are written
    readable by the owner only (mode 0600), like a site profile.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> r = EventResponse({"market": EventCurve("market", (0,) * 6, (0.1,) * 8, (0,) * 4)}, ())
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> save_event_response(r, curves=folder / "curves.toml")
    >>> load_event_response(curves=folder / "curves.toml").curves["market"].during[0]
    0.1
    """
    import tomli_w

    from crowdcast._validation import atomic_write

    if curves is not None:
        doc = {"event_curves": [c.to_dict() for c in response.curves.values()]}
        atomic_write(curves, tomli_w.dumps(doc), overwrite=overwrite)
    if shares is not None:
        doc = {
            "event_shares": [s.to_dict() for s in response.shares],
            "event_spreads": [_spread_dict(s) for s in response.spreads.values()],
            "event_peak_intervals": [
                dict(zip(("category", "venue", "zone", "peak", "low", "high"), row, strict=True))
                for row in response.peak_intervals
            ],
        }
        atomic_write(shares, tomli_w.dumps(doc), overwrite=overwrite, mode=0o600)


def _spread_dict(s: EventSpread) -> dict[str, Any]:
    return {
        "category": s.category,
        "levels": [float(q) for q in sorted(s.ratio_quantiles)],
        "ratios": [float(s.ratio_quantiles[q]) for q in sorted(s.ratio_quantiles)],
        "attendance": [float(a) for a in s.attendance],
        "n_events": s.n_events,
        "rain": float(s.rain),
        "rain_reference": float(s.rain_reference),
    }


def load_event_response(
    *, curves: str | Path | None = None, shares: str | Path | None = None
) -> EventResponse:
    """Read curves and/or shares written by :func:`save_event_response`.

    A curves file from one city with the shares of another is how an event
    response moves between cities. Every problem is reported at once in a
    :class:`~crowdcast.exceptions.ConfigError` naming the file and entry.
    """
    from crowdcast.exceptions import ConfigError, Problem
    from crowdcast.profiles._toml import read_toml

    problems: list[Problem] = []
    found_curves: dict[str, EventCurve] = {}
    found_shares: list[EventShare] = []
    found_spreads: dict[str, EventSpread] = {}

    def entries(path: str | Path, key: str) -> list[tuple[str, dict[str, Any]]]:
        where, doc = read_toml(path, "event response")
        items = doc.get(key, [])
        return [(f"{where}, {key}[{i}]", dict(t)) for i, t in enumerate(items)]

    def build(where: str, kind: Any, **values: Any) -> Any:
        try:
            return kind(**values)
        except (TypeError, ValueError) as error:
            problems.append(
                Problem(
                    where, f"a valid {kind.__name__}", str(error), hint="see save_event_response"
                )
            )
            return None

    if curves is not None:
        for where, t in entries(curves, "event_curves"):
            t["arrival"], t["during"], t["egress"] = (tuple(t.get(p, ())) for p in PHASES)
            curve = build(where, EventCurve, **t)
            if curve is not None:
                found_curves[curve.category] = curve
    if shares is not None:
        for where, t in entries(shares, "event_shares"):
            share = build(where, EventShare, **t)
            if share is not None:
                found_shares.append(share)
        for where, t in entries(shares, "event_spreads"):
            levels, ratios = t.pop("levels", []), t.pop("ratios", [])
            t["ratio_quantiles"] = dict(zip(levels, ratios, strict=False))
            t["attendance"] = tuple(t.get("attendance", ()))
            spread = build(where, EventSpread, **t)
            if spread is not None:
                found_spreads[spread.category] = spread
    found_peaks = []
    if shares is not None:
        for where, t in entries(shares, "event_peak_intervals"):
            try:
                found_peaks.append(
                    (
                        str(t["category"]),
                        str(t["venue"]),
                        str(t["zone"]),
                        float(t["peak"]),
                        float(t["low"]),
                        float(t["high"]),
                    )
                )
            except (KeyError, TypeError, ValueError) as error:
                problems.append(
                    Problem(
                        where,
                        "category, venue, zone, peak, low and high",
                        repr(error),
                        hint="write the file with save_event_response",
                    )
                )
    if problems:
        raise ConfigError(problems, title="Invalid event response file")
    return EventResponse(found_curves, tuple(found_shares), found_spreads, tuple(found_peaks))
