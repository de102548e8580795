"""Cost of the privacy guards: the ingress check on a large counts table, suppression of tables.

Ingress: ``guard_counts`` (record-level rows and detection logs, on parsed rows)
and ``guard_ingress`` (names and sampled values) on a generated long table of
100 zones x 1 year of 15-minute counts, rows sorted and shuffled.

Suppression: ``Publication(counts, site).release("1h", "1D")`` with zone and
citywide totals on windows of the sample city (a site-day, weeks, months): time,
linear programmes solved, small hours (primary suppressions) and complementary
suppressions, hourly alone and hourly + daily together.

Run: ``.venv/bin/python benchmarks/bench_privacy.py [--zones 100] [--days 1 14 28 91]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import crowdcast as cc
import crowdcast.privacy._protect as protect_module
from crowdcast.privacy import Publication, guard_counts, guard_ingress


def ingress(zones: int, days: int) -> None:
    rng = np.random.default_rng(0)
    t = pd.date_range("2024-01-01", periods=days * 96, freq="15min", tz="UTC")
    counts = pd.DataFrame(
        {
            "zone": np.repeat([f"zone_{z:03d}" for z in range(zones)], len(t)),
            "timestamp": np.tile(t, zones),
            "count": rng.poisson(50, len(t) * zones).astype(float),
        }
    )
    print(f"ingress: {len(counts):,} rows ({zones} zones x {days} days of 15 min)")
    for label, table in [("sorted", counts), ("shuffled", counts.sample(frac=1, random_state=0))]:
        start = time.perf_counter()
        guard_counts(table, source="bench")
        print(f"  guard_counts, {label:8s}: {time.perf_counter() - start:6.3f} s")
    start = time.perf_counter()
    guard_ingress(counts, source="bench", contract="counts")
    print(f"  guard_ingress (sampled values): {time.perf_counter() - start:6.3f} s")


def suppression(windows: list[int]) -> None:
    city = cc.load_sample()
    counts, site = city.counts, city.site
    k = site.privacy.min_count_per_hour
    solved = {"n": 0}
    solve = protect_module._solve

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        solved["n"] += 1
        return solve(*args, **kwargs)

    protect_module._solve = counting
    start0 = pd.Timestamp("2024-03-03", tz=site.timezone).tz_convert("UTC")
    print(f"\nsuppression: the sample city from 2024-03-03 (local), k = {k}, totals zone+timestamp")
    print(f"{'days':>5} {'release':>8} | {'s':>6} {'LPs':>5} | {'cells':>6} {'small':>6} "
          f"{'compl.':>6} | {'daily suppressed':>16}")  # fmt: skip
    for days in windows:
        end = start0 + pd.Timedelta(days=days)
        window = counts[counts["timestamp"].between(start0, end, "left")]
        for freqs in (("1h",), ("1h", "1D")):
            solved["n"] = 0
            start = time.perf_counter()
            tables = Publication(window, site).release(*freqs, totals=("zone", "timestamp"))
            seconds = time.perf_counter() - start
            cells = window.merge(tables[0].cells, on=["zone", "timestamp"], suffixes=("", "_"))
            small = int((cells["count"] < k).sum())
            extra = int((cells["suppressed"] & (cells["count"] >= k)).sum())
            daily = ""
            if len(tables) > 1:
                d = tables[1].cells
                daily = f"{int(d['suppressed'].sum())} of {int(d['count'].notna().sum())}"
            print(f"{days:>5} {'+'.join(freqs):>8} | {seconds:6.2f} {solved['n']:>5} | "
                  f"{len(window):>6} {small:>6} {extra:>6} | {daily:>16}", flush=True)  # fmt: skip
    protect_module._solve = solve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=100)
    parser.add_argument("--ingress-days", type=int, default=365)
    parser.add_argument("--days", type=int, nargs="+", default=[1, 14, 28, 91])
    args = parser.parse_args()
    ingress(args.zones, args.ingress_days)
    suppression(args.days)


if __name__ == "__main__":
    main()
