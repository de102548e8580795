"""The global LightGBM forecaster: quantiles, explanations, parameters, the sample city."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

import crowdcast as cc
from crowdcast import City
from crowdcast.exceptions import NotFittedError, ParameterError

LIGHT = {"n_estimators": 30, "num_leaves": 15}
#: The models whose log1p-scale scores the default point forecast averages.
CENTRE = ("q0.5", "tweedie")


@pytest.fixture(scope="module")
def city():  # type: ignore[no-untyped-def]
    return cc.make_city(
        zones=["station_square", "stadium_plaza"], start="2024-01-01", end="2024-03-31"
    )


@pytest.fixture(scope="module")
def model(city):  # type: ignore[no-untyped-def]
    weather = pd.concat([city.weather, city.weather_forecasts], ignore_index=True)
    return cc.GBMForecaster(horizon=12, lgbm_params=LIGHT).fit(
        city.counts, events=city.events, weather=weather, site=city.site
    )


def test_forecast_has_sorted_non_negative_quantiles_for_every_zone(model) -> None:  # type: ignore[no-untyped-def]
    fc = model.predict()
    assert len(fc) == 2 * 12
    q = fc[["q0.1", "q0.5", "q0.9"]].to_numpy()
    assert (q >= 0).all() and (np.diff(q, axis=1) >= 0).all()
    assert fc.attrs["provenance"]["model"] == "GBMForecaster"
    # the events enter as a load (attendance x curve x share), not as features
    assert "event_attendance" not in fc.attrs["provenance"]["features"]
    assert model.event_response_ is not None


def test_codes_are_learnt_as_categories(model) -> None:  # type: ignore[no-untyped-def]
    # a holiday or zone code is a name, not an amount: one split can single
    # out code 7 without also taking codes 6 and 8
    codes = model.features_.get_categorical_names_out()
    assert {"zone_code", "holiday"} <= set(codes)
    for booster in model.models_.values():
        infos = booster.dump_model()["feature_infos"]
        assert all(
            infos[c]["values"] or infos[c]["min_value"] == infos[c]["max_value"] for c in codes
        )
        assert infos["hour"]["values"] == []  # amounts stay numerical


def test_explanations_add_up_to_the_log_scale_prediction(model) -> None:  # type: ignore[no-untyped-def]
    fc = model.predict()
    top = model.explain(fc.head(3), top=100)
    assert set(top.columns) == {
        "zone",
        "timestamp",
        "horizon",
        "feature",
        "value",
        "label",
        "contribution",
    }
    X = _design(model, fc.head(3))
    # the blend's bias: the mean of the median and Tweedie models' expected values
    bias = np.mean([model.models_[k].predict(X, pred_contrib=True)[:, -1] for k in CENTRE], axis=0)
    total = top.groupby("horizon")["contribution"].sum().to_numpy() + bias
    np.testing.assert_allclose(np.expm1(total), fc.head(3)["q0.5"], rtol=1e-5)
    tail = model.explain(fc.head(3), top=100, quantile=0.9)
    raw = model.models_["q0.9"].predict(X)
    total = tail.groupby("horizon")["contribution"].sum().to_numpy()
    bias = model.models_["q0.9"].predict(X, pred_contrib=True)[:, -1]
    np.testing.assert_allclose(total + bias, raw, rtol=1e-5)
    with pytest.raises(ParameterError, match="`quantile` must be one of the fitted quantiles"):
        model.explain(fc.head(1), quantile=0.75)


def test_the_point_forecast_blends_the_median_and_tweedie_models(model, city) -> None:  # type: ignore[no-untyped-def]
    fc = model.predict()
    X = _design(model, fc)
    median = model.models_["q0.5"].predict(X)  # log1p scale
    mean_plus_one = model.models_["tweedie"].predict(X)  # E[count + 1]
    np.testing.assert_allclose(
        fc["q0.5"], np.expm1((median + np.log(mean_plus_one)) / 2), rtol=1e-6
    )
    alone = cc.GBMForecaster(horizon=12, point="quantile", lgbm_params=LIGHT).fit(
        city.counts, site=city.site
    )
    assert set(alone.models_) == {"q0.1", "q0.5", "q0.9"}
    out = alone.predict()
    np.testing.assert_allclose(
        out["q0.5"], np.expm1(alone.models_["q0.5"].predict(_design(alone, out))), rtol=1e-9
    )


def test_explanations_rank_features_by_absolute_contribution(model) -> None:  # type: ignore[no-untyped-def]
    top = model.explain(model.predict().head(1), top=5)
    assert len(top) == 5
    assert top["contribution"].abs().is_monotonic_decreasing


def test_explanations_say_what_a_code_stands_for(model) -> None:  # type: ignore[no-untyped-def]
    fc = model.predict()
    top = model.explain(fc, top=100)
    zone = top[top["feature"] == "zone_code"]
    assert (zone["label"] == zone["zone"]).all() and len(zone) == len(fc)
    holiday = top.loc[top["feature"] == "holiday", "label"]
    assert set(holiday) <= {"none", *dict(model.features_.steps)["calendar"].holiday_names_}
    amounts = top[~top["feature"].isin(model.features_.get_categorical_names_out())]
    assert amounts["label"].isna().all() and len(amounts) > 0


def test_tweedie_point_replaces_the_median(city) -> None:  # type: ignore[no-untyped-def]
    m = cc.GBMForecaster(horizon=6, point="tweedie", lgbm_params=LIGHT).fit(
        city.counts, site=city.site
    )
    assert set(m.models_) == {"q0.1", "q0.9", "tweedie"}
    fc = m.predict()
    mean_plus_one = m.models_["tweedie"].predict(_design(m, fc))
    np.testing.assert_allclose(fc["q0.5"], mean_plus_one - 1, rtol=1e-6)


def test_invalid_parameters_are_reported_together(city) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParameterError) as info:
        cc.GBMForecaster(horizon=0, point="mean", origin_step=0).fit(city.counts)
    text = str(info.value)
    assert "`horizon` must be a positive integer or a duration such as '24h'. Got 0." in text
    with pytest.raises(ParameterError) as info:
        cc.GBMForecaster(point="mean", origin_step=0).fit(city.counts)
    text = str(info.value)
    assert "`point` must be one of blend, quantile, tweedie. Got 'mean'." in text
    assert "`origin_step` must be a positive integer. Got 0." in text
    with pytest.raises(ParameterError, match=r"`origin_step` must be a positive integer. Got True"):
        cc.GBMForecaster(origin_step=True).fit(city.counts)  # a bool is no step


def test_too_short_history_is_a_clear_error(city) -> None:  # type: ignore[no-untyped-def]
    short = city.counts[city.counts["timestamp"] < pd.Timestamp("2024-01-10", tz="UTC")]
    with pytest.raises(ParameterError, match="the training counts must be longer than two weeks"):
        cc.GBMForecaster(lgbm_params=LIGHT).fit(short)


def test_predict_with_an_origin_uses_only_earlier_counts(model, city) -> None:  # type: ignore[no-untyped-def]
    origin = pd.Timestamp("2024-03-01 06:00", tz="UTC")
    base = model.predict(origin=origin)
    changed = city.counts.copy()
    later = changed["timestamp"] >= origin
    changed.loc[later, "count"] = changed.loc[later, "count"] * 10
    again = model.predict(changed, origin=origin)
    pd.testing.assert_frame_equal(base, again)


def _design(model, fc):  # type: ignore[no-untyped-def]
    """The float32 feature matrix the boosters see, built without the model's helper."""
    return model.features_.transform(
        fc[["zone", "origin", "horizon", "timestamp"]],
        City(
            counts=pd.DataFrame(), events=model.events_, weather=model.weather_, site=model.site_
        ).with_grid(model.history_),
    ).to_numpy(dtype=np.float32)


