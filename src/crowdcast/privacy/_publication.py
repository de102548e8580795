"""Publications: one zone x interval table released at several granularities, protected together.

A :class:`Publication` holds the finest table (the *base cells*) and remembers
every value it has released: cells at each granularity (hourly, daily, ...),
per-zone totals over the whole table and citywide totals per interval. Each
is a sum of base cells, so a daily total is a margin of the hourly cells, and
:func:`crowdcast.privacy._protect.protect` protects them all together: for
every suppressed sensitive value, the interval an attacker can infer from
everything published (plus non-negativity) is at least the protection width.

Granularities below a day are cut on UTC multiples of their length (no DST
ambiguity); a day or more is cut at local midnight in the site's time zone
(a day of 23 or 25 hours when the clock changes). Thresholds and widths scale
with the hours a value covers: ``k`` per hour observed, so a zone-day of 24
observed hours is sensitive below ``24 k``, and a citywide hour below ``k``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from crowdcast._validation import Problems, timezone_problem
from crowdcast.exceptions import ParameterError, PrivacyError, Problem
from crowdcast.privacy._egress import K_RULE, TOTALS, interval_of, k_per_hour, published_column
from crowdcast.privacy._protect import BLOCK_CELLS, Release, Unprotectable, protect
from crowdcast.profiles import SiteProfile
from crowdcast.schemas import DAY, HOUR, as_timedelta

__all__ = ["Publication", "PublishedTable", "publish_table"]

#: The bins of a granularity and, per part (cells, totals), group codes and released-value ids.
_Plan = tuple[pd.DatetimeIndex, dict[str, tuple[np.ndarray, np.ndarray]]]


@dataclass(frozen=True)
class PublishedTable:
    """A zone x interval table and its totals, safe to publish together.

    ``cells``: ``zone, timestamp, <value>, suppressed``; ``zone_totals``:
    ``zone, <value>, suppressed`` (or None); ``interval_totals``:
    ``timestamp, <value>, suppressed`` (or None). Suppressed values are 0.
    ``threshold`` is the cell threshold (``k`` per hour times ``freq``).
    """

    cells: pd.DataFrame
    zone_totals: pd.DataFrame | None
    interval_totals: pd.DataFrame | None
    threshold: float
    value: str
    freq: pd.Timedelta = HOUR


class Publication:
    """Release a zone x interval table at several granularities, protected together.

    Parameters
    ----------
    table
        The finest table: one row per ``zone`` and ``timestamp`` (counts, or
        one forecast origin).
    site_or_k
        A site profile (``privacy.min_count_per_hour``, its time zone) or ``k``.
    freq
        The table's interval; inferred when omitted.
    value
        The column released (``count`` or ``q0.5`` by default).
    protection
        The protection width per hour (default ``k``): every suppressed value
        below its threshold keeps an interval of at least ``protection`` times
        the hours it covers, whatever an attacker combines.
    timezone
        Where days start, when ``site_or_k`` is a number (default UTC).

    Examples
    --------
    >>> t = pd.date_range("2024-06-01", periods=48, freq="h", tz="UTC")
    >>> counts = pd.DataFrame({"zone": "a", "timestamp": t, "count": 40.0})
    >>> counts.loc[3, "count"] = 4.0
    >>> hourly, daily = Publication(counts, 15).release("1h", "1D", totals=())
    >>> int(hourly.cells["suppressed"].sum()), daily.cells["suppressed"].tolist()
    (2, [False, False])
    """

    def __init__(
        self,
        table: pd.DataFrame,
        site_or_k: SiteProfile | float,
        *,
        freq: str | pd.Timedelta | None = None,
        value: str | None = None,
        protection: float | None = None,
        timezone: str | None = None,
    ) -> None:
        self._col = published_column(table, value, ())
        found = Problems(error=ParameterError)
        if protection is not None and not K_RULE(protection):
            found.add("`protection`", "a width >= 0 per hour, or None for k", repr(protection))
        tz = site_or_k.timezone if isinstance(site_or_k, SiteProfile) else timezone or "UTC"
        found.extend([p for p in [timezone_problem(tz)] if p is not None])
        found.raise_if_any()
        self.k_per_hour = k_per_hour(site_or_k)
        self._width = self.k_per_hour if protection is None else float(protection)
        self._step = interval_of(table, freq)
        self._table = table
        observed = table[table[self._col].notna()]
        self._zones = pd.Index(sorted(table["zone"].unique()))
        self._times = pd.DatetimeIndex(sorted(table["timestamp"].unique()))
        self._zone = self._zones.get_indexer(pd.Index(observed["zone"]))
        self._time = self._times.get_indexer(pd.DatetimeIndex(observed["timestamp"]))
        self._cells = observed[self._col].to_numpy(np.float64)
        self._tz = tz
        self._ids: dict[bytes, int] = {}
        self._members: list[np.ndarray] = []
        self._released = np.zeros(0, bool)
        self._suppressed = np.zeros(0, bool)

    # ------------------------------------------------------------------ values

    def _register(self, groups: np.ndarray) -> np.ndarray:
        """The released-value id of each group of base cells (``groups``: a code per cell)."""
        order = np.argsort(groups, kind="stable")
        codes, starts = np.unique(groups[order], return_index=True)
        ids = np.empty(len(codes), np.intp)
        for i, members in enumerate(np.split(order, starts[1:]) if len(codes) else []):
            key = members.tobytes()
            if key not in self._ids:
                self._ids[key] = len(self._members)
                self._members.append(members)
            ids[i] = self._ids[key]
        return ids

    def _bins(self, step: pd.Timedelta) -> tuple[np.ndarray, pd.DatetimeIndex]:
        """A bin number per base time and the UTC start of each bin."""
        if step == self._step:
            return np.arange(len(self._times)), self._times
        if step < DAY:
            ns = self._times.as_unit("ns").asi8 // step.value
            codes, first = np.unique(ns, return_inverse=True)
            return first, pd.DatetimeIndex(pd.to_datetime(codes * step.value, utc=True))
        days = step // DAY
        local = self._times.tz_convert(self._tz).tz_localize(None).normalize()
        number = (local - pd.Timestamp("1970-01-01")).days.to_numpy() // days
        codes, first = np.unique(number, return_inverse=True)
        starts = pd.Timestamp("1970-01-01") + pd.to_timedelta(codes * days, unit="D")
        labels = pd.DatetimeIndex(starts).tz_localize(
            self._tz, ambiguous=False, nonexistent="shift_forward"
        )
        return first, labels.tz_convert("UTC")

    def _blocks(self) -> np.ndarray:
        """Whole local days, grouped until a block holds at least ``BLOCK_CELLS`` base cells."""
        day = self._bins(DAY)[0][self._time]
        block_of_day = []
        block = size = 0
        for cells in np.bincount(day):
            block_of_day.append(block)
            size += cells
            if size >= BLOCK_CELLS:
                block, size = block + 1, 0
        return np.asarray(block_of_day, np.intp)[day]

    # --------------------------------------------------------------- releasing

    def release(
        self, *freqs: str | pd.Timedelta, totals: Collection[str] = TOTALS
    ) -> tuple[PublishedTable, ...]:
        """Release the table at each of ``freqs`` (default: its own interval), with ``totals``.

        Everything released, now and before, is protected together: values
        released before keep what they showed, and only values of this release
        are suppressed to protect the small ones.

        Parameters
        ----------
        freqs
            Granularities (``"1h"``, ``"1D"``): multiples of the table's interval;
            a day or more in whole days.
        totals
            ``"zone"`` (per zone over the whole table) and/or ``"timestamp"``
            (citywide per interval of each granularity).

        Returns
        -------
        tuple of PublishedTable
            One per granularity, in order.

        Raises
        ------
        PrivacyError
            When values released before already reveal a small value of this
            release: release the granularities together, in one call.
        """
        steps = self._steps(freqs, totals)
        n_before = len(self._released)
        plans = [self._plan(step, totals) for step in steps]
        matrix = self._matrix()
        values = matrix @ self._cells
        hours = self._hours(matrix)
        sensitive = values < self.k_per_hour * hours
        new = np.zeros(len(values) - n_before, bool)
        suppressed = np.r_[self._suppressed, new] | sensitive
        fixed = np.r_[self._released, new]
        release = Release(
            matrix, self._cells, sensitive, self._width * hours, fixed, self._blocks()
        )
        try:
            protect(release, suppressed, costs=values)
        except Unprotectable as exc:
            error = self._unprotectable(exc.value)
            for key in [m.tobytes() for m in self._members[n_before:]]:
                del self._ids[key]
            del self._members[n_before:]
            raise error from None
        self._released = fixed
        for _, parts in plans:
            for _, ids in parts.values():
                self._released[ids] = True
        self._suppressed = suppressed
        return tuple(
            self._table_of(step, plan, values, suppressed)
            for step, plan in zip(steps, plans, strict=True)
        )

    def _steps(
        self, freqs: tuple[str | pd.Timedelta, ...], totals: Collection[str]
    ) -> list[pd.Timedelta]:
        found = Problems(error=ParameterError)
        unknown = set(totals) - set(TOTALS)
        if unknown:
            found.add("`totals`", f"a subset of {TOTALS!r}", repr(sorted(unknown)))
        steps = []
        for freq in freqs or (self._step,):
            step = found.attempt(as_timedelta, freq)
            if step is None:
                continue
            if step % self._step or step < self._step or (step >= DAY and step % DAY):
                found.add(
                    f"granularity {freq!r}",
                    f"a multiple of the table's interval ({self._step}); a day or more in "
                    "whole days",
                    str(step),
                )
            steps.append(step)
        found.raise_if_any()
        return steps

    def _plan(self, step: pd.Timedelta, totals: Collection[str]) -> _Plan:
        """The bins of ``step`` and, per part, the group codes and released-value ids."""
        first, labels = self._bins(step)
        bins = first[self._time]
        groups = {"cells": self._zone * len(labels) + bins}
        if "timestamp" in totals:
            groups["timestamp"] = bins
        if "zone" in totals:
            groups["zone"] = self._zone
        return labels, {n: (np.unique(g), self._register(g)) for n, g in groups.items()}

    def _matrix(self) -> sp.csr_matrix:
        lengths = np.fromiter((len(m) for m in self._members), np.intp, len(self._members))
        indptr = np.r_[0, np.cumsum(lengths)]
        indices = np.concatenate(self._members) if self._members else np.zeros(0, np.intp)
        shape = (len(self._members), len(self._cells))
        return sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=shape)

    def _hours(self, matrix: sp.csr_matrix) -> np.ndarray:
        """The hours each released value covers: its distinct base times x the interval."""
        rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        pairs = np.unique(rows * len(self._times) + self._time[matrix.indices])
        distinct = np.bincount(pairs // len(self._times), minlength=matrix.shape[0])
        return distinct * (self._step / HOUR)

    # ----------------------------------------------------------------- output

    def _table_of(
        self, step: pd.Timedelta, plan: _Plan, values: np.ndarray, suppressed: np.ndarray
    ) -> PublishedTable:
        """The released values of one granularity as tables; suppressed ones shown as 0."""
        labels, parts = plan
        col = self._col

        def shown(index: pd.Index, part: str) -> pd.DataFrame:
            codes, ids = parts[part]
            out = pd.DataFrame({col: np.nan, "suppressed": False}, index=index)
            out.iloc[codes, 0] = np.where(suppressed[ids], 0.0, values[ids])
            out.iloc[codes, 1] = suppressed[ids]
            return out

        grid = pd.MultiIndex.from_product([self._zones, labels], names=["zone", "timestamp"])
        cells = shown(grid, "cells").reset_index()
        cells["timestamp"] = cells["timestamp"].astype(self._table["timestamp"].dtype)
        if step == self._step:
            cells = self._table[["zone", "timestamp"]].merge(
                cells, on=["zone", "timestamp"], how="left"
            )
        zone_totals = interval_totals = None
        if "zone" in parts:
            zone_totals = shown(pd.Index(self._zones, name="zone"), "zone").reset_index()
        if "timestamp" in parts:
            interval_totals = shown(pd.Index(labels, name="timestamp"), "timestamp").reset_index()
        return PublishedTable(
            cells=cells,
            zone_totals=zone_totals,
            interval_totals=interval_totals,
            threshold=self.k_per_hour * (step / HOUR),
            value=col,
            freq=step,
        )

    def _unprotectable(self, value: int) -> PrivacyError:
        members = self._members[value]
        zones = ", ".join(self._zones[np.unique(self._zone[members])])
        times = self._times[self._time[members]]
        return PrivacyError(
            [
                Problem(
                    f"the value of {zones} from {times.min()} to {times.max()}",
                    "protected: values published before must not pin down a small value",
                    "values released before already determine it",
                    hint="release every granularity together, in one call: "
                    "publication.release('1h', '1D')",
                )
            ],
            title="Refused to release",
        )


def publish_table(
    table: pd.DataFrame,
    site_or_k: SiteProfile | float,
    *,
    freq: str | pd.Timedelta | None = None,
    value: str | None = None,
    totals: Collection[str] = TOTALS,
    protection: float | None = None,
) -> PublishedTable:
    """Suppress small cells of a zone x interval table and of its totals, with protection.

    Every value below ``k`` per hour it covers is suppressed (shown as 0 and
    flagged), and more values are suppressed (complementary suppression) until
    no suppressed small value can be narrowed, from the published cells and
    totals and the fact that counts are ``>= 0``, to an interval narrower than
    ``protection`` per hour (default ``k``). For several granularities
    published together (hourly and daily), use :class:`Publication`.

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
    protection
        The protection width per hour; ``k`` by default.

    Returns
    -------
    PublishedTable
        No published value is below its threshold unless it is a suppressed 0,
        and every suppressed small value keeps an interval of at least the
        protection width.

    Examples
    --------
    >>> t = pd.date_range("2024-06-01", periods=3, freq="h", tz="UTC")
    >>> counts = pd.DataFrame({"zone": ["a"] * 3 + ["b"] * 3, "timestamp": [*t, *t],
    ...                        "count": [4.0, 50.0, 90.0, 60.0, 70.0, 80.0]})
    >>> pub = publish_table(counts, 15, totals=("zone",))
    >>> pub.cells["count"].tolist(), pub.zone_totals["count"].tolist()
    ([0.0, 0.0, 90.0, 60.0, 70.0, 80.0], [144.0, 210.0])
    """
    published_column(table, value, totals)  # every problem with the arguments at once
    publication = Publication(table, site_or_k, freq=freq, value=value, protection=protection)
    return publication.release(totals=totals)[0]
