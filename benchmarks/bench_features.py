"""Speed of the default feature pipeline on the sample city, against bare pandas.

crowdcast computes the whole default set (horizon, calendar, history,
events, weather, zone) for every ``(zone, origin, horizon)`` row. The
baseline computes only the history columns the way a careful notebook would:
a wide ``zone x time`` frame, ``shift`` and ``rolling`` per column, then one
lookup per row (target lags and profile masked to before the origin).

Run: ``.venv/bin/python benchmarks/bench_features.py [--every 6h] [--horizon 24]``
"""

from __future__ import annotations

import argparse
import gc
import platform
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

import crowdcast as cc
from crowdcast import City
from crowdcast.features import default_features
from crowdcast.schemas import complete_grid, make_rows


def baseline(rows: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """History columns of the default set with pandas shift/rolling on a wide frame."""
    wide = complete_grid(counts, "1h").pivot(index="timestamp", columns="zone", values="count")
    start = wide.index[0]
    wide = wide.reset_index(drop=True).reindex(range(len(wide) + 400))  # room past the end
    z = wide.columns.get_indexer(rows["zone"])
    o = ((rows["origin"] - start) // pd.Timedelta("1h")).to_numpy()
    t = ((rows["timestamp"] - start) // pd.Timedelta("1h")).to_numpy()
    out = {}
    for k in (1, 2, 3):
        out[f"lag_origin_{k}"] = wide.shift(k).to_numpy()[o, z]
    for k in (24, 48, 168, 336):
        out[f"lag_target_{k}"] = np.where(t - k < o, wide.shift(k).to_numpy()[t, z], np.nan)
    for w in (24, 168):
        out[f"rolling_mean_{w}"] = (
            wide.rolling(w, min_periods=w // 2).mean().shift(1).to_numpy()[o, z]
        )
    weeks = np.column_stack(
        [
            np.where(t - 168 * k < o, wide.shift(168 * k).to_numpy()[t, z], np.nan)
            for k in (1, 2, 3, 4)
        ]
    )
    out["profile_median_4w"] = pd.DataFrame(weeks).median(axis=1).to_numpy()
    return pd.DataFrame(out, index=rows.index)


def best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", default="6h", help="time between origins")
    parser.add_argument("--horizon", type=int, default=24)
    args = parser.parse_args()
    city = cc.load_sample()
    data = City.from_city(city)
    origins = pd.date_range("2023-01-15", "2024-12-30", freq=args.every, tz="UTC")
    rows = make_rows(city.site.zone_ids, origins, np.arange(1, args.horizon + 1), city.freq)
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}"
    )
    print(
        f"sample city: {len(city.site.zones)} zones x {len(origins):,} origins x "
        f"{args.horizon} horizons = {len(rows):,} rows\n"
    )
    pipe = default_features(city.site, horizon=args.horizon)
    t_fit = best(lambda: pipe.fit_transform(rows, data))
    n_cols = pipe.n_features_out_
    print(f"{'step':<14} {'columns':>7} {'transform s':>12}")
    print("-" * 35)
    seconds = {}
    for name, step in pipe.steps:
        seconds[name] = best(lambda step=step: step.transform(rows, data))
        print(f"{name:<14} {step.n_features_out_:>7} {seconds[name]:>12.3f}")
    print("-" * 35)
    print(f"{'fit_transform':<14} {n_cols:>7} {t_fit:>12.3f}")
    t_hist = sum(seconds[n] for n in ("origin_lags", "target_lags", "rolling", "profile"))
    t_base = best(lambda: baseline(rows, city.counts))
    print(
        f"\nhistory columns: crowdcast {t_hist:.3f} s (also profile mean and recent ratio), "
        f"bare pandas {t_base:.3f} s"
    )


if __name__ == "__main__":
    main()
