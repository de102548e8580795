"""Speed and peak memory of ``read_counts`` against a bare pandas baseline.

The baseline does the minimum a careful notebook would: ``read_csv``, melt to
long, parse local timestamps and localise them to UTC. crowdcast does that
plus every contract check (duplicates, negatives, unknown zones, grid) and
completes the grid. Both run on the same generated wide export in one run.

Run: ``.venv/bin/python benchmarks/bench_readers.py [--zones 10 100 1000] [--days 365]``
"""

from __future__ import annotations

import argparse
import gc
import platform
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from crowdcast.io._counts import read_counts


def make_wide_csv(path: Path, zones: int, days: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    utc = pd.date_range("2024-01-01", periods=days * 24, freq="h", tz="UTC")
    local = utc.tz_convert("Europe/Amsterdam").tz_localize(None).strftime("%Y-%m-%d %H:%M")
    data = {"tijd": local}
    for z in range(zones):
        data[f"zone_{z:04d}"] = rng.poisson(200, size=len(utc))
    pd.DataFrame(data).to_csv(path, index=False)


def baseline(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path)
    long = df.melt(id_vars="tijd", var_name="zone", value_name="count")
    ts = pd.to_datetime(long["tijd"])
    long["timestamp"] = ts.groupby(long["zone"]).transform(
        lambda s: s.dt.tz_localize("Europe/Amsterdam", ambiguous="infer").dt.tz_convert("UTC")
    )
    return long[["zone", "timestamp", "count"]]


def crowdcast(path: Path) -> pd.DataFrame:
    return read_counts(
        path, layout="wide", columns={"tijd": "timestamp"}, timezone="Europe/Amsterdam"
    )


def measure(fn: Callable[[Path], pd.DataFrame], path: Path, repeat: int = 3) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn(path)
        times.append(time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    fn(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return min(times), peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, pandas {pd.__version__}"
    )
    print(f"wide CSV, hourly, {args.days} days, naive Europe/Amsterdam times\n")
    header = (
        f"{'zones':>6} {'rows':>10} | {'pandas s':>9} {'MiB':>7} | "
        f"{'crowdcast s':>11} {'MiB':>7} | {'ratio':>5}"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for zones in args.zones:
            path = Path(tmp) / f"wide_{zones}.csv"
            make_wide_csv(path, zones, args.days)
            t_base, m_base = measure(baseline, path)
            t_cc, m_cc = measure(crowdcast, path)
            print(
                f"{zones:>6} {zones * args.days * 24:>10,} | {t_base:>9.2f} {m_base:>7.0f} | "
                f"{t_cc:>11.2f} {m_cc:>7.0f} | {t_cc / t_base:>5.2f}"
            )


if __name__ == "__main__":
    main()
