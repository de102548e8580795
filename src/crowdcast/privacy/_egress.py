"""Egress suppression: small counts never leave crowdcast in anything meant for publication.

Following practice ("fewer than 15 per hour is shown as 0"), a value below the
site's threshold ``k`` per hour, scaled to the interval (``k * interval / 1 h``),
is **shown as 0 and flagged** in a boolean ``suppressed`` column. Every published
value is therefore either 0 or at least the threshold; a true 0 is below the
threshold too and is suppressed like any other small value, so a flag never
reveals "small but not zero". Not-observed values (NaN) stay NaN.

When totals are published alongside a zone x interval table (per-zone totals,
per-interval citywide totals, or both), :func:`publish_table` adds
*complementary* suppression: no suppressed cell may be recoverable exactly from
the published cells and totals. With the suppressed cells as edges of a graph
whose vertices are the rows and columns with a published total (rows or columns
without one merged into a single free vertex), a suppressed cell is determined
by the totals exactly when its edge is a bridge (it lies on no cycle). The
function therefore suppresses, for every bridge, the smallest cell that closes
a cycle through it, or, when no cell can, the totals at its ends; and a total
below the threshold is itself suppressed. The guarantee is against exact linear
recovery; bounds (a suppressed value is at least 0) can still narrow the range.

Internal model training reads the unsuppressed data: suppression is for egress.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crowdcast._validation import Interval, Problems, describe_value
from crowdcast.exceptions import ParameterError, Problem
from crowdcast.profiles import SiteProfile
from crowdcast.schemas import HOUR, as_timedelta, infer_freq, quantile_columns

__all__ = ["PublishedTable", "publish_table", "suppress", "suppression_threshold"]

#: The number rule of ``site_or_k`` (a NaN, a boolean or a negative count is refused).
_K = Interval(0, None, expectation="a count k >= 0 per hour")
_TOTALS = ("zone", "timestamp")


def _k(site_or_k: SiteProfile | float) -> float:
    """``k`` per hour: the site's ``privacy.min_count_per_hour``, or ``k`` itself."""
    if isinstance(site_or_k, SiteProfile):
        return float(site_or_k.privacy.min_count_per_hour)
    if _K(site_or_k):
        return float(site_or_k)
    raise ParameterError(
        [Problem("`site_or_k`", f"a SiteProfile or {_K.expectation}", describe_value(site_or_k))]
    )


def _freq(table: pd.DataFrame, freq: str | pd.Timedelta | None) -> pd.Timedelta:
    if freq is not None:
        return as_timedelta(freq)
    known = table.attrs.get("provenance", {}).get("freq")
    if known:
        return as_timedelta(known)
    if {"zone", "timestamp"} <= set(table.columns):
        return infer_freq(table["timestamp"], by=table["zone"])
    raise ParameterError([Problem("`freq`", "given for a table without timestamps", "None")])


def suppression_threshold(site_or_k: SiteProfile | float, freq: str | pd.Timedelta = "1h") -> float:
    """The smallest publishable value per interval: ``k * interval / 1 h``.

    >>> suppression_threshold(15, "15min")
    3.75
    """
    return _k(site_or_k) * (as_timedelta(freq) / HOUR)


def _value_columns(table: pd.DataFrame, values: Sequence[str] | None) -> list[str]:
    if values is not None:
        cols = list(values)
    elif "count" in table.columns:
        cols = ["count"]
    else:
        cols = [*quantile_columns(table), *(["mean"] if "mean" in table.columns else [])]
    missing = [c for c in cols if c not in table.columns]
    if not cols or missing:
        raise ParameterError(
            [
                Problem(
                    "`values`",
                    "value columns of the table (count, q0.1, ..., mean)",
                    f"{missing or 'none'} among {list(table.columns)}",
                )
            ]
        )
    return cols


