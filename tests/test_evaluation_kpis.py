"""The KPI table and skill scores against hand-computed references on tiny examples."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _backtest_tables import NAN, T0, backtest_table, hours, two_models
from crowdcast.evaluation import bias, kpis, mae, rmse, skill, smape
from crowdcast.exceptions import ParameterError, SchemaError

# ------------------------------------------------------------------------------ kpis


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
