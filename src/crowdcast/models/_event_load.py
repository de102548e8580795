"""The event load: attendance × curve × share of a calendar, added to a forecast.

An :class:`EventLoad` turns an :class:`~crowdcast.profiles.EventResponse`
(learned by :mod:`crowdcast.models._event_fit`) and a calendar into people per
zone and interval; :func:`clean_history` takes it out of the counts (the
boosters learn the crowd without events) and :func:`add_load` puts it back into
the forecast quantiles. The load is linear in attendance, so a forecast that
adds it grows in proportion to the attendance, also beyond the largest seen.
"""

from __future__ import annotations

import functools
import warnings
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crowdcast._city import City
from crowdcast.exceptions import ExtrapolationWarning
from crowdcast.models._event_rain import event_wetness
from crowdcast.profiles import (
    BINS,
    PHASES,
    EventCurve,
    EventResponse,
    EventSpread,
    SiteProfile,
    default_event_curves,
)
from crowdcast.schemas import HOUR_NS, History

__all__ = [
    "MIN_SPREAD_EVENTS",
    "POOLED",
    "EventLoad",
    "Window",
    "add_load",
    "attendance_of",
    "clean_history",
    "explain_load",
    "n_bins",
    "per_interval",
    "row_parts",
    "usable_events",
    "windows",
]

#: Fewest events of a category for its own spread (else the pooled one).
MIN_SPREAD_EVENTS = 5
_BEFORE_NS = int(-BINS["arrival"][0] * HOUR_NS)
_AFTER_NS = int(BINS["egress"][-1] * HOUR_NS)
#: The key of what is learned over all categories at once.
POOLED = "*"


def usable_events(events: pd.DataFrame | None) -> pd.DataFrame:
    """The events that happen (not cancelled), with a clean index."""
    cols = ["event_id", "zone", "start", "end", "expected_attendance", "category", "status"]
    if events is None or events.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    return events[events["status"] != "cancelled"].reset_index(drop=True)


def n_bins() -> int:
    return sum(len(BINS[p]) - 1 for p in PHASES)


