"""Alert KPIs against what actually happened: hand-made examples and backtest tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crowdcast as cc
from _risk_site import forecast, make_site
from crowdcast.evaluation import alert_kpis, alert_kpis_backtest
from crowdcast.exceptions import ParameterError
from crowdcast.risk import assess

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


# ----------------------------------------------------------------------------- backtests

NAN = float("nan")
DAY1 = pd.Timestamp("2024-12-14 15:00", tz="UTC")  # 16:00 in Amsterdam
DAY2 = DAY1 + pd.Timedelta(days=1)


@pytest.fixture(scope="module")
def site() -> cc.SiteProfile:
    return cc.load_site_profile(cc.sample_path() / "site.toml")


# ----------------------------------------------------------------------------- alert KPIs


def rows(
    model: str,
    origin: pd.Timestamp,
    p50: list[float],
    lo: float,
    hi: float,
    actual: list[float],
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": model,
            "fold": 0 if origin == DAY1 else 1,
            "origin": origin,
            "zone": "stadium_plaza",  # 9000 m²: orange from 18000 persons
            "timestamp": [origin + pd.Timedelta(hours=h) for h in range(len(p50))],
            "horizon": range(1, len(p50) + 1),
            "q0.1": lo,
            "q0.5": p50,
            "q0.9": hi,
            "actual": actual,
            "event": True,
            "scale": 1000.0,
        }
    )


ACTUAL1 = [500.0, 20000.0, 40000.0]  # orange reached at 16:00 UTC on day 1
ACTUAL2 = [500.0, 25000.0, NAN]  # and at 16:00 UTC on day 2 (last hour not observed)


def backtest_table() -> pd.DataFrame:
    return pd.concat(
        [
            # sharp: P(>= orange) > 0.5 at 16:00 on day 1 (alert issued 15:00), nothing on day 2
            rows("sharp", DAY1, [2000.0, 30000.0, 2000.0], 1000.0, 40000.0, ACTUAL1),
            rows("sharp", DAY2, [1000.0, 2000.0, 3000.0], 500.0, 4000.0, ACTUAL2),
            # flat: never alerts
            rows("flat", DAY1, [1000.0, 2000.0, 3000.0], 500.0, 4000.0, ACTUAL1),
            rows("flat", DAY2, [1000.0, 2000.0, 3000.0], 500.0, 4000.0, ACTUAL2),
        ],
        ignore_index=True,
    )


def test_alert_kpis_per_model_on_the_sample_site(site: cc.SiteProfile) -> None:
    bt = backtest_table()
    k = alert_kpis_backtest(bt, site)
    assert k["model"].tolist() == ["sharp", "flat"]
    sharp, flat = k.iloc[0], k.iloc[1]
    # sharp: one alerted day, a hit 1 h ahead; the day-2 event is missed
    assert (sharp["n_origins"], sharp["n_alerts"], sharp["n_alerted_days"]) == (2, 1, 1)
    assert sharp[["n_events", "n_hits", "n_misses", "n_false_alarms"]].tolist() == [2, 1, 1, 0]
    assert (sharp["precision"], sharp["recall"]) == (1.0, 0.5)
    assert sharp["mean_lead_time"] == pd.Timedelta("1h")
    # flat: no alert, so no precision, and both events missed
    assert (flat["n_alerts"], flat["n_events"], flat["n_misses"]) == (0, 2, 2)
    assert np.isnan(flat["precision"]) and flat["recall"] == 0.0
    assert pd.isna(flat["mean_lead_time"])
    assert k["mean_lead_time"].dtype == "timedelta64[ns]"

    # the same as assess + alert_kpis on the model's forecast and actuals by hand
    own = bt[bt["model"] == "sharp"]
    fc = own[["zone", "origin", "timestamp", "horizon", "q0.1", "q0.5", "q0.9"]]
    counts = own[["zone", "timestamp"]].assign(count=own["actual"])
    ref = alert_kpis(assess(fc, site), counts, site)
    assert (ref.precision, ref.recall, ref.mean_lead_time) == (1.0, 0.5, pd.Timedelta("1h"))
    assert (ref.n_alerted_days, ref.n_events, ref.n_hits) == (1, 2, 1)

    # alert settings reach assess: at P > 0.95 sharp does not alert either
    strict = alert_kpis_backtest(
        bt, site, model="sharp", settings=site.risk.replace(alert_probability=0.95)
    )
    assert strict[["n_alerts", "n_hits"]].to_numpy().tolist() == [[0, 0]]


def test_alert_kpis_of_one_step_forecasts_infer_or_take_the_interval(site: cc.SiteProfile) -> None:
    hourly = rows("sharp", DAY1, [2000.0, 30000.0, 2000.0], 1000.0, 40000.0, ACTUAL1)
    one_step = hourly.assign(origin=hourly["timestamp"], horizon=1)  # a new origin each hour
    k = alert_kpis_backtest(one_step, site)
    assert k[["n_origins", "n_alerts", "n_hits"]].to_numpy().tolist() == [[3, 1, 1]]
    assert k["mean_lead_time"].iloc[0] == pd.Timedelta(0)  # issued at the start of the event hour
    single = one_step.iloc[[1]]
    with pytest.raises(ParameterError, match="`freq` must be given"):
        alert_kpis_backtest(single, site)
    assert alert_kpis_backtest(single, site, freq="1h")["n_hits"].tolist() == [1]


def test_alert_kpis_need_quantiles_and_known_models(site: cc.SiteProfile) -> None:
    bt = backtest_table()
    point = rows("point", DAY1, [2000.0, 30000.0, 2000.0], NAN, NAN, ACTUAL1)
    with_point = pd.concat([bt, point], ignore_index=True)
    with pytest.raises(ParameterError, match="model 'point' must be a predictive distribution"):
        alert_kpis_backtest(with_point, site)
    assert alert_kpis_backtest(with_point, site, model=["sharp", "flat"])["model"].tolist() == [
        "sharp",
        "flat",
    ]
    with pytest.raises(ParameterError, match=r"`model` must be models of the backtest table"):
        alert_kpis_backtest(bt, site, model="prophet")


# ----------------------------------------------------------------------------- hit rate

HOURS = pd.date_range("2024-06-07 18:00", periods=5, freq="h", tz="UTC")


def test_an_actual_flow_exactly_on_the_alert_threshold_is_no_event(tmp_path: Path) -> None:
    # Fruin flow: E starts above 66 p/m/min; the street is 2 m wide: 7,920 passages per hour
    site = make_site(tmp_path)
    risk = assess(forecast("street", [(7000.0, 7500.0, 8000.0)] * 2), site)
    t = risk.table["timestamp"]
    actual = pd.DataFrame({"zone": "street", "timestamp": t, "count": [7920.0, 7921.0]})
    assert alert_kpis(risk, actual.iloc[:1], site).n_events == 0
    assert alert_kpis(risk, actual.iloc[1:], site).n_events == 1