def suppress(
    table: pd.DataFrame,
    site_or_k: SiteProfile | float,
    *,
    freq: str | pd.Timedelta | None = None,
    values: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Show every value below ``k`` per hour (scaled to the interval) as 0 and flag its row.

    Parameters
    ----------
    table
        Counts (``zone, timestamp, count``) or a forecast (``q0.1``, ``q0.5``, ...).
    site_or_k
        A site profile (its ``privacy.min_count_per_hour``) or ``k`` itself.
    freq
        The interval; from the forecast's provenance or inferred when omitted.
    values
        The value columns; ``count``, else every quantile column and ``mean``.

    Returns
    -------
    pandas.DataFrame
        A copy with small values set to 0 and a boolean ``suppressed`` column
        (True when any value of the row was suppressed). Quantiles stay sorted.
        ``attrs["suppression"]`` records k, the threshold and the interval.

    Examples
    --------
    >>> t = pd.date_range("2024-06-01", periods=3, freq="h", tz="UTC")
    >>> counts = pd.DataFrame({"zone": "a", "timestamp": t, "count": [3.0, 40.0, float("nan")]})
    >>> suppress(counts, 15)[["count", "suppressed"]].values.tolist()
    [[0.0, True], [40.0, False], [nan, False]]
    """
    cols = _value_columns(table, values)
    step = _freq(table, freq)
    threshold = suppression_threshold(site_or_k, step)
    out = table.copy()
    flagged = np.zeros(len(out), dtype=bool)
    for c in cols:
        v = out[c].astype("float64")
        small = (v.notna() & (v < threshold)).to_numpy()
        out[c] = v.mask(small, 0.0)
        flagged |= small
    if "suppressed" in out.columns:
        flagged |= out["suppressed"].fillna(False).to_numpy(bool)
    out["suppressed"] = flagged
    out.attrs = {
        **table.attrs,
        "suppression": {
            "k_per_hour": _k(site_or_k),
            "threshold": threshold,
            "freq": str(step),
            "shown_as": 0,
        },
    }
    return out


@dataclass(frozen=True)
class PublishedTable:
    """A zone x interval table and its totals, safe to publish together.

    ``cells``: ``zone, timestamp, <value>, suppressed``; ``zone_totals``:
    ``zone, <value>, suppressed`` (or None); ``interval_totals``:
    ``timestamp, <value>, suppressed`` (or None). Suppressed values are 0.
    """

    cells: pd.DataFrame
    zone_totals: pd.DataFrame | None
    interval_totals: pd.DataFrame | None
    threshold: float
    value: str


def _bridges(n: int, edges: Sequence[tuple[int, int]]) -> list[int]:
    """Indices of the edges of a multigraph that lie on no cycle (iterative Tarjan)."""
    adj: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for i, (u, v) in enumerate(edges):
        if u != v:
            adj[u].append((v, i))
            adj[v].append((u, i))
    disc = [-1] * n
    low = [0] * n
    clock = 0
    found: list[int] = []
    for start in range(n):
        if disc[start] != -1 or not adj[start]:
            continue
        disc[start] = low[start] = clock
        clock += 1
        stack = [(start, -1, iter(adj[start]))]
        while stack:
            u, parent_edge, neighbours = stack[-1]
            for v, e in neighbours:
                if e == parent_edge:
                    continue
                if disc[v] == -1:
                    disc[v] = low[v] = clock
                    clock += 1
                    stack.append((v, e, iter(adj[v])))
                    break
                low[u] = min(low[u], disc[v])
            else:
                stack.pop()
                if stack:
                    p = stack[-1][0]
                    low[p] = min(low[p], low[u])
                    if low[u] > disc[p]:
                        found.append(parent_edge)
    return sorted(found)


def _component(n: int, edges: Sequence[tuple[int, int]], start: int, without: int) -> np.ndarray:
    adj: list[list[int]] = [[] for _ in range(n)]
    for i, (u, v) in enumerate(edges):
        if i != without:
            adj[u].append(v)
            adj[v].append(u)
    seen = np.zeros(n, dtype=bool)
    seen[start] = True
    todo = [start]
    while todo:
        for v in adj[todo.pop()]:
            if not seen[v]:
                seen[v] = True
                todo.append(v)
    return seen


def _complementary(
    values: np.ndarray, hidden: np.ndarray, row_pub: np.ndarray, col_pub: np.ndarray
) -> None:
    """Suppress more cells (or totals) in place until no hidden cell is a bridge."""
    n_rows, n_cols = values.shape
    ground = n_rows + n_cols
    candidates_ok = ~np.isnan(values)
    while True:
        row_node = np.where(row_pub, np.arange(n_rows), ground)
        col_node = np.where(col_pub, n_rows + np.arange(n_cols), ground)
        rr, cc = np.nonzero(hidden)
        edges = list(zip(row_node[rr].tolist(), col_node[cc].tolist(), strict=True))
        bridges = _bridges(ground + 1, edges)
        if not bridges:
            return
        e = bridges[0]
        u, v = edges[e]
        side_u = _component(ground + 1, edges, u, e)
        side_v = _component(ground + 1, edges, v, e)
        in_u_rows, in_v_rows = side_u[row_node], side_v[row_node]
        in_u_cols, in_v_cols = side_u[col_node], side_v[col_node]
        closes = (in_u_rows[:, None] & in_v_cols[None, :]) | (
            in_v_rows[:, None] & in_u_cols[None, :]
        )
        pick = closes & ~hidden & candidates_ok
        if pick.any():
            masked = np.where(pick, values, np.inf)
            r, c = np.unravel_index(int(np.argmin(masked)), masked.shape)
            hidden[r, c] = True
            continue
        # no cell closes a cycle: stop publishing the totals at the bridge's ends
        r, c = rr[e], cc[e]
        row_pub[r] = False
        col_pub[c] = False


def publish_table(
    table: pd.DataFrame,
    site_or_k: SiteProfile | float,
    *,
    freq: str | pd.Timedelta | None = None,
    value: str | None = None,
    totals: Collection[str] = ("zone", "timestamp"),
) -> PublishedTable:
    """Suppress small cells of a zone x interval table and of its totals, complementary.

    Parameters
    ----------
    table
        Long table with one row per ``zone`` and ``timestamp`` (counts, or one
        forecast origin).
    site_or_k
        A site profile or ``k`` per hour.
    freq
        The interval; inferred when omitted.
    value
        The column published (``count`` or ``q0.5`` by default).
    totals
        Which totals are published: ``"zone"`` (per zone over the table's
        intervals), ``"timestamp"`` (citywide per interval), both or none.

    Returns
    -------
    PublishedTable
        No published value is below the threshold unless it is a suppressed 0,
        and no suppressed cell follows exactly from the published cells and totals.

    Examples
    --------
    >>> t = pd.date_range("2024-06-01", periods=2, freq="h", tz="UTC")
    >>> counts = pd.DataFrame({"zone": ["a", "a", "b", "b"], "timestamp": [*t, *t],
    ...                        "count": [4.0, 50.0, 60.0, 70.0]})
    >>> pub = publish_table(counts, 15, totals=("zone",))
    >>> pub.cells["count"].tolist(), pub.zone_totals["count"].tolist()
    ([0.0, 0.0, 60.0, 70.0], [54.0, 130.0])
    """
    col = _published_column(table, value, totals)
    threshold = suppression_threshold(site_or_k, _freq(table, freq))
    wide = table.pivot(index="zone", columns="timestamp", values=col).astype("float64")
    v = wide.to_numpy()
    hidden = ~np.isnan(v) & (v < threshold)
    row_tot = wide.sum(axis=1, min_count=1).to_numpy()
    col_tot = wide.sum(axis=0, min_count=1).to_numpy()
    row_pub = np.zeros(len(row_tot), bool) if "zone" not in totals else row_tot >= threshold
    col_pub = np.zeros(len(col_tot), bool) if "timestamp" not in totals else col_tot >= threshold
    _complementary(v, hidden, row_pub, col_pub)
    return PublishedTable(
        cells=_cells(table, wide, col, hidden),
        zone_totals=(
            _totals("zone", wide.index, col, row_tot, row_pub) if "zone" in totals else None
        ),
        interval_totals=(
            _totals("timestamp", wide.columns, col, col_tot, col_pub)
            if "timestamp" in totals
            else None
        ),
        threshold=threshold,
        value=col,
    )


def _published_column(table: pd.DataFrame, value: str | None, totals: Collection[str]) -> str:
    """The column :func:`publish_table` publishes; every problem with its arguments at once."""
    found = Problems(error=ParameterError)
    unknown = set(totals) - set(_TOTALS)
    if unknown:
        found.add("`totals`", f"a subset of {_TOTALS!r}", repr(sorted(unknown)))
    col = value or ("count" if "count" in table.columns else "q0.5")
    found.attempt(_value_columns, table, [col])
    if table.duplicated(["zone", "timestamp"]).any():
        found.add(
            "`table`",
            "one row per zone and timestamp (one forecast origin)",
            "repeated (zone, timestamp) pairs",
            hint="publish one origin at a time",
        )
    found.raise_if_any()
    return col


def _cells(table: pd.DataFrame, wide: pd.DataFrame, col: str, hidden: np.ndarray) -> pd.DataFrame:
    """The zone x interval cells, long, in the rows of ``table``: hidden ones shown as 0."""
    v = wide.to_numpy()
    shown = np.where(hidden, 0.0, v)
    n_rows, n_cols = v.shape
    cells = pd.DataFrame(
        {
            "zone": np.repeat(wide.index.to_numpy(), n_cols),
            "timestamp": np.tile(wide.columns.to_numpy(), n_rows),
            col: shown.ravel(),
            "suppressed": hidden.ravel(),
        }
    )
    cells["timestamp"] = cells["timestamp"].astype(table["timestamp"].dtype)
    return table[["zone", "timestamp"]].merge(cells, on=["zone", "timestamp"], how="left")


def _totals(key: str, index: pd.Index, col: str, tot: np.ndarray, pub: np.ndarray) -> pd.DataFrame:
    """Totals per ``key``: the published ones as they are, the others shown as 0 and flagged."""
    return pd.DataFrame(
        {key: index, col: np.where(pub, tot, np.where(np.isnan(tot), np.nan, 0.0))}
    ).assign(suppressed=~pub & ~np.isnan(tot))
