"""Zone matching: the readers' one way from a zone name, id or position to zone ids.

A file names a zone by its id, its name or one of its aliases
(case-insensitive; several separated by ``;`` in events files), ``*`` or
``all`` for every zone of the site (a city-wide event: New Year's Eve,
King's Day), or, in an
iCalendar file, by a GEO position, which goes to the nearest zone with a
``lat``/``lon`` within a radius. The zones come from a site profile
(anything with a ``zones`` attribute) or a list of zone objects or ids.

Calendars write LOCATION as free text ("Korenmarkt, Arnhem", a venue and
its street address). A part (between ``;``) that is not a zone's id, name
or alias is searched for the zones' names and aliases as whole words,
longest first: "Dam Square, Museumplein" names two zones, "Korenmarkt,
Arnhem" the zone with the alias "Korenmarkt". Ids are matched only as a
whole part, since a short id ("dam", "a") would be found in ordinary words.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeAlias, cast

import numpy as np
import pandas as pd

from crowdcast._validation import Problems
from crowdcast.exceptions import DataQualityWarning, ParameterError, format_message

__all__ = [
    "HasZones",
    "Unmatched",
    "ZoneLike",
    "ZoneMatcher",
    "ZonesLike",
    "map_zone_names",
    "zone_lookup",
    "zone_measures",
]

_EARTH_RADIUS_M = 6_371_008.8
#: Zone cells that name every zone of the site (a city-wide event).
_EVERY_ZONE = ("*", "all")


class ZoneLike(Protocol):
    """What the readers need of a zone; :class:`crowdcast.profiles.Zone` has it."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def lat(self) -> float | None: ...
    @property
    def lon(self) -> float | None: ...


class HasZones(Protocol):
    """A site profile: anything with a ``zones`` attribute."""

    @property
    def zones(self) -> Sequence[ZoneLike]: ...


ZonesLike: TypeAlias = Iterable[ZoneLike] | HasZones


def zone_lookup(zones: object) -> dict[str, str] | None:
    """Map zone ids and names (case-insensitive) to ids, from a SiteProfile or ids.

    >>> from crowdcast.profiles import Zone
    >>> zone_lookup([Zone("dam", "Dam Square"), "park"])
    {'dam square': 'dam', 'dam': 'dam', 'park': 'park'}
    """
    if zones is None:
        return None
    items = getattr(zones, "zones", zones)
    lookup: dict[str, str] = {}
    for z in items:  # type: ignore[attr-defined]
        if isinstance(z, str):
            lookup[z.casefold()] = z
        else:
            for alias in getattr(z, "aliases", ()):
                lookup[str(alias).strip().casefold()] = z.id
            lookup[str(z.name).casefold()] = z.id
            lookup[str(z.id).casefold()] = z.id
    return lookup


def zone_measures(zones: object, ids: list[str], *, passages: bool = False) -> dict[str, str]:
    """Each zone id's measure (``"passages"`` or ``"occupancy"``), where the zones say it.

    ``passages=True`` (a line counter's in/out file) makes every zone of the file passages.

    >>> from crowdcast.profiles import Zone
    >>> zone_measures([Zone("gate", "Gate", measure="passages")], ["gate", "x"])
    {'gate': 'passages'}
    """
    if passages:
        return dict.fromkeys(ids, "passages")
    items = getattr(zones, "zones", zones) or ()
    known = {z.id: z.measure for z in items if hasattr(z, "measure")}  # type: ignore[attr-defined]
    return {i: known[i] for i in ids if i in known}


def map_zone_names(values: pd.Series, lookup: Mapping[str, str] | None) -> pd.Series:
    """Replace zone names or ids (any case) by ids; unknown values are left for validation."""
    if lookup is None:
        return values
    mapped = values.astype("string").str.strip().str.casefold().map(lookup)
    return mapped.where(mapped.notna(), values).astype(object)


