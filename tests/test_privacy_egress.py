"""Egress suppression: no published value below k survives, nor can one be recovered."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crowdcast as cc
from _attack import attack, exposed
from crowdcast.exceptions import ParameterError
from crowdcast.privacy import publish_table, suppress, suppression_threshold


def _long(values: np.ndarray, freq: str = "1h") -> pd.DataFrame:
    n_zones, n_times = values.shape
    t = pd.date_range("2024-06-01", periods=n_times, freq=freq, tz="UTC")
    return pd.DataFrame(
        {
            "zone": np.repeat([f"z{i}" for i in range(n_zones)], n_times),
            "timestamp": np.tile(t, n_zones),
            "count": values.ravel().astype(float),
        }
    )


def test_the_threshold_scales_with_the_interval() -> None:
    assert suppression_threshold(15, "1h") == 15
    assert suppression_threshold(15, "15min") == 3.75
    site = cc.load_site_profile(cc.sample_path() / "site.toml")
    assert suppression_threshold(site, "2h") == 30


def test_a_forecast_is_suppressed_per_value_and_keeps_its_provenance() -> None:
    city = cc.load_sample()
    model = cc.SeasonalNaive(horizon=24).fit(city.counts, site=city.site, purpose="crowd_safety")
    forecast = model.predict()
    out = suppress(forecast, city.site)
    cols = ["q0.1", "q0.5", "q0.9"]
    shown = out[cols].to_numpy()
    assert ((shown == 0) | (shown >= 15)).all()
    small = (forecast[cols].to_numpy() < 15).any(axis=1)
    assert (out["suppressed"].to_numpy() == small).all()
    assert (np.diff(shown, axis=1) >= 0).all()  # quantiles still never cross
    assert out.attrs["provenance"]["purpose"] == "crowd_safety"
    assert out.attrs["suppression"] == {
        "k_per_hour": 15.0,
        "threshold": 15.0,
        "freq": "0 days 01:00:00",
        "shown_as": 0,
    }


def test_suppress_rejects_a_negative_k() -> None:
    with pytest.raises(ParameterError, match="`site_or_k` must be a SiteProfile or a count k"):
        suppress(_long(np.ones((1, 2))), -1)
    for bad in (float("nan"), True, "15"):
        with pytest.raises(ParameterError, match="`site_or_k` must be"):
            suppression_threshold(bad)


def test_k_may_be_a_numpy_integer() -> None:
    assert suppression_threshold(np.int64(15), "15min") == 3.75  # refused before


def test_publish_table_reports_every_problem_with_its_arguments_at_once() -> None:
    table = pd.concat([_long(np.ones((1, 2))), _long(np.ones((1, 2)))])
    with pytest.raises(ParameterError) as info:
        publish_table(table, 15, value="mean", totals=("zone", "site"))
    assert str(info.value).startswith("Invalid data: 3 problems.\n- `totals` must be ")
    assert "`values` must be value columns" in str(info.value)
    assert "`table` must be one row per zone and timestamp" in str(info.value)


def test_publish_table_refuses_several_origins() -> None:
    table = pd.concat([_long(np.ones((1, 2))), _long(np.ones((1, 2)))])
    with pytest.raises(ParameterError, match="one row per zone and timestamp"):
        publish_table(table, 15)


def test_one_small_cell_in_a_row_with_a_total_takes_a_second_cell_with_it() -> None:
    pub = publish_table(_long(np.array([[4, 50, 90], [60, 70, 80]])), 15, totals=("zone",))
    assert pub.cells["count"].tolist() == [0, 0, 90, 60, 70, 80]
    assert pub.cells["suppressed"].tolist() == [True, True, False, False, False, False]
    assert pub.zone_totals is not None
    assert pub.zone_totals["count"].tolist() == [144, 210]


def test_a_total_below_k_is_itself_suppressed() -> None:
    pub = publish_table(_long(np.array([[4, 5], [60, 70]])), 15, totals=("zone",))
    assert pub.zone_totals is not None
    assert pub.zone_totals["count"].tolist() == [0, 130]
    assert pub.zone_totals["suppressed"].tolist() == [True, False]


tables = st.integers(1, 4).flatmap(
    lambda n_rows: st.integers(1, 6).flatmap(
        lambda n_cols: st.lists(
            st.one_of(st.integers(0, 40).map(float), st.just(float("nan"))),
            min_size=n_rows * n_cols,
            max_size=n_rows * n_cols,
        ).map(lambda v: np.array(v).reshape(n_rows, n_cols))
    )
)


@settings(max_examples=300, deadline=None)
@given(
    values=tables,
    k=st.sampled_from([5.0, 15.0, 20.0]),
    freq=st.sampled_from(["1h", "15min", "2h"]),
    totals=st.sampled_from([(), ("zone",), ("timestamp",), ("zone", "timestamp")]),
)
def test_no_published_cell_below_k_survives_or_can_be_narrowed(
    values: np.ndarray, k: float, freq: str, totals: tuple[str, ...]
) -> None:
    table = _long(values, freq)
    pub = publish_table(table, k, freq=freq, totals=totals)
    thr = suppression_threshold(k, freq)
    shown = pub.cells["count"].to_numpy()
    hidden_flat = pub.cells["suppressed"].to_numpy(bool)
    original = table["count"].to_numpy()
    observed = ~np.isnan(original)
    # 1. every published value is a suppressed 0 or at least the threshold; NaN stays NaN
    assert ((shown[observed] == 0) | (shown[observed] >= thr)).all()
    assert np.isnan(shown[~observed]).all()
    assert (shown[observed & hidden_flat] == 0).all()
    assert (shown[~hidden_flat & observed] == original[~hidden_flat & observed]).all()
    assert hidden_flat[observed & (original < thr)].all()
    # 2. totals are true sums or suppressed zeros, never below the threshold
    n_rows, n_cols = values.shape
    row_pub = np.zeros(n_rows, bool)
    col_pub = np.zeros(n_cols, bool)
    for key, frame, pub_mask, axis in (
        ("zone", pub.zone_totals, row_pub, 1),
        ("timestamp", pub.interval_totals, col_pub, 0),
    ):
        if key not in totals:
            assert frame is None
            continue
        assert frame is not None
        true = pd.DataFrame(values).sum(axis=axis, min_count=1).to_numpy()
        v, s = frame["count"].to_numpy(), frame["suppressed"].to_numpy(bool)
        pub_mask[:] = ~s & ~np.isnan(v)
        assert (v[pub_mask] == true[pub_mask]).all() and (v[pub_mask] >= thr).all()
        assert (v[s] == 0).all()
    # 3. the attack (linear programming over everything published, counts >= 0) leaves every
    # suppressed small value an interval of at least k per hour it covers
    found = attack(table, [pub], step=pd.Timedelta(freq))
    assert exposed(found, k) == []
    assert all(f.width >= thr - 1e-6 for f in found if f.true < thr)