def test_calibration_shifts_only_the_outer_quantiles(model) -> None:  # type: ignore[no-untyped-def]
    assert set(model.quantile_shifts_) == {"q0.1", "q0.9"}
    assert model.quantile_shifts_["q0.1"] != 0 and model.quantile_shifts_["q0.9"] != 0
    fc = model.predict()
    X = _design(model, fc)
    shifted = [
        model.models_[col].predict(X) + model.quantile_shifts_.get(col, 0.0)
        for col in ("q0.1", "q0.5", "q0.9")
    ]
    lo, _, hi = np.expm1(shifted)
    mid = np.expm1(model._centre(X))
    expected = np.clip(np.column_stack([np.minimum(lo, mid), mid, np.maximum(hi, mid)]), 0, None)
    np.testing.assert_allclose(fc[["q0.1", "q0.5", "q0.9"]], expected, rtol=1e-9)
    np.testing.assert_allclose(fc["q0.5"], np.expm1(model._centre(X)), rtol=1e-9)


def test_calibration_off_or_impossible_leaves_the_quantiles_alone(city) -> None:  # type: ignore[no-untyped-def]
    off = cc.GBMForecaster(horizon=6, calibration=None, lgbm_params=LIGHT).fit(city.counts)
    assert off.quantile_shifts_ == {}
    fc = off.predict()
    raw = np.expm1(off.models_["q0.9"].predict(_design(off, fc)))
    # unshifted, only floored at the point forecast (quantiles never cross)
    expected = np.clip(np.maximum(raw, fc["q0.5"].to_numpy()), 0, None)
    np.testing.assert_allclose(fc["q0.9"], expected, rtol=1e-9)
    # a held-out span as long as the data leaves nothing to fit the tail models on before it
    whole = cc.GBMForecaster(horizon=6, calibration="365D", lgbm_params=LIGHT).fit(city.counts)
    assert whole.quantile_shifts_ == {}


