"""The sample city's last football match, planned 44 h ahead: shared by the plan tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import crowdcast as cc
from crowdcast.jobs import PlanRun, plan_event

#: Few trees: the tests check the plumbing, not the accuracy.
FAST = {"n_estimators": 30}


@dataclass(frozen=True)
class Planned:
    city: cc.City
    match: pd.Series  # the calendar row of the match
    as_of: pd.Timestamp  # 44 h before kick-off, on the hour
    model: cc.GBMForecaster
    model_path: Path
    run: PlanRun  # the match at 40,000 attendance, report and CSV written


def make_planned(tmp: Path) -> Planned:
    city = cc.load_sample(purpose="event_planning")
    match = city.events.query("category == 'football'").sort_values("start").iloc[-1]
    as_of = (match["start"] - pd.Timedelta("44h")).floor("h")
    cut = city.replace(counts=city.counts[city.counts["timestamp"] < as_of])
    model = cc.GBMForecaster(horizon=72, lgbm_params=FAST).fit(cut)
    model_path = tmp / "havenstad.ccm"
    cc.save_model(model, model_path)
    run = plan_event(
        city,
        event=match["event_id"],
        as_of=as_of,
        model=model,
        changes=[cc.SetAttendance(match["event_id"], 40_000)],
        out=tmp / "report.html",
    )
    return Planned(city, match, as_of, model, model_path, run)
