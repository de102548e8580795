"""Risk: hazard-specific levels of a forecast, indicator lifts, calibration, KPIs.

- :func:`assess`: from a forecast to levels per zone and interval (crowding by
  density or flow, distancing, relative busyness), the probability of each
  level or worse from the predictive quantiles, and alerts (:class:`RiskTable`).
- :func:`indicator_lift`: indicator hazards (aggression, ...) as the expected
  lift over a zone's baseline rate, from signals, the generic library and the
  site's weights.
- :func:`calibrate`: a site weight from the site's incidents (Poisson GLM),
  :meth:`Calibration.to_weight` and :func:`crowdcast.profiles.save_site_profile`
  to keep it.
- :func:`export_library`, :func:`export_levels` (publishable, no weights) and
  :func:`export_weights` (explicit).

How well alerts worked (precision, recall, lead time) is evaluation:
:func:`crowdcast.evaluation.alert_kpis`.
"""

import warnings
from typing import Any

from crowdcast.risk._assess import RiskTable, assess
from crowdcast.risk._calibrate import calibrate
from crowdcast.risk._calibration import Calibration
from crowdcast.risk._export import export_levels, export_library, export_weights
from crowdcast.risk._indicators import indicator_lift, resolve_weight
from crowdcast.risk._quantiles import exceedance_probability, quantile_at
from crowdcast.risk._schemes import DEFAULT_ALERT_LEVELS, HAZARDS, max_density

__all__ = [
    "DEFAULT_ALERT_LEVELS",
    "HAZARDS",
    "Calibration",
    "RiskTable",
    "assess",
    "calibrate",
    "exceedance_probability",
    "export_levels",
    "export_library",
    "export_weights",
    "indicator_lift",
    "max_density",
    "quantile_at",
    "resolve_weight",
]


def __getattr__(name: str) -> Any:
    if name == "write_site_profile":
        from crowdcast.profiles import save_site_profile

        warnings.warn(
            "crowdcast.risk.write_site_profile is now crowdcast.profiles.save_site_profile; "
            "the old name will be removed in 0.3.",
            DeprecationWarning,
            stacklevel=2,
        )
        return save_site_profile
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
