"""Reading a site profile TOML file into a validated :class:`SiteProfile`.

One parser per table (``[site]``, ``[[zones]]``, ``[[venues]]``,
``[[closed_days]]``, ``[[sources]]``, ``[risk]``, ``[privacy]``,
``[planning]``, ``[[weights]]``), all reading through one :class:`~._toml.Reader`, so every
problem in the file is reported at once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crowdcast._validation import timezone_problem
from crowdcast.profiles._model import (
    DATA_KINDS,
    FORMATS,
    PURPOSES,
    RISK_RULES,
    WEIGHT_SOURCES,
    ClosedDays,
    DataSource,
    IndicatorWeight,
    PlanningSettings,
    PrivacySettings,
    RiskSettings,
    SiteProfile,
    Venue,
    Zone,
)
from crowdcast.profiles._toml import Reader, positive, read_toml

__all__ = ["load_site_profile", "site_from_document"]

_SITE_KEYS = {
    "site",
    "zones",
    "venues",
    "closed_days",
    "sources",
    "risk",
    "privacy",
    "planning",
    "weights",
}


def load_site_profile(path: str | Path) -> SiteProfile:
    """Read and validate a site profile TOML file.

    Paths of data sources are resolved relative to the profile's folder.
    Every problem in the file is reported at once.

    Parameters
    ----------
    path
        The site profile file.

    Returns
    -------
    SiteProfile
        The frozen, validated profile.

    Raises
    ------
    ConfigError
        Naming every problem in the file (or a missing file, invalid TOML).

    Examples
    --------
    >>> import crowdcast as cc
    >>> cc.load_site_profile(cc.sample_path() / "site.toml").timezone
    'Europe/Amsterdam'
    """
    p, doc = read_toml(path, "site profile")
    return site_from_document(doc, p)


def site_from_document(
    doc: Mapping[str, Any], path: Path, *, source: str | None = None
) -> SiteProfile:
    """A validated profile from a parsed TOML document, as if read from ``path``.

    Source paths resolve against ``path``'s folder; ``source`` names the file in
    errors (``path`` by default). :func:`~crowdcast.profiles.save_site_profile`
    validates what it is about to write with it, before writing.
    """
    p = path
    r = Reader(source or str(p), "site profile")
    r.unknown_keys(doc, "", _SITE_KEYS)
    header = _site(r, doc.get("site", {}))
    zones = _zones(r, doc)
    zone_ids = [z.id for z in zones]
    venues = tuple(_venue(r, prefix, t, zone_ids) for prefix, t in r.tables(doc, "venues"))
    r.unique_ids("venues", [v.id for v in venues])
    closed = tuple(_closed(r, prefix, t) for prefix, t in r.tables(doc, "closed_days"))
    sources = tuple(_source(r, prefix, t, p.parent) for prefix, t in r.tables(doc, "sources"))
    r.unique_ids("sources", [s.id for s in sources])
    risk = _risk(r, doc.get("risk", {}))
    privacy = _privacy(r, doc.get("privacy", {}))
    planning = _planning(r, doc.get("planning", {}))
    targets = {"site"} | {f"zone:{z}" for z in zone_ids} | {f"venue:{v.id}" for v in venues}
    weights = _weights(r, doc, targets)
    r.raise_if_any()
    return SiteProfile(
        **header,
        zones=zones,
        venues=venues,
        closed_days=closed,
        sources=sources,
        risk=risk,
        privacy=privacy,
        planning=planning,
        weights=weights,
        path=p,
    )


def _site(r: Reader, site: Any) -> dict[str, Any]:
    """The ``[site]`` table: id, name, time zone and holiday calendar."""
    if not isinstance(site, dict):
        r.error("site", "a table ([site])", site)
        site = {}
    r.unknown_keys(site, "site", {"id", "name", "timezone", "country", "subdivision"})
    site_id = r.get(site, "site", "id", str, "")
    name = r.get(site, "site", "name", str, site_id)
    timezone = r.get(site, "site", "timezone", str, "UTC")
    r.add(timezone_problem(timezone, what="`site.timezone`", source=r.source))
    country = r.get(site, "site", "country", str, "")
    subdivision = r.get(site, "site", "subdivision", str, "") or None
    if country:
        _check_holiday_country(r, country, subdivision)
    return {
        "id": site_id,
        "name": name,
        "timezone": timezone,
        "country": country,
        "subdivision": subdivision,
    }


def _check_holiday_country(r: Reader, country: str, subdivision: str | None) -> None:
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
    "aliases",
}


def _zones(r: Reader, doc: Mapping[str, Any]) -> tuple[Zone, ...]:
    """The ``[[zones]]`` tables: at least one, unique ids, neighbours among them."""
    zones = tuple(_zone(r, prefix, t) for prefix, t in r.tables(doc, "zones"))
    zone_ids = [z.id for z in zones]
    if not zones:
        r.error("zones", "at least one [[zones]] table")
    r.unique_ids("zones", zone_ids)
    _unique_names(r, zones)
    for i, z in enumerate(zones):
        for n in z.neighbours:
            if n not in zone_ids:
                r.error(
                    f"zones[{i}].neighbours", f"zone ids ({', '.join(dict.fromkeys(zone_ids))})", n
                )
    return zones


def _unique_names(r: Reader, zones: tuple[Zone, ...]) -> None:
    """Every id, name and alias names one zone (case-insensitive), so a file's name is never
    resolved to whichever zone came last."""
    owner: dict[str, int] = {}
    for i, z in enumerate(zones):
        keys = [("id", z.id), ("name", z.name), *(("aliases", a) for a in z.aliases)]
        for key, text in keys:
            folded = text.strip().casefold()
            other = owner.setdefault(folded, i)
            if other != i and key != "id":  # a repeated id is reported as such
                r.error(
                    f"zones[{i}].{key}",
                    "unique among the ids, names and aliases of all zones (case-insensitive)",
                    f"{text!r}, also a name of zone {zones[other].id!r}",
                    hint="give each zone its own name; a place two zones share is not a "
                    "zone alias (events there can name both zones, separated by ';')",
                )


def _zone(r: Reader, prefix: str, t: Mapping[str, Any]) -> Zone:
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
    area = r.get(t, prefix, "area_m2", float, None, check=positive, expectation="a positive number")
    width = r.get(
        t, prefix, "width_m", float, None, check=positive, expectation="a positive number"
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
        aliases=_aliases(r, prefix, t),
    )


def _aliases(r: Reader, prefix: str, t: Mapping[str, Any]) -> tuple[str, ...]:
    aliases = r.strings(t, prefix, "aliases")
    if any(not a.strip() for a in aliases):
        r.error(
            f"{prefix}.aliases",
            "names that are not empty",
            list(aliases),
            hint="list the other names files use for the zone, e.g. aliases = ['Korenmarkt']",
        )
    return tuple(a.strip() for a in aliases if a.strip())


def _venue(r: Reader, prefix: str, t: Mapping[str, Any], zone_ids: list[str]) -> Venue:
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


def _closed(r: Reader, prefix: str, t: Mapping[str, Any]) -> ClosedDays:
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


def _source(r: Reader, prefix: str, t: Mapping[str, Any], base: Path) -> DataSource:
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
    if kind in FORMATS and fmt and fmt not in FORMATS[kind]:
        r.error(f"{prefix}.format", f"a format for {kind} ({', '.join(FORMATS[kind])})", fmt)
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


def _risk(r: Reader, t: Any) -> RiskSettings:
    """The ``[risk]`` table, checked by the rules :meth:`RiskSettings.replace` applies."""
    if not isinstance(t, dict):
        r.error("risk", "a table ([risk])", t)
        return RiskSettings()
    r.unknown_keys(t, "risk", set(RISK_RULES))
    default = RiskSettings()

    def setting(key: str, kind: type) -> Any:
        rule = RISK_RULES[key]
        fallback = getattr(default, key)
        return r.get(t, "risk", key, kind, fallback, check=rule, expectation=rule.expectation)

    return RiskSettings(
        density_scheme=setting("density_scheme", str),
        # A string in the file (a mapping per indicator is for code): only the type is checked.
        alert_level=r.get(t, "risk", "alert_level", str, default.alert_level),
        alert_probability=setting("alert_probability", float),
        distance_rule_m=setting("distance_rule_m", float),
    )


def _privacy(r: Reader, t: Any) -> PrivacySettings:
    """The ``[privacy]`` table."""
    if not isinstance(t, dict):
        r.error("privacy", "a table ([privacy])", t)
        return PrivacySettings()
    r.unknown_keys(t, "privacy", {"min_count_per_hour"})
    return PrivacySettings(
        min_count_per_hour=r.get(
            t,
            "privacy",
            "min_count_per_hour",
            float,
            15.0,
            check=lambda v: math.isfinite(v) and v >= 0,
            expectation="a number >= 0",
        )
    )


def _planning(r: Reader, t: Any) -> PlanningSettings:
    """The ``[planning]`` table: ``max_data_age_h``, hours from the last count to a window."""
    if not isinstance(t, dict):
        r.error("planning", "a table ([planning])", t)
        return PlanningSettings()
    r.unknown_keys(t, "planning", {"max_data_age_h"})
    return PlanningSettings(
        max_data_age_h=r.get(
            t,
            "planning",
            "max_data_age_h",
            float,
            PlanningSettings().max_data_age_h,
            check=lambda v: math.isfinite(v) and v > 0,
            expectation="a positive number of hours",
        )
    )


def _weights(r: Reader, doc: Mapping[str, Any], targets: set[str]) -> tuple[IndicatorWeight, ...]:
    """The ``[[weights]]`` tables: one weight per indicator and target."""
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
    return weights


def _weight(r: Reader, prefix: str, t: Mapping[str, Any], targets: set[str]) -> IndicatorWeight:
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
