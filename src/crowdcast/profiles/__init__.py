"""Site profiles (local, confidential) and indicator libraries (generic, publishable).

The split is the heart of crowdcast: what holds anywhere is written once, as
data, in an :class:`IndicatorLibrary`; what one site knows about itself
(zones, venues, sources, thresholds and the *weights* that scale each generic
indicator locally) lives in its :class:`SiteProfile`. Moving a model to
another city means swapping the site profile file, never editing code.

Both are TOML files. TOML because it is read by the standard library
(:mod:`tomllib`, no dependency), has comments, dates and unambiguous types
(YAML 1.1 reads the country code ``NO`` as ``false``), and maps one to one onto
the frozen dataclasses of the model. Loading validates everything and reports
every problem at once in a :class:`~crowdcast.exceptions.ConfigError`.

The package, by responsibility:

- ``_model``: the frozen value objects (:class:`SiteProfile`, :class:`Zone`,
  :class:`RiskSettings`, :class:`IndicatorLibrary`, ...) and the vocabularies
  (:data:`PURPOSES`, :data:`DATA_KINDS`, :data:`DENSITY_SCHEMES`,
  :data:`EFFECT_FORMS`);
- ``_toml``: the typed TOML reader that records every problem;
- ``_site``: :func:`load_site_profile` and its per-table parsers;
- ``_library``: :func:`load_indicator_library` and :data:`DEFAULT_LIBRARY_PATH`;
- ``_events``: the event response, generic curves (:class:`EventCurve`) and a
  site's shares and spreads (:class:`EventShare`, :class:`EventSpread`);
- ``_save``: :func:`save_site_profile`, a new profile with changed weights.

Examples
--------
>>> import crowdcast as cc
>>> site = cc.load_site_profile(cc.sample_path() / "site.toml")
>>> site.zone("nightlife_street").measure
'passages'
>>> site.risk.replace(alert_probability=0.4).alert_probability
0.4
"""

from crowdcast.profiles._events import (
    BINS,
    DEFAULT_CURVES_PATH,
    PHASES,
    EventCurve,
    EventResponse,
    EventShare,
    EventSpread,
    bin_labels,
    default_event_curves,
    load_event_response,
    save_event_response,
)
from crowdcast.profiles._library import DEFAULT_LIBRARY_PATH, load_indicator_library
from crowdcast.profiles._model import (
    DATA_KINDS,
    DENSITY_SCHEMES,
    EFFECT_FORMS,
    INCLUSIVE_SIDES,
    PURPOSES,
    ClosedDays,
    DataSource,
    Indicator,
    IndicatorLibrary,
    IndicatorWeight,
    PlanningSettings,
    PrivacySettings,
    RiskSettings,
    SiteProfile,
    Venue,
    Zone,
)
from crowdcast.profiles._save import save_site_profile
from crowdcast.profiles._site import load_site_profile

__all__ = [
    "BINS",
    "DATA_KINDS",
    "DEFAULT_CURVES_PATH",
    "DEFAULT_LIBRARY_PATH",
    "DENSITY_SCHEMES",
    "EFFECT_FORMS",
    "INCLUSIVE_SIDES",
    "PHASES",
    "PURPOSES",
    "ClosedDays",
    "DataSource",
    "EventCurve",
    "EventResponse",
    "EventShare",
    "EventSpread",
    "Indicator",
    "IndicatorLibrary",
    "IndicatorWeight",
    "PlanningSettings",
    "PrivacySettings",
    "RiskSettings",
    "SiteProfile",
    "Venue",
    "Zone",
    "bin_labels",
    "default_event_curves",
    "load_event_response",
    "load_indicator_library",
    "load_site_profile",
    "save_event_response",
    "save_site_profile",
]
