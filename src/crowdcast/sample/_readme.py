"""The README written next to the sample city's files: what they are and the truth behind them.

The text is the template ``README.template.md`` shipped in this package (and
``README.incidents.template.md``, its section on incidents, left out when the
incident zone is not simulated); the functions here compute the values,
tables and numbers of one simulation, that fill its ``$placeholders``
(:class:`string.Template`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from string import Template
from typing import Any

import pandas as pd

from crowdcast.sample._event_kinds import KINDS
from crowdcast.sample._havenstad import TIMEZONE, VENUES
from crowdcast.schemas import HOUR

__all__ = ["readme"]

_TEMPLATE = "README.template.md"
_INCIDENTS_TEMPLATE = "README.incidents.template.md"
#: Hours in an average year, to turn sums over the sample into yearly figures.
_YEAR_H = 8766
_NIGHTS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@cache
def _template(name: str) -> Template:
    text = resources.files("crowdcast.sample").joinpath(name).read_text(encoding="utf-8")
    return Template(text)


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table.

    >>> print(_table(["a", "b"], [(1, "x")]))
    | a | b |
    |---|---|
    | 1 | x |
    """
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _utc(ts: object) -> str:
    return pd.Timestamp(ts).tz_convert("UTC").strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]


def _local(ts: object) -> str:
    return pd.Timestamp(ts).tz_convert(TIMEZONE).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]


def _bump(b: tuple[float, float, float] | None) -> str:
    return "-" if b is None else f"{b[0]:g} / {b[1]:g} / {b[2]:g}"


def _clock(hour: float) -> str:
    """A wall-clock time; hours past midnight wrap.

    >>> _clock(26.5)
    '02:30'
    """
    h = hour % 24
    return f"{int(h):02d}:{round((h % 1) * 60):02d}"


# ----------------------------------------------------------------------------- sections


def _made(truth: Mapping[str, Any], sim_zones: Sequence[Any]) -> dict[str, str]:
    first, last, seed = truth["start"], truth["end"], truth["seed"]
    step = pd.Timedelta(truth["freq"])
    default = seed == 2024 and len(sim_zones) == 7 and step == HOUR
    call = (
        'make_city("data/sample", seed=2024, overwrite=True)'
        if default
        else f"make_city(..., seed={seed}, start={str(first)!r}, end={str(last)!r}, ...)"
    )
    every = f"{int(step.total_seconds() // 60)} min" if step < HOUR else "1 hour"
    return {"call": call, "first": str(first), "last": str(last), "step": every}


