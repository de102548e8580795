"""Forecasters with one interface: baselines, global LightGBM, statsmodels.

:func:`signal_city` views a signal (litres sold per venue) as counts, so that
every forecaster forecasts it too.
"""

from crowdcast.models._base import BaseForecaster, Provenance, fingerprint
from crowdcast.models._baselines import ProfileRatio, SeasonalNaive, WeekdayHourMean
from crowdcast.models._event_fit import calibrate_events
from crowdcast.models._gbm import GBMForecaster
from crowdcast.models._persist import load_model, read_model_header, save_model
from crowdcast.models._signals import signal_city
from crowdcast.models._stats import SarimaxForecaster

__all__ = [
    "BaseForecaster",
    "GBMForecaster",
    "ProfileRatio",
    "Provenance",
    "SarimaxForecaster",
    "SeasonalNaive",
    "WeekdayHourMean",
    "calibrate_events",
    "fingerprint",
    "load_model",
    "read_model_header",
    "save_model",
    "signal_city",
]
