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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from crowdcast._validation import Check, Interval, PositiveInt, Problems, Rule, check_params
from crowdcast.exceptions import ParameterError, Problem
from crowdcast.profiles import SiteProfile
from crowdcast.sample._calendar import event_calendar
from crowdcast.sample._clock import child, make_clock
from crowdcast.sample._crowds import choose_zones, simulate_crowds
from crowdcast.sample._event_kinds import SimEvent
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


def _as_day(value: Any) -> dt.date | None:
    """The (UTC) day of a date, text or timestamp; None when it is none of these.

    >>> _as_day("2024-03-31T23:30:00+02:00"), _as_day("someday")
    (datetime.date(2024, 3, 31), None)
    """
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    if pd.isna(ts):
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC")
    return ts.date()


def _is_day(value: Any) -> bool:
    return _as_day(value) is not None


def _divides_hour(freq: Any) -> bool:
    step = pd.Timedelta(freq)
    return bool(step > pd.Timedelta(0) and HOUR % step == pd.Timedelta(0))


def _known_zones(zones: Any) -> bool:
    if zones is None:
        return True
    chosen = list(zones)
    known = {z.id for z in ZONES}
    return bool(chosen) and len(set(chosen)) == len(chosen) and all(z in known for z in chosen)


_DAY = "a date like '2023-01-01'"


@dataclass(frozen=True)
class _Arguments:
    """The arguments of :func:`make_city`, checked by their rules before anything runs."""

    _parameter_rules: ClassVar[dict[str, list[Rule | None]]] = {
        "seed": [Interval(0, None, integer=True, expectation="a non-negative integer")],
        "start": [Check(_is_day, _DAY)],
        "end": [Check(_is_day, _DAY)],
        "freq": [
            Check(_divides_hour, "an interval that divides one hour ('1h', '30min', '15min')")
        ],
        "zones": [
            Check(
                _known_zones,
                f"distinct zone ids of the sample city ({', '.join(z.id for z in ZONES)})",
                hint="pass None for all seven zones",
            )
        ],
        "n_zones": [None, PositiveInt()],
    }

    folder: Path | None
    zones: Sequence[str] | None
    n_zones: int | None
    start: Any
    end: Any
    freq: Any
    seed: Any
    overwrite: bool

    def _more_problems(self) -> list[Problem]:
        """The problems no single rule sees: the order of the days, the files to write."""
        found = []
        first, last = _as_day(self.start), _as_day(self.end)
        if first is not None and last is not None and last < first:
            found.append(Problem("`end`", f"on or after start {first}", str(last)))
        if self.folder is not None:
            found += _target_problems(self.folder, self.overwrite)
        return found


def _target_problems(folder: Path, overwrite: bool) -> list[Problem]:
    """Why the files cannot be written into ``folder``: it is a file, or they exist."""
    if folder.exists() and not folder.is_dir():
        hint = "give a folder to write into"
        return [Problem("`path`", "a folder", f"the file {folder}", hint=hint)]
    existing = [folder / f for f in FILES if (folder / f).exists()]
    if not existing or overwrite:
        return []
    return [
        Problem(
            "the sample city's files",
            "absent from the output folder",
            f"{len(existing)} existing file(s): {', '.join(str(p) for p in existing)}",
            hint="pass overwrite=True (crowdcast make-sample --overwrite) to replace them",
        )
    ]


# ----------------------------------------------------------------------------- make_city


def _with_attendance(
    events: list[SimEvent], attendance: Mapping[str, float] | None
) -> list[SimEvent]:
    """The calendar with the expected attendance of some events set (by event id)."""
    if not attendance:
        return events
    known = {e.event_id for e in events}
    unknown = sorted(set(attendance) - known)
    bad = {k: v for k, v in attendance.items() if not (np.isfinite(v) and v >= 0)}
    problems = Problems(error=ParameterError)
    if unknown:
        problems.add(
            "`attendance`",
            "ids of events in the simulated calendar",
            ", ".join(map(repr, unknown[:5])),
            hint="see make_city(...).events['event_id'] for the same start, end and seed",
        )
    if bad:
        problems.add("`attendance`", "non-negative numbers", repr(bad))
    problems.raise_if_any("Invalid make_city arguments")
    return [
        replace(e, expected=float(attendance[e.event_id])) if e.event_id in attendance else e
        for e in events
    ]


def _simulate(
    seed: int,
    first: dt.date,
    last: dt.date,
    step: pd.Timedelta,
    zones: Sequence[str] | None,
    n_zones: int | None,
    attendance: Mapping[str, float] | None = None,
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
    events = _with_attendance(
        event_calendar(lambda name: child(seed, name), first, last), attendance
    )
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
    attendance: Mapping[str, float] | None = None,
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
    attendance
        The expected attendance of some events, by event id, instead of the
        calendar's (a bigger event than the kind's venue holds gets a bigger
        venue). With the same other arguments the calendar is the same, so
        this simulates what really happens when an event is bigger or smaller:
        the truth to test what-if scenarios against.

    Returns
    -------
    SimulatedCity
        The profile, the contract tables as the readers return them, the
        ``truth`` and the paths written.

    Raises
    ------
    ParameterError
        An argument is invalid, or a file to write exists and ``overwrite``
        is False; every problem is reported, and nothing is written.

    Examples
    --------
    >>> city = make_city(start="2024-06-01", end="2024-06-07", zones=["station_square"])
    >>> city.counts["zone"].unique().tolist()
    ['station_square']
    >>> city.truth["site_weight"]
    1.6
    """
    folder = None if path is None else Path(path)
    args = _Arguments(folder, zones, n_zones, start, end, freq, seed, overwrite)
    check_params(args, title="Invalid make_city arguments")
    first, last = _as_day(start), _as_day(end)
    assert first is not None and last is not None  # checked above
    sim = _simulate(int(seed), first, last, pd.Timedelta(freq), zones, n_zones, attendance)
    doc = profile_doc(sim.zones, first, last)
    tables = contract_tables(sim)
    facts = truth(sim)
    written = () if folder is None else write_files(folder, doc, tables, facts, sim)
    return SimulatedCity(site_profile(doc, folder), **tables, truth=facts, paths=written)
