"""Reading a generic indicator library TOML file into a validated :class:`IndicatorLibrary`.

A library is publishable, so the loader refuses anything site-specific in it
(zones, venues, coordinates, weights): those belong in a site profile.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from crowdcast.profiles._model import EFFECT_FORMS, INCLUSIVE_SIDES, Indicator, IndicatorLibrary
from crowdcast.profiles._toml import Reader, parse_time, positive, read_toml

__all__ = ["DEFAULT_LIBRARY_PATH", "load_indicator_library"]

#: crowdcast's own generic indicator library, shipped with the package.
DEFAULT_LIBRARY_PATH = Path(__file__).parent.parent / "data" / "indicators.toml"

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


def load_indicator_library(path: str | Path | None = None) -> IndicatorLibrary:
    """Read and validate a generic indicator library TOML file (crowdcast's own by default).

    The library is publishable: it cannot hold site-specific data. Keys such
    as ``zone``, ``venue``, ``weight`` or coordinates anywhere in the file are
    an error; scopes are expressed by tags and radii only.

    Parameters
    ----------
    path
        The library file; None reads crowdcast's own (:data:`DEFAULT_LIBRARY_PATH`).

    Returns
    -------
    IndicatorLibrary
        The frozen, validated library.

    Raises
    ------
    ConfigError
        Naming every problem in the file (or a missing file, invalid TOML).

    Examples
    --------
    >>> import crowdcast as cc
    >>> lib = cc.load_indicator_library()
    >>> lib["alcohol_aggression"].hazard
    'aggression'
    """
    p, doc = read_toml(DEFAULT_LIBRARY_PATH if path is None else path, "indicator library")
    r = Reader(
        str(p),
        "indicator library",
        hint="see crowdcast/data/indicators.toml for a library with every key",
    )
    for key_path in _site_specific_keys(doc):
        r.error(
            key_path,
            "absent from a generic indicator library",
            "a site-specific key",
            hint="zones, venues, coordinates and weights belong in the site profile",
        )
    r.unknown_keys(doc, "", {"library", "indicators"})
    lib_id, version, title = _header(r, doc.get("library", {}))
    indicators = tuple(_indicator(r, prefix, t) for prefix, t in r.tables(doc, "indicators"))
    r.unique_ids("indicators", [i.id for i in indicators])
    r.raise_if_any()
    return IndicatorLibrary(id=lib_id, version=version, title=title, indicators=indicators, path=p)


def _header(r: Reader, lib: Any) -> tuple[str, str, str]:
    """The ``[library]`` table: id, version and title (license and description are free text)."""
    if not isinstance(lib, dict):
        r.error("library", "a table ([library])", lib)
        lib = {}
    r.unknown_keys(lib, "library", {"id", "version", "title", "license", "description"})
    lib_id, version, title = (
        r.get(lib, "library", key, str, "") for key in ("id", "version", "title")
    )
    return lib_id, version, title


def _site_specific_keys(obj: Any, prefix: str = "") -> Iterator[str]:
    """The key paths anywhere in ``obj`` that would make a library site-specific."""
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


def _indicator(r: Reader, prefix: str, t: Mapping[str, Any]) -> Indicator:
    """One ``[[indicators]]`` table (site-specific keys were reported already)."""
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
    r.unknown_keys(
        effect, f"{prefix}.effect", {"form", "size", "per", "thresholds", "levels", "inclusive"}
    )
    r.unknown_keys(
        scope, f"{prefix}.scope", {"venue_tags", "zone_tags", "radius_m"} | _SITE_SPECIFIC_KEYS
    )
    r.unknown_keys(window, f"{prefix}.window", {"start", "end"})

    form, thresholds, levels, size = _effect(r, f"{prefix}.effect", effect)
    inclusive = _inclusive(r, f"{prefix}.effect", effect, form)
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
        inclusive=inclusive,
        scope_venue_tags=r.strings(scope, f"{prefix}.scope", "venue_tags"),
        scope_zone_tags=r.strings(scope, f"{prefix}.scope", "zone_tags"),
        scope_radius_m=r.get(
            scope,
            f"{prefix}.scope",
            "radius_m",
            float,
            None,
            check=positive,
            expectation="a positive number of metres",
        ),
        window_start=parse_time(r, f"{prefix}.window.start", window.get("start")),
        window_end=parse_time(r, f"{prefix}.window.end", window.get("end")),
        evidence=r.get(t, prefix, "evidence", str, ""),
        reference=r.get(t, prefix, "reference", str, ""),
        description=r.get(t, prefix, "description", str, ""),
    )


def _effect(
    r: Reader, prefix: str, effect: Mapping[str, Any]
) -> tuple[str, tuple[float, ...], tuple[str, ...], float | None]:
    """An indicator's ``effect`` table: form, increasing thresholds, their levels, size."""
    form = r.get(
        effect,
        prefix,
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
        r.error(f"{prefix}.thresholds", "a list of numbers", thresholds_raw)
    else:
        thresholds = tuple(float(v) for v in thresholds_raw)
        if any(b <= a for a, b in itertools.pairwise(thresholds)):
            r.error(
                f"{prefix}.thresholds",
                "strictly increasing",
                list(thresholds),
                hint="list the thresholds from the lowest level up, each above the one before",
            )
    levels = r.strings(effect, prefix, "levels")
    if thresholds and len(levels) != len(thresholds) + 1:
        r.error(
            f"{prefix}.levels",
            f"one more level than thresholds ({len(thresholds) + 1})",
            list(levels),
            hint="name the level below the first threshold, between each pair, and above the last",
        )
    if form in ("bands", "percentile_bands") and not thresholds:
        r.error(f"{prefix}.thresholds", f"given for form {form!r}")
    size = r.get(effect, prefix, "size", float, None)
    if form in ("relative_lift", "max_density") and size is None:
        r.error(f"{prefix}.size", f"given for form {form!r}")
    return form, thresholds, levels, size


#: The forms whose thresholds split values into levels, so a value can sit on one.
_LEVEL_FORMS = ("bands", "percentile_bands", "max_density")


def _inclusive(r: Reader, prefix: str, effect: Mapping[str, Any], form: str) -> str:
    """Which bound a level includes: required where thresholds split levels (no silent side)."""
    if form not in _LEVEL_FORMS:
        return r.get(effect, prefix, "inclusive", str, "lower", check=INCLUSIVE_SIDES.__contains__)
    if "inclusive" not in effect:
        r.error(
            f"{prefix}.inclusive",
            f"given for form {form!r}: 'upper' or 'lower'",
            hint="as the indicator's source states it: 'upper' when a value exactly on a "
            "threshold belongs to the level below it (Fruin: 'A <= 23 p/m/min'), 'lower' "
            "when it belongs to the level above ('4 p/m² and above')",
        )
        return "lower"
    return r.get(
        effect,
        prefix,
        "inclusive",
        str,
        "lower",
        check=INCLUSIVE_SIDES.__contains__,
        expectation="'upper' or 'lower'",
    )
