"""Site profiles (local, confidential) and indicator libraries (generic, publishable).

The split is the heart of crowdcast: what holds anywhere is written once, as
data, in an :class:`IndicatorLibrary`; what one site knows about itself
(zones, venues, sources, thresholds and the *weights* that scale each generic
indicator locally) lives in its :class:`SiteProfile`. Moving a model to
another city means swapping the site profile file, never editing code.

Both are TOML files. TOML because it is read by the standard library
(:mod:`tomllib`, no dependency), has comments, dates and unambiguous types
(YAML 1.1 reads the country code ``NO`` as ``false``), and maps one to one onto
the frozen dataclasses below. Loading validates everything and reports every
problem at once in a :class:`~crowdcast.exceptions.ConfigError`.

Examples
--------
>>> import crowdcast as cc
>>> site = cc.load_site_profile(cc.sample_path() / "site.toml")
>>> site.zone("nightlife_street").measure
'passages'
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import tomllib
import zoneinfo
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from crowdcast.exceptions import ConfigError, Problem

__all__ = [
    "DATA_KINDS",
    "DEFAULT_LIBRARY_PATH",
    "DENSITY_SCHEMES",
    "EFFECT_FORMS",
    "PURPOSES",
    "ClosedDays",
    "DataSource",
    "Indicator",
    "IndicatorLibrary",
    "IndicatorWeight",
    "PrivacySettings",
    "RiskSettings",
    "SiteProfile",
    "Venue",
    "Zone",
    "load_indicator_library",
    "load_site_profile",
]

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
_FORMATS: Mapping[str, tuple[str, ...]] = {
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
WEIGHT_SOURCES = ("default", "expert", "calibrated")

# Keys that would make a generic library site-specific.
_SITE_SPECIFIC_KEYS = frozenset(
    {
        "zone",
        "zones",
        "venue",
        "venues",
        "weight",
        "weights",
        "site",
        "lat",
        "lon",
        "latitude",
        "longitude",
        "location",
        "locations",
        "coordinates",
        "address",
    }
)


# ----------------------------------------------------------------------------- value objects


@dataclass(frozen=True)
class Zone:
    """One counted area of a site.

    ``measure`` says what its counts are: ``occupancy`` (people present, with
    ``area_m2`` → density in persons/m²) or ``passages`` (people passing per
    interval, with ``width_m`` → flow in persons/m/min).
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


@dataclass(frozen=True)
class RiskSettings:
    """How risk levels are computed and when an alert fires."""

    density_scheme: str = "default"
    alert_level: str = "orange"
    alert_probability: float = 0.5
    distance_rule_m: float = 1.5


@dataclass(frozen=True)
class PrivacySettings:
    """Egress rules for published outputs."""

    min_count_per_hour: float = 15.0


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


@dataclass(frozen=True)
class SiteProfile:
    """Everything local about one site. Confidential: it holds the weights."""

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
    weights: tuple[IndicatorWeight, ...] = ()
    path: Path | None = None

    @property
    def zone_ids(self) -> tuple[str, ...]:
        return tuple(z.id for z in self.zones)

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
    """A generic functional relation, written as data. Holds no site-specific values."""

    id: str
    title: str
    hazard: str
    effect_form: str
    signal: str | None = None
    unit: str | None = None
    effect_size: float | None = None
    thresholds: tuple[float, ...] = ()
    levels: tuple[str, ...] = ()
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


# ----------------------------------------------------------------------------- parsing helpers

T = TypeVar("T")
_MISSING = object()


