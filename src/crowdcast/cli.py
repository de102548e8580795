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
from crowdcast.jobs import ForecastRun, forecast_city
from crowdcast.profiles import PURPOSES
from crowdcast.sample import load_sample, make_city

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
    """A change in percent for the console; beyond +999 % as a factor (x12), easier to read.

    >>> [_change(v) for v in (35.0, -58.0, 79682.0, float("nan"))]
    ['+35', '-58', 'x798', '-']
    """
    if pct != pct:  # NaN: no count a week earlier
        return "-"
    return f"x{1 + pct / 100:,.0f}" if pct > 999 else f"{pct:+,.0f}"


def _print_forecast(run: ForecastRun, timezone: str) -> None:
    fc = run.forecast
    first, last = fc["timestamp"].min(), fc["timestamp"].max()
    print(
        f"Forecast from {first.tz_convert(timezone):%Y-%m-%d %H:%M %Z} to "
        f"{last.tz_convert(timezone):%Y-%m-%d %H:%M %Z} for {fc['zone'].nunique()} zones "
        f"({run.model.provenance_.model}; fit {run.fit_seconds:.1f} s, "
        f"predict {run.predict_seconds:.2f} s)"
    )
    table = run.peaks.copy()
    table["peak"] = table["peak"].dt.strftime("%a %H:%M")
    table["change_pct"] = [_change(v) for v in table["change_pct"]]
    table = table.rename(
        columns={
            "peak": "peak (local)",
            "p50": "P50",
            "p90": "P90",
            "last_week": "same time last week",
            "change_pct": "change %",
        }
    )
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.0f}", na_rep="-"))
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
    _print_forecast(run, city.require_site("a forecast").timezone)
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
    _print_forecast(run, city.require_site("a forecast").timezone)
    return 0


def _summary(args: argparse.Namespace) -> int:
    _print_city(load_city(args.site, purpose=args.purpose, library=args.library))
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
