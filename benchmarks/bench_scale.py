"""Fit and predict time and peak memory: crowdcast GBMForecaster against mlforecast LightGBM.

One year of hourly simulated counts (``crowdcast.make_city(n_zones=...,
start="2024-01-01", end="2024-12-31")``) for 10, 100 and 1,000 zones. Every
(configuration, size) runs in a fresh subprocess, so its peak resident memory
(``ru_maxrss``, which unlike tracemalloc sees LightGBM's C++ allocations) is
its own: ``base`` is the peak after importing the libraries and loading the
data, ``peak`` the peak after fit and predict; ``peak - base`` is what fitting
and predicting added on top. Time is wall time of one ``fit`` and one
``predict`` (24 h ahead for every zone), after the data is loaded.

Configurations (the same information for both tools: counts only, no events
or weather; crowdcast also gets the site profile, i.e. its holidays):

- ``crowdcast``: ``GBMForecaster()`` with its defaults (median and Tweedie
  centre models of 100 trees, two tail quantile models; training origins
  every 25 hours, about once a day, so its training table has about as
  many rows as mlforecast's, one per zone-hour);
- ``crowdcast accurate``: ``GBMForecaster(origin_step=13)`` with 200 trees
  at learning rate 0.08: twice the training origins and twice the trees;
- ``mlforecast``: ``MLForecast`` with ``LGBMRegressor(objective="tweedie")``,
  lags 1, 2, 3, 24, 48, 168, 336, ``RollingMean(24)`` of lag 1 and
  ``RollingMean(168)`` of lag 24, date features hour, day of week and month
  (UTC), point forecast only;
- ``mlforecast + intervals``: the same with conformal
  ``PredictionIntervals(n_windows=2, h=24)`` and level 80 (what it takes to get
  an 80 % interval, as crowdcast's q0.1-q0.9).

mlforecast needs complete series: the simulated outages (about 1 % of hours)
are filled with the value a week earlier before timing. A configuration that
takes longer than ``--timeout`` seconds is stopped and not run at larger sizes.

Run: ``.venv/bin/python benchmarks/bench_scale.py [--zones 10 100 1000] [--timeout 900]``
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

CONFIGS = ("crowdcast", "crowdcast accurate", "mlforecast", "mlforecast + intervals")
#: GBMForecaster parameters per crowdcast configuration.
CROWDCAST = {
    "crowdcast": {},
    "crowdcast accurate": {
        "origin_step": 13,
        "lgbm_params": {"n_estimators": 200, "learning_rate": 0.08},
    },
}
LAGS = [1, 2, 3, 24, 48, 168, 336]
HORIZON = 24
WEEK = 168


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# ----------------------------------------------------------------------------- data


def generate(zones: int, folder: str | Path) -> None:
    """Simulate one year and store the counts (Parquet) and the site profile (pickle)."""
    import crowdcast as cc

    folder = Path(folder)
    city = cc.make_city(n_zones=zones, start="2024-01-01", end="2024-12-31")
    city.counts.to_parquet(folder / "counts.parquet", index=False)
    (folder / "site.pickle").write_bytes(pickle.dumps(city.site))


def nixtla_frame(counts: pd.DataFrame) -> pd.DataFrame:
    """Complete series in mlforecast's long format; a missing hour takes last week's value."""
    wide = counts.pivot(index="timestamp", columns="zone", values="count").sort_index()
    values = wide.to_numpy(dtype=float)
    for t in np.flatnonzero(np.isnan(values).any(axis=1)):
        if t >= WEEK:
            gap = np.isnan(values[t])
            values[t, gap] = values[t - WEEK, gap]
    filled = pd.DataFrame(values, index=wide.index.tz_localize(None), columns=wide.columns)
    filled = filled.ffill().bfill()
    long = filled.rename_axis(index="ds", columns="unique_id").stack().rename("y")
    return long.reset_index()[["unique_id", "ds", "y"]]


# ----------------------------------------------------------------------------- worker


def worker(config: str, folder: Path) -> dict[str, float | int]:
    """Load the data, fit, predict; time the last two. Runs in its own process."""
    import lightgbm as lgb

    import crowdcast as cc

    counts = pd.read_parquet(folder / "counts.parquet")
    site = pickle.loads((folder / "site.pickle").read_bytes())
    out: dict[str, float | int] = {}
    if config.startswith("crowdcast"):
        model = cc.GBMForecaster(**CROWDCAST[config])
        base = _maxrss_mib()
        start = time.perf_counter()
        model.fit(counts, site=site)
        out["fit_s"] = time.perf_counter() - start
        start = time.perf_counter()
        fc = model.predict()
        out["predict_s"] = time.perf_counter() - start
        out["training_rows"] = int(model.n_training_rows_)
        out["forecast_rows"] = len(fc)
    else:
        from mlforecast import MLForecast
        from mlforecast.lag_transforms import RollingMean
        from mlforecast.utils import PredictionIntervals

        df = nixtla_frame(counts)
        del counts
        intervals = config.endswith("intervals")
        fcst = MLForecast(
            models={"lgbm": lgb.LGBMRegressor(objective="tweedie", verbosity=-1)},
            freq="h",
            lags=LAGS,
            lag_transforms={1: [RollingMean(window_size=24)], 24: [RollingMean(window_size=168)]},
            date_features=["hour", "dayofweek", "month"],
        )
        base = _maxrss_mib()
        start = time.perf_counter()
        fcst.fit(
            df,
            static_features=[],
            prediction_intervals=PredictionIntervals(n_windows=2, h=HORIZON) if intervals else None,
        )
        out["fit_s"] = time.perf_counter() - start
        start = time.perf_counter()
        fc = fcst.predict(h=HORIZON, level=[80] if intervals else None)
        out["predict_s"] = time.perf_counter() - start
        out["training_rows"] = int(len(df) - df["unique_id"].nunique() * max(LAGS))
        out["forecast_rows"] = len(fc)
    out["base_mib"] = base
    out["peak_mib"] = _maxrss_mib()
    return out


# ----------------------------------------------------------------------------- parent


def run_worker(config: str, folder: Path, timeout: float) -> dict[str, float | int] | None:
    """One configuration in a fresh process; None when it timed out or failed."""
    cmd = [sys.executable, __file__, "--worker", config, str(folder)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None
    if proc.returncode != 0:
        print(stderr, file=sys.stderr)
        return None
    return dict(json.loads(stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--configs", nargs="+", choices=CONFIGS, default=list(CONFIGS))
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    parser.add_argument("--out", type=Path, help="also write the markdown table here")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], Path(args.worker[1]))))
        return

    import lightgbm
    import mlforecast

    import crowdcast as cc

    lines = [
        f"machine: {os.cpu_count()} cores, {platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()}; "
        f"crowdcast {cc.__version__}, mlforecast {mlforecast.__version__}, "
        f"lightgbm {lightgbm.__version__}, pandas {pd.__version__}; "
        f"load average at start {os.getloadavg()[0]:.2f}",
        "",
        "One year of hourly simulated counts; one fit and one 24 h predict per run, "
        "each run in a fresh process.",
        "",
        "| zones | tool | training rows | fit s | predict s | base MiB | peak MiB |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    print("\n".join(lines), flush=True)
    stopped: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        for zones in args.zones:
            folder = Path(tmp) / f"city_{zones}"
            folder.mkdir()
            code = f"import bench_scale as b; b.generate({zones}, {str(folder)!r})"
            subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent, check=True)
            for config in args.configs:
                r = None if config in stopped else run_worker(config, folder, args.timeout)
                if r is not None:
                    cells = (
                        f"{r['training_rows']:,} | {r['fit_s']:.1f} | {r['predict_s']:.2f} | "
                        f"{r['base_mib']:,.0f} | {r['peak_mib']:,.0f}"
                    )
                elif config in stopped:
                    cells = " | not run (stopped at a smaller size) | | |"
                else:
                    stopped.add(config)
                    cells = f" | > {args.timeout:.0f} s or failed | | |"
                line = f"| {zones:,} | {config} | {cells} |"
                print(line, flush=True)
                lines.append(line)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
