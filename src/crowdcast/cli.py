"""The ``crowdcast`` command: a thin shell over the library.

Parse arguments, call the public API, print. Library errors (and a file
system's refusal) become their message on stderr, without a traceback, and
exit code 1; usage errors exit with code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from crowdcast._city import City
from crowdcast._version import __version__
from crowdcast.exceptions import CrowdcastError
from crowdcast.io import load_city
from crowdcast.jobs import ForecastRun, PlanRun, forecast_city, plan_event
from crowdcast.profiles import PURPOSES, SiteProfile
from crowdcast.report import languages
from crowdcast.sample import load_sample, make_city
from crowdcast.scenarios import AddEvent, CancelEvent, Change, SetAttendance
from crowdcast.schemas import HOUR

__all__ = ["main"]


def _print_city(city: City) -> None:
    print(city.describe())
    print()
    table = city.summary().copy()
    for col in ("first", "last"):
        table[col] = table[col].dt.strftime("%Y-%m-%d")
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(table.to_string(index=False, float_format=lambda v: f"{v:,.1f}", na_rep="-"))
    gaps = city.gaps().sort_values("intervals", ascending=False).head(5)
    if len(gaps):
        print("\nLongest gaps (missing intervals stay missing, never zero-filled):")
        print(gaps.to_string(index=False))


def _change(pct: float) -> str:
    """A change in percent for the console, with thousands separated.

    >>> [_change(v) for v in (35.0, -58.0, 79682.0, float("nan"))]
    ['+35 %', '-58 %', '+79,682 %', '-']
    """
    if pct != pct:  # NaN: no count a week earlier
        return "-"
    return f"{pct:+,.0f} %"


def _unit(site: SiteProfile, zone: str, freq: str) -> str:
    """What a zone's numbers count: people present, or people passing per interval."""
    if site.zone(zone).measure == "passages":
        return "passing per hour" if freq == str(HOUR) else f"passing per {freq}"
    return "present"


#: One line under the table: what its numbers mean.
_LEGEND = (
    "Numbers are persons. P50 = the expected crowd (as likely more as less); P90 = a high but\n"
    "plausible crowd (exceeded 1 time in 10). Level at P50, from density (people/m²) or flow\n"
    "(people/m/min); chance = probability of the zone's alert level or worse at the peak."
)


def _print_forecast(run: ForecastRun, site: SiteProfile) -> None:
    fc = run.forecast
    timezone = site.timezone
    first, last = fc["timestamp"].min(), fc["timestamp"].max()
    print(
        f"Forecast from {first.tz_convert(timezone):%Y-%m-%d %H:%M %Z} to "
        f"{last.tz_convert(timezone):%Y-%m-%d %H:%M %Z} for {fc['zone'].nunique()} zones "
        f"({run.model.provenance_.model}; fit {run.fit_seconds:.1f} s, "
        f"predict {run.predict_seconds:.2f} s)"
    )
    freq = run.model.provenance_.freq
    table = run.peaks.copy()
    table.insert(1, "people", [_unit(site, z, freq) for z in table["zone"]])
    table["peak"] = table["peak"].dt.strftime("%a %H:%M")
    table["change_pct"] = [_change(v) for v in table["change_pct"]]
    if "p_alert" in table:
        table["p_alert"] = [f"{100 * p:.0f} %" if p == p else "-" for p in table["p_alert"]]
        table["level"] = table["level"].fillna("-")
    order = ["zone", "people", "peak", "p50", "p90", "level", "p_alert", "last_week", "change_pct"]
    table = table[[c for c in order if c in table.columns]].rename(
        columns={
            "peak": "peak (local)",
            "p50": "P50",
            "p90": "P90",
            "level": "level",
            "p_alert": "chance",
            "last_week": "same time last week",
            "change_pct": "change",
        }
    )
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.0f}", na_rep="-"))
    print(_LEGEND)
    if run.path is not None:
        if "suppressed" in fc:
            print(f"\nSmall values suppressed (shown as 0) in {int(fc['suppressed'].sum())} rows")
        print(
            f"\nFull forecast ({len(fc)} rows, quantiles {', '.join(run.model.quantile_columns)}) "
            f"written to {run.path}"
        )


def _demo(args: argparse.Namespace) -> int:
    city = (
        load_city(args.site, purpose=args.purpose)
        if args.site
        else load_sample(purpose=args.purpose)
    )
    print(city.describe())
    print()
    run = forecast_city(city, horizon=args.horizon, out=args.out, overwrite=True)
    _print_forecast(run, city.require_site("a forecast"))
    return 0


