"""crowdcast: forecast crowd density per zone, with uncertainty and risk levels.

The top level holds what a notebook user types: loading data, the
forecasters, what-if scenarios, risk levels, backtests and the model card.
Everything else lives in its subpackage: :mod:`crowdcast.io` (readers and
writers), :mod:`crowdcast.schemas` (data contracts, time grid, validators),
:mod:`crowdcast.profiles`, :mod:`crowdcast.features`, :mod:`crowdcast.models`,
:mod:`crowdcast.risk`, :mod:`crowdcast.evaluation`, :mod:`crowdcast.report`,
:mod:`crowdcast.privacy`, :mod:`crowdcast.sample`; errors in
:mod:`crowdcast.exceptions`.

>>> import crowdcast as cc
>>> city = cc.load_sample()
>>> city.site.timezone
'Europe/Amsterdam'
"""

from crowdcast import exceptions
from crowdcast._city import City
from crowdcast._version import __version__
from crowdcast.evaluation import Fold, backtest
from crowdcast.io import (
    load_city,
    read_counts,
    read_events_csv,
    read_ical,
    read_incidents,
    read_knmi,
    read_open_meteo,
    read_signals,
    read_weather_csv,
)
from crowdcast.jobs import forecast_city
from crowdcast.models import (
    GBMForecaster,
    ProfileRatio,
    SarimaxForecaster,
    SeasonalNaive,
    WeekdayHourMean,
    load_model,
    save_model,
)
from crowdcast.privacy import suppress
from crowdcast.profiles import (
    IndicatorLibrary,
    SiteProfile,
    load_indicator_library,
    load_site_profile,
    save_site_profile,
)
from crowdcast.report import model_card
from crowdcast.risk import assess, calibrate, indicator_lift
from crowdcast.sample import load_sample, make_city, sample_path
from crowdcast.scenarios import AddEvent, CancelEvent, SetAttendance, SetWeather, what_if

__all__ = [
    "AddEvent",
    "CancelEvent",
    "City",
    "Fold",
    "GBMForecaster",
    "IndicatorLibrary",
    "ProfileRatio",
    "SarimaxForecaster",
    "SeasonalNaive",
    "SetAttendance",
    "SetWeather",
    "SiteProfile",
    "WeekdayHourMean",
    "__version__",
    "assess",
    "backtest",
    "calibrate",
    "exceptions",
    "forecast_city",
    "indicator_lift",
    "load_city",
    "load_indicator_library",
    "load_model",
    "load_sample",
    "load_site_profile",
    "make_city",
    "model_card",
    "read_counts",
    "read_events_csv",
    "read_ical",
    "read_incidents",
    "read_knmi",
    "read_open_meteo",
    "read_signals",
    "read_weather_csv",
    "sample_path",
    "save_model",
    "save_site_profile",
    "suppress",
    "what_if",
]