def _haversine_m(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    phi, phis = np.radians(lat), np.radians(lats)
    a = (
        np.sin((phis - phi) / 2) ** 2
        + np.cos(phi) * np.cos(phis) * np.sin(np.radians(lons - lon) / 2) ** 2
    )
    return np.asarray(2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(a)))


@dataclass(frozen=True)
class ZoneMatcher:
    """The zones of a site, found by id, name or alias (case-insensitive) or by position."""

    keys: Mapping[str, str]  # case-folded id, name or alias -> id
    points: tuple[tuple[str, float, float], ...]  # (id, lat, lon) of zones with a position
    words: Mapping[str, str] = field(default_factory=dict)  # case-folded name or alias -> id
    timezone: str | None = None  # the site's, when the zones come from a site profile
    pattern: re.Pattern[str] | None = None  # finds any name or alias as whole words

    @classmethod
    def of(cls, zones: ZonesLike) -> ZoneMatcher:
        """The matcher of a site profile or of a list of zones."""
        items = list(cast(Iterable[ZoneLike], getattr(zones, "zones", zones)))
        points = tuple(
            (z.id, float(lat), float(lon))
            for z in items
            if (lat := getattr(z, "lat", None)) is not None
            and (lon := getattr(z, "lon", None)) is not None
        )
        words = {
            str(text).strip().casefold(): z.id
            for z in items
            if not isinstance(z, str)
            for text in (z.name, *getattr(z, "aliases", ()))
            if str(text).strip()
        }
        site_tz = getattr(zones, "timezone", None)
        longest_first = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        return cls(
            zone_lookup(items) or {},
            points,
            words,
            site_tz if isinstance(site_tz, str) else None,
            re.compile(rf"(?<!\w)(?:{longest_first})(?!\w)", re.IGNORECASE) if words else None,
        )

    @property
    def ids(self) -> list[str]:
        """Every zone id, in the site's order."""
        return list(dict.fromkeys(self.keys.values()))

    def lookup(self, text: str) -> tuple[list[str], list[str]]:
        """The zone ids named in ``text`` (separated by ';') and the parts naming no zone.

        A part is a zone's id, name or alias, or free text in which names and
        aliases are found as whole words (see the module). ``*`` or ``all``
        (unless a zone has that id, name or alias) names every zone.
        """
        parts = [p.strip() for p in text.split(";") if p.strip()]
        found: list[str] = []
        unknown: list[str] = []
        for part in parts:
            exact = self.keys.get(part.casefold())
            if exact is None and part.casefold() in _EVERY_ZONE:
                named = self.ids
            else:
                named = [exact] if exact is not None else self.search(part)
            found.extend(named)
            if not named:
                unknown.append(part)
        return list(dict.fromkeys(found)), unknown

    def search(self, text: str) -> list[str]:
        """The zones whose names or aliases occur in ``text`` as whole words, longest first."""
        if self.pattern is None:
            return []
        found = (self.words.get(m.casefold()) for m in self.pattern.findall(text))
        return list(dict.fromkeys(z for z in found if z is not None))

    def nearest(self, lat: float, lon: float) -> tuple[str, float] | None:
        """The zone closest to a point, and its distance in metres."""
        if not self.points:
            return None
        ids, lats, lons = zip(*self.points, strict=True)
        distances = _haversine_m(lat, lon, np.asarray(lats), np.asarray(lons))
        i = int(np.argmin(distances))
        return ids[i], float(distances[i])

    def match_cells(self, cells: pd.Series, unmatched: Unmatched) -> pd.Series:
        """The zone ids of each cell (a list); parts naming no zone go to ``unmatched``."""
        ids: dict[object, list[str]] = {}
        unknown: dict[object, list[str]] = {}
        for line, cell in cells.dropna().items():
            ids[line], parts = self.lookup(str(cell))
            if parts:
                unknown[line] = parts
        if unknown and unmatched.mode == "error":
            names = sorted({p for parts in unknown.values() for p in parts})
            unmatched.problems.add(
                "`zone`",
                f"zone ids, names or aliases of the site profile ({', '.join(self.ids)})",
                "unknown " + ", ".join(repr(n) for n in names),
                column="zone",
                rows=tuple(unknown),
                hint="fix the name or add it to the zone's aliases in the site profile; "
                "separate several zones with ';', or write '*' for every zone",
            )
        for line, parts in unknown.items():
            unmatched.skip(f"line {line}", ", ".join(map(repr, parts)), kept=ids[line])
        return pd.Series(ids, index=cells.index, dtype=object)

    def match_place(
        self,
        location: str,
        geo: tuple[float, float] | None,
        *,
        radius_m: float,
        label: str,
        unmatched: Unmatched,
    ) -> list[str]:
        """The zones named in ``location``; only when it names none, the zone nearest to ``geo``.

        ``geo`` counts when the nearest zone is at most ``radius_m`` metres
        away. What names no zone (the whole place, or a part of a
        ``;``-separated LOCATION) goes to ``unmatched``, naming ``label``; the
        zones found are returned (none when nothing matched).
        """
        ids, unknown = self.lookup(location)
        if ids and not unknown:
            return ids
        geo_text = "no GEO"
        if geo is not None:
            geo_text = f"GEO {geo[0]};{geo[1]}"
            nearest = self.nearest(*geo)
            if nearest is not None and not ids:
                if nearest[1] <= radius_m:
                    return [nearest[0]]
                geo_text += f" (nearest zone {nearest[0]!r} is {nearest[1]:,.0f} m away)"
        if unmatched.mode == "error":
            unmatched.problems.add(
                f"the zone of {label}",
                f"named in LOCATION (zone ids, names or aliases: {', '.join(self.ids)}) or "
                f"given by a GEO within {radius_m:g} m of a zone",
                f"LOCATION {location!r}, {geo_text}",
                hint="add the place to the zone's aliases in the site profile, or the zone id "
                "or name to LOCATION (several separated by ';'), or widen radius_m",
            )
        unmatched.skip(label, f"LOCATION {location!r}, {geo_text}", kept=ids)
        return ids