def _forecast(args: argparse.Namespace) -> int:
    city = load_city(args.site, purpose=args.purpose)
    run = forecast_city(
        city,
        horizon=args.horizon,
        out=args.out,
        overwrite=args.overwrite,
        publish=args.publish,
        audit=args.audit,
    )
    _print_forecast(run, city.require_site("a forecast"))
    return 0


def _summary(args: argparse.Namespace) -> int:
    _print_city(load_city(args.site, purpose=args.purpose, library=args.library))
    return 0


def _changes(args: argparse.Namespace, parser: argparse.ArgumentParser) -> list[Change]:
    """The scenario flags as changes of the scenario API (times stay local: plan_event
    reads them in the site's time zone)."""
    changes: list[Change] = []
    for text in args.attendance or []:
        event_id, _, number = text.rpartition("=")
        event_id = event_id or args.event
        if not event_id:
            parser.error(f"--attendance {text}: give --event, or the event as ID=N")
        try:
            changes.append(SetAttendance(event_id, float(number.replace(",", "").replace("_", ""))))
        except ValueError:
            parser.error(f"--attendance {text}: the attendance must be a number")
    changes += [CancelEvent(event_id) for event_id in args.cancel or []]
    for values in args.add_event or []:
        if not 4 <= len(values) <= 6:
            parser.error(
                "--add-event takes NAME ZONE START END [ATTENDANCE [CATEGORY]], "
                f"got {len(values)} value(s)"
            )
        name, zone, start, end, *rest = values
        try:
            attendance = float(rest[0]) if rest else None
        except ValueError:
            parser.error(f"--add-event {name}: the attendance must be a number, not {rest[0]!r}")
        category = rest[1] if len(rest) > 1 else "other"
        changes.append(AddEvent(name, zone, start, end, attendance, category))
    return changes


def _print_plan(run: PlanRun) -> None:
    report = run.report
    tz = report.site.timezone
    what = report.planned_event["name"].iloc[0] if len(report.planned_event) else "the window"
    print(
        f"Plan for {what}: {report.start.tz_convert(tz):%a %d %b %Y %H:%M} to "
        f"{report.end.tz_convert(tz):%a %d %b %Y %H:%M} ({tz}), {len(report.zones)} zones"
    )
    if run.fitted:
        saved = f", saved to {run.model_path}" if run.model_path is not None else ""
        print(f"Model fitted in {run.fit_seconds:.1f} s{saved}")
    elif run.model_path is not None:
        print(f"Model loaded from {run.model_path}")
    print("\nAlerts:" if run.alerts else "\nNo alerts in the window.")
    for line in run.alerts:
        print(f"  {line}")
    for line in run.warnings:
        print(f"crowdcast: warning: {line}", file=sys.stderr)
    if run.path is not None:
        print(f"\nReport: {run.path}\nTable:  {run.table_path} (one row per zone and hour)")


def _plan(args: argparse.Namespace) -> int:
    if args.event is None and (args.from_ is None or args.to is None):
        args.parser.error("give --event ID, or --from and --to")
    changes = _changes(args, args.parser)
    city = load_city(args.site, purpose=args.purpose)
    try:
        run = plan_event(
            city,
            event=args.event,
            start=args.from_,
            end=args.to,
            changes=changes,
            rain=args.rain,
            model=args.model,
            as_of=args.as_of,
            allow_stale=args.allow_stale,
            out=args.out,
            overwrite=args.overwrite,
            language=args.language,
        )
    except ImportError as err:  # matplotlib, the plot extra, draws the report's figures
        print(f"crowdcast: error: {err}", file=sys.stderr)
        return 1
    _print_plan(run)
    return 0


def _make_sample(args: argparse.Namespace) -> int:
    city = make_city(args.out, seed=args.seed, overwrite=args.overwrite)
    for path in city.paths:
        print(path)
    return 0


