"""The helpers that decide what the Melbourne benchmark gives every model."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_melbourne as bm


def test_daily_rain_goes_to_the_hours_from_9_am_the_day_before() -> None:
    # BoM's rain of 20 Aug fell from 19 Aug 09:00 to 20 Aug 09:00 local (UTC + 10 h)
    local = ["2016-08-19 08:00", "2016-08-19 09:00", "2016-08-19 23:00", "2016-08-20 08:00",
             "2016-08-20 09:00"]  # fmt: skip
    hours = pd.DatetimeIndex(local).tz_localize(bm.TZ).tz_convert("UTC")
    got = bm.rain_dates(hours).strftime("%m-%d").tolist()
    assert got == ["08-19", "08-20", "08-20", "08-20", "08-21"]


def test_the_holiday_window_has_an_origin_on_each_holiday_and_the_day_before() -> None:
    origins = bm.window_origins("hol16", 28).tz_convert(bm.TZ)
    days = set(origins.strftime("%Y-%m-%d"))
    assert {"2016-03-24", "2016-03-25", "2016-03-28", "2016-10-31", "2016-11-01"} <= days
    assert len(origins) == 19 and (origins.hour == 6).all()
    assert not any(d.startswith("2016-12") for d in days)


def test_the_seed_summary_covers_the_default_and_its_seeds() -> None:
    def score(mase: float) -> bm.Score:
        return bm.Score(mase=[mase], abs_err=[pd.Series([1.0]).to_numpy()],
                        covered=[pd.Series([True]).to_numpy()], seconds=[1.0])  # fmt: skip

    scores = {bm.DEFAULT: score(0.9), f"{bm.DEFAULT} (seed 1)": score(1.0), "other": score(5.0)}
    assert "MASE mean 0.950, min 0.900, max 1.000" in bm.seed_summary(scores)[-1]
    assert bm.seed_summary({bm.DEFAULT: score(0.9)}) == []
