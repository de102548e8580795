"""Feature pipeline: leakage-free features for (zone, origin, horizon) rows."""

from crowdcast.features._base import (
    FeaturePipeline,
    FeatureTransformer,
    ForecastData,
    History,
    make_rows,
)

__all__ = [
    "FeaturePipeline",
    "FeatureTransformer",
    "ForecastData",
    "History",
    "make_rows",
]
