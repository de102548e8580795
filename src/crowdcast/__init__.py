"""crowdcast: forecast crowd density per zone, with uncertainty and risk levels.

>>> import crowdcast as cc
>>> city = cc.load_sample()
>>> city.site.timezone
'Europe/Amsterdam'
"""

from crowdcast import exceptions
from crowdcast._version import __version__
from crowdcast.evaluation import AlertKPIs, Backtest, Fold, alert_kpis, backtest, kpis
from crowdcast.features import default_features
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
from crowdcast.jobs import ForecastRun, forecast_city
from crowdcast.models import (
    GBMForecaster,
    ProfileRatio,
    SarimaxForecaster,
    SeasonalNaive,
    WeekdayHourMean,
    load_model,
    read_model_header,
    save_model,
)
from crowdcast.privacy import (
    AuditLog,
    PublishedTable,
    check_sources_for,
    guard_ingress,
    publish_table,
    suppress,
)
from crowdcast.profiles import (
    IndicatorLibrary,
    SiteProfile,
    load_indicator_library,
    load_site_profile,
)
from crowdcast.report import ModelCard, model_card
from crowdcast.risk import (
    Calibration,
    RiskTable,
    assess,
    calibrate,
    export_levels,
    export_library,
    export_weights,
    indicator_lift,
    write_site_profile,
)
from crowdcast.sample import load_sample, make_city, sample_path
from crowdcast.scenarios import AddEvent, CancelEvent, SetAttendance, SetWeather, what_if
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
    "AddEvent",
    "AlertKPIs",
    "AuditLog",
    "Backtest",
    "Calibration",
    "CancelEvent",
    "City",
    "Fold",
    "ForecastRun",
    "GBMForecaster",
    "IndicatorLibrary",
    "ModelCard",
    "ProfileRatio",
    "PublishedTable",
    "RiskTable",
    "SarimaxForecaster",
    "SeasonalNaive",
    "SetAttendance",
    "SetWeather",
    "SiteProfile",
    "WeekdayHourMean",
    "__version__",
    "alert_kpis",
    "assess",
    "backtest",
    "calibrate",
    "check_sources_for",
    "complete_grid",
    "default_features",
    "exceptions",
    "export_levels",
    "export_library",
    "export_weights",
    "find_gaps",
    "forecast_city",
    "guard_ingress",
    "indicator_lift",
    "infer_freq",
    "kpis",
    "load_city",
    "load_indicator_library",
    "load_model",
    "load_sample",
    "load_site_profile",
    "make_city",
    "model_card",
    "publish_table",
    "read_counts",
    "read_events_csv",
    "read_ical",
    "read_incidents",
    "read_knmi",
    "read_model_header",
    "read_open_meteo",
    "read_signals",
    "read_weather_csv",
    "sample_path",
    "save_model",
    "suppress",
    "validate_counts",
    "validate_events",
    "validate_incidents",
    "validate_signals",
    "validate_weather",
    "what_if",
    "write_ical",
    "write_site_profile",
]
