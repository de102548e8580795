"""Simulate Havenstad, the fictional Dutch city centre of the sample data.

:func:`make_city` generates every table crowdcast reads (counts, events,
weather observations and forecasts, alcohol sales, incidents) and the site
profile that declares them, and writes them in the formats real sources use.
The generative model is documented in the README it writes next to the
files, including the *true* values calibration should recover. The command
``crowdcast make-sample DIR`` calls it.

Reproducibility: every component draws from its own generator, derived from
``seed`` and the component's name (``"counts/station_square"``,
``"weather"``, ...), so adding a zone or a component leaves the others
unchanged, and the same arguments give the same bytes.

The parts, in the order they run:

- :mod:`~crowdcast.sample._weather`: hourly weather and issued forecasts;
- :mod:`~crowdcast.sample._calendar`: the events
  (:mod:`~crowdcast.sample._event_kinds`: how each fills its zones);
- :mod:`~crowdcast.sample._crowds`: the counts of each zone;
- :mod:`~crowdcast.sample._sales`: alcohol sales and incidents;
- :mod:`~crowdcast.sample._site_file`: the site profile;
- :mod:`~crowdcast.sample._tables`: the contract tables and the truth;
- :mod:`~crowdcast.sample._files`: the files (and
  :mod:`~crowdcast.sample._readme` the README, from its template).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crowdcast.exceptions import CrowdcastError, format_message
from crowdcast.profiles import SiteProfile
from crowdcast.sample._calendar import event_calendar
from crowdcast.sample._clock import child, make_clock
from crowdcast.sample._crowds import choose_zones, simulate_crowds
from crowdcast.sample._files import FILES, write_files
from crowdcast.sample._havenstad import ZONES
from crowdcast.sample._sales import simulate_sales
from crowdcast.sample._site_file import profile_doc, site_profile
from crowdcast.sample._tables import Simulation, contract_tables, truth
from crowdcast.sample._weather import simulate_forecasts, simulate_weather
from crowdcast.schemas import DAY, HOUR

__all__ = ["FILES", "SimulatedCity", "make_city"]

_FORECAST_MARGIN_DAYS = 3


@dataclass(frozen=True)
class SimulatedCity:
    """What :func:`make_city` simulated.

    Attributes
    ----------
    site
        The site profile (as :func:`~crowdcast.profiles.load_site_profile`
        reads the written ``site.toml``).
    counts
        Observed counts in the contract: every zone on the full grid, ``NaN``
        where the sensor was out (absent rows in ``counts.csv``), glitches
        included, exactly as :func:`~crowdcast.io.read_counts` reads the file.
    events, weather, weather_forecasts, signals, incidents
        Contract tables as the readers return them from the written files
        (``incidents`` holds only intervals with at least one incident).
    truth
        What the data cannot tell directly: ``site_weight`` (the true weight
        of ``alcohol_aggression``), ``effect``, ``profile_weight``,
        ``exposure`` (its definition), ``baseline_rates`` (weekday x hour),
        ``incident_rates`` (per hour: exposure, baseline and rate),
        ``expected_counts`` and ``true_counts`` (wide, zone columns; before
        outages and glitches), ``gaps``, ``glitches``, ``attendance`` (per
        event part, realised) and the arguments.
    paths
        The files written, in writing order; empty when no ``path`` was given.
    """

    site: SiteProfile
    counts: pd.DataFrame
    events: pd.DataFrame
    weather: pd.DataFrame
    weather_forecasts: pd.DataFrame
    signals: pd.DataFrame
    incidents: pd.DataFrame
    truth: Mapping[str, Any]
    paths: tuple[Path, ...] = ()

    def __repr__(self) -> str:
        first, last = self.counts["timestamp"].min(), self.counts["timestamp"].max()
        return (
            f"<SimulatedCity {self.site.id!r}: {len(self.site.zones)} zones, "
            f"{first:%Y-%m-%d} to {last:%Y-%m-%d}, {self.events['event_id'].nunique()} events, "
            f"{int(self.incidents['count'].sum())} incidents, {len(self.paths)} files written>"
        )


# ----------------------------------------------------------------------------- arguments


def _day(value: str | dt.date | pd.Timestamp, name: str) -> dt.date:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = None
    if ts is None or pd.isna(ts):
        raise ValueError(format_message(f"`{name}`", "a date like '2023-01-01'", repr(value)))
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC")
    return ts.date()


def _step(freq: str | pd.Timedelta) -> pd.Timedelta:
    try:
        step = pd.Timedelta(freq)
    except (TypeError, ValueError):
        step = pd.Timedelta(0)
    if step <= pd.Timedelta(0) or pd.Timedelta(hours=1) % step != pd.Timedelta(0):
        raise ValueError(
            format_message(
                "`freq`", "an interval that divides one hour ('1h', '30min', '15min')", repr(freq)
            )
        )
    return step


def _check_zones(zones: Sequence[str] | None, n_zones: int | None) -> None:
    base = [z.id for z in ZONES]
    chosen = base if zones is None else list(zones)
    unknown = [z for z in chosen if z not in base]
    if unknown or not chosen or len(set(chosen)) != len(chosen):
        raise ValueError(
            format_message(
                "`zones`",
                f"distinct zone ids of the sample city ({', '.join(base)})",
                repr(zones),
            )
        )
    if n_zones is not None and (not isinstance(n_zones, int | np.integer) or n_zones < 1):
        raise ValueError(format_message("`n_zones`", "a positive integer or None", repr(n_zones)))


def _check_targets(folder: Path, overwrite: bool) -> None:
    if folder.exists() and not folder.is_dir():
        raise CrowdcastError(
            format_message(
                "`path`", "a folder", f"the file {folder}", hint="give a folder to write into"
            )
        )
    existing = [folder / f for f in FILES if (folder / f).exists()]
    if existing and not overwrite:
        raise CrowdcastError(
            format_message(
                "the sample city's files",
                "absent from the output folder",
                f"{len(existing)} existing file(s): {', '.join(str(p) for p in existing)}",
                hint="pass overwrite=True (crowdcast make-sample --overwrite) to replace them",
            )
        )


# ----------------------------------------------------------------------------- make_city


def _simulate(
    seed: int,
    first: dt.date,
    last: dt.date,
    step: pd.Timedelta,
    zones: Sequence[str] | None,
    n_zones: int | None,
) -> Simulation:
    """Run every part of the simulation, in a fixed order."""
    sim_zones = choose_zones(seed, zones, n_zones)
    days = (last - first).days + 1
    t_first = pd.Timestamp(first, tz="UTC")
    times = pd.date_range(t_first, periods=int(days * DAY / step), freq=step)
    hours = pd.date_range(t_first, periods=24 * (days + _FORECAST_MARGIN_DAYS), freq="h")
    weather = simulate_weather(child(seed, "weather"), hours)
    clock = make_clock(times, step, hours[0])
    hourly_clock = clock if step == HOUR else make_clock(times[:: clock.per_hour], HOUR, hours[0])
    events = event_calendar(lambda name: child(seed, name), first, last)
    results, parts = simulate_crowds(seed, sim_zones, clock, weather, events)
    litres, incidents = simulate_sales(seed, results, clock.per_hour, hourly_clock, weather)
    return Simulation(
        seed=seed,
        first=first,
        last=last,
        step=step,
        zones=sim_zones,
        clock=clock,
        weather=weather,
        forecasts=simulate_forecasts(child(seed, "forecasts"), weather, t_first, days),
        events=events,
        results=results,
        parts=parts,
        litres=litres,
        incident_table=incidents,
    )


def make_city(
    path: str | Path | None = None,
    *,
    zones: Sequence[str] | None = None,
    n_zones: int | None = None,
    start: str | dt.date | pd.Timestamp = "2023-01-01",
    end: str | dt.date | pd.Timestamp = "2024-12-31",
    freq: str | pd.Timedelta = "1h",
    seed: int = 2024,
    overwrite: bool = False,
) -> SimulatedCity:
    """Simulate the sample city Havenstad and, given a folder, write its files.

    Counts follow each zone's daily and weekly rhythm in local time (so DST
    shifts them in UTC), the season, a slow trend, public and school holidays,
    the weather and the events (with arrival and departure curves and spill
    into neighbouring zones), with day- and hour-level random effects and
    negative binomial noise. Sensor outages are left out of ``counts.csv``
    and a few documented glitches are put in. Aggression incidents follow the
    generic ``alcohol_aggression`` indicator with a true site weight of 1.6
    (the profile says 1.0). ``README.md`` documents all of it.

    Parameters
    ----------
    path
        Folder to write ``site.toml``, ``counts.csv``, ``events.ics``,
        ``weather_knmi.txt``, ``weather_forecasts.csv``, ``signals.csv``,
        ``incidents.csv`` and ``README.md`` into (created if needed). None:
        simulate only.
    zones
        Ids of the sample city's zones to include; all seven by default.
    n_zones
        Total number of zones. Beyond the chosen zones, replicas of them
        (``station_square_002``, ...) with jittered size, level and weather
        sensitivity are added, without events; for benchmarks.
    start, end
        First and last UTC day simulated (both included).
    freq
        Counting interval, dividing one hour (``"1h"``, ``"15min"``).
        Weather, signals and incidents stay hourly.
    seed
        Seed of every random draw; the same arguments give the same bytes.
    overwrite
        Replace existing files; otherwise an existing file is an error.

    Returns
    -------
    SimulatedCity
        The profile, the contract tables as the readers return them, the
        ``truth`` and the paths written.

    Raises
    ------
    CrowdcastError
        A file to write exists and ``overwrite`` is False (nothing is written).
    ValueError
        An argument is invalid.

    Examples
    --------
    >>> city = make_city(start="2024-06-01", end="2024-06-07", zones=["station_square"])
    >>> city.counts["zone"].unique().tolist()
    ['station_square']
    >>> city.truth["site_weight"]
    1.6
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(format_message("`seed`", "a non-negative integer", repr(seed)))
    first, last = _day(start, "start"), _day(end, "end")
    if last < first:
        raise ValueError(format_message("`end`", f"on or after start {first}", str(last)))
    step = _step(freq)
    _check_zones(zones, n_zones)
    folder = None if path is None else Path(path)
    if folder is not None:
        _check_targets(folder, overwrite)
    sim = _simulate(int(seed), first, last, step, zones, n_zones)
    doc = profile_doc(sim.zones, first, last)
    tables = contract_tables(sim)
    facts = truth(sim)
    written = () if folder is None else write_files(folder, doc, tables, facts, sim)
    return SimulatedCity(site_profile(doc, folder), **tables, truth=facts, paths=written)
