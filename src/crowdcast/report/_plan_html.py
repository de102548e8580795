"""The planner's report as one self-contained HTML file (Jinja2 template, inline SVG).

:func:`render_plan` lays out a :class:`~crowdcast.report._plan.PlanReport`:
the template is ``report/templates/plan.html.j2`` with its stylesheet
``plan.css`` inlined, the words come from ``report/locales/<language>.toml``
(:mod:`._words`, :mod:`._plan_text`), the figures are inline SVG
(:mod:`._timeline`) and the numbers come from :func:`plan_table`, so the
HTML and the CSV agree. Nothing in the page loads from the network.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from crowdcast._version import __version__
from crowdcast.exceptions import CrowdcastError
from crowdcast.profiles import PURPOSES
from crowdcast.report._forecast_plot import _risk_thresholds
from crowdcast.report._plan import PlanReport, plan_table
from crowdcast.report._plan_text import (
    alert_sentences,
    driver_lines,
    scenario_lines,
    warning_lines,
    zone_name,
)
from crowdcast.report._timeline import level_colour, timeline_svg
from crowdcast.report._words import Words, load_words

__all__ = ["plan_alerts", "plan_warnings", "render_plan"]

_TEMPLATES = Path(__file__).with_name("templates")
#: The heatmap's colour stops: probability -> RGB.
_HEAT = ((0.0, (255, 255, 255)), (0.25, (254, 232, 200)), (0.5, (253, 187, 132)),
         (0.75, (239, 101, 72)), (1.0, (179, 0, 0)))  # fmt: skip


@functools.cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_plan(report: PlanReport, *, language: str = "en") -> str:
    """The report as one HTML page: header and warnings, alerts in words, a zones × hours
    heatmap of the chance of the alert level, base vs scenario, and per zone a timeline,
    the reasons behind its peak and its numbers hour by hour; then the model's provenance.

    ``language`` names a file of ``crowdcast/report/locales`` (``"en"``).
    """
    words = load_words(language)
    table = plan_table(report)
    context = {
        "lang": language,
        "version": __version__,
        "t": words.strings,
        **_header(report, words),
        "warnings": warning_lines(report, words),
        "loud": report.stale,
        "alerts": _alerts(report, words),
        "alerts_intro": words.text("alerts_intro", probability=_threshold(report, words)),
        "no_alerts": words.text("no_alerts", probability=_threshold(report, words)),
        "heatmap": _heatmap(report, words, table),
        "comparison": _comparison(report, words, table),
        "zones": [_zone(report, words, table, z) for z in report.zones],
        "about": _about(report, words),
        "card": report.card.to_markdown() if report.card is not None else None,
        "footer": words.text("footer", version=__version__),
    }
    return _environment().get_template("plan.html.j2").render(**context)


def plan_warnings(report: PlanReport, *, language: str = "en") -> list[str]:
    """The report's warnings in words, most serious first (stale data, attendance
    beyond what the model has seen, zones without levels, ...), as the report shows them."""
    return [w["text"] for w in warning_lines(report, load_words(language))]


def plan_alerts(report: PlanReport, *, language: str = "en") -> list[str]:
    """The report's alerts in words, earliest first: ``Stadionplein: orange likely (60 %) from
    18:00 until 20:00, 45 min before kick-off``."""
    return [
        f"{a['zone_name']}: {a['level']} {a['sentence']}"
        for a in alert_sentences(report, load_words(language))
    ]


def _threshold(report: PlanReport, words: Words) -> str:
    prob = (
        report.risk.alert_probability
        if report.risk is not None
        else report.site.risk.alert_probability
    )
    return words.percent(prob)


def _unit(report: PlanReport, words: Words, zone: str) -> str:
    if report.site.zone(zone).measure == "passages":
        freq = report.freq
        interval = words["interval_hour"] if freq == pd.Timedelta("1h") else words.duration(freq)
        return words.text("unit_passages", interval=interval)
    return words["unit_occupancy"]


def _header(report: PlanReport, words: Words) -> dict[str, Any]:
    tz = report.site.timezone
    window = words.text(
        "window_value",
        start=words.date_time(report.start, tz),
        end=words.date_time(report.end, tz),
        timezone=tz,
    )
    event = report.planned_event
    title = (
        words.text("title_event", event=str(event["name"].iloc[0]))
        if len(event)
        else words.text("title_window", window=words.day_time(report.start, tz))
    )
    facts: list[tuple[str, Any]] = [
        (words["site"], f"{report.site.name} ({report.site.id})"),
        (words["window"], window),
    ]
    if len(event):
        att = float(event["expected_attendance"].iloc[0])
        facts.append(
            (
                words["event"],
                words.text(
                    "event_value" if np.isfinite(att) else "event_value_unknown",
                    name=str(event["name"].iloc[0]),
                    start=words.day_time(pd.Timestamp(event["start"].min()), tz),
                    end=words.time(pd.Timestamp(event["end"].max()), tz),
                    zone=", ".join(zone_name(report, z) for z in dict.fromkeys(event["zone"])),
                    attendance=words.number(att),
                ),
            )
        )
    prov = report.provenance
    facts.append(
        (
            words["data"],
            words.text(
                "data_value",
                last=words.date_time(report.last_count, tz),
                age=words.duration(report.data_age),
                start=str(prov.get("training_start", "?"))[:10],
                end=str(prov.get("training_end", "?"))[:10],
            ),
        )
    )
    facts.append((words["scenario"], scenario_lines(report, words) or words["no_scenario"]))
    purpose = prov.get("purpose")
    if purpose:
        facts.append((words["purpose"], f"{purpose}: {PURPOSES.get(purpose, '')}"))
    now = pd.Timestamp(dt.datetime.now(dt.UTC))
    facts.append(
        (
            words["made"],
            words.text("made_value", time=words.date_time(now, tz), version=__version__),
        )
    )
    return {"title": title, "subtitle": window, "facts": facts}


def _alerts(report: PlanReport, words: Words) -> list[dict[str, str]]:
    out = alert_sentences(report, words)
    schemes = report.risk.schemes if report.risk is not None else {}
    for a in out:
        levels = schemes[a["zone"]][1] if a["zone"] in schemes else ()
        a["colour"] = level_colour(a["level"], levels)
    return out


def _heat(p: float) -> tuple[str, str]:
    """Background and text colour of a heatmap cell."""
    if not np.isfinite(p):
        return "#f0f0f0", "#5b6470"
    for (p0, c0), (p1, c1) in itertools.pairwise(_HEAT):
        if p <= p1:
            f = (p - p0) / (p1 - p0)
            rgb = [round(a + f * (b - a)) for a, b in zip(c0, c1, strict=True)]
            return "#{:02x}{:02x}{:02x}".format(*rgb), "#ffffff" if p > 0.62 else "#1b1f24"
    return "#b30000", "#ffffff"


def _heatmap(report: PlanReport, words: Words, table: pd.DataFrame) -> dict[str, Any]:
    tz = report.site.timezone
    times = pd.date_range(report.start, report.end, freq=report.freq, inclusive="left")
    local = times.tz_convert(tz)
    days = [
        {"label": words.day_time(t, tz).split(",")[0], "span": int(n)}
        for t, n in zip(*_runs(local.date, times), strict=True)
    ]
    starts = report.events[report.events["status"] != "cancelled"]
    markers, legend = [], []
    for t in times:
        found = starts[(starts["start"] >= t) & (starts["start"] < t + report.freq)]
        found = found.drop_duplicates("event_id")
        markers.append(", ".join(found["name"].astype(str)))
        legend += [
            f"{r['name']} {words.time(pd.Timestamp(r['start']), tz)}"
            for r in found.to_dict("records")
        ]
    risk = report.risk
    rows = []
    for zone in report.zones:
        z = table[table["zone"] == zone]
        alert = risk.schemes[zone][2] if risk is not None and zone in risk.schemes else None
        cells = []
        if alert is not None:
            prob = risk.alert_probability if risk is not None else 0.5
            for p in z["p_alert"].to_numpy(dtype="float64"):
                bg, fg = _heat(p)
                text = (
                    ("" if round(100 * p) == 0 else str(round(100 * p))) if np.isfinite(p) else "-"
                )
                cells.append({"text": text, "bg": bg, "fg": fg, "framed": bool(p > prob)})
        rows.append({"zone": zone, "name": zone_name(report, zone), "alert": alert, "cells": cells})
    return {
        "intro": words.text("heatmap_intro", probability=_threshold(report, words)),
        "days": days,
        "hours": [f"{t:%H}" if report.freq >= pd.Timedelta("1h") else f"{t:%H:%M}" for t in local],
        "markers": markers if any(markers) else [],
        "legend": words.text("event_marker", events="; ".join(legend)) if legend else "",
        "rows": rows,
    }


def _runs(dates: np.ndarray, times: pd.DatetimeIndex) -> tuple[list[pd.Timestamp], list[int]]:
    """The first time of each run of equal local dates, and the run's length."""
    firsts, lengths = [], []
    for i, d in enumerate(dates):
        if i == 0 or d != dates[i - 1]:
            firsts.append(times[i])
            lengths.append(0)
        lengths[-1] += 1
    return firsts, lengths


