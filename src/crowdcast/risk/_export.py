"""Export for publication: the generic library and a site's levels; weights separately.

``export_library`` and ``export_levels`` never contain a weight;
``export_weights`` is the one explicit call that writes them. The format
follows the suffix: ``.toml`` or ``.json``. Nothing is overwritten unless
``overwrite=True``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import tomli_w

from crowdcast._validation import atomic_write
from crowdcast._version import __version__
from crowdcast.exceptions import ParameterError, Problem
from crowdcast.profiles import Indicator, IndicatorLibrary, SiteProfile, load_indicator_library
from crowdcast.risk._schemes import (
    _DENSITY_INDICATORS,
    _DISTANCING_INDICATOR,
    _FLOW_INDICATOR,
    max_density,
)

__all__ = ["export_levels", "export_library", "export_weights"]


def _dump(
    doc: dict[str, Any], path: str | Path, overwrite: bool, *, confidential: bool = False
) -> Path:
    """Write ``doc`` as TOML or JSON by the suffix; a confidential file is for its owner only."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".toml":
        text = tomli_w.dumps(doc)
    elif suffix == ".json":
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    else:
        raise ParameterError(
            [Problem("`path`", "a .toml or .json file", repr(str(p)))], title="Cannot export"
        )
    atomic_write(p, text, overwrite=overwrite, mode=0o600 if confidential else None)
    return p


def _indicator_table(ind: Indicator) -> dict[str, Any]:
    t: dict[str, Any] = {"id": ind.id, "title": ind.title, "hazard": ind.hazard}
    for key in ("signal", "unit"):
        if getattr(ind, key):
            t[key] = getattr(ind, key)
    for key in ("evidence", "reference", "description"):
        if getattr(ind, key):
            t[key] = getattr(ind, key)
    effect: dict[str, Any] = {"form": ind.effect_form}
    if ind.effect_size is not None:
        effect["size"] = ind.effect_size
    if ind.thresholds:
        effect["thresholds"] = list(ind.thresholds)
    if ind.levels:
        effect["levels"] = list(ind.levels)
    if ind.effect_form != "relative_lift":
        effect["inclusive"] = ind.inclusive
    t["effect"] = effect
    scope: dict[str, Any] = {}
    if ind.scope_venue_tags:
        scope["venue_tags"] = list(ind.scope_venue_tags)
    if ind.scope_zone_tags:
        scope["zone_tags"] = list(ind.scope_zone_tags)
    if ind.scope_radius_m is not None:
        scope["radius_m"] = ind.scope_radius_m
    if scope:
        t["scope"] = scope
    if ind.window_start is not None and ind.window_end is not None:
        t["window"] = {
            "start": ind.window_start.strftime("%H:%M"),
            "end": ind.window_end.strftime("%H:%M"),
        }
    return t


def export_library(library: IndicatorLibrary, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a generic library for publication: TOML (``load_indicator_library`` reads it) or JSON.

    Examples
    --------
    >>> import tempfile, pathlib, crowdcast as cc
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "library.toml"
    >>> lib = cc.load_indicator_library()
    >>> cc.load_indicator_library(export_library(lib, out)).ids == lib.ids
    True
    """
    doc = {
        "library": {"id": library.id, "version": library.version, "title": library.title},
        "indicators": [_indicator_table(i) for i in library.indicators],
    }
    return _dump(doc, path, overwrite)


def export_levels(
    site: SiteProfile,
    library: IndicatorLibrary | None,
    path: str | Path,
    *,
    overwrite: bool = False,
) -> Path:
    """Write a site's level definitions for publication: per zone the scheme and thresholds.

    Holds the zones' ids, names, measure, area/width, the level schemes that
    apply (crowding by density or flow, distancing, relative busyness) with
    the side each threshold belongs to (``inclusive``), the
    alert level and probability, and the library's id and version. No
    weights, coordinates, venues or data sources.
    """
    library = library if library is not None else load_indicator_library()
    density = library[_DENSITY_INDICATORS[site.risk.density_scheme]]
    flow = library[_FLOW_INDICATOR]
    busy = library["relative_busyness"]
    limit = max_density(site.risk.distance_rule_m)
    zones = []
    for z in site.zones:
        schemes: dict[str, Any] = {}
        if z.measure == "occupancy" and z.area_m2 is not None:
            schemes["crowding"] = _scheme(density)
            schemes["distancing"] = {
                "indicator": "distancing",
                "unit": "persons/m2",
                "distance_m": site.risk.distance_rule_m,
                "thresholds": [round(limit, 4)],
                "levels": ["ok", "exceeded"],
                "inclusive": library[_DISTANCING_INDICATOR].inclusive,
            }
        elif z.measure == "passages" and z.width_m is not None:
            schemes["crowding"] = _scheme(flow)
        schemes["busyness"] = {
            **_scheme(busy),
            "note": "percentiles of the zone's own counts per weekday x time of day",
        }
        entry: dict[str, Any] = {"id": z.id, "name": z.name, "measure": z.measure}
        if z.area_m2 is not None:
            entry["area_m2"] = z.area_m2
        if z.width_m is not None:
            entry["width_m"] = z.width_m
        entry["levels"] = schemes
        zones.append(entry)
    doc = {
        "levels": {
            "site": site.id,
            "library": f"{library.id} {library.version}",
            "crowdcast": __version__,
            "density_scheme": site.risk.density_scheme,
            "alert_level": site.risk.alert_level,
            "alert_probability": site.risk.alert_probability,
        },
        "zones": zones,
    }
    return _dump(doc, path, overwrite)


def _scheme(ind: Indicator) -> dict[str, Any]:
    out: dict[str, Any] = {"indicator": ind.id}
    if ind.unit:
        out["unit"] = ind.unit
    out["thresholds"] = list(ind.thresholds)
    out["levels"] = list(ind.levels)
    out["inclusive"] = ind.inclusive  # which level a value exactly on a threshold is in
    return out


def export_weights(site: SiteProfile, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write the site's weights with their provenance (confidential: an explicit, separate call)."""
    site.require_full("export_weights")
    doc = {
        "site": {"id": site.id, "name": site.name},
        "weights": [w.to_dict() for w in site.weights],
    }
    return _dump(doc, path, overwrite, confidential=True)