@dataclass
class Unmatched:
    """What a reader could not place in a zone: kept as problems (``"error"``) or warned about.

    With ``mode="warn"`` the reader keeps every event it could place (in the
    zones it could) and :meth:`warn` lists the others in one
    :class:`~crowdcast.exceptions.DataQualityWarning`.
    """

    mode: str
    problems: Problems
    skipped: list[str] = field(default_factory=list)

    @staticmethod
    def check(mode: object) -> str:
        """The ``on_unmatched`` argument, or a :class:`ParameterError`."""
        if mode not in ("warn", "error"):
            raise ParameterError(
                format_message(
                    "`on_unmatched`",
                    "'warn' or 'error'",
                    repr(mode),
                    hint="'warn' keeps the events placed in a zone and lists the others; "
                    "'error' refuses the file",
                )
            )
        return str(mode)

    def skip(self, what: str, place: str, *, kept: list[str]) -> None:
        if self.mode == "warn":
            fate = f"kept in {', '.join(kept)} only" if kept else "skipped"
            self.skipped.append(f"{what}: {place} ({fate})")

    def warn(self, source: str) -> None:
        """One warning listing what names no zone (up to ten), with the fix."""
        if not self.skipped:
            return
        shown = "; ".join(self.skipped[:10])
        more = f"; and {len(self.skipped) - 10} more" if len(self.skipped) > 10 else ""
        warnings.warn(
            f"{source}: {len(self.skipped)} event(s) name a place that is no zone of the site "
            f"profile: {shown}{more}. Add such places to the zones' aliases in the site "
            "profile, or pass on_unmatched='error' to refuse the file",
            DataQualityWarning,
            stacklevel=3,
        )
