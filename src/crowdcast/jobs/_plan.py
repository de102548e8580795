"""The planner's job: a window around an event, a what-if scenario, an HTML report and a CSV.

:func:`plan_event` resolves the planning window (an event, or local times),
refuses stale counts unless told otherwise, fits a forecaster whose horizon
reaches the end of the window (or loads a saved one), forecasts with and
without the scenario through :func:`crowdcast.what_if`, assesses the levels,
explains each zone's peak and hands all of it to
:func:`crowdcast.report.render_plan` and :func:`crowdcast.report.plan_table`.
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crowdcast._city import City
from crowdcast._validation import atomic_write, check_writable
from crowdcast.exceptions import CrowdcastWarning, ExtrapolationWarning, ParameterError, Problem
from crowdcast.jobs._forecast import levelled_zones, require_purpose
from crowdcast.jobs._window import check_data_age, cut_counts, local_time, planning_window
from crowdcast.models import BaseForecaster, load_model, save_model
from crowdcast.privacy import suppress
from crowdcast.profiles import SiteProfile
from crowdcast.report import (
    PlanReport,
    languages,
    model_card,
    plan_alerts,
    plan_table,
    plan_warnings,
    render_plan,
)
from crowdcast.risk import RiskTable, assess
from crowdcast.scenarios import AddEvent, Change, SetWeather, what_if
from crowdcast.schemas import EVENTS, PathLike, TimestampLike

__all__ = ["PlanRun", "plan_event"]

#: How much history the report's timelines show before the forecast.
_HISTORY_SHOWN = pd.Timedelta("2D")


@dataclass(frozen=True)
class PlanRun:
    """What :func:`plan_event` produced."""

    report: PlanReport
    html: str
    table: pd.DataFrame
    model: BaseForecaster
    path: Path | None
    table_path: Path | None
    model_path: Path | None
    fitted: bool
    fit_seconds: float
    warnings: tuple[str, ...]
    alerts: tuple[str, ...]


def plan_event(
    city: City,
    *,
    event: str | None = None,
    start: TimestampLike | None = None,
    end: TimestampLike | None = None,
    changes: Sequence[Change] = (),
    rain: float | None = None,
    model: BaseForecaster | PathLike | None = None,
    as_of: TimestampLike | None = None,
    allow_stale: bool = False,
    out: PathLike | None = None,
    overwrite: bool = False,
    language: str = "en",
) -> PlanRun:
    """Plan an event: forecast its window with and without a scenario, as a report and a CSV.

    Parameters
    ----------
    city
        The site's data, with its purpose (``load_city(..., purpose="event_planning")``).
    event
        The id of an event of the calendar: the window runs from 6 h before its
        start to 4 h after its end (its arrivals and egress).
    start, end
        Or the window itself, in the site's local time when no offset is given.
    changes
        The scenario (:class:`~crowdcast.SetAttendance`, :class:`~crowdcast.CancelEvent`,
        :class:`~crowdcast.AddEvent`, :class:`~crowdcast.SetWeather`), applied through
        :func:`~crowdcast.what_if`; the report shows base and scenario side by side.
        Times without an offset are the site's local time.
    rain
        Rain in mm per hour through the whole window: a :class:`~crowdcast.SetWeather`
        change added to ``changes``.
    model
        A fitted forecaster; or a saved model's path, loaded when the file exists
        and else fitted and saved there; by default a :class:`~crowdcast.GBMForecaster`
        is fitted. Its horizon must reach the end of the window: a fitted one is
        sized to it (hours from the last count, whatever the counting interval).
    as_of
        Plan as if it were this time: counts from then on are left out (to
        replay a past event).
    allow_stale
        Plan even when the last count is more than the site's
        ``[planning] max_data_age_h`` before the window; the report then says so.
    out
        The HTML report's path; the CSV goes beside it (same name, ``.csv``).
        Neither replaces a file unless ``overwrite``.
    language
        The report's language (:func:`crowdcast.report.languages`).

    Raises
    ------
    DataValidationError
        When the counts are stale (the hint says how to go on).
    ParameterError
        For an unknown event or language, a window before the last count or a
        saved model whose horizon is too short.

    Examples
    --------
    >>> import crowdcast as cc
    >>> city = cc.load_sample(purpose="event_planning")
    >>> run = plan_event(city, event="football-20241214@havenstad.example",
    ...                  as_of="2024-12-12 22:00Z")                        # doctest: +SKIP
    >>> run.table.columns.tolist()                                        # doctest: +SKIP
    ['zone', 'local_time', 'expected', 'low_80', 'high_80', 'level', 'p_alert']
    """
    site = city.require_site("plan_event")
    purpose = require_purpose(city, "plan_event")
    _check_language(language)
    html_path, csv_path = _targets(out, overwrite)
    if as_of is not None:
        city = cut_counts(city, local_time(as_of, site.timezone, "as_of"))
    history = city.history()
    last = history.last_observed()
    origin = last + history.freq
    window = planning_window(city, event=event, start=start, end=end, origin=origin)
    changes = _scenario(changes, rain, window, site)
    stale = check_data_age(city, site, last, origin, window[0], allow_stale=allow_stale)
    steps = math.ceil((window[1] - origin) / history.freq)
    forecaster, model_path, fitted, seconds = _model(model, city, steps)
    report = _report(forecaster, city, purpose, window, last, changes, event, stale)
    html = render_plan(report, language=language)
    table = plan_table(report)
    if html_path is not None and csv_path is not None:
        atomic_write(html_path, html, overwrite=overwrite)
        atomic_write(csv_path, lambda p: table.to_csv(p, index=False), overwrite=overwrite)
    return PlanRun(
        report=report,
        html=html,
        table=table,
        model=forecaster,
        path=html_path,
        table_path=csv_path,
        model_path=model_path,
        fitted=fitted,
        fit_seconds=seconds,
        warnings=tuple(plan_warnings(report, language=language)),
        alerts=tuple(plan_alerts(report, language=language)),
    )


def _report(
    forecaster: BaseForecaster,
    city: City,
    purpose: str,
    window: tuple[pd.Timestamp, pd.Timestamp],
    last: pd.Timestamp,
    changes: Sequence[Change],
    event: str | None,
    stale: bool,
) -> PlanReport:
    """Forecast with and without the changes, assess, explain, suppress: the report's data."""
    site = city.require_site("plan_event")
    origin = last + city.history().freq
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CrowdcastWarning)
        scenario, base, scenario_city = _forecasts(forecaster, city, changes, origin, window[1])
    risk, base_risk = _assess(scenario, site, window), _assess(base, site, window)
    drivers = _drivers(forecaster, scenario, scenario_city, window)
    shown = city.counts[city.counts["timestamp"] >= origin - _HISTORY_SHOWN]
    public = purpose == "public_information"
    if public:
        scenario, shown = suppress(scenario, site), suppress(shown, site)
        base = suppress(base, site) if base is not None else None
    seen = _attendance_seen(forecaster)
    return PlanReport(
        site=site,
        start=window[0],
        end=window[1],
        last_count=last,
        forecast=scenario,
        history=shown,
        events=_calendar(scenario_city),
        risk=risk,
        base=base,
        base_risk=base_risk,
        changes=changes,
        base_events=_calendar(city),
        event=event,
        drivers=drivers,
        card=model_card(forecaster, city=city),
        provenance=forecaster.provenance_.to_dict(),
        attendance_seen=seen,
        stale=stale,
        notes=_notes(caught, covered=bool(seen)),
        suppressed=public,
    )


