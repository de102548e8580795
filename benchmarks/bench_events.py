"""Events: accuracy and honest intervals on event hours, and bigger events than ever seen.

Two experiments on the simulated sample city, in one run, every model side by side:

1. **Event hours** — fitted once on the counts before 1 July 2024, then 183
   daily origins at 06:00 Europe/Amsterdam (1 Jul - 30 Dec 2024), 24 h ahead,
   with the event calendar and the weather forecasts issued by each origin
   (``evaluation.backtest``, ``Fold(refit=False)``). Scored on event hours (a
   non-cancelled event in the zone) and on all hours: MAE, bias, 80 %
   interval coverage and width, and MAE relative to the seasonal naive.
2. **Held-out big events** — the same city simulated again with every
   football match and stadium concert after 1 July 2024 at twice the largest
   attendance of its category before then (``make_city(attendance=...)``),
   the models fitted on the first half only (which never saw such a crowd)
   and forecasting each of those events from 06:00 local on its day. Scored on
   the stadium plaza during the event's hours, and the forecast peak against
   the simulated peak.

The GBM is shown with its event model (``event_model="load"``, the default:
the no-event forecast plus attendance × curve × share) and with the events
as features only (``event_model="features"``, the default before).

Run: ``.venv/bin/python benchmarks/bench_events.py [--out FILE]``
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from bench_sample import markdown

import crowdcast as cc
from crowdcast.evaluation import Fold, backtest

SPLIT = pd.Timestamp("2024-07-01 06:00", tz="Europe/Amsterdam")
BIG = ("football", "concert")


def models() -> dict[str, cc.BaseForecaster]:
    return {
        "GBM load": cc.GBMForecaster(),
        "GBM features": cc.GBMForecaster(event_model="features"),
        "SeasonalNaive": cc.SeasonalNaive(),
        "ProfileRatio": cc.ProfileRatio(),
    }


def scores(table: pd.DataFrame) -> pd.DataFrame:
    """MAE, bias, coverage and width per model on a backtest table."""
    t = table.dropna(subset=["actual"])
    err = t["q0.5"] - t["actual"]
    inside = (t["actual"] >= t["q0.1"]) & (t["actual"] <= t["q0.9"])
    out = (
        pd.DataFrame(
            {
                "model": t["model"],
                "abs": err.abs(),
                "err": err,
                "in": inside,
                "width": t["q0.9"] - t["q0.1"],
            }
        )
        .groupby("model", sort=False)
        .agg(
            n=("abs", "size"),
            mae=("abs", "mean"),
            bias=("err", "mean"),
            coverage=("in", "mean"),
            width=("width", "mean"),
        )
    )
    out["mae_vs_naive"] = out["mae"] / out.loc["SeasonalNaive", "mae"]
    return out.reset_index()


def event_hours(city: cc.City, fold: Fold) -> tuple[str, float]:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cc.exceptions.ExtrapolationWarning)
        bt = backtest(models(), city, fold=fold)
    seconds = time.perf_counter() - start
    table = bt.table
    on = table[table["event"]]
    text = (
        f"{len(bt.origins)} daily origins from {bt.origins[0]:%Y-%m-%d %H:%M} UTC, 24 h ahead, "
        f"fitted once before the first\n\n### Event hours\n\n{markdown(scores(on))}"
        f"\n\n### All hours\n\n{markdown(scores(table))}"
    )
    return text, seconds


def big_events() -> str:
    base = cc.make_city(start="2023-01-01", end="2024-12-31")
    ev = base.events.drop_duplicates("event_id")
    stadium = ev[ev["zone"].eq("stadium_plaza") & ev["category"].isin(BIG)]
    before = stadium[stadium["start"] < SPLIT]
    after = stadium[stadium["start"] >= SPLIT]
    largest = before.groupby("category")["expected_attendance"].max()
    bigger = {r.event_id: 2.0 * float(largest[r.category]) for r in after.itertuples(index=False)}
    sim = cc.make_city(start="2023-01-01", end="2024-12-31", attendance=bigger)
    city = cc.City.from_tables(sim.counts, events=sim.events, weather=sim.weather, site=sim.site)
    train = city.replace(counts=city.counts[city.counts["timestamp"] < SPLIT])
    fitted = {name: m.fit(train) for name, m in models().items()}
    rows, peaks = [], []
    for r in after.itertuples(index=False):
        local = r.start.tz_convert("Europe/Amsterdam")
        origin = local.normalize() + pd.Timedelta("6h")
        history = city.replace(counts=city.counts[city.counts["timestamp"] < origin])
        actual = city.counts[city.counts["zone"].eq("stadium_plaza")].set_index("timestamp")[
            "count"
        ]
        for name, m in fitted.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", cc.exceptions.ExtrapolationWarning)
                f = m.predict(history, origin=origin)
            f = f[f["zone"].eq("stadium_plaza")].set_index("timestamp")
            f["actual"] = actual.reindex(f.index)
            during = f[
                (f.index >= r.start - pd.Timedelta("3h")) & (f.index < r.end + pd.Timedelta("2h"))
            ]
            rows.append(during.assign(model=name).reset_index())
            peaks.append(
                {
                    "model": name,
                    "event": r.event_id.split("@")[0],
                    "attendance": bigger[r.event_id],
                    "forecast_peak": float(during["q0.5"].max()),
                    "actual_peak": float(during["actual"].max()),
                }
            )
    table = pd.concat(rows, ignore_index=True)
    peak = pd.DataFrame(peaks)
    peak["ratio"] = peak["forecast_peak"] / peak["actual_peak"]
    ratio = peak.groupby("model", sort=False)["ratio"].agg(["median", "min", "max"]).reset_index()
    seen = ", ".join(f"{c} up to {v:,.0f}" for c, v in largest.items())
    return (
        f"{len(after)} stadium events after {SPLIT:%Y-%m-%d} at twice the largest attendance "
        f"seen before ({seen}); stadium plaza, 3 h before the start to 2 h after the end\n\n"
        f"### Hours around the big events\n\n{markdown(scores(table))}\n\n"
        f"### Forecast peak / simulated peak\n\n{markdown(ratio)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origins", type=int, default=183)
    parser.add_argument("--out", type=Path, help="also write the tables here")
    args = parser.parse_args()
    city = cc.load_sample()
    fold = Fold(
        horizon=24,
        n_windows=args.origins,
        origin_time="06:00",
        refit=False,
        end=SPLIT + pd.Timedelta(days=args.origins - 1),
    )
    part1, seconds = event_hours(city, fold)
    part2 = big_events()
    text = (
        f"machine: {platform.machine()}, CPython {platform.python_version()}, "
        f"pandas {pd.__version__}, crowdcast {cc.__version__}; event-hours backtest "
        f"{seconds:.0f} s\n\n{part1}\n\n{part2}\n"
    )
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
