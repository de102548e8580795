"""Accuracy on the sample city: the global forecaster against every baseline, in one backtest.

Protocol (``crowdcast.evaluation.backtest``): 20 daily origins at 06:00
Europe/Amsterdam, 1-20 Dec 2024, 24 h ahead, with the event calendar and the
weather forecasts issued by each origin; every model is fitted once on the
counts before the first origin (``Fold(refit=False)``) and then forecasts
from the history up to each origin. Scores on observed actuals only: the KPI
table overall and on event hours (a non-cancelled event in the zone), daily
peaks, and skill against the operational ProfileRatio baseline.

Run: ``.venv/bin/python benchmarks/bench_sample.py [--origins 20] [--out FILE]``
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

import crowdcast as cc
from crowdcast.evaluation import Fold, backtest

COLUMNS = ["n", "mae", "rmse", "mase", "smape", "bias", "pinball", "coverage", "width"]


def markdown(df: pd.DataFrame, digits: int = 3) -> str:
    """A small GitHub-markdown table (no extra dependency)."""
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in df.itertuples(index=False):
        cells = [_cell(v, digits) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(value: object, digits: int) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float | np.floating):
        return f"{value:,.0f}" if abs(value) >= 10**digits else f"{value:.{digits}g}"
    if isinstance(value, int | np.integer):
        return f"{value:,}"
    return str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origins", type=int, default=20)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--out", type=Path, help="also write the tables here")
    args = parser.parse_args()
    city = cc.load_sample()
    fold = Fold(
        horizon=24,
        n_windows=args.origins,
        origin_time="06:00",
        refit=False,
        end=pd.Timestamp("2024-12-01 06:00", tz=city.site.timezone)
        + pd.Timedelta(days=args.origins - 1),
    )
    models = {
        "GBMForecaster": cc.GBMForecaster(),
        "ProfileRatio": cc.ProfileRatio(),
        "SeasonalNaive": cc.SeasonalNaive(),
        "WeekdayHourMean": cc.WeekdayHourMean(),
        "SarimaxForecaster": cc.SarimaxForecaster(),
    }
    start = time.perf_counter()
    bt = backtest(models, city, fold=fold, n_jobs=args.n_jobs)
    seconds = time.perf_counter() - start
    overall = bt.kpis()
    events = bt.kpis(by="event")
    on_event = events[events["event"]].drop(columns="event")
    peaks = bt.peak_kpis()
    skill = bt.skill("ProfileRatio", by="event")
    fit = bt.timings.groupby("model", sort=False)[["fit_seconds", "predict_seconds"]].sum()
    blocks = [
        f"machine: {platform.machine()}, CPython {platform.python_version()}, "
        f"pandas {pd.__version__}, crowdcast {cc.__version__}; backtest {seconds:.0f} s",
        f"sample city, {len(bt.origins)} daily origins at 06:00 local from "
        f"{bt.origins[0]:%Y-%m-%d %H:%M} UTC, 24 h ahead, fitted once before the first; "
        f"{int(overall['n'].iloc[0]):,} observed targets, "
        f"{int(on_event['n'].iloc[0]):,} on event hours",
        "### All hours\n\n" + markdown(overall[["model", *COLUMNS]]),
        "### Event hours\n\n" + markdown(on_event[["model", *COLUMNS]]),
        "### Daily peaks\n\n" + markdown(peaks),
        "### Skill against ProfileRatio (1 - MAE / MAE of ProfileRatio)\n\n"
        + markdown(skill[["model", "event", "mae_skill", "pinball_skill"]]),
        "### Time (s)\n\n" + markdown(fit.reset_index(), digits=2),
    ]
    text = "\n\n".join(blocks) + "\n"
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