def _check_language(language: str) -> None:
    if language not in languages():
        raise ParameterError(
            [Problem("`language`", f"one of {', '.join(languages())}", repr(language))]
        )


def _targets(out: PathLike | None, overwrite: bool) -> tuple[Path | None, Path | None]:
    """The report's path and the CSV's beside it, refused before any work if they exist."""
    if out is None:
        return None, None
    html = check_writable(out, overwrite=overwrite)
    return html, check_writable(html.with_suffix(".csv"), overwrite=overwrite)


def _scenario(
    changes: Sequence[Change],
    rain: float | None,
    window: tuple[pd.Timestamp, pd.Timestamp],
    site: SiteProfile,
) -> tuple[Change, ...]:
    """The changes with local times made UTC, zones checked, and the rain as a change."""
    out: list[Change] = []
    for change in changes:
        if isinstance(change, AddEvent):
            if change.zone not in site.zone_ids:
                raise ParameterError(
                    [
                        Problem(
                            f"the zone of the added event {change.name!r}",
                            f"a zone of site {site.id!r} ({', '.join(site.zone_ids)})",
                            repr(change.zone),
                        )
                    ]
                )
            change = dataclasses.replace(
                change,
                start=local_time(change.start, site.timezone, "start"),
                end=local_time(change.end, site.timezone, "end"),
            )
        elif isinstance(change, SetWeather):
            end = None if change.end is None else local_time(change.end, site.timezone, "end")
            change = dataclasses.replace(
                change, start=local_time(change.start, site.timezone, "start"), end=end
            )
        out.append(change)
    if rain is not None:
        out.append(SetWeather(window[0], window[1], precipitation_mm=rain))
    return tuple(out)


def _model(
    model: BaseForecaster | PathLike | None, city: City, steps: int
) -> tuple[BaseForecaster, Path | None, bool, float]:
    """The forecaster, its file, whether it was fitted here and how long that took."""
    from crowdcast.models import GBMForecaster

    path = None if model is None or isinstance(model, BaseForecaster) else Path(model)
    if path is not None and path.exists():
        loaded = load_model(path)
        _check_loaded(loaded, city, steps, path)
        return loaded, path, False, 0.0
    if isinstance(model, BaseForecaster) and hasattr(model, "provenance_"):
        _check_loaded(model, city, steps, None)
        return model, None, False, 0.0
    if isinstance(model, BaseForecaster):
        from sklearn.base import clone

        forecaster = clone(model).set_params(horizon=max(model.horizon, steps))
    else:
        forecaster = GBMForecaster(horizon=steps)
    t0 = time.perf_counter()
    forecaster.fit(city)
    seconds = time.perf_counter() - t0
    if path is not None:
        save_model(forecaster, path)
    return forecaster, path, True, seconds


