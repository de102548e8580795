"""The README written next to the sample city's files: what they are and the truth behind them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from crowdcast.sample._havenstad import TIMEZONE, VENUES
from crowdcast.sample._simevents import KINDS

__all__ = ["readme"]


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _utc(ts: object) -> str:
    return pd.Timestamp(ts).tz_convert("UTC").strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]


def _local(ts: object) -> str:
    return pd.Timestamp(ts).tz_convert(TIMEZONE).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]


def readme(
    doc: Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame],
    truth: Mapping[str, Any],
    sim_zones: Sequence[Any],
) -> str:
    """The README text; deterministic for the same simulation."""
    counts, events = tables["counts"], tables["events"]
    first, last = truth["start"], truth["end"]
    step = pd.Timedelta(truth["freq"])
    step_text = (
        f"{int(step.total_seconds() // 60)} min" if step < pd.Timedelta(hours=1) else "1 hour"
    )
    seed = truth["seed"]
    out: list[str] = []
    add = out.append

    add("# Havenstad — the sample city of crowdcast\n")
    add(
        "Havenstad is a **fictional** Dutch city centre (time zone Europe/Amsterdam, Dutch public\n"
        "and school holidays, region midden). Everything in this folder is simulated by\n"
        "`crowdcast.sample.make_city`; nothing is measured. The data is realistic enough that\n"
        "forecasting it is not trivial, and the *true* parameters behind it are written below so\n"
        "that calibration and forecasts can be checked against the truth.\n"
    )
    add("## How it was made\n")
    default = seed == 2024 and len(sim_zones) == 7 and step == pd.Timedelta(hours=1)
    call = (
        'make_city("data/sample", seed=2024, overwrite=True)'
        if default
        else f"make_city(..., seed={seed}, start={str(first)!r}, end={str(last)!r}, ...)"
    )
    add(
        "```sh\n"
        "make sample                                     # = the line below\n"
        "crowdcast make-sample data/sample --overwrite    # seed 2024\n"
        "```\n\n"
        f"which calls `crowdcast.sample.make_city`: `{call}`.\n"
        f"Simulated period: {first} to {last} (UTC days, both included), every {step_text}.\n"
        "The same arguments give the same bytes (a test regenerates this folder and compares\n"
        "every file), with the same versions of numpy (its random distributions) and `holidays`\n"
        "(the public holidays).\n"
    )

    add("## Files\n")
    file_rows = [
        (
            "site.toml",
            "site profile: zones, venues, school holidays, sources and their purposes, "
            "risk and privacy settings, the *believed* weight of `alcohol_aggression`",
            "-",
        ),
        (
            "counts.csv",
            "`zone,timestamp,count`: people per zone and interval; timestamps in UTC "
            "mark the START of the interval; **absent rows are sensor outages** "
            "(missing, not zero)",
            f"{int(counts['count'].notna().sum()):,}",
        ),
        (
            "events.ics",
            "iCalendar (RFC 5545) event calendar, times in Europe/Amsterdam, "
            "`LOCATION` = zone ids, `X-CROWDCAST-ATTENDANCE` = expected visitors, `STATUS`",
            f"{events['event_id'].nunique():,} events",
        ),
        (
            "weather_knmi.txt",
            "hourly weather observations in the KNMI *uurgegevens* layout "
            "(station label 260, `HH` = hour ENDING at HH UT, T in 0.1 °C, RH in 0.1 mm with -1 = "
            "< 0.05 mm, FH in 0.1 m/s, SQ in 0.1 h, U in %; CRLF line endings like KNMI's files)",
            f"{len(tables['weather']):,}",
        ),
        (
            "weather_forecasts.csv",
            "`timestamp,issued_at,station,temperature_c,precipitation_mm,"
            "wind_speed_ms`: forecasts issued daily at 05:00 UTC for the 48 hours starting then",
            f"{len(tables['weather_forecasts']):,}",
        ),
        (
            "signals.csv",
            "`timestamp,location,signal,value,unit`: litres of alcohol sold "
            "(`alcohol_litres_sold`, L) per licensed venue and hour, **only while the venue "
            "is open** (absent = closed = 0 L)",
            f"{len(tables['signals']):,}",
        ),
        (
            "incidents.csv",
            "`timestamp,zone,kind,count`: aggression incidents per hour; only hours "
            "with incidents are listed: **absent = zero** (incidents are events, unlike counts)",
            f"{len(tables['incidents']):,}",
        ),
        ("README.md", "this file", "-"),
    ]
    add(_table(["file", "what", "rows"], file_rows) + "\n")
    add(
        "All CSV files use `\\n` line endings, ISO 8601 UTC timestamps (`2023-01-01T00:00:00Z`)\n"
        "that mark the start of the hour, and fixed decimals.\n"
    )

    add("## Zones\n")
    zone_rows = []
    for z in doc["zones"]:
        size = f"{z['area_m2']:,.0f} m²" if "area_m2" in z else f"{z['width_m']:g} m wide"
        zc = counts[counts["zone"] == z["id"]]["count"]
        zone_rows.append(
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
    add(
        _table(["zone", "name", "measure", "size", "archetype", "tags", "median", "p99"], zone_rows)
        + "\n"
    )
    add(
        "Occupancy zones count people present (a snapshot); passage zones count people passing\n"
        "per interval. Median and 99th percentile of the observed counts.\n"
    )

    add("## How the crowds are simulated\n")
    add(
        "For each zone and interval the expected count is\n\n"
        "    mean = (level × rhythm(local hour, day type) × season × December\n"
        "            × school holiday × (1 + trend)^years × weather + floor + events)\n"
        "           × exp(day effect + hour effect)\n\n"
        "- **rhythm**: per archetype a sum of Gaussian peaks and soft-edged blocks in *local*\n"
        "  time (so in UTC the pattern moves by an hour at each DST change); public holidays\n"
        "  (`holidays`, NL) use the Sunday rhythm; nights belong to the day they start on.\n"
        "  Station: commuter peaks 08:00 and 17:30 on weekdays; shopping street: shops\n"
        "  09:30–18:00, late-night shopping Thursday, Sunday 12:00–17:00 only; market square:\n"
        "  terraces, plus the Saturday market from the events; nightlife street: Friday and\n"
        "  Saturday nights to 04:00; stadium plaza: near empty except events; park: weekend\n"
        "  afternoons; museum quarter: museums open Tuesday to Sunday.\n"
        "- **season** `1 + a cos(2π(doy − peak)/365.25)`, **December** boost for retail up to\n"
        "  the 24th, **school holidays** (region midden, in `site.toml`) scale each archetype,\n"
        "  **trend** about +3 %/year from 2023-01-01.\n"
        "- **weather** `exp(rain·log1p(2·mm) + temperature·(T − 15) + sunshine·sun_h +\n"
        "  wind·max(wind − 5, 0))`: rain empties the park and terraces, warmth and sun fill the\n"
        "  waterfront, rain sends people into museums.\n"
        "- **events**: the realised attendance (expected × log-normal noise, less when it\n"
        "  rains on outdoor events, capped at capacity) arrives before the start, stays, and\n"
        "  leaves after the end along per-kind curves; neighbouring zones not named by the\n"
        "  event get a share (`spill`) of the same curve. Cancelled events have no effect.\n"
        "- **noise**: a day-level AR(1) effect (φ 0.6, sd 0.07) and an hour-level AR(1)\n"
        "  effect (φ 0.7, sd 0.05) on the log scale, then negative binomial counts with the\n"
        "  archetype's dispersion (size).\n"
    )
    arch_rows = []
    seen: set[str] = set()
    for z in sim_zones:
        key = z.spec.archetype
        if key in seen or z.replica:
            continue
        seen.add(key)
        a = z.archetype
        arch_rows.append(
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
    add(
        _table(
            [
                "archetype",
                "measure",
                "season",
                "December",
                "school",
                "trend/yr",
                "rain",
                "temperature",
                "sunshine",
                "wind",
                "NB size",
            ],
            arch_rows,
        )
        + "\n"
    )
    add(
        "The exact rhythms are in `crowdcast/sample/_havenstad.py`; `make_city(...).truth` holds\n"
        "the expected and the true counts per interval.\n"
    )

    add("## Events\n")
    cat = events.drop_duplicates("event_id").groupby("category").size()
    add(_table(["category", "events"], [(c, int(n)) for c, n in cat.items()]) + "\n")
    add(
        "- Weekly market on Saturdays 08:00–17:00 on `market_square` (not on public holidays),\n"
        "  busiest around 10:30; rain keeps visitors away.\n"
        "- About 20 home matches of Havenstad FC per season on `stadium_plaza` (25 000–35 000\n"
        "  visitors; fans gather on the plaza in the hour before kick-off, densities above\n"
        "  2 persons/m², and leave within the hour after); the station square sees the spill.\n"
        "- Stadium concerts in June, free concerts in the park, the three-day Havenfestival in\n"
        "  July (listed as ONE event from Friday 12:00 to Sunday 23:00 with 60 000 visitors;\n"
        "  simulated as 12:00–23:00 each day with a third of them per day), King's Day\n"
        "  (27 April, 26 April when the 27th is a Sunday; city-wide, `expected_attendance` is\n"
        "  for the whole city) and King's Night the evening before, New Year's Eve\n"
        "  21:00–02:00 at the waterfront and the station, Christmas shopping Sundays\n"
        "  (12:00–18:00), Museum Night (first Saturday of November).\n"
        "- One demonstration, listed once for its three zones 13:00–16:00 local but simulated\n"
        "  as a route: gathering on `market_square` 13:00–14:15, march through\n"
        "  `shopping_street` 14:00–15:00, rally on `station_square` 14:45–16:00.\n"
    )
    attendance = truth["attendance"]
    special = attendance[attendance["status"] != "confirmed"].drop_duplicates("event_id")
    rows = [
        (_local(r.start), r.name, r.zone, r.status, r.note) for r in special.itertuples(index=False)
    ]
    add("Events that are not simply confirmed:\n")
    add(_table(["start (local)", "event", "zone", "status", "note"], rows) + "\n")
    add(
        "A **cancelled** event is in the calendar but had **no effect** on the counts (the\n"
        "match postponed for a storm was played on a Wednesday evening later; see the\n"
        "calendar). A tentative event took place.\n"
    )
    kind_rows = [
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
    add(
        "Presence curves (fractions of the attendance present, or passing per hour in passage\n"
        "zones; bumps as offset h / sd h / fraction, before the start, after the start, after\n"
        "the end):\n"
    )
    add(
        _table(
            ["kind", "category", "during", "before", "peak", "after", "spill", "rain", "noise sd"],
            kind_rows,
        )
        + "\n"
    )

    add("## Weather\n")
    w = tables["weather"]
    wet = float((w["precipitation_mm"] > 0).mean())
    add(
        "Latent AR(1) processes turned into what a KNMI station reports: temperature with an\n"
        "annual cycle (mean 10.4 °C, amplitude 7.5 °C, coldest around 20 January), a diurnal\n"
        "cycle damped by clouds and a slow synoptic anomaly; rain as wet spells above a\n"
        "seasonal threshold; log-normal wind around 4 m/s; clouds, sunshine (from the sun's\n"
        "elevation), humidity, dew point and pressure from the same state. T10N, Q, VV, WW and\n"
        "IX are left blank.\n\n"
        f"In this sample: mean temperature {w['temperature_c'].mean():.1f} °C (min\n"
        f"{w['temperature_c'].min():.1f}, max {w['temperature_c'].max():.1f}), "
        f"{wet:.1%} of hours with measurable rain,\n"
        f"{w['precipitation_mm'].sum() / max(len(w) / 8766, 1e-9):,.0f} mm per year, mean wind "
        f"{w['wind_speed_ms'].mean():.1f} m/s,\n"
        f"{w['sunshine_h'].sum() / max(len(w) / 8766, 1e-9):,.0f} sunshine hours per year.\n\n"
        "Forecasts are issued daily at 05:00 UTC for the 48 hours starting then. Their errors\n"
        "grow with lead time: temperature ±(0.6 + 0.045·h) °C, wind ±(10 + 0.4·h) %, rain\n"
        "shifted by a timing error that grows with lead time, smoothed over 1–5 hours and\n"
        "scaled by log-normal noise, with occasional false alarms.\n"
    )

    add("## Alcohol sales and incidents: the truth to calibrate against\n")
    venues = [v for v in VENUES if v.zone in {z["id"] for z in doc["zones"]}]
    add(
        _table(
            ["venue", "zone", "tags", "opens", "closes (Fri/Sat)", "L/h at reference crowd"],
            [
                (
                    f"`{v.id}`",
                    v.zone,
                    ", ".join(v.tags),
                    _clock(v.opens) if v.litres else "-",
                    f"{_clock(v.closes)} ({_clock(v.closes_weekend)})" if v.litres else "-",
                    f"{v.litres:g}" if v.litres else "-",
                )
                for v in venues
            ],
        )
        + "\n"
    )
    shape, cap, sd = (truth["sales"][k] for k in ("noise_shape", "cap", "drinking_sd"))
    add(
        "While a venue is open, its demand in litres per hour is\n\n"
        "    d = L/h × (expected crowd of the venue's zone / reference)^0.8\n"
        "        × drinking of the night × evening profile × terrace weather\n"
        f"        × Gamma({shape:g}, {1 / shape:g}) noise\n\n"
        f"and it sells d / sqrt(1 + (d / ({cap:g} × L/h))²): a bar serves only so fast.\n"
        "Sales follow the crowd (nights, Fridays and Saturdays, events, warm weather); the\n"
        f"*drinking of the night* (log-normal, sd {sd:g}, shared by a zone's venues: students,\n"
        "paydays, a match on TV) makes them vary beyond the crowd.\n"
    )
    inc = truth["incident_rates"]
    if inc is not None:
        total = int(inc["count"].sum())
        add(
            "Aggression incidents in `nightlife_street` are Poisson per hour with rate\n\n"
            "    rate(t) = baseline(weekday of the night, local hour)\n"
            "              × (1 + effect) ^ (weight × x(t))\n\n"
            f"- **effect = {truth['effect']:g}** per litre: the generic indicator\n"
            "  `alcohol_aggression` (+1 % per litre, multiplicative).\n"
            f"- **true site weight = {truth['site_weight']:.1f}**. The site profile says "
            f"{truth['profile_weight']:.1f} (an\n"
            "  expert's belief): calibration on `incidents.csv` should move it towards "
            f"{truth['site_weight']:.1f}.\n"
            "- **x(t)** = the mean, over the six licensed venues of `nightlife_street` (all\n"
            "  within 50 m of the street), of the litres each sold in hour t as written in\n"
            "  `signals.csv` (a closed venue counts 0 L), for hours starting 18:00–05:00 local\n"
            "  (the indicator's window 18:00–06:00); x = 0 in other hours.\n"
            "- **baseline** per hour at x = 0 (the night of a weekday runs from 18:00 to 06:00\n"
            "  the next morning):\n"
        )
        rates = truth["baseline_rates"].pivot(index="hour", columns="weekday", values="rate")
        names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        add(
            _table(
                ["hours (local)", *(f"{d} night" for d in names)],
                [
                    (label, *(f"{rates.loc[h, d]:.3f}" for d in range(7)))
                    for label, h in (("06:00–18:00", 12), ("18:00–22:00", 20), ("22:00–06:00", 23))
                ],
            )
            + "\n"
        )
        add(
            f"In this sample: {total:,} incidents in {int((inc['count'] > 0).sum()):,} hours; mean "
            f"x in the window {inc.loc[inc['in_window'], 'exposure_l'].mean():.1f} L, max "
            f"{inc['exposure_l'].max():.1f} L.\n"
            "A Poisson GLM of the incidents on weekday-of-night × hour dummies and\n"
            "`log(1.01) × x` recovers the weight within its 95 % interval (tested).\n"
        )

    add("## Gaps and glitches\n")
    gaps = truth["gaps"]
    missing = int(gaps["intervals"].sum()) if len(gaps) else 0
    add(
        f"{len(gaps)} gaps ({missing:,} missing intervals): random sensor outages of hours to\n"
        "days and one of two weeks. They are absent from `counts.csv`; readers put them on\n"
        "the grid as NaN, never as zero.\n"
    )
    add(
        _table(
            ["zone", "from (UTC)", "to (UTC)", "intervals", "cause"],
            [
                (g.zone, _utc(g.start), _utc(g.end), g.intervals, g.cause)
                for g in gaps.itertuples(index=False)
            ],
        )
        + "\n"
    )
    glitches = truth["glitches"]
    add("Glitches: wrong values that ARE in `counts.csv` (for data-quality checks):\n")
    add(
        _table(
            ["zone", "kind", "from (UTC)", "to (UTC)", "true mean", "observed mean", "what"],
            [
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
            ],
        )
        + "\n"
    )
    add(
        "## Privacy\n\n"
        "The data is synthetic and aggregated (no person, device or licence plate appears).\n"
        "`site.toml` declares the purposes of every source (incidents and alcohol sales only for\n"
        "crowd safety) and a publication threshold of 15 persons per hour.\n"
    )
    return "\n".join(out)


def _bump(b: tuple[float, float, float] | None) -> str:
    return "-" if b is None else f"{b[0]:g} / {b[1]:g} / {b[2]:g}"


def _clock(hour: float) -> str:
    h = hour % 24
    return f"{int(h):02d}:{round((h % 1) * 60):02d}"
