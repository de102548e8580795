"""Load everything a site profile declares, for one purpose, into one validated :class:`City`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from crowdcast._city import City, empty_table
from crowdcast.exceptions import ConfigError, Problem
from crowdcast.io._counts import read_counts
from crowdcast.io._events_csv import read_events_csv
from crowdcast.io._ical import read_ical
from crowdcast.io._knmi import read_knmi
from crowdcast.io._open_meteo import read_open_meteo
from crowdcast.io._tables import read_incidents, read_signals
from crowdcast.io._weather_csv import read_weather_csv
from crowdcast.privacy import check_sources_for, validate_purpose
from crowdcast.profiles import (
    DataSource,
    IndicatorLibrary,
    SiteProfile,
    load_indicator_library,
    load_site_profile,
)
from crowdcast.schemas import (
    CONTRACTS,
    infer_freq,
    validate_counts,
    validate_events,
    validate_incidents,
    validate_signals,
    validate_weather,
)

__all__ = ["load_city"]

Reader = Callable[[DataSource, SiteProfile], pd.DataFrame]


#: Reader options that name a file: relative to the site profile's folder, as ``path`` is.
_PATH_OPTIONS = ("details",)


def _opts(src: DataSource, site: SiteProfile) -> dict[str, Any]:
    options = dict(src.options)
    base = site.path.parent if site.path is not None else Path()
    for key in _PATH_OPTIONS:
        if isinstance(options.get(key), str) and not Path(options[key]).is_absolute():
            options[key] = base / options[key]
    return options


def _latitude(site: SiteProfile) -> float | None:
    """The mean latitude of the site's zones (for the weather plausibility check), if known."""
    lats = [z.lat for z in site.zones if z.lat is not None]
    return sum(lats) / len(lats) if lats else None


_READERS: Mapping[tuple[str, str], Reader] = {
    ("counts", "csv"): lambda s, site: read_counts(s.path, zones=site, **_opts(s, site)),
    ("counts", "parquet"): lambda s, site: read_counts(s.path, zones=site, **_opts(s, site)),
    ("events", "ical"): lambda s, site: read_ical(
        s.path, zones=site, **{"timezone": site.timezone, **_opts(s, site)}
    ),
    ("events", "csv"): lambda s, site: read_events_csv(
        s.path, zones=site, **{"timezone": site.timezone, **_opts(s, site)}
    ),
    ("weather", "knmi"): lambda s, site: read_knmi(s.path, **_opts(s, site)),
    ("weather", "open_meteo"): lambda s, site: read_open_meteo(s.path, **_opts(s, site)),
    ("weather", "csv"): lambda s, site: read_weather_csv(
        s.path, **{"latitude": _latitude(site), **_opts(s, site)}
    ),
    ("signals", "csv"): lambda s, site: read_signals(s.path, locations=site, **_opts(s, site)),
    ("signals", "parquet"): lambda s, site: read_signals(s.path, locations=site, **_opts(s, site)),
    ("incidents", "csv"): lambda s, site: read_incidents(s.path, zones=site, **_opts(s, site)),
    ("incidents", "parquet"): lambda s, site: read_incidents(s.path, zones=site, **_opts(s, site)),
}


_VALIDATORS: Mapping[str, Callable[..., pd.DataFrame]] = {
    "counts": validate_counts,
    "events": validate_events,
    "weather": validate_weather,
    "signals": validate_signals,
    "incidents": validate_incidents,
}


def _merge(
    kind: str, frames: list[pd.DataFrame], site: SiteProfile, used: list[DataSource]
) -> pd.DataFrame:
    """One table per kind; several sources of a kind are re-validated together."""
    if not frames:
        return empty_table(kind)
    if len(frames) == 1:
        return frames[0]
    names = " + ".join(s.id for s in used if s.kind == kind)
    return _VALIDATORS[kind](pd.concat(frames, ignore_index=True), source=f"sources {names}")


def load_city(
    profile: str | Path | SiteProfile,
    *,
    purpose: str,
    library: str | Path | IndicatorLibrary | None = None,
) -> City:
    """Load a site profile and every data source it declares for ``purpose``, validated.

    Parameters
    ----------
    profile
        A site profile file (or loaded profile). Its ``[[sources]]`` name the
        files, formats, reader options and the purposes each may be used for.
    purpose
        What the data is loaded for, from :data:`crowdcast.profiles.PURPOSES`.
        Only the sources declared for it are read (the others are not opened:
        data minimisation); a :class:`~crowdcast.exceptions.PrivacyError` names
        the counts sources when none is declared for it.
    library
        The generic indicator library; crowdcast's own by default.

    Examples
    --------
    >>> import crowdcast as cc
    >>> city = cc.load_city(cc.sample_path() / "site.toml", purpose="event_planning")
    >>> city.purpose, sorted(city.sources)
    ('event_planning', ['counts', 'events', 'weather_forecasts', 'weather_observed'])
    """
    validate_purpose(purpose)
    site = profile if isinstance(profile, SiteProfile) else load_site_profile(profile)
    lib = library if isinstance(library, IndicatorLibrary) else load_indicator_library(library)
    declared = [s for s in site.sources if purpose in s.purposes]
    if not any(s.kind == "counts" for s in declared):
        check_sources_for(site, purpose, kinds=["counts"])  # names every counts source, if any
    tables = _read_sources(site, declared)
    merged = {kind: _merge(kind, frames, site, declared) for kind, frames in tables.items()}
    counts = merged["counts"]
    return City(
        site=site,
        library=lib,
        counts=counts,
        events=merged["events"],
        weather=merged["weather"],
        signals=merged["signals"],
        incidents=merged["incidents"],
        freq=infer_freq(counts["timestamp"], by=counts["zone"]),
        sources={s.id: str(s.path) for s in declared},
        purpose=purpose,
    )


def _read_sources(site: SiteProfile, declared: list[DataSource]) -> dict[str, list[pd.DataFrame]]:
    """The tables of the declared sources, per kind; at least one counts table."""
    tables: dict[str, list[pd.DataFrame]] = {kind: [] for kind in CONTRACTS}
    for src in declared:
        reader = _READERS.get((src.kind, src.format))
        if reader is None:  # load_site_profile already checks kinds and formats
            raise ConfigError(
                [
                    Problem(
                        f"source {src.id!r}",
                        "a known kind and format",
                        f"{src.kind}/{src.format}",
                        source=str(site.path),
                        hint="see docs/site-toml.md for the formats of each kind",
                    )
                ]
            )
        try:
            tables[src.kind].append(reader(src, site))
        except TypeError as exc:  # unknown reader option in the profile
            raise ConfigError(
                [
                    Problem(
                        f"`sources.options` of {src.id!r}",
                        f"options of the {src.kind}/{src.format} reader",
                        str(exc),
                        source=str(site.path),
                        hint="see docs/site-toml.md for the options of each reader",
                    )
                ]
            ) from None
    if not tables["counts"]:
        raise ConfigError(
            [
                Problem(
                    "a counts source",
                    "declared in [[sources]]",
                    "none",
                    source=str(site.path),
                    hint="add [[sources]] with kind = 'counts', a path, format and purposes",
                )
            ]
        )
    return tables
