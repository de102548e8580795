"""crowdcast: forecast crowd density per zone, with uncertainty and risk levels.

>>> import crowdcast as cc
>>> city = cc.load_sample()
>>> city.site.timezone
'Europe/Amsterdam'
"""

from crowdcast import exceptions
from crowdcast._version import __version__
from crowdcast.io import (
    City,
    load_city,
    read_counts,
    read_events_csv,
    read_ical,
    read_incidents,
    read_knmi,
    read_open_meteo,
    read_signals,
    read_weather_csv,
    write_ical,
)
from crowdcast.profiles import (
    IndicatorLibrary,
    SiteProfile,
    load_indicator_library,
    load_site_profile,
)
from crowdcast.sample import load_sample, make_city, sample_path
from crowdcast.schemas import (
    complete_grid,
    find_gaps,
    infer_freq,
    validate_counts,
    validate_events,
    validate_incidents,
    validate_signals,
    validate_weather,
)

__all__ = [
    "City",
    "IndicatorLibrary",
    "SiteProfile",
    "__version__",
    "complete_grid",
    "exceptions",
    "find_gaps",
    "infer_freq",
    "load_city",
    "load_indicator_library",
    "load_sample",
    "load_site_profile",
    "make_city",
    "read_counts",
    "read_events_csv",
    "read_ical",
    "read_incidents",
    "read_knmi",
    "read_open_meteo",
    "read_signals",
    "read_weather_csv",
    "sample_path",
    "validate_counts",
    "validate_events",
    "validate_incidents",
    "validate_signals",
    "validate_weather",
    "write_ical",
]
