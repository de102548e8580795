"""Site profiles (local, confidential) and indicator libraries (generic, publishable)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Measure = Literal["occupancy", "passages"]


@dataclass(frozen=True)
class Zone:
    """One counted area of a site."""

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
    """A point of interest inside a zone (a bar, a stadium gate)."""

    id: str
    zone: str
    name: str = ""
    tags: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    extra: dict[str, object] = field(default_factory=dict)