def _comparison(report: PlanReport, words: Words, table: pd.DataFrame) -> list[dict[str, str]]:
    if report.base is None or not report.changes:
        return []
    base = plan_table(report, report.base)
    out = []
    for zone in report.zones:
        s, b = table[table["zone"] == zone], base[base["zone"] == zone]
        peak_s, peak_b = float(s["expected"].max()), float(b["expected"].max())
        out.append(
            {
                "name": zone_name(report, zone),
                "base": words.number(peak_b),
                "scenario": words.number(peak_s),
                "change": words.change(peak_s / peak_b) if peak_b > 0 else "-",
                "p_base": words.percent(float(b["p_alert"].max())),
                "p_scenario": words.percent(float(s["p_alert"].max())),
            }
        )
    return out


def _thresholds(report: PlanReport, zone: str) -> dict[str, float]:
    """The count at which each level starts in a zone (from its risk scheme)."""
    risk = report.risk
    if risk is None or zone not in risk.schemes:
        return {}
    try:
        return _risk_thresholds(risk, zone, report.site, None)
    except CrowdcastError:  # no positive density to recover the zone's scale from
        return {}


def _zone(report: PlanReport, words: Words, table: pd.DataFrame, zone: str) -> dict[str, Any]:
    tz = report.site.timezone
    rows = table[table["zone"] == zone].reset_index(drop=True)
    unit = _unit(report, words, zone)
    thresholds = _thresholds(report, zone)
    levels = list(report.risk.schemes[zone][1]) if thresholds and report.risk else []
    alert = report.risk.schemes[zone][2] if thresholds and report.risk else None
    times = pd.DatetimeIndex(report.window_rows(report.forecast[report.forecast["zone"] == zone])
                             .sort_values("timestamp")["timestamp"])  # fmt: skip
    peak = int(rows["expected"].astype("float64").to_numpy().argmax())
    top = rows.iloc[peak]
    out: dict[str, Any] = {
        "id": zone,
        "name": zone_name(report, zone),
        "unit": unit,
        "peak": words.text(
            "zone_peak",
            time=words.day_time(times[peak], tz),
            expected=words.number(top["expected"]),
            unit=unit,
            low=words.number(top["low_80"]),
            high=words.number(top["high_80"]),
        ),
        "level": top["level"],
        "colour": level_colour(top["level"], levels),
        "level_text": words.text(
            "zone_level", level=top["level"], alert=alert, probability=words.percent(top["p_alert"])
        )
        if top["level"]
        else "",
        "thresholds": words.text(
            "zone_thresholds",
            thresholds=" · ".join(f"{lv} {words.number(v)}" for lv, v in thresholds.items()),
        )
        if thresholds
        else "",
        "svg": Markup(timeline_svg(report, zone, words, thresholds, unit)),
        "drivers": driver_lines(report, words, zone),
        "drivers_intro": words.text("drivers_intro", time=words.day_time(times[peak], tz)),
        "chance_label": words.text("col_chance", alert=alert) if alert else "",
        "hours": [
            {
                "local_time": r["local_time"],
                "time": words.time(t, tz),
                "expected": words.number(r["expected"]),
                "range": f"{words.number(r['low_80'])}–{words.number(r['high_80'])}",
                "level": r["level"],
                "colour": level_colour(r["level"], levels),
                "chance": words.percent(r["p_alert"]) if alert else "",
            }
            for t, r in zip(times, rows.to_dict("records"), strict=True)
        ],
    }
    return out


def _when(words: Words, value: object, tz: str) -> str:
    return words.date_time(pd.Timestamp(value), tz) if value else "?"  # type: ignore[arg-type]


def _about(report: PlanReport, words: Words) -> list[tuple[str, Any]]:
    tz = report.site.timezone
    prov = report.provenance
    fitted = prov.get("fitted_at")
    about: list[tuple[str, Any]] = [
        (
            words["model"],
            words.text(
                "model_value",
                model=prov.get("model", "?"),
                fitted=words.date_time(pd.Timestamp(fitted), tz) if fitted else "?",
                origin=words.date_time(report.last_count + report.freq, tz),
            ),
        ),
        (
            words["trained"],
            words.text(
                "trained_value",
                start=_when(words, prov.get("training_start"), tz),
                end=_when(words, prov.get("training_end"), tz),
            ),
        ),
    ]
    card = report.card
    if card is not None and card.sources:
        about.append(
            (words["sources"], [f"{s['id']} ({s['kind']}): {s['period']}" for s in card.sources])
        )
    if card is not None:
        about.append((words["limitations"], list(card.limitations)))
    if report.suppressed:
        k = report.site.privacy.min_count_per_hour
        about.append((words["purpose"], words.text("suppression_note", k=words.number(k))))
    return about
