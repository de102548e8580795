"""The benchmark suite: run every benchmark, print its tables, keep them in results/.

Each benchmark runs in its own subprocess, one after the other (they time
things: running them side by side on 2 cores would measure contention), and
its output is written to ``benchmarks/results/<name>.txt`` with the machine,
the versions and the command on top.

Run: ``.venv/bin/python benchmarks/run.py [--only sample melbourne] [--quick]``
(``make bench`` installs the ``bench`` extra first and runs all of them).
``--quick`` shrinks every benchmark to a smoke test; its figures are not the
published ones and go to ``results/quick/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: name -> (script, arguments for the full run, arguments for --quick)
SUITE: dict[str, tuple[str, list[str], list[str]]] = {
    "readers": (
        "bench_readers.py",
        ["--sizes", "10", "165", "1000"],
        ["--sizes", "2", "--zones", "10", "--days", "60"],
    ),
    "features": ("bench_features.py", [], ["--every", "24h"]),
    "sample": ("bench_sample.py", [], ["--origins", "3"]),
    "events": ("bench_events.py", [], ["--origins", "3"]),
    "aggression": ("bench_aggression.py", [], ["--nights", "14", "--quick"]),
    "melbourne": ("bench_melbourne.py", ["--seeds", "3"], ["--origins", "2", "--mstl-weeks", "4"]),
    "scale": ("bench_scale.py", [], ["--zones", "10", "20"]),
    "privacy": ("bench_privacy.py", [], ["--zones", "10", "--ingress-days", "30", "--days", "1"]),
    "calibration": ("bench_calibration.py", [], ["--sims", "20", "--weeks", "8"]),
}


def machine() -> str:
    import pandas as pd

    import crowdcast as cc

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), {platform.machine()}, {platform.system()}; "
        f"CPython {platform.python_version()}, pandas {pd.__version__}, crowdcast {cc.__version__}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=list(SUITE), default=list(SUITE))
    parser.add_argument("--quick", action="store_true", help="smoke-test sizes")
    args = parser.parse_args()
    out_dir = HERE / "results" / ("quick" if args.quick else "")
    out_dir.mkdir(parents=True, exist_ok=True)
    about = machine()
    failed = []
    for name in args.only:
        script, full, quick = SUITE[name]
        cmd = [sys.executable, str(HERE / script), *(quick if args.quick else full)]
        shown = " ".join(["python", f"benchmarks/{script}", *cmd[2:]])
        print(f"\n=== {name}: {shown}", flush=True)
        start = time.perf_counter()
        lines = []
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, bufsize=1) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:  # stream progress, keep the text
                print(line, end="", flush=True)
                lines.append(line)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            failed.append(name)
            continue
        header = (
            f"<!-- {name}: `{shown}` on {dt.date.today()}, {seconds:.0f} s -->\n"
            f"<!-- machine: {about} -->\n\n"
        )
        (out_dir / f"{name}.txt").write_text(header + "".join(lines))
        print(f"=== {name}: {seconds:.0f} s -> {out_dir / (name + '.txt')}", flush=True)
    if failed:
        sys.exit(f"benchmarks failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
