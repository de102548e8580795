"""Features: leakage-free columns for ``(zone, origin, horizon)`` rows.

Each transformer computes named columns from the rows and a
:class:`~crowdcast.City`; :class:`FeatureUnion` puts them side by side and
:func:`default_features` is the set the forecasters use.
"""

import warnings
from typing import Any

from crowdcast.features._base import FeatureTransformer, FeatureUnion
from crowdcast.features._calendar import CalendarFeatures
from crowdcast.features._defaults import default_features
from crowdcast.features._events import EventFeatures
from crowdcast.features._history import OriginLags, OriginRolling, SeasonalProfile, TargetLags
from crowdcast.features._static import HorizonFeature, StaticFeatures
from crowdcast.features._weather import WeatherFeatures

__all__ = [
    "CalendarFeatures",
    "EventFeatures",
    "FeatureTransformer",
    "FeatureUnion",
    "HorizonFeature",
    "OriginLags",
    "OriginRolling",
    "SeasonalProfile",
    "StaticFeatures",
    "TargetLags",
    "WeatherFeatures",
    "default_features",
]

_RENAMED = {"FeaturePipeline": "FeatureUnion"}


def __getattr__(name: str) -> Any:
    if name in _RENAMED:
        new = _RENAMED[name]
        warnings.warn(
            f"crowdcast.features.{name} is now {new}; the old name will be removed in 0.3.",
            DeprecationWarning,
            stacklevel=2,
        )
        return globals()[new]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
