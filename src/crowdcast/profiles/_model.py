"""The profile model: frozen value objects and the vocabularies they draw from.

Nothing here reads a file: :mod:`._site` and :mod:`._library` build these
objects from TOML, with :mod:`._toml` doing the typed reading. The rules of
``[risk]`` live on :class:`RiskSettings` itself (``_parameter_rules``), so the
loader and :meth:`RiskSettings.replace` apply the very same ones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from crowdcast._validation import Check, Choice, Interval, Rule, check_params
from crowdcast.exceptions import ConfigError, ParameterError, Problem

__all__ = [
    "DATA_KINDS",
    "DENSITY_SCHEMES",
    "EFFECT_FORMS",
    "FORMATS",
    "INCLUSIVE_SIDES",
    "PURPOSES",
    "RISK_RULES",
    "WEIGHT_SOURCES",
    "ClosedDays",
    "DataSource",
    "Indicator",
    "IndicatorLibrary",
    "IndicatorWeight",
    "Measure",
    "PlanningSettings",
    "PrivacySettings",
    "RiskSettings",
    "SiteProfile",
    "Venue",
    "Zone",
]

# ----------------------------------------------------------------------------- vocabularies

Measure = Literal["occupancy", "passages"]

#: Purposes a data source may be declared for (purpose binding, no function creep).
PURPOSES: Mapping[str, str] = {
    "crowd_safety": "preventing dangerous crowding and incidents in public space",
    "event_planning": "preparing stewards, barriers, transit and communication for events",
    "operations": "day-to-day city operations (cleaning, maintenance, staffing)",
    "mobility_research": "aggregate research into how people move through the city",
    "public_information": "publishing busyness information to the public",
}
#: The kinds of table a data source can provide (one per data contract).
DATA_KINDS = ("counts", "events", "weather", "signals", "incidents")
#: File formats the readers understand, per kind.
FORMATS: Mapping[str, tuple[str, ...]] = {
    "counts": ("csv", "parquet"),
    "events": ("csv", "ical"),
    "weather": ("knmi", "open_meteo", "csv"),
    "signals": ("csv", "parquet"),
    "incidents": ("csv", "parquet"),
}
#: Density level schemes selectable for crowding risk.
DENSITY_SCHEMES = ("default", "fruin_walkway", "fruin_queuing")
#: How an indicator's effect is expressed.
EFFECT_FORMS = ("relative_lift", "bands", "max_density", "percentile_bands")
#: Which bound of its range a level includes (``Indicator.inclusive``): ``upper``, a value
#: on a threshold belongs to the level below it; ``lower``, to the level above it.
INCLUSIVE_SIDES = ("upper", "lower")
#: Where a local weight comes from.
WEIGHT_SOURCES = ("default", "expert", "calibrated")


# ----------------------------------------------------------------------------- value objects


@dataclass(frozen=True)
class Zone:
    """One counted area of a site.

    ``measure`` says what its counts are: ``occupancy`` (people present, with
    ``area_m2`` → density in persons/m²) or ``passages`` (people passing per
    interval, with ``width_m`` → flow in persons/m/min). ``aliases`` are the
    other names files use for the zone (``"Korenmarkt"``, a venue on it):
    readers match them like the name, case-insensitively, also inside a
    free-text iCalendar LOCATION.
    """

    id: str
    name: str
    measure: Measure = "occupancy"
    area_m2: float | None = None
    width_m: float | None = None
    capacity: int | None = None
    tags: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    neighbours: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Venue:
    """A point of interest inside a zone (a licensed bar, a stadium gate)."""

    id: str
    zone: str
    name: str = ""
    tags: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class ClosedDays:
    """Extra closed or holiday days not in the national calendar (school holidays...)."""

    name: str
    start: dt.date
    end: dt.date  # inclusive
    kind: str = "holiday"

    def dates(self) -> Iterator[dt.date]:
        day = self.start
        while day <= self.end:
            yield day
            day += dt.timedelta(days=1)


@dataclass(frozen=True)
class DataSource:
    """A file the site reads, its format and the purposes it may be used for."""

    id: str
    kind: str
    path: Path
    format: str
    purposes: tuple[str, ...]
    description: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)


def _positive_number(value: Any) -> bool:
    """A finite number > 0 (a boolean is not a number here)."""
    return Interval(0, None, closed="neither")(value) and math.isfinite(value)


def _alert_level(value: Any) -> bool:
    """A level name, or a mapping of indicator id to level name."""
    if isinstance(value, str):
        return True
    return isinstance(value, Mapping) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


#: The rules of the ``[risk]`` table, one per setting: the site loader applies
#: them to the file, :meth:`RiskSettings.replace` to its result.
RISK_RULES: Mapping[str, Rule] = {
    "density_scheme": Choice(DENSITY_SCHEMES),
    "alert_level": Check(_alert_level, "a level name or a mapping of indicator id to level name"),
    "alert_probability": Interval(
        0, 1, closed="neither", expectation="a probability between 0 and 1 (exclusive)"
    ),
    "distance_rule_m": Check(_positive_number, "a positive number of metres"),
}


@dataclass(frozen=True)
class RiskSettings:
    """How risk levels are computed and when an alert fires.

    ``alert_level`` is the level an alert watches: a level name, or a mapping
    of indicator id to level name (a zone whose scheme lacks the level uses
    that scheme's default alert level; see :func:`crowdcast.risk.assess`).
    Build a changed copy with :meth:`replace`, which checks the result.
    """

    density_scheme: str = "default"
    alert_level: str | Mapping[str, str] = "orange"
    alert_probability: float = 0.5
    distance_rule_m: float = 1.5

    #: Checked by :meth:`replace` (see :func:`crowdcast._validation.check_params`).
    _parameter_rules: ClassVar[Mapping[str, Sequence[Rule | None]]] = {
        name: [rule] for name, rule in RISK_RULES.items()
    }

    def replace(self, **changes: Any) -> RiskSettings:
        """A copy with some settings changed, checked by the rules the loader applies to ``[risk]``.

        Parameters
        ----------
        **changes
            New values for ``density_scheme`` (one of :data:`DENSITY_SCHEMES`),
            ``alert_level`` (a level name or a mapping indicator id -> level),
            ``alert_probability`` (strictly between 0 and 1) and
            ``distance_rule_m`` (a positive number of metres).

        Returns
        -------
        RiskSettings
            The new settings; numbers are stored as floats and a mapping of
            alert levels as a copy of its own.

        Raises
        ------
        ParameterError
            Naming every setting that is unknown or breaks its rule (the
            settings kept from ``self`` are checked too).

        Examples
        --------
        >>> risk = RiskSettings().replace(alert_probability=0.4)
        >>> risk.alert_probability, risk.density_scheme
        (0.4, 'default')
        >>> RiskSettings().replace(alert_probability=1.5)
        Traceback (most recent call last):
        ...
        crowdcast.exceptions.ParameterError: Invalid RiskSettings parameters: 1 problem.
        - `alert_probability` must be a probability between 0 and 1 (exclusive). Got 1.5.
        """
        names = [f.name for f in dataclasses.fields(self)]
        unknown = [name for name in changes if name not in names]
        if unknown:
            raise ParameterError(
                [
                    Problem(
                        f"`{name}`",
                        f"one of the settings of RiskSettings ({', '.join(names)})",
                        "an unknown setting",
                        hint="check the spelling; the settings are the keys of [risk]",
                    )
                    for name in unknown
                ],
                title="Invalid RiskSettings parameters",
            )
        new = dataclasses.replace(self, **changes)
        check_params(new)
        level = new.alert_level
        return dataclasses.replace(
            new,
            alert_level=level if isinstance(level, str) else dict(level),
            alert_probability=float(new.alert_probability),
            distance_rule_m=float(new.distance_rule_m),
        )


@dataclass(frozen=True)
class PrivacySettings:
    """Egress rules for published outputs."""

    min_count_per_hour: float = 15.0


@dataclass(frozen=True)
class PlanningSettings:
    """How ``crowdcast plan`` treats a site's data (the ``[planning]`` table).

    ``max_data_age_h`` is the longest time, in hours, from the last count to
    the start of a planning window. Beyond it the data is stale: the counts
    feed has probably stopped, and a forecast that far ahead rests on the
    calendar alone, so ``plan`` refuses unless forced (``--allow-stale``),
    and then says so in the report. The default, a week, lets a planner
    prepare next week's event on today's counts.
    """

    max_data_age_h: float = 168.0


@dataclass(frozen=True)
class IndicatorWeight:
    """A site's local scaling of one generic indicator (1.0 = holds as published).

    ``target`` is ``"site"``, ``"zone:<id>"`` or ``"venue:<id>"``.
    """

    indicator: str
    target: str
    value: float
    source: str = "default"
    interval: tuple[float, float] | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The weight as its ``[[weights]]`` table in a site profile (empty fields left out).

        >>> IndicatorWeight("alcohol_aggression", "site", 1.4, source="expert").to_dict()
        {'indicator': 'alcohol_aggression', 'target': 'site', 'value': 1.4, 'source': 'expert'}
        """
        table: dict[str, Any] = {
            "indicator": self.indicator,
            "target": self.target,
            "value": self.value,
            "source": self.source,
        }
        if self.interval is not None:
            table["interval"] = list(self.interval)
        if self.note:
            table["note"] = self.note
        return table


@dataclass(frozen=True)
class SiteProfile:
    """Everything local about one site. Confidential: it holds the weights.

    ``redacted`` marks the view a fitted model keeps (:meth:`for_model`):
    the zones' statics and the calendar, without venues, weights, sources or
    coordinates. Whatever needs the confidential parts refuses it
    (:meth:`require_full`).
    """

    id: str
    name: str
    timezone: str
    country: str
    subdivision: str | None
    zones: tuple[Zone, ...]
    venues: tuple[Venue, ...] = ()
    closed_days: tuple[ClosedDays, ...] = ()
    sources: tuple[DataSource, ...] = ()
    risk: RiskSettings = RiskSettings()
    privacy: PrivacySettings = PrivacySettings()
    planning: PlanningSettings = PlanningSettings()
    weights: tuple[IndicatorWeight, ...] = ()
    path: Path | None = None
    redacted: bool = False

    @property
    def zone_ids(self) -> tuple[str, ...]:
        return tuple(z.id for z in self.zones)

    def for_model(self) -> SiteProfile:
        """The part of the profile a fitted (and saved) model keeps: nothing confidential.

        Kept: id, name, time zone, holiday calendar, closed days, the risk and
        privacy settings and per zone its id, name, measure, area, width,
        capacity, tags and neighbours (what features and baselines read).
        Left out: venues, weights, data sources, the file's path and the
        zones' coordinates. A model predicting with something confidential
        (a weight) takes it from the City it is given, never from the file.

        >>> import crowdcast as cc
        >>> site = cc.load_site_profile(cc.sample_path() / "site.toml")
        >>> view = site.for_model()
        >>> view.zone_ids == site.zone_ids, view.venues, view.weights, view.redacted
        (True, (), (), True)
        """
        zones = tuple(dataclasses.replace(z, lat=None, lon=None) for z in self.zones)
        return SiteProfile(
            id=self.id,
            name=self.name,
            timezone=self.timezone,
            country=self.country,
            subdivision=self.subdivision,
            zones=zones,
            closed_days=self.closed_days,
            risk=self.risk,
            privacy=self.privacy,
            redacted=True,
        )

    def require_full(self, task: str) -> SiteProfile:
        """``self``, or a ParameterError when it is the view a model keeps (:meth:`for_model`)."""
        if self.redacted:
            raise ParameterError(
                [
                    Problem(
                        f"the site profile for {task}",
                        "the site profile itself, with its venues and weights",
                        f"the view of site {self.id!r} a fitted model keeps (model.site_)",
                        hint="a saved model holds no confidential data: pass the profile, "
                        "e.g. cc.load_site_profile('site.toml') or city.site",
                    )
                ]
            )
        return self

    def zone(self, zone_id: str) -> Zone:
        """The zone with this id; a clear error naming the known ids otherwise."""
        for z in self.zones:
            if z.id == zone_id:
                return z
        raise ConfigError(
            [
                Problem(
                    "`zone_id`",
                    f"a zone of site {self.id!r} ({', '.join(self.zone_ids)})",
                    repr(zone_id),
                    source=str(self.path) if self.path else None,
                    hint="use a zone id of the site profile's [[zones]] (not its name)",
                )
            ]
        )

    def source(self, source_id: str) -> DataSource:
        """The data source with this id."""
        for s in self.sources:
            if s.id == source_id:
                return s
        raise ConfigError(
            [
                Problem(
                    "`source_id`",
                    f"a source of site {self.id!r} ({', '.join(s.id for s in self.sources)})",
                    repr(source_id),
                    source=str(self.path) if self.path else None,
                    hint="use a source id of the site profile's [[sources]]",
                )
            ]
        )

    def sources_of(self, kind: str) -> tuple[DataSource, ...]:
        return tuple(s for s in self.sources if s.kind == kind)

    def weight(self, indicator: str, target: str = "site") -> float:
        """The local weight of an indicator for a target; 1.0 when the site set none."""
        for w in self.weights:
            if w.indicator == indicator and w.target == target:
                return w.value
        return 1.0

    def __repr__(self) -> str:
        return (
            f"SiteProfile(id={self.id!r}, timezone={self.timezone!r}, "
            f"holidays={self.country}{'-' + self.subdivision if self.subdivision else ''}, "
            f"zones={len(self.zones)}, venues={len(self.venues)}, "
            f"sources={len(self.sources)}, weights={len(self.weights)})"
        )


@dataclass(frozen=True)
class Indicator:
    """A generic functional relation, written as data. Holds no site-specific values.

    ``inclusive`` says which bound of its range each level of a ``bands``,
    ``percentile_bands`` or ``max_density`` indicator includes, as its source
    states it: ``"upper"`` when a value exactly on a threshold belongs to the
    level below the threshold (Fruin: "A <= 23 p/m/min"), ``"lower"`` when it
    belongs to the level above (">= 4 p/m² is red"). See :data:`INCLUSIVE_SIDES`.
    """

    id: str
    title: str
    hazard: str
    effect_form: str
    signal: str | None = None
    unit: str | None = None
    effect_size: float | None = None
    thresholds: tuple[float, ...] = ()
    levels: tuple[str, ...] = ()
    inclusive: str = "lower"
    scope_venue_tags: tuple[str, ...] = ()
    scope_zone_tags: tuple[str, ...] = ()
    scope_radius_m: float | None = None
    window_start: dt.time | None = None
    window_end: dt.time | None = None
    evidence: str = ""
    reference: str = ""
    description: str = ""


@dataclass(frozen=True)
class IndicatorLibrary:
    """A versioned, publishable set of generic indicators."""

    id: str
    version: str
    title: str
    indicators: tuple[Indicator, ...]
    path: Path | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.indicators)

    def __getitem__(self, indicator_id: str) -> Indicator:
        for i in self.indicators:
            if i.id == indicator_id:
                return i
        raise ConfigError(
            [
                Problem(
                    "`indicator_id`",
                    f"an indicator of library {self.id!r} ({', '.join(self.ids)})",
                    repr(indicator_id),
                )
            ]
        )

    def __repr__(self) -> str:
        return (
            f"IndicatorLibrary(id={self.id!r}, version={self.version!r}, "
            f"indicators={list(self.ids)})"
        )
