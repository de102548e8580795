"""The one input bundle: a site's tables, its two knowledge files and the purpose of the run.

Every entry point that reads data (``fit``, ``predict``, ``backtest``,
``forecast_city``, ``what_if``, the feature transformers, ``model_card``)
takes a :class:`City`. Loose tables stay accepted where users pass them
(``fit(counts, events=..., site=..., purpose=...)``): :func:`as_city` wraps
them, validated, into a ``City`` once, at the edge.

The purpose is checked once, when a ``City`` is built: every source of the
kinds it holds must be declared for it in the site profile.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from crowdcast.exceptions import ParameterError, Problem
from crowdcast.privacy import check_sources_for, validate_purpose
from crowdcast.profiles import IndicatorLibrary, SiteProfile
from crowdcast.schemas import (
    CONTRACTS,
    History,
    find_gaps,
    infer_freq,
    interval_text,
    validate_counts,
    validate_events,
    validate_incidents,
    validate_signals,
    validate_weather,
)

__all__ = ["City", "as_city", "empty_table"]

_TABLES = ("counts", "events", "weather", "signals", "incidents")


def empty_table(kind: str) -> pd.DataFrame:
    """An empty table of a contract, with its required columns and dtypes.

    >>> empty_table("events").columns.tolist()[:3]
    ['event_id', 'name', 'zone']
    """
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


@dataclass(frozen=True, repr=False, eq=False)
class City:
    """Everything a run may read: a site's contract tables, its knowledge files, the purpose.

    Build one with :func:`~crowdcast.load_city` (every source a site profile
    declares for a purpose), :func:`~crowdcast.load_sample`, or
    :meth:`City.from_tables` (tables you already have); these validate every
    table. The constructor itself trusts its tables: it checks only the
    purpose.

    Attributes
    ----------
    counts
        The counts contract (``zone, timestamp, count``).
    events, weather, signals, incidents
        Contract tables, or None when not given. ``weather`` holds
        observations (``issued_at`` NaT) and issued forecasts together;
        features use, at an origin, only observations before it and forecasts
        issued at or before it.
    site
        The site profile (local, confidential), or None.
    library
        The generic indicator library (publishable), or None.
    freq
        The counting interval (inferred from the counts when None).
    sources
        Id -> path of the site's sources the tables were read from (those
        declared for ``purpose``); empty for tables given directly.
    purpose
        What the data is used for, from :data:`crowdcast.profiles.PURPOSES`;
        with a site, every source of the kinds held must be declared for it,
        else a :class:`~crowdcast.exceptions.PrivacyError`.
    grid
        The counts as a :class:`~crowdcast.schemas.History` grid, when
        already built (see :meth:`history`).

    Examples
    --------
    >>> import crowdcast as cc
    >>> city = cc.load_sample()
    >>> city.purpose, city.freq
    ('crowd_safety', Timedelta('0 days 01:00:00'))
    >>> cc.City.from_tables(city.counts, site=city.site, purpose="event_planning").purpose
    'event_planning'
    """

    counts: pd.DataFrame
    events: pd.DataFrame | None = None
    weather: pd.DataFrame | None = None
    signals: pd.DataFrame | None = None
    incidents: pd.DataFrame | None = None
    site: SiteProfile | None = None
    library: IndicatorLibrary | None = None
    freq: pd.Timedelta | None = None
    sources: Mapping[str, str] = field(default_factory=dict)
    purpose: str | None = None
    grid: History | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.purpose is None:
            return
        validate_purpose(self.purpose)
        if self.site is not None:
            held = [k for k in _TABLES if getattr(self, k) is not None]
            check_sources_for(self.site, self.purpose, sources=self.sources or None, kinds=held)

    # ------------------------------------------------------------------ building

    @classmethod
    def from_tables(
        cls,
        counts: pd.DataFrame,
        *,
        events: pd.DataFrame | None = None,
        weather: pd.DataFrame | None = None,
        signals: pd.DataFrame | None = None,
        incidents: pd.DataFrame | None = None,
        site: SiteProfile | None = None,
        library: IndicatorLibrary | None = None,
        purpose: str | None = None,
        source: str = "tables",
    ) -> City:
        """A validated City from tables you already have (``source`` names them in errors).

        Each table is checked against its contract (with the site's zones and
        venues, when a site is given) and normalised; see :mod:`crowdcast.schemas`.
        """
        if purpose is not None:
            validate_purpose(purpose)  # before the tables: a wrong purpose is the first thing
        zones = site.zone_ids if site is not None else None
        locations = (*site.zone_ids, *(v.id for v in site.venues)) if site is not None else None
        counts = validate_counts(counts, source=f"counts passed to {source}", zones=zones)
        return cls(
            counts=counts,
            events=_validated(validate_events, events, f"events passed to {source}", zones=zones),
            weather=_validated(validate_weather, weather, f"weather passed to {source}"),
            signals=_validated(
                validate_signals, signals, f"signals passed to {source}", locations=locations
            ),
            incidents=_validated(
                validate_incidents, incidents, f"incidents passed to {source}", zones=zones
            ),
            site=site,
            library=library,
            freq=infer_freq(counts["timestamp"], by=counts["zone"]) if len(counts) > 1 else None,
            purpose=purpose,
        )

    def replace(self, **changes: Any) -> City:
        """A copy with some fields changed (the purpose is checked again).

        Changing ``counts`` drops a prebuilt ``grid`` unless a new one is given.
        """
        if "counts" in changes and "grid" not in changes:
            changes["grid"] = None
        return dataclasses.replace(self, **changes)

    def with_purpose(self, purpose: str) -> City:
        """The same data used for another purpose; its sources must be declared for it."""
        return self if purpose == self.purpose else self.replace(purpose=purpose)

    def with_grid(self, grid: History) -> City:
        """The same data with a prebuilt history grid (avoids re-gridding the counts)."""
        return dataclasses.replace(self, grid=grid, freq=grid.freq)

    def history(self) -> History:
        """The counts as a :class:`~crowdcast.schemas.History` grid (``grid`` when given)."""
        return self.grid if self.grid is not None else History.from_counts(self.counts, self.freq)

    # ------------------------------------------------------------------ views

    def require_site(self, task: str) -> SiteProfile:
        """The site profile, or a ParameterError saying ``task`` needs one."""
        if self.site is None:
            raise ParameterError(
                [
                    Problem(
                        f"the data for {task}",
                        "a City with a site profile",
                        "no site",
                        hint="load it with load_city(site.toml, purpose=...) or pass site= "
                        "to City.from_tables",
                    )
                ]
            )
        return self.site

    def table(self, kind: str) -> pd.DataFrame:
        """A table by kind, empty (with the contract's columns) when not given."""
        value = getattr(self, kind)
        return value if value is not None else empty_table(kind)

    @property
    def zones(self) -> tuple[str, ...]:
        """The zone ids: the site's, or those in the counts without a site."""
        if self.site is not None:
            return self.site.zone_ids
        return tuple(sorted(self.counts["zone"].unique()))

    @property
    def weather_observed(self) -> pd.DataFrame:
        """Weather observations only (no ``issued_at``)."""
        weather = self.table("weather")
        return weather[weather["issued_at"].isna()].reset_index(drop=True)

    @property
    def weather_forecasts(self) -> pd.DataFrame:
        """Issued weather forecasts only."""
        weather = self.table("weather")
        return weather[weather["issued_at"].notna()].reset_index(drop=True)

    @property
    def span(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First and last counted interval (UTC)."""
        return self.counts["timestamp"].min(), self.counts["timestamp"].max()

    def _freq(self) -> pd.Timedelta:
        return self.freq if self.freq is not None else self.history().freq

    def gaps(self) -> pd.DataFrame:
        """Runs of missing intervals per zone: ``zone, start, end, intervals``."""
        return find_gaps(self.counts, self._freq())

    def summary(self) -> pd.DataFrame:
        """One row per zone: character, span, completeness, typical and peak counts."""
        gaps = self.gaps()
        events = self.table("events")
        rows = []
        for zone_id in self.zones:
            zone = self.site.zone(zone_id) if self.site is not None else None
            c = self.counts.loc[self.counts["zone"] == zone_id, ["timestamp", "count"]]
            observed = c["count"].notna()
            rows.append(
                {
                    "zone": zone_id,
                    "measure": zone.measure if zone is not None else None,
                    "area_m2": zone.area_m2 if zone is not None else None,
                    "width_m": zone.width_m if zone is not None else None,
                    "first": c["timestamp"].min(),
                    "last": c["timestamp"].max(),
                    "intervals": len(c),
                    "missing_pct": round(100 * (1 - observed.mean()), 2)
                    if len(c)
                    else float("nan"),
                    "gaps": int((gaps["zone"] == zone_id).sum()),
                    "median": c["count"].median(),
                    "p99": c["count"].quantile(0.99),
                    "events": int((events["zone"] == zone_id).sum()),
                }
            )
        return pd.DataFrame(rows)

    def describe(self) -> str:
        """A readable multi-line overview (what ``crowdcast demo`` prints)."""
        first, last = self.span
        obs, fc = self.weather_observed, self.weather_forecasts
        events, signals, incidents = (self.table(k) for k in ("events", "signals", "incidents"))
        cancelled = int((events["status"] == "cancelled").sum())
        site = self.site
        lines = [
            f"Site {site.id!r} ({site.name}), timezone {site.timezone}, "
            f"holidays {site.country}, purpose {self.purpose or 'not declared'}"
            if site is not None
            else f"No site profile, purpose {self.purpose or 'not declared'}",
            f"Counts: {len(self.zones)} zones, {first:%Y-%m-%d %H:%M} to "
            f"{last:%Y-%m-%d %H:%M} UTC, every {interval_text(self._freq())}, "
            f"{int(self.counts['count'].isna().sum()):,} missing intervals in "
            f"{len(self.gaps())} gaps",
            f"Events: {events['event_id'].nunique():,} events "
            f"({len(events):,} event-zone rows, {cancelled} cancelled), "
            f"categories: {', '.join(sorted(events['category'].unique()))}",
            f"Weather: {len(obs):,} observed hours"
            + (
                f" ({obs['timestamp'].min():%Y-%m-%d} to {obs['timestamp'].max():%Y-%m-%d})"
                if len(obs)
                else ""
            )
            + f", {fc['issued_at'].nunique():,} issued forecasts",
            f"Signals: {len(signals):,} rows of {', '.join(sorted(signals['signal'].unique()))}"
            if len(signals)
            else "Signals: none",
            f"Incidents: {int(incidents['count'].sum()):,} in {len(incidents):,} "
            f"intervals ({', '.join(sorted(incidents['kind'].unique()))})"
            if len(incidents)
            else "Incidents: none",
        ]
        if self.library is not None:
            weights = len(site.weights) if site is not None else 0
            lines.append(
                f"Indicator library: {self.library.id} v{self.library.version}, "
                f"{len(self.library.indicators)} indicators; site weights: {weights}"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        first, last = self.span
        name = repr(self.site.id) if self.site is not None else "(no site)"
        n_events = self.events["event_id"].nunique() if self.events is not None else 0
        n_weather = len(self.weather) if self.weather is not None else 0
        return (
            f"<City {name}: {len(self.zones)} zones, "
            f"{first:%Y-%m-%d} to {last:%Y-%m-%d}, every {interval_text(self._freq())}, "
            f"{n_events} events, {n_weather} weather rows>"
        )

    def _repr_html_(self) -> str:
        return f"<p><b>{self!r}</b></p><pre>{self.describe()}</pre>" + self.summary().to_html(
            index=False, float_format=lambda v: f"{v:,.1f}"
        )


def _validated(
    validate: Any, table: pd.DataFrame | None, source: str, **kwargs: Any
) -> pd.DataFrame | None:
    return None if table is None else validate(table, source=source, **kwargs)


def as_city(
    data: City | pd.DataFrame,
    *,
    events: pd.DataFrame | None = None,
    weather: pd.DataFrame | None = None,
    site: SiteProfile | None = None,
    purpose: str | None = None,
    source: str = "fit",
) -> City:
    """``data`` if it is a :class:`City`, else the loose tables wrapped into a validated one.

    A ``City`` carries its own events, weather, site and purpose: passing
    them again beside it is an error rather than a silent choice between two.
    """
    if isinstance(data, City):
        given = [
            name
            for name, value in (
                ("events", events),
                ("weather", weather),
                ("site", site),
                ("purpose", purpose),
            )
            if value is not None
        ]
        if given:
            raise ParameterError(
                [
                    Problem(
                        f"`{', '.join(given)}`",
                        "left out when the data is a City (it carries its own)",
                        "both",
                        hint="pass the City alone, or city.replace(events=...) / "
                        "city.with_purpose(...) for another one",
                    )
                ]
            )
        return data
    if isinstance(data, pd.DataFrame):
        return City.from_tables(
            data, events=events, weather=weather, site=site, purpose=purpose, source=source
        )
    raise ParameterError(
        [
            Problem(
                "`data`",
                "a City (load_city, load_sample, City.from_tables) or a counts DataFrame",
                type(data).__name__,
            )
        ]
    )