def _bin_hours(start: int, end: int, times: np.ndarray, step: int) -> np.ndarray:
    """Hours of each interval ``[t, t + step)`` that fall in each bin of an event.

    Returns an ``(len(times), n_bins)`` array, bins in :data:`PHASES` order;
    the during bins repeat every day of a multi-day event.
    """
    lo_t, hi_t = times[:, None].astype(float), (times + step)[:, None].astype(float)

    def overlap(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        return np.clip(np.minimum(hi_t, hi[None, :]) - np.maximum(lo_t, lo[None, :]), 0.0, None)

    arrival = np.asarray(BINS["arrival"], dtype=float) * HOUR_NS
    during = np.asarray(BINS["during"], dtype=float) * HOUR_NS
    egress = np.asarray(BINS["egress"], dtype=float) * HOUR_NS
    days = max(1, -(-(end - start) // (24 * HOUR_NS)))
    inside = sum(
        overlap(
            np.minimum(start + k * 24 * HOUR_NS + during[:-1], end),
            np.minimum(start + k * 24 * HOUR_NS + during[1:], end),
        )
        for k in range(days)
    )
    parts = [
        overlap(start + arrival[:-1], start + arrival[1:]),
        inside,
        overlap(end + egress[:-1], end + egress[1:]),
    ]
    return np.concatenate(parts, axis=1) / HOUR_NS


@dataclass
class Window:
    """One event row's reach on a time grid: the positions and the bin hours there."""

    row: int
    positions: np.ndarray
    hours: np.ndarray  # (len(positions), n_bins)


def windows(events: pd.DataFrame, times: np.ndarray, step: int) -> list[Window]:
    """The window of every event row on the sorted ``times`` (ns)."""
    starts = np.asarray(pd.DatetimeIndex(events["start"]).as_unit("ns").asi8)
    ends = np.asarray(pd.DatetimeIndex(events["end"]).as_unit("ns").asi8)
    out = []
    for i, (s, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        lo = int(np.searchsorted(times, s - _BEFORE_NS - step, side="right"))
        hi = int(np.searchsorted(times, e + _AFTER_NS, side="left"))
        if hi > lo:
            pos = np.arange(lo, hi)
            out.append(Window(i, pos, _bin_hours(s, e, times[pos], step)))
    return out


def per_interval(measure: str, step_h: float) -> float:
    """Bin hours → the load unit: mean presence (occupancy) or people per interval (passages)."""
    return 1.0 / step_h if measure == "occupancy" else 1.0


def attendance_of(events: pd.DataFrame, spreads: Mapping[str, EventSpread]) -> np.ndarray:
    """Expected attendance per row; unknown → the category's typical (else the pooled) one."""
    att = events["expected_attendance"].to_numpy(dtype=float, na_value=np.nan, copy=True)
    categories = events["category"].astype(str).to_numpy()
    for i in np.flatnonzero(np.isnan(att)):
        spread = spreads.get(categories[i]) or spreads.get(POOLED)
        typical = spread.typical_attendance if spread is not None else None
        att[i] = typical if typical is not None else 0.0
    return att


# ----------------------------------------------------------------------------- the load


@functools.cache
def _defaults() -> dict[str, EventCurve]:
    return default_event_curves()


class EventLoad:
    """Computes the event load of a calendar on a grid, from an :class:`EventResponse`.

    Parameters
    ----------
    response
        Curves, shares and spreads.
    site
        For each zone's measure and neighbours (None: occupancy, no neighbours).
    """

    def __init__(self, response: EventResponse, site: SiteProfile | None) -> None:
        self.response = response
        self.measures = {z.id: z.measure for z in site.zones} if site is not None else {}
        self._weights = self._weight_vectors()

    def _weight_vectors(self) -> dict[tuple[str, str], list[tuple[str, np.ndarray]]]:
        """Per (category, venue): the zones reached and their bin weights (share × curve)."""
        out: dict[tuple[str, str], list[tuple[str, np.ndarray]]] = defaultdict(list)
        for s in self.response.shares:
            curve = self.curve(s.category)
            vec = np.concatenate([getattr(s, p) * curve.phase(p) for p in PHASES])
            out[(s.category, s.venue)].append((s.zone, vec))
        return out

    def curve(self, category: str) -> EventCurve:
        """The category's curve: learned, else crowdcast's default, else the mean of all."""
        curves = self.response.curves
        if category in curves:
            return curves[category]
        defaults = _defaults()
        if category in defaults:
            return defaults[category]
        if not curves:
            return EventCurve(
                category,
                arrival=(0.0,) * (len(BINS["arrival"]) - 1),
                during=(0.0,) * (len(BINS["during"]) - 1),
                egress=(0.0,) * (len(BINS["egress"]) - 1),
            )
        mean = {p: np.mean([c.phase(p) for c in curves.values()], axis=0) for p in PHASES}
        return EventCurve(
            category,
            arrival=tuple(mean["arrival"]),
            during=tuple(mean["during"]),
            egress=tuple(mean["egress"]),
        )

    def reach(self, category: str, venue: str) -> list[tuple[str, np.ndarray]]:
        """The zones an event of ``category`` at ``venue`` reaches, with their bin weights.

        A (category, venue) never seen falls back on the venue's other
        categories (their mean shares), then on the venue zone alone with
        share 1 in every phase.
        """
        if (category, venue) in self._weights:
            return self._weights[(category, venue)]
        curve = self.curve(category)
        known = [s for s in self.response.shares if s.venue == venue]
        shares: dict[str, np.ndarray] = {}
        if known:
            by_zone: dict[str, list[np.ndarray]] = defaultdict(list)
            for s in known:
                by_zone[s.zone].append(np.array([getattr(s, p) for p in PHASES]))
            shares = {z: np.mean(v, axis=0) for z, v in by_zone.items()}
        else:
            shares = {venue: np.ones(len(PHASES))}
        return [
            (z, np.concatenate([share[i] * curve.phase(p) for i, p in enumerate(PHASES)]))
            for z, share in shares.items()
        ]

    def parts(
        self,
        events: pd.DataFrame | None,
        zones: Sequence[str],
        times: np.ndarray,
        step: int,
        *,
        weather: pd.DataFrame | None = None,
        origin: pd.Timestamp | None = None,
    ) -> dict[str, np.ndarray]:
        """The expected load per category as ``zones × times`` arrays (unknown attendance apart).

        Keys are categories; an event with unknown attendance adds to
        ``"<category>?"`` at the category's typical attendance, so that its
        wider spread can be applied. With ``weather``, each event's load is
        scaled by its category's rain factor for the rain during it, as known
        at ``origin`` (see :func:`event_wetness`).
        """
        events = usable_events(events)
        step_h = step / HOUR_NS
        zone_at = {z: i for i, z in enumerate(zones)}
        att = attendance_of(events, self.response.spreads)
        if weather is not None and len(events):
            wetness = event_wetness(events, weather, origin)
            for category, rows in events.groupby("category").indices.items():
                spread = self.response.spreads.get(str(category))
                if spread is not None and spread.rain:
                    att[rows] *= spread.rain_factor(wetness[rows])
        unknown = events["expected_attendance"].isna().to_numpy()
        out: dict[str, np.ndarray] = {}
        for w in windows(events, times, step):
            category = str(events["category"].iat[w.row])
            key = category + ("?" if unknown[w.row] else "")
            for zone, vec in self.reach(category, str(events["zone"].iat[w.row])):
                z = zone_at.get(zone)
                if z is None:
                    continue
                unit = per_interval(self.measures.get(zone, "occupancy"), step_h)
                if key not in out:
                    out[key] = np.zeros((len(zones), len(times)))
                out[key][z, w.positions] += att[w.row] * unit * (w.hours @ vec)
        return out

    def expected(
        self,
        events: pd.DataFrame | None,
        zones: Sequence[str],
        times: np.ndarray,
        step: int,
        *,
        weather: pd.DataFrame | None = None,
        origin: pd.Timestamp | None = None,
    ) -> np.ndarray:
        """The load at the median ratio, ``zones × times``."""
        total = np.zeros((len(zones), len(times)))
        parts = self.parts(
            usable_events(events), zones, times, step, weather=weather, origin=origin
        )
        for key, part in parts.items():
            total += part * self.ratio(key, 0.5)
        return total

    def ratio(self, key: str, q: float) -> float:
        """Quantile ``q`` of realised / expected load for a parts key (``"cat"`` or ``"cat?"``)."""
        spreads = self.response.spreads
        category = key.rstrip("?")
        spread = spreads.get(category)
        if spread is None or spread.n_events < MIN_SPREAD_EVENTS:
            spread = spreads.get(POOLED, spread)
        if spread is None:
            return 1.0
        levels = np.array(sorted(spread.ratio_quantiles))
        values = np.array([spread.ratio_quantiles[k] for k in levels])
        value = float(np.interp(q, levels, values))
        if key.endswith("?") and spread.attendance:
            # unknown attendance: the ratio times the spread of attendances around the typical one
            att = np.asarray(spread.attendance) / np.median(spread.attendance)
            grid = np.interp(np.linspace(0.025, 0.975, 39), levels, values)
            value = float(np.quantile(np.outer(grid, att).ravel(), q))
        return max(value, 0.0)

    def warn_extrapolation(
        self, events: pd.DataFrame | None, start: pd.Timestamp, end: pd.Timestamp
    ) -> None:
        """An :class:`ExtrapolationWarning` per event near ``[start, end)`` unlike those seen."""
        events = usable_events(events)
        if events.empty:
            return
        reach = (events["end"] + pd.Timedelta(_AFTER_NS, "ns") > start) & (
            events["start"] - pd.Timedelta(_BEFORE_NS, "ns") < end
        )
        ahead = events[reach].drop_duplicates("event_id")
        for row in ahead.itertuples(index=False):
            spread = self.response.spreads.get(str(row.category))
            seen = spread.attendance_range if spread is not None else None
            att = float(row.expected_attendance)  # type: ignore[arg-type]
            if seen is None:
                warnings.warn(
                    f"Event {row.event_id!r}: category {row.category!r} was not among the "
                    "events the model learned from; its load uses the average curve and the "
                    "venue's shares, so treat its forecast as a rough guide.",
                    ExtrapolationWarning,
                    stacklevel=4,
                )
            elif np.isfinite(att) and att > seen[1]:
                warnings.warn(
                    f"Event {row.event_id!r}: attendance {att:,.0f} is above every "
                    f"{row.category} event the model learned from ({seen[0]:,.0f}–"
                    f"{seen[1]:,.0f}); the event load grows in proportion, which the data "
                    "cannot confirm.",
                    ExtrapolationWarning,
                    stacklevel=4,
                )


def clean_history(
    history: History,
    load: EventLoad,
    events: pd.DataFrame | None,
    weather: pd.DataFrame | None = None,
) -> History:
    """The counts minus the expected event load (never below zero): the no-event history.

    Past events are scaled by the rain observed during them.
    """
    times = np.asarray(history.times(np.arange(history.values.shape[1])).asi8)
    expected = load.expected(events, history.zones, times, history.freq.value, weather=weather)
    values = np.where(np.isnan(history.values), np.nan, np.maximum(history.values - expected, 0.0))
    return History(zones=history.zones, start=history.start, freq=history.freq, values=values)


def row_parts(
    load: EventLoad, rows: pd.DataFrame, data: City, freq: pd.Timedelta
) -> dict[str, np.ndarray]:
    """The expected load per parts key at each forecast row (weather as known at the origin)."""
    times, t_at = np.unique(rows["timestamp"].to_numpy(dtype="datetime64[ns]"), return_inverse=True)
    zones = sorted(set(rows["zone"].astype(str)))
    z_at = pd.Index(zones).get_indexer(pd.Index(rows["zone"].astype(str)))
    parts = load.parts(
        data.events,
        zones,
        times.astype(np.int64),
        freq.value,
        weather=data.weather,
        origin=rows["origin"].min(),
    )
    return {key: part[z_at, t_at] for key, part in parts.items()}


def add_load(
    base: np.ndarray,
    taus: list[float],
    rows: pd.DataFrame,
    load: EventLoad,
    data: City,
    freq: pd.Timedelta,
) -> np.ndarray:
    """The forecast quantiles with the event load added to the no-event quantiles.

    The centre is the no-event centre plus the load at the median ratio;
    each other quantile moves away from it by the root of the summed
    squares of the no-event and the load deviations (the two taken as
    independent), so the interval widens with the load and never collapses
    at an event peak.
    """
    parts = row_parts(load, rows, data, freq)
    if not parts:
        return base
    centre = 0.5 if 0.5 in taus else taus[len(taus) // 2]
    loads = np.zeros((len(rows), len(taus)))
    for key, at in parts.items():
        loads += at[:, None] * np.array([load.ratio(key, q) for q in taus])[None, :]
    m = taus.index(centre)
    b_dev = base - base[:, [m]]
    l_dev = loads - loads[:, [m]]
    spread = np.sign(b_dev + l_dev) * np.sqrt(b_dev**2 + l_dev**2)
    return base[:, [m]] + loads[:, [m]] + spread


def explain_load(
    load: EventLoad,
    rows: pd.DataFrame,
    data: City,
    freq: pd.Timedelta,
    X: np.ndarray,
    contrib: np.ndarray,
    quantile: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The design and contributions with an ``event_load`` column before the bias.

    Its value is the event load (people) at the ``quantile`` ratio and its
    contribution ``log1p(base + load) - log1p(base)``, so contributions
    still add up to ``log1p`` of the forecast (exactly for the median);
    its label names the categories of the events behind it.
    """
    parts = row_parts(load, rows, data, freq)
    people = np.zeros(len(rows))
    names = np.full(len(rows), None, dtype=object)
    for key, part in parts.items():
        at = part * load.ratio(key, quantile)
        people += at
        some = at > 0
        text = key.rstrip("?")
        names[some] = [text if n is None else f"{n}, {text}" for n in names[some]]
    base = np.expm1(contrib.sum(axis=1))
    event = np.log1p(np.maximum(base, 0.0) + people) - np.log1p(np.maximum(base, 0.0))
    X = np.column_stack([X, people])
    contrib = np.column_stack([contrib[:, :-1], event, contrib[:, -1]])
    return X, contrib, names