def _check_loaded(model: BaseForecaster, city: City, steps: int, path: Path | None) -> None:
    """A saved or given model must be of this site and reach the end of the window."""
    site = city.require_site("plan_event")
    prov = model.provenance_
    where = str(path) if path is not None else "the model passed"
    problems = []
    if prov.site is not None and prov.site != site.id:
        problems.append(
            Problem(
                "the model's site",
                repr(site.id),
                repr(prov.site),
                source=where,
                hint="use a model fitted on this site's data",
            )
        )
    if model.horizon < steps:
        freq = pd.Timedelta(prov.freq)
        problems.append(
            Problem(
                "the model's horizon",
                f"at least {steps} intervals ({steps * freq / pd.Timedelta('1h'):g} h): "
                "the window ends that long after the last count",
                f"{model.horizon} intervals ({model.horizon * freq / pd.Timedelta('1h'):g} h)",
                source=where,
                hint="fit a new model: leave out --model, or name a file that does not exist "
                "yet (the model is fitted and saved there)",
            )
        )
    if problems:
        raise ParameterError(problems, title="The model cannot forecast this window")


def _forecasts(
    model: BaseForecaster,
    city: City,
    changes: Sequence[Change],
    origin: pd.Timestamp,
    end: pd.Timestamp,
) -> tuple[pd.DataFrame, pd.DataFrame | None, City]:
    """The scenario's forecast, the base (None without changes) and the scenario's City.

    The freshness of the counts was judged by the plan's own rule (the site's
    ``max_data_age_h``, or ``allow_stale``), so the forecaster's is not applied again.
    """
    if not changes:
        fc = model.predict(city, origin=origin, allow_stale=True)
        return fc[fc["timestamp"] < end].reset_index(drop=True), None, city
    table = what_if(model, changes, origin=origin, data=city, allow_stale=True)
    table = table[table["timestamp"] < end].reset_index(drop=True)
    keys = ["zone", "origin", "timestamp", "horizon"]
    cols = model.quantile_columns
    prov = model.provenance_.to_dict()
    frames = []
    for side in ("scenario", "base"):
        frame = table[keys + [f"{side}_{c}" for c in cols]].set_axis(keys + cols, axis=1)
        frame.attrs["provenance"] = prov
        frames.append(frame)
    events, weather = _calendar(city), city.weather
    for change in changes:  # the same changes what_if applied, for the explanations
        events, weather = change.apply(events, weather, origin)
    return frames[0], frames[1], city.replace(events=events, weather=weather)


def _calendar(city: City) -> pd.DataFrame:
    """The city's events, or an empty events table."""
    if city.events is not None:
        return city.events
    return pd.DataFrame({c: [] for c in EVENTS.names})


def _assess(
    forecast: pd.DataFrame | None, site: SiteProfile, window: tuple[pd.Timestamp, pd.Timestamp]
) -> RiskTable | None:
    """Crowding levels of the window's rows, for the zones that have levels."""
    if forecast is None:
        return None
    rows = forecast[(forecast["timestamp"] >= window[0]) & (forecast["timestamp"] < window[1])]
    rows = rows[rows["zone"].isin(levelled_zones(site, list(dict.fromkeys(rows["zone"]))))]
    return assess(rows, site) if len(rows) else None


def _drivers(
    model: BaseForecaster,
    forecast: pd.DataFrame,
    data: City,
    window: tuple[pd.Timestamp, pd.Timestamp],
) -> pd.DataFrame | None:
    """The model's explanation of each zone's peak in the window, if it explains."""
    explain = getattr(model, "explain", None)
    if explain is None:
        return None
    rows = forecast[(forecast["timestamp"] >= window[0]) & (forecast["timestamp"] < window[1])]
    peaks = rows.loc[rows.groupby("zone")["q0.5"].idxmax()]
    table: pd.DataFrame = explain(peaks, data=data, top=5)
    return table


def _attendance_seen(model: BaseForecaster) -> dict[str, tuple[float, float]]:
    """Per event category the lowest and highest attendance the model learned from."""
    response = getattr(model, "event_response_", None)
    if response is None:
        return {}
    out = {}
    for category, spread in response.spreads.items():
        seen = spread.attendance_range
        if seen is not None and category != "*":
            out[category] = seen
    return out


def _notes(caught: Sequence[warnings.WarningMessage], *, covered: bool) -> tuple[str, ...]:
    """The library's warnings the report does not word itself, once each."""
    notes = []
    for w in caught:
        if covered and issubclass(w.category, ExtrapolationWarning):
            continue  # the report words attendance beyond the range seen itself
        if issubclass(w.category, CrowdcastWarning):
            notes.append(str(w.message))
    return tuple(dict.fromkeys(notes))
