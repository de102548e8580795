"""Forecasters with one interface: baselines, global LightGBM, statsmodels."""

from crowdcast.models._base import BaseForecaster, Provenance, fingerprint, quantile_column

__all__ = ["BaseForecaster", "Provenance", "fingerprint", "quantile_column"]
