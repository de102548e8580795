"""The public surface is small, sorted and deliberate."""

from __future__ import annotations

import importlib
import subprocess
import sys

import crowdcast as cc

PUBLIC = [
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


def test_public_names_are_pinned_and_sorted() -> None:
    assert cc.__all__ == PUBLIC
    for name in cc.__all__:
        assert hasattr(cc, name)


def test_subpackages_export_what_they_list() -> None:
    for module in (
        "crowdcast.io",
        "crowdcast.sample",
        "crowdcast.schemas",
        "crowdcast.profiles",
        "crowdcast.features",
        "crowdcast.models",
        "crowdcast.scenarios",
        "crowdcast.jobs",
        "crowdcast.risk",
        "crowdcast.privacy",
        "crowdcast.evaluation",
    ):
        mod = importlib.import_module(module)
        for name in mod.__all__:
            assert hasattr(mod, name), f"{module}.{name}"


def test_import_has_no_global_side_effects() -> None:
    code = (
        "import logging, warnings; "
        # third-party imports may set their own filters; crowdcast must add none
        "import numpy, pandas, sklearn, holidays, icalendar, recurring_ical_events, tomli_w; "
        "filters = list(warnings.filters); "
        "import crowdcast; "
        "assert warnings.filters == filters, 'warning filters changed'; "
        "assert logging.getLogger().handlers == [], 'logging configured'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
