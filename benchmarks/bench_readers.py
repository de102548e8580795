"""Speed and peak memory of ``read_counts`` against a bare pandas baseline.

Two files, both generated:

- **long** (the issue's case): ``zone,timestamp,count`` rows with ISO UTC
  times, 15-minute intervals, 100 zones, sized in MB (``--sizes 10 165
  1000``; 165 MB is about 5 million rows). crowdcast reads it in pyarrow
  blocks into compact arrays; its peak memory should stay within about
  three times the file size;
- **wide**: one row per hour, one column per zone, naive Europe/Amsterdam
  times (``--zones 10 100 1000``, one year).

The baseline does the minimum a careful notebook would: ``read_csv``, parse
the timestamps to UTC (and, for wide files, melt and localise). crowdcast
does that plus every contract check (strict numbers, duplicates, negatives,
intervals, the record-level privacy check, the grid) and completes the grid.

Each read runs in a fresh Python process, so the peak resident memory
(``ru_maxrss``) is that read's alone: reported as the increase over the
process after its imports, and as a multiple of the file size.

Run: ``.venv/bin/python benchmarks/bench_readers.py [--sizes 10 165] [--zones 10 100 1000]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

_ZONES_LONG = 100
_BYTES_PER_ROW = 33  # "zone_042,2024-01-01T00:00:00Z,123\n"


def make_long_csv(path: Path, megabytes: float, seed: int = 0) -> int:
    """A long counts CSV of about ``megabytes``: 100 zones, 15-minute intervals. Returns rows."""
    rng = np.random.default_rng(seed)
    rows = int(megabytes * 1e6 / _BYTES_PER_ROW)
    periods = -(-rows // _ZONES_LONG)
    times = pd.date_range("2023-01-01", periods=periods, freq="15min", tz="UTC")
    stamps = np.asarray(times.strftime("%Y-%m-%dT%H:%M:%SZ"), dtype=object)
    chunk = 20_000  # periods per write, so even the 1 GB file is generated in bounded memory
    with path.open("w", encoding="utf-8") as out:
        out.write("zone,timestamp,count\n")
        for start in range(0, periods, chunk):
            part = stamps[start : start + chunk]
            for z in range(_ZONES_LONG):
                counts = rng.poisson(120, size=len(part))
                out.write(
                    "".join(f"zone_{z:03d},{t},{c}\n" for t, c in zip(part, counts, strict=True))
                )
    return periods * _ZONES_LONG


def make_wide_csv(path: Path, zones: int, days: int, seed: int = 0) -> int:
    rng = np.random.default_rng(seed)
    utc = pd.date_range("2024-01-01", periods=days * 24, freq="h", tz="UTC")
    local = utc.tz_convert("Europe/Amsterdam").tz_localize(None).strftime("%Y-%m-%d %H:%M")
    data = {"tijd": local}
    for z in range(zones):
        data[f"zone_{z:04d}"] = rng.poisson(200, size=len(utc))
    pd.DataFrame(data).to_csv(path, index=False)
    return zones * len(utc)


# The reads, each run by a fresh interpreter (see _measure).
_READS = {
    "pandas-long": """
df = pd.read_csv(path, dtype={"zone": str})
df["timestamp"] = pd.to_datetime(df["timestamp"], format="ISO8601", utc=True)
""",
    "crowdcast-long": """
df = read_counts(path)
""",
    "pandas-wide": """
df = pd.read_csv(path)
long = df.melt(id_vars="tijd", var_name="zone", value_name="count")
ts = pd.to_datetime(long["tijd"])
long["timestamp"] = ts.groupby(long["zone"]).transform(
    lambda s: s.dt.tz_localize("Europe/Amsterdam", ambiguous="infer").dt.tz_convert("UTC")
)
""",
    "crowdcast-wide": """
df = read_counts(path, layout="wide", columns={"tijd": "timestamp"}, timezone="Europe/Amsterdam")
""",
}

_RUNNER = """
import json, resource, sys, time
import pandas as pd
from crowdcast.io import read_counts
path = sys.argv[1]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
{read}
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"seconds": seconds, "rows": len(df), "before_kib": before, "peak_kib": peak}}))
"""


def _measure(name: str, path: Path) -> dict[str, float]:
    """One read in a fresh process: seconds, output rows, peak RSS increase (MiB)."""
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    code = _RUNNER.format(read=_READS[name])
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["peak_mib"] = (result["peak_kib"] - result["before_kib"]) / 1024
    return result


def _row(label: str, rows: int, size_mib: float, base: dict, ours: dict) -> str:
    return (
        f"{label:>10} {rows:>12,} {size_mib:>8.0f} | {base['seconds']:>8.1f} "
        f"{base['peak_mib']:>7.0f} | {ours['seconds']:>8.1f} {ours['peak_mib']:>7.0f} "
        f"{ours['peak_mib'] / size_mib:>6.1f}x | {ours['seconds'] / base['seconds']:>5.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="*", default=[10, 165], help="long CSV, MB")
    parser.add_argument("--zones", type=int, nargs="*", default=[10, 100, 1000], help="wide CSV")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--dir", type=Path, default=None, help="where to write the files")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"pandas {pd.__version__}; each read in a fresh process; MiB = peak RSS increase\n"
    )
    header = (
        f"{'file':>10} {'rows':>12} {'MiB':>8} | {'pandas s':>8} {'MiB':>7} | "
        f"{'cc s':>8} {'MiB':>7} {'/file':>7} | {'time':>5}"
    )
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        if args.sizes:
            print("long CSV, 100 zones, 15-minute intervals, ISO UTC times")
            print(header + "\n" + "-" * len(header))
        for mb in args.sizes:
            path = Path(tmp) / f"long_{mb:g}MB.csv"
            make_long_csv(path, mb)
            size = path.stat().st_size / 2**20
            base, ours = _measure("pandas-long", path), _measure("crowdcast-long", path)
            print(_row(f"{mb:g} MB", ours["rows"], size, base, ours), flush=True)
            path.unlink()
        if args.zones:
            print(f"\nwide CSV, hourly, {args.days} days, naive Europe/Amsterdam times")
            print(header + "\n" + "-" * len(header))
        for zones in args.zones:
            path = Path(tmp) / f"wide_{zones}.csv"
            make_wide_csv(path, zones, args.days)
            size = path.stat().st_size / 2**20
            base, ours = _measure("pandas-wide", path), _measure("crowdcast-wide", path)
            print(_row(f"{zones} zones", ours["rows"], size, base, ours), flush=True)
            path.unlink()


if __name__ == "__main__":
    main()
