"""Jobs: the library's steps put together for a command.

- :func:`forecast_city` (``_forecast``): fit, forecast the next hours, peak
  table, suppress when publishing, write, audit;
- :func:`plan_event` (``_plan``): a planner's window around an event, with a
  what-if scenario, written as a self-contained HTML report and a CSV.
"""

from crowdcast.jobs._forecast import ForecastRun, forecast_city
from crowdcast.jobs._plan import PlanRun, plan_event
from crowdcast.jobs._window import local_time

__all__ = ["ForecastRun", "PlanRun", "forecast_city", "local_time", "plan_event"]
