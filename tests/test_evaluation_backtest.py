"""Folds and the backtest runner: origins, refit policy, gap, truth columns, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crowdcast as cc
from crowdcast import City
from crowdcast.evaluation import Fold, backtest, event_mask, seasonal_scale
from crowdcast.exceptions import ConfigError, ParameterError, PrivacyError
from crowdcast.models import SeasonalNaive, WeekdayHourMean
from crowdcast.schemas import History

UTC = "UTC"


def grid(days: int, start: str = "2024-03-01") -> History:
    return History(
        ("a",), pd.Timestamp(start, tz=UTC), pd.Timedelta("1h"), np.zeros((1, 24 * days))
    )


@pytest.fixture(scope="module")
def city() -> cc.City:
    return cc.load_sample()


@pytest.fixture(scope="module")
def small(city: cc.City) -> City:
    """Three zones, ten weeks: quick to fit."""
    keep = ["stadium_plaza", "station_square", "market_square"]
    counts = city.counts[
        city.counts["zone"].isin(keep) & (city.counts["timestamp"] >= "2024-09-01")
    ]
    counts = counts[counts["timestamp"] < "2024-11-10"].reset_index(drop=True)
    return City(counts=counts, events=city.events, weather=city.weather)


# ----------------------------------------------------------------------------- Fold


def test_invalid_fold_parameters_are_reported_together() -> None:
    with pytest.raises(ParameterError) as err:
        Fold(horizon=0, n_windows=-1, step="soon", gap=-2, refit=0, origin_time="25:00")
    text = str(err.value)
    for name in ("`horizon`", "`n_windows`", "`step`", "`gap`", "`refit`", "`origin_time`"):
        assert name in text


def test_origin_time_needs_whole_day_steps() -> None:
    with pytest.raises(ParameterError, match="whole days"):
        Fold(step="6h", origin_time="06:00")


def test_origins_without_time_of_day_end_where_the_last_horizon_fits() -> None:
    origins = Fold(horizon=24, n_windows=3, step="6h").origins(grid(10))
    end = pd.Timestamp("2024-03-11", tz=UTC)
    assert list(origins) == [end - pd.Timedelta(h, "h") for h in (36, 30, 24)]


def test_origins_at_a_local_time_stay_at_that_time_across_dst() -> None:
    origins = Fold(n_windows=4, origin_time="06:00").origins(grid(32), "Europe/Amsterdam")
    local = origins.tz_convert("Europe/Amsterdam")
    assert (local.hour == 6).all()
    assert list(origins.hour) == [5, 5, 5, 4]  # CET, then CEST from 31 March


def test_an_origin_time_off_the_counting_grid_is_refused() -> None:
    with pytest.raises(ParameterError, match="on the counting grid"):
        Fold(n_windows=2, origin_time="06:30").origins(grid(10))


def test_end_limits_the_last_origin() -> None:
    origins = Fold(n_windows=2, end="2024-03-05 12:00Z").origins(grid(10))
    assert origins[-1] == pd.Timestamp("2024-03-05 12:00", tz=UTC)


def test_too_many_windows_is_a_clear_error() -> None:
    with pytest.raises(ParameterError, match="fewer windows"):
        Fold(n_windows=20).origins(grid(10))


def test_step_must_be_a_multiple_of_the_interval() -> None:
    with pytest.raises(ParameterError, match="multiple"):
        Fold(step="90min").origins(grid(10))


@pytest.mark.parametrize(
    ("refit", "groups"),
    [(True, [[0], [1], [2], [3], [4]]), (False, [[0, 1, 2, 3, 4]]), (2, [[0, 1], [2, 3], [4]])],
)
def test_refit_groups(refit: bool | int, groups: list[list[int]]) -> None:
    assert Fold(refit=refit).refit_groups(5) == groups


# ----------------------------------------------------------------------------- helpers


def test_seasonal_scale_matches_a_direct_computation() -> None:
    rng = np.random.default_rng(3)
    values = rng.poisson(20, size=(2, 200)).astype(float)
    values[0, rng.choice(200, 30, replace=False)] = np.nan
    h = History(("a", "b"), pd.Timestamp("2024-01-01", tz=UTC), pd.Timedelta("1h"), values)
    cuts = np.array([30, 100, 200])
    got = seasonal_scale(h, cuts, season=24)
    for z in range(2):
        for j, cut in enumerate(cuts):
            d = np.abs(values[z, 24:cut] - values[z, : cut - 24])
            assert got[z, j] == pytest.approx(np.nanmean(d))


def test_event_mask_ignores_cancelled_events_and_other_zones() -> None:
    t = pd.Series(pd.date_range("2024-06-01 09:00", periods=3, freq="h", tz=UTC))
    ev = pd.DataFrame(
        {
            "zone": ["a", "b", "a"],
            "status": ["cancelled", "confirmed", "confirmed"],
            "start": pd.to_datetime(["2024-06-01 09:00"] * 2 + ["2024-06-01 11:00"], utc=True),
            "end": pd.to_datetime(["2024-06-01 12:00"] * 3, utc=True),
        }
    )
    assert event_mask(pd.Series(["a"] * 3), t, ev, pd.Timedelta("1h")).tolist() == [
        False,
        False,
        True,
    ]


# ----------------------------------------------------------------------------- backtest


def test_backtest_table_has_one_row_per_model_origin_zone_horizon(small: City) -> None:
    fold = Fold(horizon=6, n_windows=3, step="1D")
    bt = backtest([SeasonalNaive(), WeekdayHourMean()], small, fold=fold)
    assert bt.models == ["SeasonalNaive", "WeekdayHourMean"]
    assert len(bt.table) == 2 * 3 * 3 * 6
    assert list(bt.table.columns[:6]) == ["model", "fold", "origin", "zone", "timestamp", "horizon"]
    assert {"q0.1", "q0.5", "q0.9", "actual", "event", "scale"} <= set(bt.table.columns)
    assert (bt.table["origin"] == bt.origins[bt.table["fold"]]).all()
    assert len(bt.timings) == 2 * 3


def test_actuals_are_the_counts_and_missing_counts_stay_missing(small: City) -> None:
    counts = small.counts.copy()
    fold = Fold(horizon=4, n_windows=1)
    h = History.from_counts(counts)
    target = fold.origins(h)[0] + pd.Timedelta("2h")
    hole = (counts["zone"] == "market_square") & (counts["timestamp"] == target)
    counts.loc[hole, "count"] = np.nan
    bt = backtest(SeasonalNaive(), City(counts=counts), fold=fold)
    merged = bt.table.merge(counts, on=["zone", "timestamp"], how="left")
    assert np.array_equal(merged["actual"], merged["count"], equal_nan=True)
    row = bt.table[(bt.table["zone"] == "market_square") & (bt.table["timestamp"] == target)]
    assert row["actual"].isna().all()


def alone(model, counts: pd.DataFrame, fit_before, origin) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """The forecast of ``model`` fitted on counts before ``fit_before``, made at ``origin``."""
    fitted = model.fit(counts[counts["timestamp"] < fit_before])
    seen = counts[counts["timestamp"] < origin]
    return fitted.predict(seen, origin=origin).sort_values(["zone", "horizon"])


def test_every_origin_matches_a_standalone_fit(small: City) -> None:
    bt = backtest(SeasonalNaive(), small, fold=Fold(horizon=24, n_windows=2))
    for k, origin in enumerate(bt.origins):
        expected = alone(SeasonalNaive(horizon=24), small.counts, origin, origin)
        got = bt.table[bt.table["fold"] == k]
        assert np.allclose(got["q0.5"], expected["q0.5"])
        assert np.allclose(got["q0.9"], expected["q0.9"])


def test_each_refit_uses_only_counts_before_its_origin(small: City) -> None:
    fold = Fold(horizon=6, n_windows=2, gap=3)
    bt = backtest(WeekdayHourMean(), small, fold=fold)
    origin = bt.origins[1]
    # poison everything from three hours before the origin: the backtest must not see it
    seen = small.counts[small.counts["timestamp"] < origin - pd.Timedelta("3h")]
    alone = WeekdayHourMean(horizon=6).fit(seen).predict(origin=origin)
    got = bt.table[bt.table["fold"] == 1].reset_index(drop=True)
    assert np.allclose(got["q0.5"], alone.sort_values(["zone", "horizon"])["q0.5"])


def test_without_refit_one_fit_serves_every_origin(small: City) -> None:
    fold = Fold(horizon=6, n_windows=3, refit=False)
    bt = backtest(WeekdayHourMean(), small, fold=fold)
    assert bt.timings["n_folds"].tolist() == [3]
    first, last = bt.origins[0], bt.origins[-1]
    expected = alone(WeekdayHourMean(horizon=6), small.counts, first, last)
    refitted = alone(WeekdayHourMean(horizon=6), small.counts, last, last)
    got = bt.table[bt.table["fold"] == 2]
    assert np.allclose(got["q0.5"], expected["q0.5"])
    assert not np.allclose(got["q0.5"], refitted["q0.5"])


def test_results_do_not_depend_on_the_number_of_jobs(small: City) -> None:
    gbm = cc.GBMForecaster(lgbm_params={"n_estimators": 10, "num_leaves": 7}, calibration=None)
    models = {"gbm": gbm, "naive": SeasonalNaive()}
    fold = Fold(horizon=3, n_windows=2)
    one = backtest(models, small, fold=fold, n_jobs=1, seed=5)
    two = backtest(models, small, fold=fold, n_jobs=2, seed=5)
    pd.testing.assert_frame_equal(one.table, two.table)
    assert gbm.get_params()["random_state"] == 0  # the caller's model is untouched
    assert not hasattr(gbm, "models_")


def test_event_column_marks_event_hours(city: cc.City) -> None:
    bt = backtest(SeasonalNaive(), city, fold=Fold(horizon=24, n_windows=3))
    expected = event_mask(bt.table["zone"], bt.table["timestamp"], city.events, pd.Timedelta("1h"))
    assert np.array_equal(bt.table["event"], expected)


def test_a_purpose_the_sources_are_not_declared_for_is_refused(city: cc.City) -> None:
    with pytest.raises(PrivacyError, match="public_information"):
        backtest(SeasonalNaive(), city.with_purpose("public_information"), fold=Fold(n_windows=1))


def test_a_site_without_purpose_is_refused(city: cc.City) -> None:
    data = city.replace(purpose=None)
    with pytest.raises(ConfigError, match="purpose"):
        backtest(SeasonalNaive(), data, fold=Fold(n_windows=1))


def test_repeated_models_get_numbered_names_and_bad_models_are_refused(
    small: City,
) -> None:
    bt = backtest([SeasonalNaive(), SeasonalNaive()], small, fold=Fold(horizon=2, n_windows=1))
    assert bt.models == ["SeasonalNaive_1", "SeasonalNaive_2"]
    with pytest.raises(ParameterError, match="forecasters"):
        backtest(["not a model"], small)  # type: ignore[list-item]