def test_calibration_must_be_a_positive_duration(city) -> None:  # type: ignore[no-untyped-def]
    for bad in ("soon", "-3D", 0):
        with pytest.raises(ParameterError, match="`calibration` must be a positive duration"):
            cc.GBMForecaster(calibration=bad).fit(city.counts)


def test_conformal_shift_puts_the_nominal_share_below_each_quantile() -> None:
    from crowdcast.models._explain import conformal_shift

    rng = np.random.default_rng(0)
    actual = rng.normal(size=2_000)
    predicted = np.full(2_000, 0.5)  # over-confident: the truth is centred at 0
    for tau in (0.1, 0.9):
        shift = conformal_shift(actual, predicted, tau)
        assert np.mean(actual <= predicted + shift) == pytest.approx(tau, abs=0.002)


def test_a_tail_shifted_across_the_median_never_moves_the_point_forecast(model) -> None:  # type: ignore[no-untyped-def]
    fc = model.predict()
    X = _design(model, fc)
    centre = np.expm1(model._centre(X))
    crossed = clone_with_shifts(model, {"q0.1": 5.0, "q0.9": -5.0})  # far across the median
    out = crossed.predict()
    np.testing.assert_allclose(out["q0.5"], centre, rtol=1e-9)
    np.testing.assert_allclose(out["q0.1"], centre, rtol=1e-9)
    np.testing.assert_allclose(out["q0.9"], centre, rtol=1e-9)


def clone_with_shifts(model, shifts):  # type: ignore[no-untyped-def]
    import copy

    other = copy.copy(model)
    other.quantile_shifts_ = shifts
    return other


def test_tail_models_boost_a_fraction_of_the_rounds(model) -> None:  # type: ignore[no-untyped-def]
    rounds = {name: m.current_iteration() for name, m in model.models_.items()}
    # LIGHT: 30 trees; the tails boost tail_fraction 0.5 of them
    assert rounds == {"q0.1": 15, "q0.5": 30, "q0.9": 15, "tweedie": 30}
    with pytest.raises(ParameterError, match="`tail_fraction` must be a number in"):
        cc.GBMForecaster(tail_fraction=0).fit(pd.DataFrame())


