"""The sentences of the planner's report: the scenario, warnings, alerts and reasons in words.

Each function reads a :class:`~crowdcast.report._plan.PlanReport` and
returns plain strings in the report's language (:class:`~._words.Words`);
the HTML module only lays them out.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from crowdcast.report._plan import PlanReport
from crowdcast.report._words import Words
from crowdcast.scenarios import AddEvent, CancelEvent, SetAttendance, SetWeather
from crowdcast.schemas import as_utc

__all__ = ["alert_sentences", "driver_lines", "scenario_lines", "warning_lines"]

#: An event's load reaches this far before its start and after its end (the curve's bins).
_BEFORE, _AFTER = pd.Timedelta("6h"), pd.Timedelta("4h")


def zone_name(report: PlanReport, zone: str) -> str:
    """The zone's display name from the site profile (its id when it has none)."""
    return report.site.zone(zone).name or zone


def _event_name(report: PlanReport, event_id: str) -> str:
    for table in (report.base_events, report.events):
        if table is not None and len(table):
            rows = table[table["event_id"] == event_id]
            if len(rows):
                return str(rows["name"].iloc[0])
    return event_id


def _attendance(words: Words, value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return words.number(float(value))  # type: ignore[arg-type]


def scenario_lines(report: PlanReport, words: Words) -> list[str]:
    """The scenario's changes in words, one line each (empty: no scenario)."""
    tz = report.site.timezone
    lines = []
    for change in report.changes:
        if isinstance(change, SetAttendance):
            event = _event_name(report, change.event_id)
            base = report.base_events if report.base_events is not None else report.events
            old = base.loc[base["event_id"] == change.event_id, "expected_attendance"]
            old_text = _attendance(words, float(old.iloc[0])) if len(old) else None
            new = words.number(change.attendance)
            lines.append(
                words.scenario("attendance", event=event, attendance=new, old=old_text)
                if old_text
                else words.scenario("attendance_unknown", event=event, attendance=new)
            )
        elif isinstance(change, CancelEvent):
            lines.append(words.scenario("cancel", event=_event_name(report, change.event_id)))
        elif isinstance(change, AddEvent):
            start, end = as_utc(change.start, "start"), as_utc(change.end, "end")
            attendance = _attendance(words, change.attendance)
            lines.append(
                words.scenario(
                    "add" if attendance else "add_unknown",
                    name=change.name,
                    category=change.category,
                    zone=zone_name(report, change.zone),
                    start=words.day_time(start, tz),
                    end=words.time(end, tz),
                    attendance=attendance,
                )
            )
        elif isinstance(change, SetWeather):
            lines += _weather_lines(report, words, change)
        else:
            lines.append(words.scenario("other", change=repr(change)))
    return lines


def _weather_lines(report: PlanReport, words: Words, change: SetWeather) -> list[str]:
    tz = report.site.timezone
    start = as_utc(change.start, "start")
    end = as_utc(change.end, "end") if change.end is not None else report.end
    when = {"start": words.day_time(start, tz), "end": words.time(end, tz)}
    lines = []
    if change.precipitation_mm is not None:
        lines.append(words.scenario("rain", mm=words.number(change.precipitation_mm, 1), **when))
    if change.temperature_c is not None:
        lines.append(
            words.scenario("temperature", degrees=words.number(change.temperature_c), **when)
        )
    if change.wind_speed_ms is not None:
        lines.append(words.scenario("wind", speed=words.number(change.wind_speed_ms, 1), **when))
    return lines


def _events_near(report: PlanReport) -> pd.DataFrame:
    """The calendar's events whose load can reach the window (not cancelled)."""
    ev = report.events
    if ev is None or ev.empty:
        return pd.DataFrame(columns=["event_id", "name", "category", "expected_attendance"])
    ev = ev[ev["status"] != "cancelled"]
    near = (ev["end"] + _AFTER > report.start) & (ev["start"] - _BEFORE < report.end)
    return ev[near].drop_duplicates("event_id")


def warning_lines(report: PlanReport, words: Words) -> list[dict[str, str]]:
    """The report's warnings, most serious first: ``{"kind": ..., "text": ...}``."""
    out = []
    tz = report.site.timezone
    if report.stale:
        hours = report.site.planning.max_data_age_h
        digits = 0 if hours % 1 == 0 else 1
        limit = words.doc["format"]["hours"].format(n=words.number(hours, digits))
        out.append(
            {
                "kind": "stale",
                "text": words.text(
                    "warning_stale",
                    age=words.duration(report.data_age),
                    limit=limit,
                ),
            }
        )
    out += _attendance_warnings(report, words)
    levels = set(report.risk.schemes) if report.risk is not None else set()
    without = [zone_name(report, z) for z in report.zones if z not in levels]
    if without:
        out.append(
            {"kind": "levels", "text": words.text("warning_no_levels", zones=", ".join(without))}
        )
    trained = report.provenance.get("training_end")
    if trained and pd.Timestamp(trained) > report.last_count + report.freq:
        out.append(
            {
                "kind": "replay",
                "text": words.text(
                    "warning_trained_later",
                    end=words.date_time(pd.Timestamp(trained), tz),
                    last=words.date_time(report.last_count, tz),
                ),
            }
        )
    if report.suppressed:
        k = words.number(report.site.privacy.min_count_per_hour)
        out.append({"kind": "note", "text": words.text("warning_suppressed", k=k)})
    out += [{"kind": "note", "text": note} for note in report.notes]
    return out


def _attendance_warnings(report: PlanReport, words: Words) -> list[dict[str, str]]:
    """Events near the window with an attendance outside what the model has seen."""
    if not report.attendance_seen:
        return []
    out = []
    for row in _events_near(report).itertuples(index=False):
        category = str(row.category)
        seen = report.attendance_seen.get(category)
        att = float(row.expected_attendance)  # type: ignore[arg-type]
        values: dict[str, Any] = {"event": row.name, "category": category}
        if seen is None:
            out.append(
                {"kind": "attendance", "text": words.text("warning_category_unseen", **values)}
            )
            continue
        if not np.isfinite(att) or seen[0] <= att <= seen[1]:
            continue
        key = "warning_attendance_above" if att > seen[1] else "warning_attendance_below"
        key += "_one" if seen[0] == seen[1] else ""
        values |= {
            "attendance": words.number(att),
            "low": words.number(seen[0]),
            "high": words.number(seen[1]),
        }
        out.append({"kind": "attendance", "text": words.text(key, **values)})
    return out


def reference_event(report: PlanReport, zone: str) -> tuple[pd.Timestamp, str] | None:
    """The start an alert is timed against, and its word: the planned event's, else the
    zone's first event in the window."""
    rows = report.planned_event
    if rows.empty:
        ev = _events_near(report)
        zone_rows = report.events[report.events["event_id"].isin(ev["event_id"])]
        rows = zone_rows[zone_rows["zone"] == zone]
    if rows.empty:
        return None
    first = rows.sort_values("start").iloc[0]
    return pd.Timestamp(first["start"]), str(first["category"])


def _relative(words: Words, at: pd.Timestamp, ref: tuple[pd.Timestamp, str] | None) -> str:
    if ref is None:
        return ""
    start, category = ref
    word = words.event_start(category)
    if abs(at - start) < pd.Timedelta("1min"):
        return ", " + words.text("relative_at", start=word)
    key = "relative_before" if at < start else "relative_after"
    return ", " + words.text(key, duration=words.duration(at - start), start=word)


def _episodes(z: pd.DataFrame, column: str, prob: float, freq: pd.Timedelta) -> list[tuple]:
    """The runs of consecutive intervals whose ``column`` exceeds ``prob``: (from, until)."""
    z = z.sort_values("timestamp")
    above = (z[column] > prob).to_numpy()
    times = pd.DatetimeIndex(z["timestamp"])
    runs = []
    for i, on in enumerate(above):
        if on and (i == 0 or not above[i - 1]):
            runs.append([times[i], times[i] + freq])
        elif on:
            runs[-1][1] = times[i] + freq
    return [tuple(r) for r in runs]


def alert_sentences(report: PlanReport, words: Words) -> list[dict[str, str]]:
    """One line per alert of the report's risk table, earliest first.

    e.g. ``likely (60 %) from 18:00 until 20:00, 45 min before kick-off;
    highest 72 % at 19:00; again from 21:00 until 22:00`` (the level itself
    is shown beside it).
    """
    risk = report.risk
    if risk is None or risk.alerts.empty:
        return []
    tz = report.site.timezone
    out = []
    for row in risk.alerts.sort_values(["first_alert", "zone"]).to_dict("records"):
        zone, level = str(row["zone"]), str(row["level"])
        first = pd.Timestamp(row["first_alert"])
        p = float(row["probability"])
        z = risk.table[risk.table["zone"] == zone]
        runs = _episodes(z, f"p_{level}", risk.alert_probability, report.freq)
        text = words.text(
            "alert_sentence",
            likelihood=words.likelihood(p),
            probability=words.percent(p),
            time=words.time(first, tz),
            until=words.time(runs[0][1], tz),
        )
        text += _relative(words, first, reference_event(report, zone))
        top = z.iloc[int(np.argmax(z[f"p_{level}"].to_numpy()))]
        p_top = float(top[f"p_{level}"])
        if round(100 * p_top) > round(100 * p):
            text += "; " + words.text(
                "alert_highest",
                probability=words.percent(p_top),
                time=words.time(pd.Timestamp(top["timestamp"]), tz),
            )
        for since, until in runs[1:]:
            text += "; " + words.text(
                "alert_again", time=words.time(since, tz), until=words.time(until, tz)
            )
        out.append(
            {"zone": zone, "zone_name": zone_name(report, zone), "level": level, "sentence": text}
        )
    return out


def _driver_value(words: Words, feature: str, value: float, label: object) -> str:
    """What a reason's value was, when that says something to a planner."""
    text = "" if label is None or label is pd.NA else str(label)
    if feature == "event_load":
        people = "+" + words.text("people", n=words.number(value))
        return f"{text}, {people}" if text else people
    units = {"weather_precipitation_mm": "mm/h", "weather_temperature_c": "°C"}
    if feature in units and np.isfinite(value):
        return f"{words.number(value, 1)} {units[feature]}"
    if feature == "weather_wind_speed_ms" and np.isfinite(value):
        return f"{words.number(value, 1)} m/s"
    return text


def driver_lines(report: PlanReport, words: Words, zone: str) -> list[dict[str, str]]:
    """The reasons behind a zone's peak forecast, strongest first, in words.

    A contribution ``c`` (log scale) multiplies the forecast by ``exp(c)``
    against an average hour: shown as ``×3.2`` when it at least doubles it,
    else as a percentage.
    """
    drivers = report.drivers
    if drivers is None or drivers.empty:
        return []
    rows = drivers[drivers["zone"] == zone]
    out = []
    ranked = rows.sort_values("contribution", key=np.abs, ascending=False)
    for row in ranked.to_dict("records"):
        factor = math.exp(float(row["contribution"]))
        up = factor >= 1
        digits = 1 if factor < 10 else 0
        effect = f"×{words.number(factor, digits)}" if factor >= 2 else words.change(factor)
        feature = str(row["feature"])
        detail = _driver_value(words, feature, float(row["value"]), row["label"])
        text = words.feature(feature, report.freq) + (f" ({detail})" if detail else "")
        out.append(
            {
                "direction": "up" if up else "down",
                "arrow": "▲" if up else "▼",
                "effect": f"{words['raises'] if up else words['lowers']} {effect}",
                "words": text,
            }
        )
    return out
