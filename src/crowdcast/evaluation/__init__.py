"""Evaluation: rolling-origin backtests, technology and application KPIs, plots.

Technology KPIs say whether the forecast is right (MAE, MASE, pinball loss,
interval coverage, daily peaks, skill against baselines); application KPIs say
whether what was done with it worked (alert precision, recall and lead time;
incident hit rate of the top-risk intervals). They are kept apart on purpose.

Plots need the optional ``plot`` extra (matplotlib): ``pip install 'crowdcast[plot]'``.
"""

from crowdcast.evaluation._application import HitRate, alert_kpis_backtest, hit_rate
from crowdcast.evaluation._backtest import Backtest, backtest, event_mask, seasonal_scale
from crowdcast.evaluation._folds import Fold
from crowdcast.evaluation._kpis import kpis, peak_days, peak_kpis, skill
from crowdcast.evaluation._metrics import (
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
from crowdcast.evaluation._plots import (
    calibration_points,
    plot_calibration,
    plot_error_by_horizon,
    plot_forecast,
    plot_skill_by_zone,
)

__all__ = [
    "Backtest",
    "Fold",
    "HitRate",
    "alert_kpis_backtest",
    "backtest",
    "bias",
    "calibration_points",
    "coverage",
    "event_mask",
    "hit_rate",
    "kpis",
    "mae",
    "mase",
    "peak_days",
    "peak_kpis",
    "pinball",
    "plot_calibration",
    "plot_error_by_horizon",
    "plot_forecast",
    "plot_skill_by_zone",
    "rmse",
    "scored_mask",
    "seasonal_scale",
    "skill",
    "smape",
    "width",
]
