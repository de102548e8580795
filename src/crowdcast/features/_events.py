"""Features of the event calendar around the target interval (known-future input)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from crowdcast._city import City
from crowdcast._validation import ParameterRules, check_params
from crowdcast.features._base import FeatureTransformer
from crowdcast.features._common import POSITIVE_NUMBER, data_freq, ns
from crowdcast.schemas import HOUR_NS

__all__ = ["EventFeatures"]


class EventFeatures(FeatureTransformer):
    """Events in the row's zone (and its neighbours) at and around the target interval.

    An event is active in a target interval ``[timestamp, timestamp + freq)``
    when the two overlap. Cancelled events are ignored; tentative ones count.
    Unknown attendance counts as 0 (the event still counts as active). The
    calendar is known-future input, so it is read at any timestamp.

    Columns: ``event_attendance`` (sum over active events),
    ``event_active`` (number of active events), ``event_hours_to_start``
    (hours from the target to the next event start, 0 while one is active,
    ``lead_hours`` when none is that near), ``event_hours_since_end`` (hours
    since the last event ended, the same way), ``event_attendance_next``
    (attendance of the next event starting within ``lead_hours``, 0 if none),
    ``event_category`` (code of the category of the largest active event,
    else of the next one within ``lead_hours``: ``1..K`` for the sorted
    categories seen in ``fit``, 0 for no event, -1 for a category not seen)
    and, with ``neighbours``, ``event_attendance_neighbours`` (active
    attendance summed over the zone's ``neighbours`` in the site profile).

    Parameters
    ----------
    lead_hours
        How far ahead (and back) events are looked for; caps the hour columns.
    neighbours
        Add ``event_attendance_neighbours``.

    Attributes
    ----------
    categories_
        ``{category: code}`` learned in ``fit``.
    neighbours_
        ``{zone: neighbour zones}`` from ``data.site`` (empty without a site).

    Examples
    --------
    >>> EventFeatures(neighbours=False).get_feature_names_out()[:3]
    ['event_attendance', 'event_active', 'event_hours_to_start']
    """

    _parameter_rules: ClassVar[ParameterRules] = {"lead_hours": [POSITIVE_NUMBER]}

    def __init__(self, *, lead_hours: float = 24, neighbours: bool = True) -> None:
        self.lead_hours = lead_hours
        self.neighbours = neighbours

    _categorical = ("event_category",)

    def get_feature_names_out(self) -> list[str]:
        check_params(self)
        names = [
            "event_attendance",
            "event_active",
            "event_hours_to_start",
            "event_hours_since_end",
            "event_attendance_next",
            "event_category",
        ]
        return [*names, "event_attendance_neighbours"] if self.neighbours else names

    def get_code_labels(self) -> dict[str, dict[int, str]]:
        found = {code: str(c) for c, code in getattr(self, "categories_", {}).items()}
        return {"event_category": {-1: "a category not seen in fit", 0: "no event", **found}}

    def _fit(self, rows: pd.DataFrame, data: City) -> None:
        events = _usable(data.events)
        self.categories_ = {c: i + 1 for i, c in enumerate(sorted(set(events["category"])))}
        site = data.site
        self.neighbours_ = {z.id: tuple(z.neighbours) for z in site.zones} if site else {}

    def _transform(self, rows: pd.DataFrame, data: City) -> pd.DataFrame:
        events = _usable(data.events)
        step = data_freq(data).value if len(rows) else 0
        zone_codes, zones = pd.factorize(rows["zone"])
        time_codes, times = pd.factorize(ns(rows["timestamp"]), sort=True)
        times = times.astype(np.int64)
        by_zone = {str(z): g for z, g in events.groupby("zone", sort=False)}
        names = self.get_feature_names_out()
        table = np.zeros((len(names), len(zones), len(times)))
        for i, zone in enumerate(map(str, zones)):
            table[:6, i] = self._zone(by_zone.get(zone), times, step)
            if self.neighbours:
                for other in self.neighbours_.get(zone, ()):
                    if other in by_zone:
                        table[6, i] += _active(by_zone[other], times, step)[1]
        out = {}
        for j, name in enumerate(names):
            values = table[j, zone_codes, time_codes]
            out[name] = values.astype(np.int64) if name in _INTEGER else values
        return pd.DataFrame(out, index=rows.index)

    def _zone(self, events: pd.DataFrame | None, times: np.ndarray, step: int) -> np.ndarray:
        """The six per-zone columns at each of ``times`` (ns), as a (6, n) array."""
        lead = float(self.lead_hours)
        out = np.zeros((6, len(times)))
        out[2:4] = lead
        if events is None or events.empty:
            return out
        active, attendance = _active(events, times, step)
        starts, ends = ns(events["start"]), ns(events["end"])
        att = events["expected_attendance"].fillna(0.0).to_numpy(np.float64)
        cats = np.array([self.categories_.get(c, -1) for c in events["category"]])
        # the next event: the first start after the interval (the largest first on ties)
        order = np.lexsort((-att, starts))
        s_start, s_att, s_cat = starts[order], att[order], cats[order]
        nxt = np.searchsorted(s_start, times + step, side="left")
        at = np.minimum(nxt, len(s_start) - 1)
        to_start = np.where(nxt < len(s_start), (s_start[at] - times) / HOUR_NS, np.inf)
        near = to_start <= lead
        cum = np.concatenate([[0.0], np.cumsum(s_att)])
        same = np.searchsorted(s_start, s_start[at], side="right")  # all starting then
        next_att = np.where(near, cum[same] - cum[np.minimum(nxt, same)], 0.0)
        category = np.where(near, s_cat[at], 0)
        # the largest active event wins: write categories in increasing attendance
        for k in np.lexsort((np.arange(len(att)), att)):
            lo = np.searchsorted(times, starts[k] - step, side="right")
            hi = np.searchsorted(times, ends[k], side="left")
            category[lo:hi] = cats[k]
        ended = np.sort(ends)
        done = np.searchsorted(ended, times, side="right")  # ends at or before the interval
        since = np.where(done > 0, (times - ended[np.maximum(done - 1, 0)]) / HOUR_NS, np.inf)
        on = active > 0
        out[0] = attendance
        out[1] = active
        out[2] = np.where(on, 0.0, np.minimum(to_start, lead))
        out[3] = np.where(on, 0.0, np.minimum(since, lead))
        out[4] = next_att
        out[5] = category
        return out


_INTEGER = {"event_active", "event_category"}


def _usable(events: pd.DataFrame | None) -> pd.DataFrame:
    """Events that may happen: all but the cancelled ones (empty table when none)."""
    if events is None:
        cols = ["zone", "start", "end", "expected_attendance", "category", "status"]
        return pd.DataFrame(columns=cols)
    return events[events["status"] != "cancelled"]


def _active(events: pd.DataFrame, times: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Number and summed attendance of events overlapping ``[t, t + step)`` for each t.

    Counted as started-before-the-interval-ends minus ended-before-it-starts,
    with searchsorted on the sorted starts and ends.
    """
    starts = ns(events["start"])
    ends = ns(events["end"])
    att = events["expected_attendance"].fillna(0.0).to_numpy(np.float64)
    by_start, by_end = np.argsort(starts, kind="stable"), np.argsort(ends, kind="stable")
    started = np.searchsorted(starts[by_start], times + step, side="left")
    ended = np.searchsorted(ends[by_end], times, side="right")
    cum_start = np.concatenate([[0.0], np.cumsum(att[by_start])])
    cum_end = np.concatenate([[0.0], np.cumsum(att[by_end])])
    active = started - ended
    attendance = np.where(active > 0, np.maximum(cum_start[started] - cum_end[ended], 0.0), 0.0)
    return active, attendance
