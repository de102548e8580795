"""What-if scenarios: change the known-future inputs and compare forecasts.

A planner asks "what if attendance is 45,000 instead of 30,000", "what if it
rains from 14:00", "what if the match is cancelled", "what if we add a
concert in the park". Each question is a small :class:`Change` applied to the
event calendar or the weather forecast; :func:`what_if` forecasts with and
without the changes from the same origin and returns base, scenario and
difference side by side.

Examples
--------
>>> import crowdcast as cc
>>> changes = [cc.SetAttendance("match-1", 45_000), cc.SetWeather("2024-06-01 14:00+02:00",
...            precipitation_mm=4.0)]
>>> [type(c).__name__ for c in changes]
['SetAttendance', 'SetWeather']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crowdcast._city import City
from crowdcast.exceptions import ParameterError, Problem, format_message
from crowdcast.models import BaseForecaster
from crowdcast.schemas import EVENTS, WEEK, TimestampLike, as_utc, validate_events

__all__ = ["AddEvent", "CancelEvent", "Change", "SetAttendance", "SetWeather", "what_if"]


class Change:
    """One change of the known-future inputs."""

    def apply(
        self, events: pd.DataFrame, weather: pd.DataFrame | None, origin: pd.Timestamp
    ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        raise NotImplementedError

    def _rows(self, events: pd.DataFrame, event_id: str) -> np.ndarray:
        mask = (events["event_id"] == event_id).to_numpy()
        if not mask.any():
            known = ", ".join(sorted(events["event_id"].astype(str).unique())[:8])
            raise ParameterError(
                [
                    Problem(
                        "`event_id`",
                        "an event of the calendar",
                        f"{event_id!r}; known ids include {known}",
                        hint="see the event_id column of the events table",
                    )
                ]
            )
        return mask


@dataclass(frozen=True)
class SetAttendance(Change):
    """Expected attendance of an event becomes ``attendance`` (in every zone it spans)."""

    event_id: str
    attendance: float

    def apply(self, events, weather, origin):  # type: ignore[no-untyped-def]
        out = events.copy()
        out.loc[self._rows(events, self.event_id), "expected_attendance"] = float(self.attendance)
        return out, weather


@dataclass(frozen=True)
class CancelEvent(Change):
    """The event is cancelled (it stays in the calendar, marked cancelled)."""

    event_id: str

    def apply(self, events, weather, origin):  # type: ignore[no-untyped-def]
        out = events.copy()
        out.loc[self._rows(events, self.event_id), "status"] = "cancelled"
        return out, weather


@dataclass(frozen=True)
class AddEvent(Change):
    """An extra event in a zone."""

    name: str
    zone: str
    start: Any
    end: Any
    attendance: float | None = None
    category: str = "other"

    def apply(self, events, weather, origin):  # type: ignore[no-untyped-def]
        row = pd.DataFrame(
            {
                "event_id": [f"scenario:{self.name}"],
                "name": [self.name],
                "zone": [self.zone],
                "start": [as_utc(self.start, "start")],
                "end": [as_utc(self.end, "end")],
                "expected_attendance": [
                    float(self.attendance) if self.attendance is not None else np.nan
                ],
                "category": [self.category],
                "status": ["confirmed"],
            }
        )
        base = events if len(events) else row.iloc[:0]
        out = pd.concat([base, row], ignore_index=True)
        return validate_events(out, source=f"scenario AddEvent({self.name!r})"), weather


@dataclass(frozen=True)
class SetWeather(Change):
    """The weather forecast from ``start`` (to ``end``, open if None) takes these values.

    The change is written as a forecast issued at the origin, so every
    forecaster sees it the way it sees real issued forecasts.
    """

    start: Any
    end: Any = None
    precipitation_mm: float | None = None
    temperature_c: float | None = None
    wind_speed_ms: float | None = None

    def apply(self, events, weather, origin):  # type: ignore[no-untyped-def]
        start = as_utc(self.start, "start")
        end = as_utc(self.end, "end") if self.end is not None else start + WEEK
        hours = pd.date_range(start.floor("h"), end, freq="h", inclusive="left")
        if len(hours) == 0:
            raise ParameterError(format_message("`end`", f"after start {start}", repr(self.end)))
        latest = _latest_forecast(weather, origin, hours)
        for var in ("precipitation_mm", "temperature_c", "wind_speed_ms"):
            value = getattr(self, var)
            if value is not None:
                latest[var] = float(value)
        latest["issued_at"] = origin
        rest = weather if weather is not None else latest.iloc[:0]
        rest = rest[~((rest["issued_at"] == origin) & rest["timestamp"].isin(hours))]
        return events, pd.concat([rest, latest], ignore_index=True)


def _latest_forecast(
    weather: pd.DataFrame | None, origin: pd.Timestamp, hours: pd.DatetimeIndex
) -> pd.DataFrame:
    """Per hour, the values a forecaster would use at the origin (to be overridden)."""
    base = pd.DataFrame({"timestamp": hours})
    cols = ["temperature_c", "precipitation_mm", "wind_speed_ms"]
    if weather is None or weather.empty:
        return base.assign(**{c: np.nan for c in cols})
    known = weather[weather["issued_at"].isna() | (weather["issued_at"] <= origin)]
    known = known.sort_values("issued_at", na_position="first")
    cols += ["station"] if "station" in known.columns else []
    last = known.drop_duplicates("timestamp", keep="last").set_index("timestamp")[cols]
    return base.join(last, on="timestamp")


def what_if(
    model: BaseForecaster,
    changes: Sequence[Change],
    *,
    origin: TimestampLike | None = None,
    data: City | pd.DataFrame | None = None,
    allow_stale: bool = False,
) -> pd.DataFrame:
    """Forecast with and without ``changes`` from one origin; compare side by side.

    Parameters
    ----------
    model
        A fitted forecaster.
    changes
        What differs in the scenario (:class:`SetAttendance`,
        :class:`CancelEvent`, :class:`AddEvent`, :class:`SetWeather`).
    origin
        Start of the first forecast interval; by default the interval after
        the last observation.
    data
        The :class:`~crowdcast.City` (or counts table) to forecast from; what
        the model was fitted on when omitted. Changes apply to its events and
        weather.
    allow_stale
        Forecast even when the origin is long after the last count (see
        :meth:`~crowdcast.models.BaseForecaster.predict`); otherwise that is
        an error naming the gap.

    Returns
    -------
    pandas.DataFrame
        The forecast keys (``zone, origin, timestamp, horizon``) and, per
        quantile column ``qX``, ``base_qX``, ``scenario_qX`` and ``diff_qX``
        (scenario minus base).
    """
    if not changes:
        raise ParameterError(format_message("`changes`", "at least one change", "none"))
    base = model.predict(data, origin=origin, allow_stale=allow_stale)
    start = base["origin"].iloc[0]
    city = data if isinstance(data, City) else None
    ev = city.events if city is not None else model.events_
    ev = ev if ev is not None else pd.DataFrame({c: [] for c in EVENTS.names})
    we = city.weather if city is not None else model.weather_
    for change in changes:
        ev, we = change.apply(ev, we, start)
    scenario_data = city.replace(events=ev, weather=we) if city is not None else data
    if city is not None:
        scenario = model.predict(scenario_data, origin=start, allow_stale=allow_stale)
    else:
        scenario = model.predict(
            scenario_data, origin=start, events=ev, weather=we, allow_stale=allow_stale
        )
    keys = ["zone", "origin", "timestamp", "horizon"]
    out = base[keys].copy()
    for col in model.quantile_columns:
        out[f"base_{col}"] = base[col].to_numpy()
        out[f"scenario_{col}"] = scenario[col].to_numpy()
        out[f"diff_{col}"] = out[f"scenario_{col}"] - out[f"base_{col}"]
    out.attrs["changes"] = [repr(c) for c in changes]
    return out
