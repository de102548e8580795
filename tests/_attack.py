"""The attacker of published tables: the interval of each suppressed value, by linear programming.

Independent of crowdcast's suppression code: it reads only what was published
(the ``PublishedTable`` objects: cells, zone totals and interval totals, with
their ``suppressed`` flags), knows how each published value sums the base cells
(zone x interval; coarser cells by UTC multiples below a day, local days above)
and that counts are >= 0. For every suppressed value it computes the smallest
and largest values consistent with all of that (``scipy.optimize.linprog``),
after substituting the published base cells and splitting the unknown cells into
independent groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from crowdcast.privacy import PublishedTable

HOUR = pd.Timedelta("1h")


@dataclass(frozen=True)
class Found:
    """What the attacker infers about one suppressed value."""

    table: str
    key: str
    true: float
    hours: float
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low


def _bins(times: pd.DatetimeIndex, step: pd.Timedelta, tz: str) -> np.ndarray:
    if step < pd.Timedelta("1D"):
        return times.as_unit("ns").asi8 // step.value
    local = times.tz_convert(tz).tz_localize(None).normalize()
    return (local - pd.Timestamp("1970-01-01")).days.to_numpy() // (step // pd.Timedelta("1D"))


def _sums(base: pd.DataFrame, pub: PublishedTable, tz: str):  # type: ignore[no-untyped-def]
    """(name, key, member cells, shown value, suppressed) of every value of one table."""
    bins = _bins(pd.DatetimeIndex(base["timestamp"]), pub.freq, tz)
    zones = base["zone"].to_numpy()
    rows = pd.Series(np.arange(len(base)))
    by_cell = rows.groupby([zones, bins]).indices
    by_zone = rows.groupby(zones).indices
    by_bin = rows.groupby(bins).indices
    name = f"{pub.freq}"
    cells = pub.cells
    cell_bins = _bins(pd.DatetimeIndex(cells["timestamp"]), pub.freq, tz)
    for zone, ts, b, value, hidden in zip(
        cells["zone"],
        cells["timestamp"],
        cell_bins,
        cells[pub.value],
        cells["suppressed"],
        strict=True,
    ):
        if not np.isnan(value):
            yield name + " cell", f"{zone} {ts}", by_cell[(zone, b)], value, hidden
    if pub.zone_totals is not None:
        for zone, value, hidden in pub.zone_totals.itertuples(index=False):
            if not np.isnan(value):
                yield "zone total", zone, by_zone[zone], value, hidden
    if pub.interval_totals is not None:
        totals = pub.interval_totals
        total_bins = _bins(pd.DatetimeIndex(totals["timestamp"]), pub.freq, tz)
        for ts, b, value, hidden in zip(
            totals["timestamp"], total_bins, totals[pub.value], totals["suppressed"], strict=True
        ):
            if not np.isnan(value):
                yield name + " total", str(ts), by_bin[b], value, hidden


def attack(
    base: pd.DataFrame,
    published: list[PublishedTable],
    *,
    tz: str = "UTC",
    step: pd.Timedelta = HOUR,
    value: str = "count",
) -> list[Found]:
    """The interval the attacker infers for every suppressed value of ``published``.

    ``base`` holds the true base cells (zone, timestamp, value); the attacker
    uses only which cells exist (NaN = not observed, as published); ``true``
    and ``hours`` are reported so that tests can judge the intervals.
    """
    base = base[base[value].notna()].reset_index(drop=True)
    truth = base[value].to_numpy(float)
    times = pd.DatetimeIndex(base["timestamp"]).as_unit("ns").asi8
    n = len(base)
    rows, shown, hidden, names = [], [], [], []
    for pub in published:
        for name, key, members, v, h in _sums(base, pub, tz):
            rows.append(np.sort(members))
            shown.append(v)
            hidden.append(h)
            names.append((name, key))
    indptr = np.r_[0, np.cumsum([len(r) for r in rows])].astype(int)
    indices = np.concatenate(rows) if rows else np.zeros(0, int)
    m = sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(rows), n))
    hidden_arr = np.array(hidden, bool)
    shown_arr = np.array(shown, float)
    # substitute published single cells
    known = np.full(n, np.nan)
    singles = (np.diff(m.indptr) == 1) & ~hidden_arr
    known[m.indices[m.indptr[:-1][singles]]] = shown_arr[singles]
    unknown = np.flatnonzero(np.isnan(known))
    pos = -np.ones(n, int)
    pos[unknown] = np.arange(len(unknown))
    kn = np.nan_to_num(known)
    eq = m[~hidden_arr][:, unknown]
    rhs = shown_arr[~hidden_arr] - m[~hidden_arr] @ kn
    used = np.diff(eq.indptr) > 0
    eq, rhs = eq[used], rhs[used]
    # independent groups of unknown cells
    link = (eq.T @ eq) if eq.shape[0] else sp.csr_matrix((len(unknown), len(unknown)))
    _, group = connected_components(link, directed=False)
    found = []
    for q in np.flatnonzero(hidden_arr):
        members = m[q].indices
        mine = members[pos[members] >= 0]
        constant = kn[members].sum()
        if len(mine) == 0:
            low = high = constant
        else:
            cols = np.flatnonzero(np.isin(group, np.unique(group[pos[mine]])))
            sub_rows = np.flatnonzero(np.diff(eq[:, cols].tocsr().indptr) > 0)
            a = eq[sub_rows][:, cols]
            b = rhs[sub_rows]
            c = np.isin(unknown[cols], mine).astype(float)
            args = {"A_eq": a, "b_eq": b} if len(sub_rows) else {}
            lo = linprog(c, bounds=(0, None), method="highs", **args)
            hi = linprog(-c, bounds=(0, None), method="highs", **args)
            assert lo.status == 0, lo.message
            low = constant + lo.fun
            high = constant + (-hi.fun if hi.status == 0 else np.inf)
        hours = len(np.unique(times[members])) * (step / HOUR)
        found.append(Found(names[q][0], names[q][1], float(truth[members].sum()), hours, low, high))
    return found


def exposed(found: list[Found], k: float, protection: float | None = None) -> list[Found]:
    """The small values (below k per hour covered) whose interval is narrower than required."""
    width = k if protection is None else protection
    return [
        f for f in found if f.true < k * f.hours and f.width < width * f.hours * (1 - 1e-6) - 1e-6
    ]
