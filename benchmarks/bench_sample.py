"""Accuracy on the sample city: the global forecaster against every baseline, in one run.

Protocol: fit once on the counts before 1 Dec 2024, then forecast 24 h ahead
from 20 daily origins (05:00 UTC, 1-20 Dec 2024) with the event calendar and
the weather forecasts issued by each origin. Scores on observed actuals only:
MAE overall and on event hours (a non-cancelled event active in the zone), and
the share of actuals inside the 80 % interval (q0.1-q0.9).

Run: ``.venv/bin/python benchmarks/bench_sample.py [--origins 20]``
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import pandas as pd

import crowdcast as cc
from crowdcast.features import ForecastData, make_rows


def event_hours(rows: pd.DataFrame, events: pd.DataFrame) -> np.ndarray:
    active = np.zeros(len(rows), dtype=bool)
    for e in events[events["status"] != "cancelled"].itertuples():
        active |= (
            (rows["zone"] == e.zone) & (rows["timestamp"] >= e.start) & (rows["timestamp"] < e.end)
        ).to_numpy()
    return active


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origins", type=int, default=20)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, CPython {platform.python_version()}, "
        f"pandas {pd.__version__}"
    )
    city = cc.load_sample()
    cut = pd.Timestamp("2024-12-01", tz="UTC")
    train = city.counts[city.counts["timestamp"] < cut]
    data = ForecastData.from_city(city)
    grid = data.history()
    origins = pd.date_range("2024-12-01 05:00", periods=args.origins, freq="D", tz="UTC")
    rows = make_rows(city.site.zone_ids, origins, np.arange(1, 25), city.freq)
    actual = grid.values[grid.zone_index(rows["zone"]), grid.position(rows["timestamp"])]
    observed = ~np.isnan(actual)
    on_event = event_hours(rows, city.events) & observed
    models = {
        "GBMForecaster": cc.GBMForecaster(),
        "ProfileRatio": cc.ProfileRatio(),
        "SeasonalNaive": cc.SeasonalNaive(),
        "WeekdayHourMean": cc.WeekdayHourMean(),
        "SarimaxForecaster": cc.SarimaxForecaster(),
    }
    print(
        f"sample city, {args.origins} daily origins from 2024-12-01 05:00 UTC, 24 h ahead, "
        f"{int(observed.sum()):,} observed targets ({int(on_event.sum())} on event hours)\n"
    )
    header = (
        f"{'model':<18} {'MAE':>7} {'MAE events':>11} {'cov 80%':>8} {'fit s':>7} {'predict s':>10}"
    )
    print(header)
    print("-" * len(header))
    for name, model in models.items():
        t0 = time.perf_counter()
        model.fit(train, events=city.events, weather=city.weather, site=city.site)
        t1 = time.perf_counter()
        fc = model.predict_rows(rows, data)
        t2 = time.perf_counter()
        err = np.abs(fc["q0.5"].to_numpy() - actual)
        inside = (actual >= fc["q0.1"].to_numpy()) & (actual <= fc["q0.9"].to_numpy())
        print(
            f"{name:<18} {np.nanmean(err[observed]):>7.1f} {np.nanmean(err[on_event]):>11.1f} "
            f"{inside[observed].mean():>8.2f} {t1 - t0:>7.1f} {t2 - t1:>10.2f}"
        )


if __name__ == "__main__":
    main()
