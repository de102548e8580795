"""Reports: what people read. Model cards, plots and tables of forecasts and backtests.

- :func:`model_card` / :class:`ModelCard`: a fitted model described for
  publication, without the confidential site weights unless asked;
- :func:`peak_table`: per zone, the peak of a forecast next to last week;
- the planner's report: a :class:`PlanReport` (filled by
  :func:`crowdcast.jobs.plan_event`) rendered by :func:`render_plan` as one
  self-contained HTML file (Jinja2 templates under ``report/templates``,
  inline SVG, the words of ``report/locales/<language>.toml``:
  :func:`languages`), with :func:`plan_table` the same numbers for a
  spreadsheet and :func:`plan_alerts`, :func:`plan_warnings` its alerts and warnings in words;
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
from crowdcast.report._plan import PLAN_COLUMNS, PlanReport, plan_table
from crowdcast.report._plan_html import plan_alerts, plan_warnings, render_plan
from crowdcast.report._tables import peak_table
from crowdcast.report._words import languages

__all__ = [
    "METRICS",
    "PLAN_COLUMNS",
    "ModelCard",
    "PlanReport",
    "calibration_points",
    "languages",
    "model_card",
    "peak_table",
    "plan_alerts",
    "plan_table",
    "plan_warnings",
    "plot_calibration",
    "plot_error_by_horizon",
    "plot_forecast",
    "plot_skill_by_zone",
    "render_plan",
]
