"""Zone matching: the readers' one way from a zone name, id or position to zone ids.

A file names a zone by its id or its name (case-insensitive; several
separated by ``;`` in events files), or, in an iCalendar file, by a GEO
position, which goes to the nearest zone with a ``lat``/``lon`` within a
radius. The zones come from a site profile (anything with a ``zones``
attribute) or a list of zone objects or ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeAlias, cast

import numpy as np
import pandas as pd

from crowdcast._validation import Problems

__all__ = [
    "HasZones",
    "ZoneLike",
    "ZoneMatcher",
    "ZonesLike",
    "map_zone_names",
    "zone_lookup",
    "zone_measures",
]

_EARTH_RADIUS_M = 6_371_008.8


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
    """The zones of a site, found by id or name (case-insensitive) or by position."""

    keys: Mapping[str, str]  # case-folded id or name -> id
    points: tuple[tuple[str, float, float], ...]  # (id, lat, lon) of zones with a position

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
        return cls(zone_lookup(items) or {}, points)

    @property
    def ids(self) -> list[str]:
        """Every zone id, in the site's order."""
        return list(dict.fromkeys(self.keys.values()))

    def lookup(self, text: str) -> tuple[list[str], list[str]]:
        """The zone ids named in ``text`` (separated by ';') and the parts naming no zone."""
        parts = [p.strip() for p in text.split(";") if p.strip()]
        found = [self.keys[p.casefold()] for p in parts if p.casefold() in self.keys]
        unknown = [p for p in parts if p.casefold() not in self.keys]
        return list(dict.fromkeys(found)), unknown

    def nearest(self, lat: float, lon: float) -> tuple[str, float] | None:
        """The zone closest to a point, and its distance in metres."""
        if not self.points:
            return None
        ids, lats, lons = zip(*self.points, strict=True)
        distances = _haversine_m(lat, lon, np.asarray(lats), np.asarray(lons))
        i = int(np.argmin(distances))
        return ids[i], float(distances[i])

    def match_cells(self, cells: pd.Series, problems: Problems) -> pd.Series:
        """The zone ids of each cell (a list); cells naming an unknown zone become a problem."""
        ids: dict[object, list[str]] = {}
        unknown: dict[object, list[str]] = {}
        for line, cell in cells.dropna().items():
            ids[line], parts = self.lookup(str(cell))
            if parts:
                unknown[line] = parts
        if unknown:
            names = sorted({p for parts in unknown.values() for p in parts})
            problems.add(
                "`zone`",
                f"zone ids or names of the site profile ({', '.join(self.ids)})",
                "unknown " + ", ".join(repr(n) for n in names),
                column="zone",
                rows=tuple(unknown),
                hint="fix the name or add the zone to the site profile; separate several zones "
                "with ';'",
            )
        return pd.Series(ids, index=cells.index, dtype=object)

    def match_place(
        self,
        location: str,
        geo: tuple[float, float] | None,
        *,
        radius_m: float,
        label: str,
        problems: Problems,
    ) -> list[str] | None:
        """The zones named in ``location``; only when it names none, the zone nearest to ``geo``.

        ``geo`` counts when the nearest zone is at most ``radius_m`` metres
        away. When neither gives a zone, or ``location`` also names an unknown
        place, the problem (naming ``label``) is added and None returned.
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
        problems.add(
            f"the zone of {label}",
            f"named in LOCATION (zone ids or names: {', '.join(self.ids)}) or given by a GEO "
            f"within {radius_m:g} m of a zone",
            f"LOCATION {location!r}, {geo_text}",
            hint="add the zone id or name to LOCATION (several separated by ';'), "
            "or widen radius_m",
        )
        return None
