"""Every forecaster passes the shared check suite, and the suite catches broken ones."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from crowdcast import City
from crowdcast.models import (
    BaseForecaster,
    GBMForecaster,
    ProfileRatio,
    SarimaxForecaster,
    SeasonalNaive,
    WeekdayHourMean,
)
from crowdcast.models.checks import CHECKS, check_forecaster
from crowdcast.schemas import History

#: Every forecaster and how to make a fast one; add new forecasters here.
ALL_FORECASTERS: dict[str, Callable[[], BaseForecaster]] = {
    "SeasonalNaive": SeasonalNaive,
    "ProfileRatio": ProfileRatio,
    "WeekdayHourMean": WeekdayHourMean,
    "SarimaxForecaster": lambda: SarimaxForecaster(max_train="7D"),
    "GBMForecaster": lambda: GBMForecaster(
        origin_step=13, lgbm_params={"n_estimators": 15, "num_leaves": 7}
    ),
}


@pytest.mark.parametrize("name", list(ALL_FORECASTERS))
def test_forecaster_passes_the_shared_checks(name: str) -> None:
    check_forecaster(ALL_FORECASTERS[name])


# ----------------------------------------------------------------------------- broken forecasters


class _LastValue(BaseForecaster):
    """The last value before the origin: a correct, minimal forecaster."""

    def __init__(self, *, horizon: int = 6, quantiles: tuple[float, ...] = (0.1, 0.5, 0.9)):
        self.horizon = horizon
        self.quantiles = quantiles

    def _fit(self, data: City, history: History) -> None:
        self.level_ = float(np.nanmean(history.values))

    def _point(self, rows: pd.DataFrame, history: History) -> np.ndarray:
        zone = history.zone_index(rows["zone"])
        origin = history.position(rows["origin"])
        value = np.full(len(rows), np.nan)
        back = 1
        while np.isnan(value).any() and back < 200:
            miss = np.isnan(value)
            value[miss] = history.known(zone[miss], origin[miss] - back, origin[miss])
            back += 1
        return value

    def _predict(self, rows: pd.DataFrame, data: City, history: History) -> np.ndarray:
        point = self._point(rows, history)
        return np.column_stack([point * f for f in np.linspace(0.8, 1.2, len(self.quantiles))])


class _Leaky(_LastValue):
    """Reads the value at the target itself, ignoring the origin."""

    def _point(self, rows: pd.DataFrame, history: History) -> np.ndarray:
        zone = history.zone_index(rows["zone"])
        pos = np.clip(history.position(rows["timestamp"]), 0, history.values.shape[1] - 1)
        return np.nan_to_num(history.values[zone, pos], nan=1.0)


class _ValidatingInit(_LastValue):
    def __init__(self, *, horizon: int = 6, quantiles: tuple[float, ...] = (0.1, 0.5, 0.9)):
        self.horizon = int(horizon)
        self.quantiles = tuple(sorted(quantiles))


class _Noisy(_LastValue):
    """Unseeded randomness in fit: each fit forecasts differently."""

    def _fit(self, data: City, history: History) -> None:
        self.scale_ = np.random.default_rng().uniform(0.9, 1.1)

    def _predict(self, rows: pd.DataFrame, data: City, history: History) -> np.ndarray:
        return super()._predict(rows, data, history) * self.scale_


class _BadAttribute(_LastValue):
    def _fit(self, data: City, history: History) -> None:
        self.level = 1.0


def test_a_minimal_correct_forecaster_passes() -> None:
    check_forecaster(_LastValue)


@pytest.mark.parametrize(
    ("forecaster", "check"),
    [
        (_Leaky, "no_leakage"),
        (_ValidatingInit, "init_only_stores_params"),
        (_Noisy, "deterministic"),
        (_BadAttribute, "fit_returns_self"),
    ],
)
def test_check_forecaster_names_the_failing_check(
    forecaster: type[BaseForecaster], check: str
) -> None:
    assert check in CHECKS
    with pytest.raises(AssertionError, match=rf"{forecaster.__name__} failed check '{check}'"):
        check_forecaster(forecaster)