class _Reader:
    """Typed access to a parsed TOML document that records every problem."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def error(
        self, key: str, expectation: str, got: object = _MISSING, hint: str | None = None
    ) -> None:
        self.problems.append(
            Problem(
                f"`{key}`",
                expectation,
                None if got is _MISSING else repr(got),
                source=self.source,
                hint=hint,
            )
        )

    def get(
        self,
        table: Mapping[str, Any],
        prefix: str,
        key: str,
        kind: type | tuple[type, ...],
        default: object = _MISSING,
        check: Callable[[Any], bool] | None = None,
        expectation: str | None = None,
    ) -> Any:
        path = f"{prefix}.{key}" if prefix else key
        if key not in table:
            if default is _MISSING:
                self.error(path, f"present ({expectation or _kind_text(kind)})", hint=None)
            return None if default is _MISSING else default
        value = table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            self.error(path, expectation or _kind_text(kind), value)
            return None if default is _MISSING else default
        if check is not None and not check(value):
            self.error(path, expectation or "valid", value)
            return None if default is _MISSING else default
        return value

    def strings(self, table: Mapping[str, Any], prefix: str, key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(f"{prefix}.{key}", "a list of strings", value)
            return ()
        return tuple(value)

    def unknown_keys(self, table: Mapping[str, Any], prefix: str, allowed: set[str]) -> None:
        for key in table:
            if key not in allowed:
                self.error(
                    f"{prefix}.{key}" if prefix else key,
                    f"one of the known keys ({', '.join(sorted(allowed))})",
                    "an unknown key",
                    hint="check the spelling; see docs/architecture.md for the file layout",
                )

    def tables(self, doc: Mapping[str, Any], key: str) -> list[tuple[str, Mapping[str, Any]]]:
        value = doc.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.error(key, f"an array of tables ([[{key}]])", type(value).__name__)
            return []
        return [(f"{key}[{i}]", v) for i, v in enumerate(value)]

    def raise_if_any(self, what: str) -> None:
        if self.problems:
            raise ConfigError(self.problems, title=f"Invalid {what}")


def _kind_text(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {
        str: "a string",
        float: "a number",
        int: "an integer",
        bool: "true or false",
        list: "a list",
        dict: "a table",
        dt.date: "a date",
    }
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _positive(v: float) -> bool:
    return math.isfinite(v) and v > 0


def _read_toml(path: str | Path, what: str) -> tuple[Path, dict[str, Any]]:
    p = Path(path)
    try:
        with p.open("rb") as fh:
            return p, tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(
            [Problem(f"the {what} file", "an existing file", str(p), hint="check the path")]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            [Problem(f"the {what} file", "valid TOML", str(exc), source=str(p))]
        ) from None


def _parse_time(r: _Reader, key: str, value: object) -> dt.time | None:
    if value is None:
        return None
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            pass
    r.error(key, "a local time like '18:00'", value)
    return None


# ----------------------------------------------------------------------------- site profile

_SITE_KEYS = {"site", "zones", "venues", "closed_days", "sources", "risk", "privacy", "weights"}


def load_site_profile(path: str | Path) -> SiteProfile:
    """Read and validate a site profile TOML file.

    Paths of data sources are resolved relative to the profile's folder.
    Every problem in the file is reported at once.

    Examples
    --------
    >>> import crowdcast as cc
    >>> cc.load_site_profile(cc.sample_path() / "site.toml").timezone
    'Europe/Amsterdam'
    """
    p, doc = _read_toml(path, "site profile")
    r = _Reader(str(p))
    r.unknown_keys(doc, "", _SITE_KEYS)

    site = doc.get("site", {})
    if not isinstance(site, dict):
        r.error("site", "a table ([site])", site)
        site = {}
    r.unknown_keys(site, "site", {"id", "name", "timezone", "country", "subdivision"})
    site_id = r.get(site, "site", "id", str, "")
    timezone = r.get(site, "site", "timezone", str, "UTC")
    if timezone:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            r.error("site.timezone", "an IANA time zone like 'Europe/Amsterdam'", timezone)
    country = r.get(site, "site", "country", str, "")
    subdivision = r.get(site, "site", "subdivision", str, "") or None
    if country:
        _check_holiday_country(r, country, subdivision)

    zones = tuple(_zone(r, prefix, t) for prefix, t in r.tables(doc, "zones"))
    zone_ids = [z.id for z in zones]
    if not zones:
        r.error("zones", "at least one [[zones]] table")
    _check_unique_ids(r, "zones", zone_ids)
    for i, z in enumerate(zones):
        for n in z.neighbours:
            if n not in zone_ids:
                r.error(
                    f"zones[{i}].neighbours", f"zone ids ({', '.join(dict.fromkeys(zone_ids))})", n
                )

    venues = tuple(_venue(r, prefix, t, zone_ids) for prefix, t in r.tables(doc, "venues"))
    _check_unique_ids(r, "venues", [v.id for v in venues])

    closed = tuple(_closed(r, prefix, t) for prefix, t in r.tables(doc, "closed_days"))
    sources = tuple(_source(r, prefix, t, p.parent) for prefix, t in r.tables(doc, "sources"))
    _check_unique_ids(r, "sources", [s.id for s in sources])

    risk = _risk(r, doc.get("risk", {}))
    privacy_t = doc.get("privacy", {})
    r.unknown_keys(privacy_t, "privacy", {"min_count_per_hour"})
    privacy = PrivacySettings(
        min_count_per_hour=r.get(
            privacy_t,
            "privacy",
            "min_count_per_hour",
            float,
            15.0,
            check=lambda v: math.isfinite(v) and v >= 0,
            expectation="a number >= 0",
        )
    )
    targets = {"site"} | {f"zone:{z}" for z in zone_ids} | {f"venue:{v.id}" for v in venues}
    weights = tuple(_weight(r, prefix, t, targets) for prefix, t in r.tables(doc, "weights"))
    seen: set[tuple[str, str]] = set()
    for i, w in enumerate(weights):
        if (w.indicator, w.target) in seen:
            r.error(
                f"weights[{i}]",
                "one weight per indicator and target",
                f"{w.indicator} @ {w.target}",
            )
        seen.add((w.indicator, w.target))

    r.raise_if_any("site profile")
    return SiteProfile(
        id=site_id,
        name=r.get(site, "site", "name", str, site_id),
        timezone=timezone,
        country=country,
        subdivision=subdivision,
        zones=zones,
        venues=venues,
        closed_days=closed,
        sources=sources,
        risk=risk,
        privacy=privacy,
        weights=weights,
        path=p,
    )


def _check_holiday_country(r: _Reader, country: str, subdivision: str | None) -> None:
    import holidays

    supported = holidays.list_supported_countries()
    if country not in supported:
        r.error("site.country", "an ISO 3166-1 alpha-2 code supported by `holidays`", country)
    elif subdivision and subdivision not in supported[country]:
        r.error(
            "site.subdivision",
            f"a subdivision of {country} ({', '.join(supported[country]) or 'none'})",
            subdivision,
        )


def _check_unique_ids(r: _Reader, key: str, ids: list[str]) -> None:
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        r.error(f"{key}.id", "unique", ", ".join(dupes))


_ZONE_KEYS = {
    "id",
    "name",
    "measure",
    "area_m2",
    "width_m",
    "capacity",
    "tags",
    "lat",
    "lon",
    "neighbours",
}


def _zone(r: _Reader, prefix: str, t: Mapping[str, Any]) -> Zone:
    r.unknown_keys(t, prefix, _ZONE_KEYS)
    zid = r.get(t, prefix, "id", str, "")
    measure = r.get(
        t,
        prefix,
        "measure",
        str,
        "occupancy",
        check=lambda v: v in ("occupancy", "passages"),
        expectation="'occupancy' or 'passages'",
    )
    area = r.get(
        t, prefix, "area_m2", float, None, check=_positive, expectation="a positive number"
    )
    width = r.get(
        t, prefix, "width_m", float, None, check=_positive, expectation="a positive number"
    )
    if measure == "passages" and area is None and width is None:
        pass  # relative levels only; the risk layer says so when asked for densities
    lat = r.get(
        t, prefix, "lat", float, None, check=lambda v: -90 <= v <= 90, expectation="a latitude"
    )
    lon = r.get(
        t, prefix, "lon", float, None, check=lambda v: -180 <= v <= 180, expectation="a longitude"
    )
    return Zone(
        id=zid,
        name=r.get(t, prefix, "name", str, zid),
        measure=measure,
        area_m2=area,
        width_m=width,
        capacity=r.get(
            t,
            prefix,
            "capacity",
            int,
            None,
            check=lambda v: v > 0,
            expectation="a positive integer",
        ),
        tags=r.strings(t, prefix, "tags"),
        lat=lat,
        lon=lon,
        neighbours=r.strings(t, prefix, "neighbours"),
    )


def _venue(r: _Reader, prefix: str, t: Mapping[str, Any], zone_ids: list[str]) -> Venue:
    r.unknown_keys(t, prefix, {"id", "zone", "name", "tags", "lat", "lon"})
    zone = r.get(t, prefix, "zone", str, "")
    if zone and zone not in zone_ids:
        r.error(f"{prefix}.zone", f"a zone id ({', '.join(dict.fromkeys(zone_ids))})", zone)
    vid = r.get(t, prefix, "id", str, "")
    return Venue(
        id=vid,
        zone=zone,
        name=r.get(t, prefix, "name", str, vid),
        tags=r.strings(t, prefix, "tags"),
        lat=r.get(t, prefix, "lat", float, None),
        lon=r.get(t, prefix, "lon", float, None),
    )


def _closed(r: _Reader, prefix: str, t: Mapping[str, Any]) -> ClosedDays:
    r.unknown_keys(t, prefix, {"name", "start", "end", "kind"})
    start = r.get(
        t, prefix, "start", dt.date, dt.date(1970, 1, 1), expectation="a date (2024-07-13)"
    )
    end = r.get(t, prefix, "end", dt.date, start, expectation="a date (2024-08-25)")
    if isinstance(start, dt.datetime) or isinstance(end, dt.datetime):
        r.error(prefix, "dates without a time", f"{start} .. {end}")
    elif end < start:
        r.error(f"{prefix}.end", f"on or after start {start}", end)
    return ClosedDays(
        name=r.get(t, prefix, "name", str, ""),
        start=start,
        end=end,
        kind=r.get(t, prefix, "kind", str, "holiday"),
    )


def _source(r: _Reader, prefix: str, t: Mapping[str, Any], base: Path) -> DataSource:
    r.unknown_keys(
        t, prefix, {"id", "kind", "path", "format", "purposes", "description", "options"}
    )
    kind = r.get(
        t,
        prefix,
        "kind",
        str,
        "",
        check=lambda v: v in DATA_KINDS,
        expectation=f"one of {', '.join(DATA_KINDS)}",
    )
    fmt = r.get(t, prefix, "format", str, "")
    if kind in _FORMATS and fmt and fmt not in _FORMATS[kind]:
        r.error(f"{prefix}.format", f"a format for {kind} ({', '.join(_FORMATS[kind])})", fmt)
    purposes = r.strings(t, prefix, "purposes")
    if not purposes:
        r.error(
            f"{prefix}.purposes",
            "at least one declared purpose",
            hint=f"choose from {', '.join(PURPOSES)}; a source may only be used for these",
        )
    for purpose in purposes:
        if purpose not in PURPOSES:
            r.error(f"{prefix}.purposes", f"purposes from {', '.join(PURPOSES)}", purpose)
    options = t.get("options", {})
    if not isinstance(options, dict):
        r.error(f"{prefix}.options", "a table of reader options", options)
        options = {}
    path = Path(r.get(t, prefix, "path", str, ""))
    return DataSource(
        id=r.get(t, prefix, "id", str, ""),
        kind=kind,
        path=path if path.is_absolute() else base / path,
        format=fmt,
        purposes=purposes,
        description=r.get(t, prefix, "description", str, ""),
        options=options,
    )


def _risk(r: _Reader, t: Any) -> RiskSettings:
    if not isinstance(t, dict):
        r.error("risk", "a table ([risk])", t)
        return RiskSettings()
    r.unknown_keys(
        t, "risk", {"density_scheme", "alert_level", "alert_probability", "distance_rule_m"}
    )
    return RiskSettings(
        density_scheme=r.get(
            t,
            "risk",
            "density_scheme",
            str,
            "default",
            check=lambda v: v in DENSITY_SCHEMES,
            expectation=f"one of {', '.join(DENSITY_SCHEMES)}",
        ),
        alert_level=r.get(t, "risk", "alert_level", str, "orange"),
        alert_probability=r.get(
            t,
            "risk",
            "alert_probability",
            float,
            0.5,
            check=lambda v: 0 < v < 1,
            expectation="a probability between 0 and 1 (exclusive)",
        ),
        distance_rule_m=r.get(
            t,
            "risk",
            "distance_rule_m",
            float,
            1.5,
            check=_positive,
            expectation="a positive number of metres",
        ),
    )


def _weight(r: _Reader, prefix: str, t: Mapping[str, Any], targets: set[str]) -> IndicatorWeight:
    r.unknown_keys(t, prefix, {"indicator", "target", "value", "source", "interval", "note"})
    target = r.get(t, prefix, "target", str, "site")
    if target not in targets:
        r.error(
            f"{prefix}.target",
            "'site', 'zone:<id>' or 'venue:<id>' of this profile",
            target,
            hint="weights may only name zones and venues defined in this file",
        )
    interval = t.get("interval")
    if interval is not None:
        if (
            not isinstance(interval, list)
            or len(interval) != 2
            or not all(isinstance(v, int | float) for v in interval)
            or interval[0] > interval[1]
        ):
            r.error(f"{prefix}.interval", "[low, high] with low <= high", interval)
            interval = None
        else:
            interval = (float(interval[0]), float(interval[1]))
    return IndicatorWeight(
        indicator=r.get(t, prefix, "indicator", str, ""),
        target=target,
        value=r.get(
            t,
            prefix,
            "value",
            float,
            1.0,
            check=lambda v: math.isfinite(v) and v >= 0,
            expectation="a number >= 0",
        ),
        source=r.get(
            t,
            prefix,
            "source",
            str,
            "default",
            check=lambda v: v in WEIGHT_SOURCES,
            expectation=f"one of {', '.join(WEIGHT_SOURCES)}",
        ),
        interval=interval,
        note=r.get(t, prefix, "note", str, ""),
    )


# ----------------------------------------------------------------------------- indicator library

_INDICATOR_KEYS = {
    "id",
    "title",
    "hazard",
    "signal",
    "unit",
    "effect",
    "scope",
    "window",
    "evidence",
    "reference",
    "description",
}


#: crowdcast's own generic indicator library, shipped with the package.
DEFAULT_LIBRARY_PATH = Path(__file__).parent / "data" / "indicators.toml"


def load_indicator_library(path: str | Path | None = None) -> IndicatorLibrary:
    """Read and validate a generic indicator library TOML file (crowdcast's own by default).

    The library is publishable: it cannot hold site-specific data. Keys such
    as ``zone``, ``venue``, ``weight`` or coordinates anywhere in the file are
    an error; scopes are expressed by tags and radii only.

    Examples
    --------
    >>> import crowdcast as cc
    >>> lib = cc.load_indicator_library()
    >>> lib["alcohol_aggression"].hazard
    'aggression'
    """
    p, doc = _read_toml(DEFAULT_LIBRARY_PATH if path is None else path, "indicator library")
    r = _Reader(str(p))
    for key_path in _site_specific_keys(doc):
        r.error(
            key_path,
            "absent from a generic indicator library",
            "a site-specific key",
            hint="zones, venues, coordinates and weights belong in the site profile",
        )
    r.unknown_keys(doc, "", {"library", "indicators"})
    lib = doc.get("library", {})
    r.unknown_keys(lib, "library", {"id", "version", "title", "license", "description"})
    indicators = tuple(_indicator(r, prefix, t) for prefix, t in r.tables(doc, "indicators"))
    _check_unique_ids(r, "indicators", [i.id for i in indicators])
    r.raise_if_any("indicator library")
    return IndicatorLibrary(
        id=r.get(lib, "library", "id", str, ""),
        version=r.get(lib, "library", "version", str, ""),
        title=r.get(lib, "library", "title", str, ""),
        indicators=indicators,
        path=p,
    )


def _site_specific_keys(obj: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(obj, dict):
        for key, value in obj.items():
            path = f"{prefix}.{key}" if prefix else key
            if key in _SITE_SPECIFIC_KEYS:
                yield path
            else:
                yield from _site_specific_keys(value, path)
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _site_specific_keys(value, f"{prefix}[{i}]")


def _indicator(r: _Reader, prefix: str, t: Mapping[str, Any]) -> Indicator:
    r.unknown_keys(t, prefix, _INDICATOR_KEYS | _SITE_SPECIFIC_KEYS)
    effect = t.get("effect", {})
    scope = t.get("scope", {})
    window = t.get("window", {})
    for name, table in (("effect", effect), ("scope", scope), ("window", window)):
        if not isinstance(table, dict):
            r.error(f"{prefix}.{name}", "a table", table)
    effect = effect if isinstance(effect, dict) else {}
    scope = scope if isinstance(scope, dict) else {}
    window = window if isinstance(window, dict) else {}
    r.unknown_keys(effect, f"{prefix}.effect", {"form", "size", "per", "thresholds", "levels"})
    r.unknown_keys(
        scope, f"{prefix}.scope", {"venue_tags", "zone_tags", "radius_m"} | _SITE_SPECIFIC_KEYS
    )
    r.unknown_keys(window, f"{prefix}.window", {"start", "end"})

    form = r.get(
        effect,
        f"{prefix}.effect",
        "form",
        str,
        "",
        check=lambda v: v in EFFECT_FORMS,
        expectation=f"one of {', '.join(EFFECT_FORMS)}",
    )
    thresholds_raw = effect.get("thresholds", [])
    thresholds: tuple[float, ...] = ()
    if not isinstance(thresholds_raw, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in thresholds_raw
    ):
        r.error(f"{prefix}.effect.thresholds", "a list of numbers", thresholds_raw)
    else:
        thresholds = tuple(float(v) for v in thresholds_raw)
        if any(b <= a for a, b in itertools.pairwise(thresholds)):
            r.error(f"{prefix}.effect.thresholds", "strictly increasing", list(thresholds))
    levels = r.strings(effect, f"{prefix}.effect", "levels")
    if thresholds and len(levels) != len(thresholds) + 1:
        r.error(
            f"{prefix}.effect.levels",
            f"one more level than thresholds ({len(thresholds) + 1})",
            list(levels),
        )
    if form in ("bands", "percentile_bands") and not thresholds:
        r.error(f"{prefix}.effect.thresholds", f"given for form {form!r}")
    size = r.get(effect, f"{prefix}.effect", "size", float, None)
    if form in ("relative_lift", "max_density") and size is None:
        r.error(f"{prefix}.effect.size", f"given for form {form!r}")
    signal = r.get(t, prefix, "signal", str, None)
    if form == "relative_lift" and not signal:
        r.error(f"{prefix}.signal", "the input signal of a relative_lift indicator")
    return Indicator(
        id=r.get(t, prefix, "id", str, ""),
        title=r.get(t, prefix, "title", str, ""),
        hazard=r.get(t, prefix, "hazard", str, ""),
        effect_form=form,
        signal=signal,
        unit=r.get(t, prefix, "unit", str, None),
        effect_size=size,
        thresholds=thresholds,
        levels=levels,
        scope_venue_tags=r.strings(scope, f"{prefix}.scope", "venue_tags"),
        scope_zone_tags=r.strings(scope, f"{prefix}.scope", "zone_tags"),
        scope_radius_m=r.get(
            scope,
            f"{prefix}.scope",
            "radius_m",
            float,
            None,
            check=_positive,
            expectation="a positive number of metres",
        ),
        window_start=_parse_time(r, f"{prefix}.window.start", window.get("start")),
        window_end=_parse_time(r, f"{prefix}.window.end", window.get("end")),
        evidence=r.get(t, prefix, "evidence", str, ""),
        reference=r.get(t, prefix, "reference", str, ""),
        description=r.get(t, prefix, "description", str, ""),
    )
