"""Alert KPIs against what actually happened, on a hand-made example."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from _risk_site import forecast, make_site
from crowdcast.exceptions import ParameterError
from crowdcast.risk import alert_kpis, assess

HIGH = (150.0, 300.0, 500.0)  # P(>= orange, 200 people in 100 m²) = 0.7: alert
LOW = (10.0, 20.0, 30.0)  # no alert


def test_precision_recall_and_lead_time_on_a_hand_made_week(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    # three origins (UTC; local = UTC + 2 h), 4 hours ahead each
    day1 = forecast("square", [LOW, HIGH, HIGH, LOW], start="2024-06-01 08:00")  # alert 09:00
    day2 = forecast("square", [HIGH, LOW, LOW, LOW], start="2024-06-02 08:00")  # alert 08:00
    day3 = forecast("square", [LOW, LOW, LOW, LOW], start="2024-06-03 08:00")  # none
    risk = assess(pd.concat([day1, day2, day3], ignore_index=True), site)
    assert risk.alerts["first_alert"].dt.strftime("%d %H").tolist() == ["01 09", "02 08"]

    def counts(start: str, values: list[float]) -> pd.DataFrame:
        t0 = pd.Timestamp(start, tz="UTC")
        stamps = [t0 + pd.Timedelta(hours=h) for h in range(len(values))]
        return pd.DataFrame({"zone": "square", "timestamp": stamps, "count": values})

    actual = pd.concat(
        [
            counts("2024-06-01 08:00", [50, 120, 250, 90]),  # exceeds 11:00 local: hit, lead 2 h
            counts("2024-06-02 08:00", [40, 60, 70, 50]),  # no exceedance: false alarm
            counts("2024-06-03 08:00", [30, float("nan"), 210, 20]),  # missed event
            counts("2024-06-04 08:00", [500, 500, 500, 500]),  # not forecast: not judged
        ],
        ignore_index=True,
    )
    k = alert_kpis(risk, actual, site)
    assert (k.n_alerted_days, k.n_events, k.n_hits) == (2, 2, 1)
    assert (k.precision, k.recall) == (0.5, 0.5)
    assert k.mean_lead_time == pd.Timedelta("2h")
    assert k.days[["day", "alerted", "event", "hit"]].astype(str).values.tolist() == [
        ["2024-06-01", "True", "True", "True"],
        ["2024-06-02", "True", "False", "False"],
        ["2024-06-03", "False", "True", "False"],
    ]
    assert repr(k).startswith("AlertKPIs(precision=0.50, recall=0.50")


def test_an_alert_issued_after_the_exceedance_is_not_a_hit(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    late = forecast("square", [HIGH, LOW], start="2024-06-01 12:00")
    risk = assess(late, site)
    actual = pd.DataFrame(
        {
            "zone": "square",
            "timestamp": pd.to_datetime(
                ["2024-06-01 08:00", "2024-06-01 12:00", "2024-06-01 13:00"], utc=True
            ),
            "count": [300.0, 300.0, 10.0],
        }
    )
    # the exceedance at 08:00 is not covered by the forecast; at 12:00 the alert is timely
    assert alert_kpis(risk, actual, site).mean_lead_time == pd.Timedelta(0)
    earlier = actual.assign(count=[300.0, 100.0, 300.0])
    k = alert_kpis(assess(forecast("square", [LOW, HIGH], start="2024-06-01 12:00"), site),
                   earlier.iloc[1:], site)  # fmt: skip
    assert (k.precision, k.recall) == (1.0, 1.0)
    late_alert = alert_kpis(
        assess(forecast("square", [LOW, HIGH], start="2024-06-01 13:00"), site),
        actual.assign(count=[10.0, 300.0, 300.0]).iloc[2:],
        site,
    )
    assert late_alert.n_hits == 1  # issued at 13:00 for the exceedance at 13:00: at, not after
    too_late = assess(
        pd.concat([forecast("square", [LOW, LOW], start="2024-06-01 12:00"),
                   forecast("square", [HIGH], start="2024-06-01 13:00")]), site,
    )  # fmt: skip
    k = alert_kpis(too_late, actual.assign(count=[10.0, 300.0, 300.0]), site)
    assert (k.n_events, k.n_hits, k.precision) == (1, 0, 0.0)  # first exceedance 12:00, alert 13:00


def test_kpis_need_a_risk_table(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="`risk` must be a RiskTable from assess"):
        alert_kpis(pd.DataFrame(), pd.DataFrame(), make_site(tmp_path))  # type: ignore[arg-type]


def test_a_quiet_period_without_alerts_or_exceedances_scores_nothing(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    quiet = forecast("square", [LOW, LOW], start="2024-06-01 12:00")
    actual = pd.DataFrame(
        {
            "zone": "square",
            "timestamp": pd.to_datetime(["2024-06-01 12:00", "2024-06-01 13:00"], utc=True),
            "count": [10.0, 10.0],
        }
    )
    k = alert_kpis(assess(quiet, site), actual, site)
    assert (k.n_alerted_days, k.n_events, k.n_hits) == (0, 0, 0)
    assert pd.isna(k.precision) and pd.isna(k.recall) and pd.isna(k.mean_lead_time)
