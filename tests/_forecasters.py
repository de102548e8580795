"""A minimal forecaster for tests of the shared plumbing (persistence, scenarios, jobs)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crowdcast import City
from crowdcast.models import BaseForecaster
from crowdcast.schemas import History


class LastValue(BaseForecaster):
    """Predicts the last value before the origin, plus the attendance of active events."""

    def __init__(self, *, horizon: int = 24, quantiles: tuple[float, ...] = (0.1, 0.5, 0.9)):
        self.horizon = horizon
        self.quantiles = quantiles

    def _fit(self, data: City, history: History) -> None:
        self.fitted_zones_ = history.zones

    def _predict(self, rows: pd.DataFrame, data: City, history: History) -> np.ndarray:
        z = history.zone_index(rows["zone"])
        origin = history.position(rows["origin"])
        last = history.known(z, origin - 1, origin)
        extra = np.zeros(len(rows))
        if data.events is not None and len(data.events):
            ev = data.events[data.events["status"] != "cancelled"]
            for _, e in ev.iterrows():
                on = (
                    (rows["zone"] == e["zone"])
                    & (rows["timestamp"] >= e["start"])
                    & (rows["timestamp"] < e["end"])
                ).to_numpy()
                extra[on] += np.nan_to_num(e["expected_attendance"])
        center = np.nan_to_num(last) + extra
        return np.column_stack([center * f for f in np.linspace(0.8, 1.2, len(self.quantiles))])
