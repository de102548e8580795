"""Technology KPIs against hand-computed references on tiny, written-out examples."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crowdcast.evaluation._kpis import kpis, peak_days, peak_kpis, skill
from crowdcast.evaluation._metrics import (
    bias,
    coverage,
    mae,
    mase,
    pinball,
    rmse,
    scored_mask,
    smape,
    width,
)
from crowdcast.exceptions import DataError, DataValidationError, ParameterError, SchemaError

NAN = float("nan")
T0 = pd.Timestamp("2024-06-03 06:00", tz="UTC")  # a Monday; 08:00 in Europe/Amsterdam (UTC+2)


def hours(n: float) -> pd.Timedelta:
    return pd.Timedelta(hours=n)


def backtest_table(
    actual: list[float],
    q05: list[float],
    *,
    model: str = "m",
    zone: str | list[str] = "square",
    origin: pd.Timestamp = T0,
    q01: list[float] | None = None,
    q09: list[float] | None = None,
    event: bool | list[bool] = False,
    scale: float | list[float] = 1.0,
) -> pd.DataFrame:
    """A backtest table of one forecast: hourly targets from ``origin``, horizon 1..n."""
    n = len(actual)
    return pd.DataFrame(
        {
            "model": model,
            "fold": 0,
            "origin": origin,
            "zone": zone,
            "timestamp": [origin + hours(h) for h in range(n)],
            "horizon": list(range(1, n + 1)),
            "q0.1": q01 if q01 is not None else [NAN] * n,
            "q0.5": q05,
            "q0.9": q09 if q09 is not None else [NAN] * n,
            "actual": actual,
            "event": event,
            "scale": scale,
        }
    )


# ------------------------------------------------------------------------------ pure metrics


def test_point_metrics_match_hand_computation() -> None:
    y = [10.0, 20.0, NAN, 0.0]
    f = [12.0, 14.0, 99.0, 0.0]
    # scored rows 0, 1, 3: e = +2, -6, 0
    assert mae(y, f) == pytest.approx((2 + 6 + 0) / 3)  # 8/3
    assert rmse(y, f) == pytest.approx(math.sqrt((4 + 36 + 0) / 3))  # sqrt(40/3)
    assert bias(y, f) == pytest.approx((2 - 6 + 0) / 3)  # -4/3
    # sMAPE terms: 2·2/22, 2·6/34, 0/0 -> 0; mean · 100
    assert smape(y, f) == pytest.approx(100 * (4 / 22 + 12 / 34 + 0) / 3)


def test_missing_actuals_are_skipped_not_read_as_zero() -> None:
    y = [10.0, NAN]
    f = [10.0, 50.0]
    # scored: only row 0, a perfect forecast. Reading NaN as 0 would give (0 + 50) / 2 = 25.
    assert mae(y, f) == 0.0
    assert rmse(y, f) == 0.0
    assert bias(y, f) == 0.0
    assert smape(y, f) == 0.0  # with NaN -> 0 it would be (0 + 200) / 2 = 100
    assert coverage(y, [9.0, 40.0], [11.0, 60.0]) == 1.0  # 0 would fall outside [40, 60]
    assert scored_mask(y).tolist() == [True, False]
    assert int((~scored_mask(pd.Series(y))).sum()) == 1


def test_all_missing_gives_nan() -> None:
    y = [NAN, NAN]
    f = [1.0, 2.0]
    for value in (
        mae(y, f),
        rmse(y, f),
        bias(y, f),
        smape(y, f),
        mase(y, f, [NAN, NAN]),
        pinball(y, f, 0.5),
        coverage(y, f, f),
        width(f, f, actual=y),
    ):
        assert math.isnan(value)
    assert math.isnan(mae([], []))


def test_smape_zero_over_zero_is_a_perfect_row_and_range_is_0_to_200() -> None:
    assert smape([0.0, 0.0], [0.0, 0.0]) == 0.0
    # 2·|5 - 0| / (0 + 5) = 2 -> 200 %, the maximum
    assert smape([0.0], [5.0]) == 200.0
    # (0 + 200) / 2
    assert smape([0.0, 0.0], [0.0, 5.0]) == 100.0


def test_mase_scales_each_row_by_its_own_scale() -> None:
    y = [10.0, 10.0, 10.0, NAN]
    f = [12.0, 4.0, 10.0, 3.0]
    s = [2.0, 3.0, 5.0, NAN]  # NaN scale on an unobserved row is fine
    # |e|/s: 2/2 = 1, 6/3 = 2, 0/5 = 0 -> mean 1
    assert mase(y, f, s) == pytest.approx(1.0)
    # not mean|e| / mean(s) = (8/3) / (10/3) = 0.8
    assert mase(y, f, s) != pytest.approx(0.8)


def test_mase_rejects_an_unusable_scale_on_an_observed_row() -> None:
    with pytest.raises(DataValidationError, match=r"(?s)scale.*mase.*1 observed row"):
        mase([1.0, 2.0], [1.0, 2.0], [1.0, NAN])
    with pytest.raises(DataValidationError, match="scale"):
        mase([1.0], [1.0], [0.0])


def test_pinball_for_known_quantiles() -> None:
    y = [10.0, 10.0, NAN]
    q = [[8.0, 12.0], [11.0, 15.0], [0.0, 0.0]]
    # tau 0.1: row 0 u = 10 - 8 = 2  -> 0.1·2 = 0.2;  row 1 u = -1 -> 0.9·1 = 0.9
    # tau 0.9: row 0 u = 10 - 12 = -2 -> 0.1·2 = 0.2; row 1 u = -5 -> 0.1·5 = 0.5
    # mean over 2 rows × 2 quantiles: (0.2 + 0.9 + 0.2 + 0.5) / 4 = 0.45
    assert pinball(y, q, [0.1, 0.9]) == pytest.approx(0.45)
    # a single quantile, 1-D: tau 0.9, u = 10 - 4 = 6 -> 5.4
    assert pinball([10.0], [4.0], 0.9) == pytest.approx(5.4)
    assert pinball([10.0], pd.DataFrame({"q0.9": [4.0]}), [0.9]) == pytest.approx(5.4)


def test_coverage_and_width() -> None:
    y = [5.0, 9.0, NAN, 4.0]
    lo = [4.0, 4.0, 4.0, 4.0]
    hi = [9.0, 8.0, 8.0, 6.0]
    # 5 in [4, 9] yes; 9 in [4, 8] no; NaN skipped; 4 in [4, 6] yes (bounds included) -> 2/3
    assert coverage(y, lo, hi) == pytest.approx(2 / 3)
    # widths of the scored rows: 5, 4, 2 -> 11/3; without actual all rows: (5+4+4+2)/4
    assert width(lo, hi, actual=y) == pytest.approx(11 / 3)
    assert width(lo, hi) == pytest.approx(15 / 4)


def test_nan_forecast_on_an_observed_actual_is_an_error() -> None:
    with pytest.raises(DataValidationError, match=r"(?s)mae.*NaN or infinite on 2 observed row"):
        mae([1.0, 2.0, 3.0], [NAN, NAN, 3.0])
    with pytest.raises(DataError, match=r"(?s)pinball.*tau 0.9"):
        pinball([1.0, 2.0], [[1.0, 1.0], [1.0, NAN]], [0.1, 0.9])
    with pytest.raises(DataValidationError, match="coverage"):
        coverage([1.0], [NAN], [2.0])
    # ...but a NaN forecast where the actual is missing is fine
    assert mae([1.0, NAN], [1.0, NAN]) == 0.0


def test_bad_arguments_are_parameter_errors() -> None:
    with pytest.raises(ParameterError, match=r"(?s)forecast.*mae.*as long as `actual` \(3 rows\)"):
        mae([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ParameterError, match="scale"):
        mase([1.0, 2.0], [1.0, 2.0], [1.0])
    with pytest.raises(ParameterError, match="taus"):
        pinball([1.0], [[1.0]], [1.5])
    with pytest.raises(ParameterError, match="one column per tau"):
        pinball([1.0], [[1.0, 2.0]], [0.5])
    with pytest.raises(ParameterError, match="numeric"):
        mae(["a"], [1.0])
    with pytest.raises(DataValidationError, match="crossing"):
        coverage([1.0], [3.0], [2.0])


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[list[float], list[float]]:
    n = draw(st.integers(min_value=1, max_value=30))
    y = draw(st.lists(st.one_of(finite, st.just(NAN)), min_size=n, max_size=n))
    f = draw(st.lists(finite, min_size=n, max_size=n))
    return y, f


@settings(max_examples=200, deadline=None)
@given(pairs())
def test_properties_pinball_median_is_half_mae_and_mae_at_most_rmse(
    yf: tuple[list[float], list[float]],
) -> None:
    y, f = yf
    m = mae(y, f)
    if math.isnan(m):
        assert all(math.isnan(v) for v in y)
        return
    assert pinball(y, f, 0.5) == pytest.approx(m / 2, rel=1e-9, abs=1e-9)
    assert m <= rmse(y, f) * (1 + 1e-12) + 1e-9
    assert abs(bias(y, f)) <= m * (1 + 1e-12) + 1e-9
    assert 0.0 <= smape(y, f) <= 200.0
    hits = [a == b for a, b in zip(y, f, strict=True) if not math.isnan(a)]
    assert coverage(y, f, f) == pytest.approx(np.mean(hits))  # a zero-width interval


# ------------------------------------------------------------------------------ kpis


def two_models() -> pd.DataFrame:
    """Two models on the same 4 hours; the actual of hour 3 is missing.

    actual   10   20   NaN  30
    good     12   18   50   30   q0.1 = q0.5 - 5, q0.9 = q0.5 + 5
    naive    10   10   10   10   (no q0.1 / q0.9)
    scale     2 for every row
    """
    good = backtest_table(
        [10.0, 20.0, NAN, 30.0],
        [12.0, 18.0, 50.0, 30.0],
        model="good",
        q01=[7.0, 13.0, 45.0, 25.0],
        q09=[17.0, 23.0, 55.0, 35.0],
        event=[False, True, True, False],
        scale=2.0,
    )
    naive = backtest_table(
        [10.0, 20.0, NAN, 30.0],
        [10.0, 10.0, 10.0, 10.0],
        model="naive",
        event=[False, True, True, False],
        scale=2.0,
    )
    return pd.concat([good, naive], ignore_index=True)


def test_kpis_per_model_match_hand_computation() -> None:
    k = kpis(two_models()).set_index("model")
    assert list(k.index) == ["good", "naive"]  # first-appearance order
    good, naive = k.loc["good"], k.loc["naive"]
    # good: scored e = +2, -2, 0 (hour 3 skipped: its forecast 50 never counts)
    assert (good["n"], good["n_missing"], good["n_mase"]) == (3, 1, 3)
    assert good["mae"] == pytest.approx(4 / 3)
    assert good["rmse"] == pytest.approx(math.sqrt(8 / 3))
    assert good["bias"] == pytest.approx(0.0)
    assert good["mase"] == pytest.approx((2 / 2 + 2 / 2 + 0) / 3)  # 2/3
    assert good["smape"] == pytest.approx(100 * (4 / 22 + 4 / 38 + 0) / 3)
    # pinball over q0.1, q0.5, q0.9 (9 terms):
    #  q0.1 u = 3, 7, 5  -> 0.1·(3+7+5) = 1.5
    #  q0.5 u = -2, 2, 0 -> 0.5·(2+2+0) = 2.0
    #  q0.9 u = -7, -3, -5 -> 0.1·(7+3+5) = 1.5      -> 5.0 / 9
    assert good["pinball"] == pytest.approx(5 / 9)
    # [7,17] ∋ 10, [13,23] ∋ 20, [25,35] ∋ 30 -> 1.0; width 10
    assert good["coverage"] == 1.0
    assert good["width"] == 10.0
    # naive: e = 0, -10, -20
    assert naive["mae"] == pytest.approx(10.0)
    assert naive["bias"] == pytest.approx(-10.0)
    assert naive["rmse"] == pytest.approx(math.sqrt(500 / 3))
    assert naive["pinball"] == pytest.approx(5.0)  # only q0.5: MAE / 2
    assert math.isnan(naive["coverage"]) and math.isnan(naive["width"])  # no q0.1 / q0.9
    assert k.columns.tolist() == [
        "n",
        "n_missing",
        "n_mase",
        "mae",
        "rmse",
        "mase",
        "smape",
        "bias",
        "pinball",
        "coverage",
        "width",
    ]
    assert kpis(two_models()).attrs["nominal_coverage"] == pytest.approx(0.8)


def test_kpis_missing_actuals_are_not_zero() -> None:
    t = backtest_table([10.0, NAN], [10.0, 40.0])
    k = kpis(t).iloc[0]
    # only row 0 scored, a perfect forecast; NaN -> 0 would give MAE (0 + 40) / 2 = 20
    assert (k["n"], k["n_missing"], k["mae"]) == (1, 1, 0.0)


def test_kpis_all_missing_gives_n_zero_and_nan() -> None:
    t = backtest_table([NAN, NAN], [1.0, 2.0])
    k = kpis(t).iloc[0]
    assert (k["n"], k["n_missing"]) == (0, 2)
    for c in ("mae", "rmse", "mase", "smape", "bias", "pinball", "coverage", "width"):
        assert math.isnan(k[c])


def test_kpis_mase_leaves_out_rows_without_a_usable_scale() -> None:
    t = backtest_table([10.0, 10.0, 10.0], [12.0, 16.0, 20.0], scale=[2.0, NAN, 0.0])
    k = kpis(t).iloc[0]
    # only row 0 has a scale: |2| / 2 = 1; MAE still uses all 3 rows: (2 + 6 + 10) / 3
    assert (k["n"], k["n_mase"]) == (3, 1)
    assert k["mase"] == 1.0
    assert k["mae"] == 6.0


def test_kpis_by_horizon_and_event() -> None:
    t = two_models()
    by_h = kpis(t, by="horizon")
    assert by_h[["model", "horizon"]].values.tolist() == [
        ["good", 1],
        ["good", 2],
        ["good", 3],
        ["good", 4],
        ["naive", 1],
        ["naive", 2],
        ["naive", 3],
        ["naive", 4],
    ]
    good = by_h[by_h["model"] == "good"].set_index("horizon")
    assert good["mae"].tolist()[:2] == [2.0, 2.0]
    assert good.loc[3, "n"] == 0 and good.loc[3, "n_missing"] == 1
    assert math.isnan(good.loc[3, "mae"])
    by_ev = kpis(t, by="event").set_index(["model", "event"])
    # naive, event rows: hour 2 (e = -10) scored, hour 3 missing
    assert by_ev.loc[("naive", True), "mae"] == 10.0
    assert by_ev.loc[("naive", True), "n_missing"] == 1
    # naive, no event: hours 1 and 4, e = 0 and -20 -> 10
    assert by_ev.loc[("naive", False), "mae"] == 10.0
    assert by_ev.loc[("naive", False), "bias"] == -10.0
    assert by_ev.index.get_level_values("event").tolist() == [False, True, False, True]


def test_kpis_by_zone_and_local_hour() -> None:
    # origins at 21:00 UTC = 23:00 in Amsterdam (UTC+2 in June): hours 23, 0, 1 local
    t0 = pd.Timestamp("2024-06-03 21:00", tz="UTC")
    a = backtest_table([10.0, 10.0, 10.0], [11.0, 13.0, 10.0], zone="a", origin=t0)
    b = backtest_table([10.0, NAN, 10.0], [10.0, 10.0, 14.0], zone="b", origin=t0)
    t = pd.concat([b, a], ignore_index=True)  # zone b first: groups are sorted anyway
    k = kpis(t, by=["zone", "hour"], timezone="Europe/Amsterdam")
    assert k[["zone", "hour"]].values.tolist() == [
        ["a", 0],
        ["a", 1],
        ["a", 23],
        ["b", 0],
        ["b", 1],
        ["b", 23],
    ]
    assert k["mae"].tolist()[:3] == [3.0, 0.0, 1.0]
    assert k["n"].tolist() == [1, 1, 1, 0, 1, 1]
    # in UTC the same rows are hours 21, 22, 23
    assert kpis(t, by="hour")["hour"].tolist() == [21, 22, 23]
    by_zone = kpis(t, by="zone").set_index("zone")
    assert by_zone.loc["a", "mae"] == pytest.approx(4 / 3)  # (1 + 3 + 0) / 3
    assert by_zone.loc["b", "mae"] == pytest.approx(2.0)  # (0 + 4) / 2
    # weekday of the local target: Mon 23:00 -> 0, Tue 00:00 and 01:00 -> 1
    wd = kpis(t, by="weekday", timezone="Europe/Amsterdam")
    assert wd[["weekday", "n", "n_missing"]].values.tolist() == [[0, 2, 0], [1, 3, 1]]


def test_kpis_by_origin() -> None:
    a = backtest_table([10.0], [12.0], origin=T0)
    b = backtest_table([10.0], [15.0], origin=T0 + hours(1))
    k = kpis(pd.concat([b, a], ignore_index=True), by="origin")
    assert k["origin"].tolist() == [T0, T0 + hours(1)]
    assert k["mae"].tolist() == [2.0, 5.0]


def test_kpis_nan_point_forecast_on_observed_row_is_an_error() -> None:
    t = backtest_table([10.0, 20.0, NAN], [12.0, NAN, NAN])
    with pytest.raises(DataValidationError, match=r"(?s)q0\.5.*NaN on 1 observed row.*\['m'\]"):
        kpis(t)
    # a model that produces q0.9 must produce it wherever the actual is observed
    t = backtest_table([10.0, 20.0], [12.0, 20.0], q09=[15.0, NAN])
    with pytest.raises(DataValidationError, match=r"(?s)q0\.9.*pinball"):
        kpis(t)


def test_kpis_validates_its_input() -> None:
    t = two_models().drop(columns=["scale", "event"])
    with pytest.raises(SchemaError, match=r"(?s)missing \['event', 'scale'\].*backtest\(\.\.\.\)"):
        kpis(t)
    naive = two_models().assign(timestamp=lambda d: d["timestamp"].dt.tz_localize(None))
    with pytest.raises(SchemaError, match="timezone-aware"):
        kpis(naive)
    with pytest.raises(DataValidationError, match="duplicate"):
        kpis(pd.concat([two_models(), two_models()]))
    with pytest.raises(ParameterError, match="by"):
        kpis(two_models(), by="day")
    with pytest.raises(ParameterError, match="interval"):
        kpis(two_models(), interval=(0.9, 0.1))
    with pytest.raises(ParameterError, match="timezone"):
        kpis(two_models(), timezone="Mars/Olympus")


def test_kpis_interval_the_models_lack_gives_nan_coverage() -> None:
    k = kpis(two_models(), interval=(0.05, 0.95))
    assert k["coverage"].isna().all() and k["width"].isna().all()


def test_kpis_empty_table() -> None:
    k = kpis(two_models().iloc[:0], by="zone")
    assert k.empty
    assert k.columns[:3].tolist() == ["model", "zone", "n"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            st.one_of(st.floats(0, 100, allow_nan=False), st.just(NAN)),
            st.floats(0, 100, allow_nan=False),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_property_grouped_kpis_equal_the_pure_metrics(
    rows: list[tuple[str, float, float]],
) -> None:
    zones = [r[0] for r in rows]
    y = [r[1] for r in rows]
    f = [r[2] for r in rows]
    t = backtest_table(y, f, zone=zones, scale=2.0)
    k = kpis(t, by="zone").set_index("zone")
    for zone, part in t.groupby("zone"):
        got = k.loc[zone]
        assert got["n"] + got["n_missing"] == len(part)
        for name, fn in (("mae", mae), ("rmse", rmse), ("bias", bias), ("smape", smape)):
            want = fn(part["actual"], part["q0.5"])
            assert got[name] == pytest.approx(want, nan_ok=True)
        assert got["pinball"] == pytest.approx(got["mae"] / 2, nan_ok=True)


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


def test_peak_nan_forecast_on_observed_row_is_an_error() -> None:
    t = backtest_table([1.0, 2.0], [1.0, NAN])
    with pytest.raises(DataValidationError, match=r"q0\.5"):
        peak_kpis(t, timezone="UTC")
    with pytest.raises(SchemaError, match="missing"):
        peak_days(t.drop(columns="actual"), timezone="UTC")


# ------------------------------------------------------------------------------ skill


def test_skill_against_a_baseline() -> None:
    k = kpis(two_models())
    s = skill(k, "naive").set_index("model")
    # mae: good 4/3, naive 10 -> 1 - (4/3)/10 = 13/15
    assert s.loc["good", "mae_skill"] == pytest.approx(1 - (4 / 3) / 10)
    # pinball: good 5/9, naive 5 -> 1 - 1/9
    assert s.loc["good", "pinball_skill"] == pytest.approx(8 / 9)
    # mase: good 2/3, naive (0 + 5 + 10)/3 = 5 -> 1 - 2/15
    assert s.loc["good", "mase_skill"] == pytest.approx(1 - (2 / 3) / 5)
    assert s.loc["naive", "mae_skill"] == 0.0
    assert s.columns.tolist() == [
        "baseline",
        "mae_skill",
        "rmse_skill",
        "mase_skill",
        "pinball_skill",
    ]


def test_skill_per_group_and_several_baselines() -> None:
    k = kpis(two_models(), by="horizon")
    s = skill(k, ["naive", "good"], metrics=["mae"])
    assert s.columns.tolist() == ["baseline", "model", "horizon", "mae_skill"]
    assert s["baseline"].tolist() == ["naive"] * 8 + ["good"] * 8
    row = s[(s["baseline"] == "naive") & (s["model"] == "good")].set_index("horizon")
    # horizon 1: good 2 vs naive 0 (perfect) -> NaN; horizon 2: 1 - 2/10; 3: not scored; 4: 1 - 0
    assert math.isnan(row.loc[1, "mae_skill"])
    assert row.loc[2, "mae_skill"] == pytest.approx(0.8)
    assert math.isnan(row.loc[3, "mae_skill"])
    assert row.loc[4, "mae_skill"] == 1.0
    back = s[(s["baseline"] == "good") & (s["model"] == "naive")].set_index("horizon")
    assert back.loc[2, "mae_skill"] == pytest.approx(1 - 10 / 2)  # -4: naive much worse


def test_skill_unknown_baseline_lists_the_models() -> None:
    k = kpis(two_models())
    with pytest.raises(ParameterError, match=r"(?s)one of \['good', 'naive'\].*'seasonal'"):
        skill(k, "seasonal")
    with pytest.raises(ParameterError, match="metrics"):
        skill(k, "naive", metrics=["coverage"])
    with pytest.raises(SchemaError, match=r"kpis\(\.\.\.\)"):
        skill(k.drop(columns="mase"), "naive")
