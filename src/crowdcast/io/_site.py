"""Load everything a site profile declares into one validated :class:`City`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from crowdcast.exceptions import ConfigError, Problem
from crowdcast.io._counts import read_counts
from crowdcast.io._events import read_events_csv, read_ical
from crowdcast.io._tables import read_incidents, read_signals
from crowdcast.io._weather import read_knmi, read_open_meteo, read_weather_csv
from crowdcast.privacy._purpose import check_purpose, validate_purpose
from crowdcast.profiles import (
    DataSource,
    IndicatorLibrary,
    SiteProfile,
    load_indicator_library,
    load_site_profile,
)
from crowdcast.schemas import (
    CONTRACTS,
    find_gaps,
    infer_freq,
    validate_counts,
    validate_events,
    validate_incidents,
    validate_signals,
    validate_weather,
)

__all__ = ["City", "load_city"]

Reader = Callable[[DataSource, SiteProfile], pd.DataFrame]


def _opts(src: DataSource) -> dict[str, Any]:
    return dict(src.options)


_READERS: Mapping[tuple[str, str], Reader] = {
    ("counts", "csv"): lambda s, site: read_counts(s.path, zones=site, **_opts(s)),
    ("counts", "parquet"): lambda s, site: read_counts(s.path, zones=site, **_opts(s)),
    ("events", "ical"): lambda s, site: read_ical(
        s.path, zones=site, **{"timezone": site.timezone, **_opts(s)}
    ),
    ("events", "csv"): lambda s, site: read_events_csv(
        s.path, zones=site, **{"timezone": site.timezone, **_opts(s)}
    ),
    ("weather", "knmi"): lambda s, site: read_knmi(s.path, **_opts(s)),
    ("weather", "open_meteo"): lambda s, site: read_open_meteo(s.path, **_opts(s)),
    ("weather", "csv"): lambda s, site: read_weather_csv(s.path, **_opts(s)),
    ("signals", "csv"): lambda s, site: read_signals(s.path, locations=site, **_opts(s)),
    ("signals", "parquet"): lambda s, site: read_signals(s.path, locations=site, **_opts(s)),
    ("incidents", "csv"): lambda s, site: read_incidents(s.path, zones=site, **_opts(s)),
    ("incidents", "parquet"): lambda s, site: read_incidents(s.path, zones=site, **_opts(s)),
}


@dataclass(frozen=True, repr=False)
class City:
    """A site's validated tables and its two knowledge files.

    Attributes
    ----------
    site
        The site profile (local, confidential).
    library
        The generic indicator library (publishable).
    counts, events, weather, signals, incidents
        Contract tables; ``weather`` holds observations (``issued_at`` NaT)
        and issued forecasts together.
    freq
        The counting interval.
    sources
        Id -> path of the sources loaded (those declared for ``purpose``).
    purpose
        What the city was loaded for; every source in it is declared for it.
    """

    site: SiteProfile
    library: IndicatorLibrary
    counts: pd.DataFrame
    events: pd.DataFrame
    weather: pd.DataFrame
    signals: pd.DataFrame
    incidents: pd.DataFrame
    freq: pd.Timedelta
    sources: Mapping[str, str] = field(default_factory=dict)
    purpose: str | None = None

    @property
    def weather_observed(self) -> pd.DataFrame:
        """Weather observations only (no ``issued_at``)."""
        return self.weather[self.weather["issued_at"].isna()].reset_index(drop=True)

    @property
    def weather_forecasts(self) -> pd.DataFrame:
        """Issued weather forecasts only."""
        return self.weather[self.weather["issued_at"].notna()].reset_index(drop=True)

    @property
    def span(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First and last counted interval (UTC)."""
        return self.counts["timestamp"].min(), self.counts["timestamp"].max()

    def gaps(self) -> pd.DataFrame:
        """Runs of missing intervals per zone: ``zone, start, end, intervals``."""
        return find_gaps(self.counts, self.freq)

    def summary(self) -> pd.DataFrame:
        """One row per zone: character, span, completeness, typical and peak counts."""
        gaps = self.gaps()
        rows = []
        for zone in self.site.zones:
            c = self.counts.loc[self.counts["zone"] == zone.id, ["timestamp", "count"]]
            observed = c["count"].notna()
            rows.append(
                {
                    "zone": zone.id,
                    "measure": zone.measure,
                    "area_m2": zone.area_m2,
                    "width_m": zone.width_m,
                    "first": c["timestamp"].min(),
                    "last": c["timestamp"].max(),
                    "intervals": len(c),
                    "missing_pct": round(100 * (1 - observed.mean()), 2)
                    if len(c)
                    else float("nan"),
                    "gaps": int((gaps["zone"] == zone.id).sum()),
                    "median": c["count"].median(),
                    "p99": c["count"].quantile(0.99),
                    "events": int((self.events["zone"] == zone.id).sum()),
                }
            )
        return pd.DataFrame(rows)

    def describe(self) -> str:
        """A readable multi-line overview (what ``crowdcast demo`` prints)."""
        first, last = self.span
        obs, fc = self.weather_observed, self.weather_forecasts
        cancelled = int((self.events["status"] == "cancelled").sum())
        lines = [
            f"Site {self.site.id!r} ({self.site.name}), timezone {self.site.timezone}, "
            f"holidays {self.site.country}, purpose {self.purpose or 'not declared'}",
            f"Counts: {len(self.site.zones)} zones, {first:%Y-%m-%d %H:%M} to "
            f"{last:%Y-%m-%d %H:%M} UTC, every {_td(self.freq)}, "
            f"{int(self.counts['count'].isna().sum()):,} missing intervals in "
            f"{len(self.gaps())} gaps",
            f"Events: {self.events['event_id'].nunique():,} events "
            f"({len(self.events):,} event-zone rows, {cancelled} cancelled), "
            f"categories: {', '.join(sorted(self.events['category'].unique()))}",
            f"Weather: {len(obs):,} observed hours"
            + (
                f" ({obs['timestamp'].min():%Y-%m-%d} to {obs['timestamp'].max():%Y-%m-%d})"
                if len(obs)
                else ""
            )
            + f", {fc['issued_at'].nunique():,} issued forecasts",
            f"Signals: {len(self.signals):,} rows of "
            f"{', '.join(sorted(self.signals['signal'].unique()))}"
            if len(self.signals)
            else "Signals: none",
            f"Incidents: {int(self.incidents['count'].sum()):,} in {len(self.incidents):,} "
            f"intervals ({', '.join(sorted(self.incidents['kind'].unique()))})"
            if len(self.incidents)
            else "Incidents: none",
            f"Indicator library: {self.library.id} v{self.library.version}, "
            f"{len(self.library.indicators)} indicators; site weights: {len(self.site.weights)}",
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        first, last = self.span
        return (
            f"<City {self.site.id!r}: {len(self.site.zones)} zones, "
            f"{first:%Y-%m-%d} to {last:%Y-%m-%d}, every {_td(self.freq)}, "
            f"{self.events['event_id'].nunique()} events, {len(self.weather)} weather rows>"
        )

    def _repr_html_(self) -> str:
        return f"<p><b>{self!r}</b></p><pre>{self.describe()}</pre>" + self.summary().to_html(
            index=False, float_format=lambda v: f"{v:,.1f}"
        )


def _td(step: pd.Timedelta) -> str:
    minutes = int(step.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


def _empty(kind: str) -> pd.DataFrame:
    contract = CONTRACTS[kind]
    data: dict[str, pd.Series] = {}
    for c in contract.columns:
        if not c.required and c.name not in contract.key:
            continue
        dtype = {"datetime": "datetime64[ns, UTC]", "float": "float64", "int": "int64"}.get(
            c.kind, object
        )
        data[c.name] = pd.Series(dtype=dtype)
    return pd.DataFrame(data)


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
        return _empty(kind)
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
        check_purpose(site, purpose, kinds=["counts"])  # names every counts source, if any
    tables: dict[str, list[pd.DataFrame]] = {kind: [] for kind in CONTRACTS}
    for src in declared:
        reader = _READERS.get((src.kind, src.format))
        if reader is None:  # load_site_profile already checks kinds and formats
            raise ConfigError(
                [
                    Problem(
                        f"source {src.id!r}", "a known kind and format", f"{src.kind}/{src.format}"
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
