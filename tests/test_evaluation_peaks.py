"""Daily peaks against hand-computed references on tiny examples."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from _backtest_tables import NAN, T0, backtest_table, hours
from crowdcast.evaluation import peak_days, peak_kpis

# ------------------------------------------------------------------------------ peaks


def test_peak_level_and_timing_on_a_local_day() -> None:
    # Europe/Amsterdam in June is UTC+2 all day (no DST change on 2024-06-03).
    # Forecast from local 00:00 (22:00 UTC the day before), hourly, 24 hours: one local day.
    origin = pd.Timestamp("2024-06-02 22:00", tz="UTC")
    actual = [10.0] * 24
    forecast = [10.0] * 24
    actual[14] = 80.0  # local 14:00: actual peak 80
    actual[18] = 95.0  # local 18:00: even higher, but NOT observed below
    forecast[16] = 70.0  # local 16:00: forecast peak 70 within the observed hours
    forecast[18] = 120.0  # at the unobserved hour: must not count
    actual[18] = NAN
    t = backtest_table(actual, forecast, origin=origin)
    days = peak_days(t, timezone="Europe/Amsterdam")
    assert len(days) == 1
    d = days.iloc[0]
    assert d["day"] == dt.date(2024, 6, 3)
    assert (d["n_intervals"], d["n_observed"], d["complete"]) == (24, 23, False)
    assert d["actual_peak"] == 80.0
    assert d["actual_peak_time"] == pd.Timestamp("2024-06-03 12:00", tz="UTC")  # 14:00 local
    assert d["forecast_peak"] == 70.0  # not 120: that hour has no actual
    assert d["forecast_peak_time"] == pd.Timestamp("2024-06-03 14:00", tz="UTC")  # 16:00 local
    assert d["peak_error"] == -10.0  # 70 - 80: under-forecast
    assert d["timing_error_hours"] == 2.0  # 16:00 - 14:00: the forecast peaks 2 h late

    # the same day fully observed is complete; in UTC it spans two calendar days
    full = backtest_table([10.0] * 24, [10.0] * 24, origin=origin)
    assert peak_days(full, timezone="Europe/Amsterdam")["complete"].tolist() == [True]
    assert peak_days(full, timezone="UTC")["day"].tolist() == [
        dt.date(2024, 6, 2),
        dt.date(2024, 6, 3),
    ]
    assert peak_days(full, timezone="UTC")["complete"].tolist() == [False, False]


def test_peak_ties_take_the_first_interval() -> None:
    t = backtest_table([5.0, 9.0, 9.0], [7.0, 7.0, 3.0])
    d = peak_days(t, timezone="UTC").iloc[0]
    # actual 9 first at hour 1; forecast 7 first at hour 0 -> timing -1 h (forecast early)
    assert d["actual_peak_time"] == T0 + hours(1)
    assert d["forecast_peak_time"] == T0
    assert d["timing_error_hours"] == -1.0


def test_peak_kpis_summary() -> None:
    # model m, zone square, two forecasts (origins on two days, 06:00 UTC = 08:00 local):
    #   day 1: actual peak 50 at +2 h, forecast peak 40 at +3 h -> error -10, timing +1 h
    #   day 2: actual peak 30 at +0 h, forecast peak 36 at +0 h -> error +6, timing 0 h
    #   day 3: nothing observed -> not judged, counted as unobserved
    d1 = backtest_table([10.0, 20.0, 50.0, 15.0], [10.0, 20.0, 30.0, 40.0])
    d2 = backtest_table([30.0, 20.0], [36.0, 20.0], origin=T0 + hours(24))
    d3 = backtest_table([NAN, NAN], [1.0, 1.0], origin=T0 + hours(48))
    other = backtest_table([NAN], [1.0], model="other")
    t = pd.concat([d1, d2, d3, other], ignore_index=True)
    s = peak_kpis(t, timezone="Europe/Amsterdam").set_index("model")
    m = s.loc["m"]
    assert (m["n_days"], m["n_complete_days"], m["n_unobserved_days"]) == (2, 0, 1)
    assert m["peak_mae"] == 8.0  # (10 + 6) / 2
    assert m["peak_bias"] == -2.0  # (-10 + 6) / 2
    assert m["timing_mae_hours"] == 0.5  # (1 + 0) / 2
    assert m["timing_bias_hours"] == 0.5
    o = s.loc["other"]  # a model with no observed day still gets a row
    assert (o["n_days"], o["n_unobserved_days"]) == (0, 1)
    assert math.isnan(o["peak_mae"])
    assert list(s.index) == ["m", "other"]
    only = peak_kpis(t, timezone="Europe/Amsterdam", complete_only=True)
    assert only["n_days"].tolist() == [0, 0]