def test_the_feature_matrix_is_the_same_in_chunks(model, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import crowdcast.models._gbm as gbm

    fc = model.predict()
    data = City(
        counts=pd.DataFrame(), events=model.events_, weather=model.weather_, site=model.site_
    ).with_grid(model.history_)
    rows = fc[["zone", "origin", "horizon", "timestamp"]]
    whole = model._matrix(rows, data)
    monkeypatch.setattr(gbm, "_CHUNK_ROWS", 7)  # 24 rows: chunks of 7, 7, 7 and 3
    chunked = model._matrix(rows, data)
    assert whole.dtype == np.float32 and whole.shape == (24, len(model._feature_names()))
    np.testing.assert_array_equal(chunked, whole)
    np.testing.assert_array_equal(whole, _design(model, fc))


def test_tail_models_learn_only_from_targets_before_the_calibration_span(city, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import crowdcast.models._gbm as gbm

    seen: dict[str, int] = {}
    boost = gbm._boost

    def recording(train, params, **objective):  # type: ignore[no-untyped-def]
        name = objective["objective"] + str(objective.get("alpha", ""))
        booster = boost(train, params, **objective)
        seen[name] = train.num_data()  # constructed by now
        return booster

    monkeypatch.setattr(gbm, "_boost", recording)
    # origins every 13 h: three months then leave both sides of the cut enough rows
    m = cc.GBMForecaster(horizon=6, origin_step=13, lgbm_params=LIGHT).fit(
        city.counts, site=city.site
    )
    rows = m._training_rows(m.history_)
    cut = m.history_.end - pd.Timedelta("28D")
    origins = np.sort(rows["origin"].unique())
    every_third = rows["origin"].isin(origins[::3])
    expected = int(((rows["timestamp"] < cut) & every_third).sum())
    assert 0 < expected < len(rows)
    assert seen == {
        "quantile0.1": expected,
        "quantile0.9": expected,
        "quantile0.5": len(rows),
        "tweedie": len(rows),
    }
    seen.clear()
    cc.GBMForecaster(horizon=6, origin_step=13, calibration=None, lgbm_params=LIGHT).fit(
        city.counts
    )
    assert set(seen.values()) == {len(rows)}  # without calibration every model sees every row


def test_lgbm_params_are_read_under_any_lightgbm_alias(city) -> None:  # type: ignore[no-untyped-def]
    m = cc.GBMForecaster(
        horizon=6, lgbm_params={"num_iterations": 12, "eta": 0.2, "num_leaves": 7}
    ).fit(city.counts)
    rounds = {name: b.current_iteration() for name, b in m.models_.items()}
    assert rounds == {"q0.1": 6, "q0.5": 12, "q0.9": 6, "tweedie": 12}
    assert m._params_for(0.9, m._lgbm())["learning_rate"] == pytest.approx(0.4)
    with pytest.raises(ParameterError) as info:
        cc.GBMForecaster(lgbm_params={"n_estimators": 5, "num_trees": 9, "seed": 3}).fit(
            city.counts
        )
    text = str(info.value)
    assert (
        "`lgbm_params` must be one name for n_estimators. Got 'n_estimators' and 'num_trees'"
        in text
    )
    assert "set GBMForecaster(random_state=...) instead" in text
    with pytest.raises(ParameterError, match=r"a positive bin_construct_sample_cnt\. Got 'x'"):
        cc.GBMForecaster(lgbm_params={"subsample_for_bin": "x"}).fit(city.counts)
    with pytest.raises(ParameterError, match="`lgbm_params` must be a dict of LightGBM"):
        cc.GBMForecaster(lgbm_params=[("n_estimators", 5)]).fit(city.counts)  # type: ignore[arg-type]


def test_features_that_no_longer_match_the_boosters_are_a_clear_error(model) -> None:  # type: ignore[no-untyped-def]
    # as when a model saved by one crowdcast version meets another's feature code
    stale = copy.deepcopy(model)
    stale.features_.steps = [s for s in stale.features_.steps if s[0] != "calendar"]
    with pytest.raises(NotFittedError, match=r"Refit it with this version") as info:
        stale.predict()
    assert "gone: ['hour', 'weekday'" in str(info.value)


# ----------------------------------------------------------------------------- streamed binning


def _table(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """``n`` rows, their float32 features (with NaN and a rare value) and a label."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    X[rng.random(n) < 0.1, 1] = np.nan
    X[:, 3] = np.round(X[:, 3] * 3)
    y = X[:, 0] * 2 + np.nan_to_num(X[:, 1]) + rng.normal(scale=0.1, size=n)
    return pd.DataFrame({"i": np.arange(n)}), X, y


def test_a_streamed_dataset_bins_every_row_as_the_whole_table_would(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import lightgbm as lgb

    from crowdcast.models._binning import _Chunks, binned_dataset

    rows, X, y = _table(5_000)
    calls: list[int] = []

    def features(part: pd.DataFrame) -> np.ndarray:
        calls.append(len(part))
        return X[part["i"].to_numpy()]

    params = {"max_bin": 63, "bin_construct_sample_cnt": 1_000, "verbose": -1}
    keep = np.arange(5_000) >= 4_500
    streamed, kept = binned_dataset(
        rows,
        features,
        y,
        feature_name=list("abcd"),
        categorical=["d"],
        params=params,
        chunk=700,
        seed=3,
        keep=keep,
    )
    # one sample for the bins, then chunks of at most 700 rows, then the kept rows
    assert calls[0] == 1_000 and max(calls[1:-1]) == 700 and calls[-1] == 500
    assert sum(calls[1:-1]) == 5_000
    np.testing.assert_array_equal(kept, X[keep])
    assert streamed.num_data() == 5_000 and streamed.num_feature() == 4
    chunks = _Chunks(rows, features, 700)  # the rest of LightGBM's Sequence protocol
    np.testing.assert_array_equal(chunks[7], X[7])
    np.testing.assert_array_equal(chunks[[2, 9]], X[[2, 9]])
    np.testing.assert_allclose(streamed.get_label(), y.astype(np.float32))
    # the same bins as binning the whole matrix with the sample's boundaries
    picked = np.sort(np.random.default_rng(3).choice(5_000, size=1_000, replace=False))
    names = {"feature_name": list("abcd"), "categorical_feature": ["d"], "params": params}
    reference = lgb.Dataset(X[picked], **names).construct()
    whole = lgb.Dataset(X, label=y, reference=reference, **names).construct()
    train = {"objective": "regression", "num_leaves": 7, "verbose": -1, "deterministic": True}
    a = lgb.train(train, streamed, num_boost_round=5).model_to_string()
    b = lgb.train(train, whole, num_boost_round=5).model_to_string()
    assert a == b
    assert "[categorical_feature: 3]" in a  # the code column stays a category when streamed


def test_a_table_within_the_bin_sample_or_one_chunk_is_binned_whole() -> None:
    import lightgbm as lgb

    from crowdcast.models._binning import binned_dataset

    rows, X, y = _table(800)
    calls: list[int] = []

    def features(part: pd.DataFrame) -> np.ndarray:
        calls.append(len(part))
        return X[part["i"].to_numpy()]

    params = {"max_bin": 63, "verbose": -1}
    got, kept = binned_dataset(
        rows, features, y, feature_name=list("abcd"), params=params, chunk=100, seed=0
    )
    assert calls == [800] and kept is None
    direct = lgb.Dataset(X, label=y, feature_name=list("abcd"), params=params).construct()
    train = {"objective": "regression", "num_leaves": 7, "verbose": -1, "deterministic": True}
    a = lgb.train(train, got, num_boost_round=5).model_to_string()
    assert a == lgb.train(train, direct, num_boost_round=5).model_to_string()
    # larger than the sample but one chunk: nothing to save by streaming
    calls.clear()
    small_sample = {**params, "bin_construct_sample_cnt": 200}
    binned_dataset(
        rows, features, y, feature_name=list("abcd"), params=small_sample, chunk=800, seed=0
    )
    assert calls == [800]


def test_a_forecaster_fitted_on_a_streamed_table_forecasts_as_before(city, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import crowdcast.models._gbm as gbm

    # origins every 13 h, so that the three months are calibrated (held-out rows
    # kept); a gentle rate, so that one moved split moves the forecast little
    light = {**LIGHT, "learning_rate": 0.08}
    whole = cc.GBMForecaster(horizon=6, origin_step=13, lgbm_params=light).fit(
        city.counts, site=city.site
    )
    n = whole.n_training_rows_
    sizes: list[int] = []
    matrix = gbm.GBMForecaster._matrix

    def recording(self, rows, data):  # type: ignore[no-untyped-def]
        sizes.append(len(rows))
        return matrix(self, rows, data)

    monkeypatch.setattr(gbm.GBMForecaster, "_matrix", recording)
    monkeypatch.setattr(gbm, "_CHUNK_ROWS", n // 5)
    # bins from all rows but one: streamed in chunks, yet (almost) the whole table's bins
    streamed = cc.GBMForecaster(
        horizon=6, origin_step=13, lgbm_params={**light, "bin_construct_sample_cnt": n - 1}
    ).fit(city.counts, site=city.site)
    assert sizes[0] == n - 1 and max(sizes[1:-1]) <= n // 5 and sum(sizes[1:-1]) == n
    assert set(streamed.quantile_shifts_) == {"q0.1", "q0.9"}
    a, b = whole.predict(), streamed.predict()
    # bins from one row fewer move a split here and there: a few per cent, no more
    cols = ["q0.1", "q0.5", "q0.9"]
    np.testing.assert_allclose(b[cols], a[cols], rtol=0.05)


def test_training_rows_are_every_observed_target_of_every_training_origin(city) -> None:  # type: ignore[no-untyped-def]
    from crowdcast.schemas import make_rows

    counts = city.counts.copy()
    counts.loc[counts.index[100:400], "count"] = np.nan  # a gap: its targets are left out
    m = cc.GBMForecaster(horizon=6, origin_step=5)
    history = City(counts=counts).history()
    got = m._training_rows(history)
    # the reference: every (zone, origin, horizon), then the observed targets
    first = history.start + 14 * pd.Timedelta(days=1)
    origins = pd.date_range(first, history.end - history.freq, freq=5 * history.freq)
    every = make_rows(history.zones, origins, np.arange(1, 7), history.freq)
    every = every[every["timestamp"] < history.end].reset_index(drop=True)
    every["y"] = history.values[
        history.zone_index(every["zone"]), history.position(every["timestamp"])
    ]
    expected = every.dropna(subset=["y"]).reset_index(drop=True)
    assert 0 < len(got) < len(every)
    pd.testing.assert_frame_equal(got, expected)
