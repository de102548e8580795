"""The array metrics against hand-computed references on tiny, written-out examples."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crowdcast.evaluation import (
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
from crowdcast.exceptions import DataError, DataValidationError, ParameterError

NAN = float("nan")


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