def _files(tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    return {
        "counts_rows": f"{int(tables['counts']['count'].notna().sum()):,}",
        "n_events": f"{tables['events']['event_id'].nunique():,}",
        "weather_rows": f"{len(tables['weather']):,}",
        "forecast_rows": f"{len(tables['weather_forecasts']):,}",
        "signal_rows": f"{len(tables['signals']):,}",
        "incident_rows": f"{len(tables['incidents']):,}",
    }


def _zones(doc: Mapping[str, Any], counts: pd.DataFrame, truth: Mapping[str, Any]) -> str:
    rows = []
    for z in doc["zones"]:
        size = f"{z['area_m2']:,.0f} m²" if "area_m2" in z else f"{z['width_m']:g} m wide"
        zc = counts[counts["zone"] == z["id"]]["count"]
        rows.append(
            (
                f"`{z['id']}`",
                z["name"],
                z["measure"],
                size,
                truth["zones"][z["id"]],
                ", ".join(z["tags"]),
                f"{zc.median():,.0f}",
                f"{zc.quantile(0.99):,.0f}",
            )
        )
    header = ["zone", "name", "measure", "size", "archetype", "tags", "median", "p99"]
    return _table(header, rows)


def _archetypes(sim_zones: Sequence[Any]) -> str:
    """The archetypes of the simulated base zones (replicas are jittered copies)."""
    rows = []
    seen: set[str] = set()
    for z in sim_zones:
        key = z.spec.archetype
        if key in seen or z.replica:
            continue
        seen.add(key)
        a = z.archetype
        rows.append(
            (
                key,
                a.measure,
                f"{a.annual_amplitude:g} @ day {a.annual_peak_doy}",
                f"{a.december:g}",
                f"{a.school_holiday:g}",
                f"{a.trend:+.0%}",
                f"{a.rain:g}",
                f"{a.temperature:g}",
                f"{a.sunshine:g}",
                f"{a.wind:g}",
                f"{a.dispersion:g}",
            )
        )
    header = ["archetype", "measure", "season", "December", "school", "trend/yr"]
    return _table([*header, "rain", "temperature", "sunshine", "wind", "NB size"], rows)


def _events(events: pd.DataFrame, truth: Mapping[str, Any]) -> dict[str, str]:
    categories = events.drop_duplicates("event_id").groupby("category").size()
    attendance = truth["attendance"]
    special = attendance[attendance["status"] != "confirmed"].drop_duplicates("event_id")
    kinds = [
        (
            k,
            v.category,
            f"{v.during:g}",
            _bump(v.before),
            _bump(v.peak),
            _bump(v.after),
            f"{v.spill:g}",
            f"{v.rain:g}",
            f"{v.noise:g}",
        )
        for k, v in KINDS.items()
    ]
    return {
        "category_table": _table(
            ["category", "events"], [(c, int(n)) for c, n in categories.items()]
        ),
        "special_table": _table(
            ["start (local)", "event", "zone", "status", "note"],
            [
                (_local(r.start), r.name, r.zone, r.status, r.note)
                for r in special.itertuples(index=False)
            ],
        ),
        "kind_table": _table(
            ["kind", "category", "during", "before", "peak", "after", "spill", "rain", "noise sd"],
            kinds,
        ),
    }


def _weather(w: pd.DataFrame) -> dict[str, str]:
    years = max(len(w) / _YEAR_H, 1e-9)
    return {
        "t_mean": f"{w['temperature_c'].mean():.1f}",
        "t_min": f"{w['temperature_c'].min():.1f}",
        "t_max": f"{w['temperature_c'].max():.1f}",
        "wet_share": f"{float((w['precipitation_mm'] > 0).mean()):.1%}",
        "rain_year": f"{w['precipitation_mm'].sum() / years:,.0f}",
        "wind_mean": f"{w['wind_speed_ms'].mean():.1f}",
        "sun_year": f"{w['sunshine_h'].sum() / years:,.0f}",
    }


def _sales(doc: Mapping[str, Any], truth: Mapping[str, Any]) -> dict[str, str]:
    zones = {z["id"] for z in doc["zones"]}
    venues = [
        (
            f"`{v.id}`",
            v.zone,
            ", ".join(v.tags),
            _clock(v.opens) if v.litres else "-",
            f"{_clock(v.closes)} ({_clock(v.closes_weekend)})" if v.litres else "-",
            f"{v.litres:g}" if v.litres else "-",
        )
        for v in VENUES
        if v.zone in zones
    ]
    header = ["venue", "zone", "tags", "opens", "closes (Fri/Sat)", "L/h at reference crowd"]
    shape, cap, sd = (truth["sales"][k] for k in ("noise_shape", "cap", "drinking_sd"))
    return {
        "venue_table": _table(header, venues),
        "noise_shape": f"{shape:g}",
        "noise_scale": f"{1 / shape:g}",
        "cap": f"{cap:g}",
        "drinking_sd": f"{sd:g}",
    }


def _incidents(truth: Mapping[str, Any]) -> str:
    """The section on incidents, or nothing when the incident zone was not simulated."""
    inc = truth["incident_rates"]
    if inc is None:
        return ""
    rates = truth["baseline_rates"].pivot(index="hour", columns="weekday", values="rate")
    baseline = _table(
        ["hours (local)", *(f"{d} night" for d in _NIGHTS)],
        [
            (label, *(f"{rates.loc[h, d]:.3f}" for d in range(7)))
            for label, h in (("06:00–18:00", 12), ("18:00–22:00", 20), ("22:00–06:00", 23))
        ],
    )
    values = {
        "effect": f"{truth['effect']:g}",
        "site_weight": f"{truth['site_weight']:.1f}",
        "profile_weight": f"{truth['profile_weight']:.1f}",
        "baseline_table": baseline,
        "total": f"{int(inc['count'].sum()):,}",
        "hours": f"{int((inc['count'] > 0).sum()):,}",
        "x_mean": f"{inc.loc[inc['in_window'], 'exposure_l'].mean():.1f}",
        "x_max": f"{inc['exposure_l'].max():.1f}",
    }
    return _template(_INCIDENTS_TEMPLATE).substitute(values) + "\n"


def _gaps(truth: Mapping[str, Any]) -> dict[str, str]:
    gaps, glitches = truth["gaps"], truth["glitches"]
    missing = int(gaps["intervals"].sum()) if len(gaps) else 0
    gap_rows = [
        (g.zone, _utc(g.start), _utc(g.end), g.intervals, g.cause)
        for g in gaps.itertuples(index=False)
    ]
    glitch_rows = [
        (
            g.zone,
            g.kind,
            _utc(g.start),
            _utc(g.end),
            f"{g.true_mean:,.1f}",
            f"{g.observed_mean:,.1f}",
            g.note,
        )
        for g in glitches.itertuples(index=False)
    ]
    glitch_header = ["zone", "kind", "from (UTC)", "to (UTC)", "true mean", "observed mean"]
    return {
        "n_gaps": str(len(gaps)),
        "missing": f"{missing:,}",
        "gap_table": _table(["zone", "from (UTC)", "to (UTC)", "intervals", "cause"], gap_rows),
        "glitch_table": _table([*glitch_header, "what"], glitch_rows),
    }


def readme(
    doc: Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame],
    truth: Mapping[str, Any],
    sim_zones: Sequence[Any],
) -> str:
    """The README text; deterministic for the same simulation.

    ``doc`` is the site profile document, ``tables`` the contract tables and
    ``truth`` the truth of :func:`~crowdcast.sample.make_city`; ``sim_zones``
    the simulated zones (with their archetypes).
    """
    values = {
        **_made(truth, sim_zones),
        **_files(tables),
        "zone_table": _zones(doc, tables["counts"], truth),
        "archetype_table": _archetypes(sim_zones),
        **_events(tables["events"], truth),
        **_weather(tables["weather"]),
        **_sales(doc, truth),
        "incidents": _incidents(truth),
        **_gaps(truth),
    }
    return _template(_TEMPLATE).substitute(values)
