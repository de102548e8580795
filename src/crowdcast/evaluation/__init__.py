"""Evaluation: rolling-origin backtests, technology and application KPIs.

Technology KPIs say whether the forecast is right (MAE, MASE, pinball loss,
interval coverage, daily peaks, skill against baselines); application KPIs say
whether what was done with it worked (alert precision, recall and lead time;
incident hit rate of the top-risk intervals). They are kept apart on purpose.
The plots of these numbers live in :mod:`crowdcast.report`.
"""

from crowdcast.evaluation._alerts import AlertKPIs, alert_kpis, alert_kpis_backtest
from crowdcast.evaluation._backtest import Backtest, backtest, event_mask, seasonal_scale
from crowdcast.evaluation._folds import Fold
from crowdcast.evaluation._hits import HitRate, hit_rate
from crowdcast.evaluation._kpis import SKILL_METRICS, kpis, skill
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
from crowdcast.evaluation._peaks import peak_days, peak_kpis

__all__ = [
    "SKILL_METRICS",
    "AlertKPIs",
    "Backtest",
    "Fold",
    "HitRate",
    "alert_kpis",
    "alert_kpis_backtest",
    "backtest",
    "bias",
    "coverage",
    "event_mask",
    "hit_rate",
    "kpis",
    "mae",
    "mase",
    "peak_days",
    "peak_kpis",
    "pinball",
    "rmse",
    "scored_mask",
    "seasonal_scale",
    "skill",
    "smape",
    "width",
]
