"""Feature pipeline: leakage-free features for (zone, origin, horizon) rows."""

from crowdcast.features._base import (
    FeaturePipeline,
    FeatureTransformer,
    ForecastData,
    History,
    make_rows,
)
from crowdcast.features._calendar import CalendarFeatures
from crowdcast.features._events import EventFeatures
from crowdcast.features._history import OriginLags, OriginRolling, SeasonalProfile, TargetLags
from crowdcast.features._pipeline import default_features
from crowdcast.features._static import HorizonFeature, StaticFeatures
from crowdcast.features._weather import WeatherFeatures

__all__ = [
    "CalendarFeatures",
    "EventFeatures",
    "FeaturePipeline",
    "FeatureTransformer",
    "ForecastData",
    "History",
    "HorizonFeature",
    "OriginLags",
    "OriginRolling",
    "SeasonalProfile",
    "StaticFeatures",
    "TargetLags",
    "WeatherFeatures",
    "default_features",
    "make_rows",
]
