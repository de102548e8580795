"""Reports: what people read. Model cards, plots and tables of forecasts and backtests.

- :func:`model_card` / :class:`ModelCard`: a fitted model described for
  publication, without the confidential site weights unless asked;
- :func:`peak_table`: per zone, the peak of a forecast next to last week;
- plots (matplotlib, the optional ``plot`` extra, imported only when drawn):
  :func:`plot_forecast`, :func:`plot_error_by_horizon`,
  :func:`plot_skill_by_zone`, :func:`plot_calibration`.

This layer sits above evaluation and risk: it reads their tables and never
computes a number they define.
"""

from crowdcast.report._backtest_plots import (
    METRICS,
    calibration_points,
    plot_calibration,
    plot_error_by_horizon,
    plot_skill_by_zone,
)
from crowdcast.report._card import ModelCard, model_card
from crowdcast.report._forecast_plot import plot_forecast
from crowdcast.report._tables import peak_table

__all__ = [
    "METRICS",
    "ModelCard",
    "calibration_points",
    "model_card",
    "peak_table",
    "plot_calibration",
    "plot_error_by_horizon",
    "plot_forecast",
    "plot_skill_by_zone",
]