def _purpose_argument(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    parser.add_argument(
        "--purpose",
        choices=list(PURPOSES),
        default=default,
        required=default is None,
        help="what the data is used for; only sources declared for it are read"
        + (f" (default {default})" if default else ""),
    )


_PLAN_EPILOG = """\
times are the site's local time ("2024-12-14 18:00"), or give an offset ("...+01:00").

examples:
  crowdcast plan site.toml --purpose event_planning --event match-1214 --out match.html
  crowdcast plan site.toml --purpose event_planning --event match-1214 \\
      --attendance 40000 --rain 3 --model site.ccm --out match-40k-rain.html
  crowdcast plan data/sample/site.toml --purpose event_planning \\
      --event football-20241214@havenstad.example --as-of "2024-12-12 23:00"
"""


def _plan_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    plan = sub.add_parser(
        "plan",
        help="plan an event: an HTML report and a CSV of the crowd per zone and hour",
        description="Forecast a planning window (an event, or --from/--to) per zone, with "
        "levels, alerts in words and a what-if scenario, into one self-contained HTML report "
        "(figures inline, nothing loaded from the network) and a CSV beside it.",
        epilog=_PLAN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    plan.add_argument("site", type=Path, help="site profile (TOML)")
    _purpose_argument(plan)
    window = plan.add_argument_group("the planning window (--event, or --from and --to)")
    window.add_argument(
        "--event",
        metavar="ID",
        help="an event of the calendar: the window runs from 6 h before its start "
        "to 4 h after its end",
    )
    window.add_argument("--from", dest="from_", metavar="TIME", help="start of the window")
    window.add_argument("--to", metavar="TIME", help="end of the window")
    what = plan.add_argument_group("the scenario (what if...), through crowdcast's scenario API")
    what.add_argument(
        "--attendance",
        action="append",
        metavar="N|ID=N",
        help="expected attendance of --event (N), or of another event (ID=N); repeatable",
    )
    what.add_argument(
        "--rain", type=float, metavar="MM", help="rain in mm per hour through the whole window"
    )
    what.add_argument("--cancel", action="append", metavar="ID", help="cancel an event; repeatable")
    what.add_argument(
        "--add-event",
        action="append",
        nargs="+",
        metavar="VALUE",
        help="add an event: NAME ZONE START END [ATTENDANCE [CATEGORY]] (zone id, local "
        "times; category default 'other'); repeatable",
    )
    run = plan.add_argument_group("model and output")
    run.add_argument(
        "--model",
        type=Path,
        metavar="FILE",
        help="a saved model to use; when FILE does not exist, a model is fitted and saved "
        "there (default: fit one, save nothing)",
    )
    run.add_argument(
        "--out",
        type=Path,
        default=Path("plan.html"),
        help="the HTML report (default plan.html); the CSV goes beside it (plan.csv)",
    )
    run.add_argument("--overwrite", action="store_true", help="replace an existing report/CSV")
    run.add_argument(
        "--allow-stale",
        action="store_true",
        help="plan even when the last count is older than the site's [planning] "
        "max_data_age_h before the window (default 168 h); the report then warns loudly",
    )
    run.add_argument(
        "--as-of",
        metavar="TIME",
        help="plan as if it were TIME: counts from then on are left out (replay a past event)",
    )
    run.add_argument(
        "--language",
        choices=list(languages()),
        default="en",
        help="language of the report (a file per language in crowdcast/report/locales)",
    )
    plan.set_defaults(func=_plan, parser=plan)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crowdcast", description="Forecast crowd density per zone, with risk levels."
    )
    parser.add_argument("--version", action="version", version=f"crowdcast {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser(
        "demo", help="train on the shipped sample city and forecast the next 24 hours"
    )
    demo.add_argument("--site", type=Path, help="a site profile instead of the sample")
    _purpose_argument(demo, default="crowd_safety")
    demo.add_argument("--horizon", type=int, default=24, help="intervals ahead (default 24)")
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("out/demo_forecast.csv"),
        help="where the full forecast goes (regenerated on every demo run)",
    )
    demo.set_defaults(func=_demo)

    forecast = sub.add_parser("forecast", help="train on a site's data and forecast ahead")
    forecast.add_argument("site", type=Path, help="site profile (TOML)")
    forecast.add_argument("--horizon", type=int, default=24)
    forecast.add_argument("--out", type=Path, help="CSV or Parquet file for the full forecast")
    forecast.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    _purpose_argument(forecast)
    forecast.add_argument(
        "--publish",
        action="store_true",
        help="suppress small values in the written forecast (always for public_information)",
    )
    forecast.add_argument("--audit", type=Path, help="append the run to this JSON-lines audit log")
    forecast.set_defaults(func=_forecast)

    summary = sub.add_parser("summary", help="load, validate and summarise a site's data")
    summary.add_argument("site", type=Path, help="site profile (TOML)")
    summary.add_argument("--library", type=Path, help="indicator library (TOML)")
    _purpose_argument(summary)
    summary.set_defaults(func=_summary)

    _plan_parser(sub)

    sample = sub.add_parser("make-sample", help="simulate the sample city into a folder")
    sample.add_argument("out", type=Path)
    sample.add_argument("--seed", type=int, default=2024)
    sample.add_argument("--overwrite", action="store_true", help="replace existing files")
    sample.set_defaults(func=_make_sample)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``crowdcast`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CrowdcastError as exc:
        print(f"crowdcast: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the file system refused something not checked beforehand
        print(f"crowdcast: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
