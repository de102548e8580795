"""Coverage of the calibrated weight's 95 % interval when incidents cluster by night.

Simulated cities: one nightlife zone with two licensed bars, hourly litres sold
(a busyness factor per night times an evening profile times noise), and
aggression incidents ``Poisson(base x shock_night x 1.01 ** (weight x litres))``
with a gamma shock per night (mean 1, shape ``--shape``: 1 = strongly
clustered, large = independent hours). Each city is calibrated twice with
:func:`crowdcast.risk.calibrate`: the plain Poisson GLM interval
(``method="poisson"``, crowdcast before issue 17) and the clustered one
(``method="night"``, the default). The table gives, per length of history,
how often each 95 % interval covers the true weight, its mean half-width
(in standard errors: half-width / 1.96) against the spread of the estimates,
and the mean dispersion and variance inflation the calibration reports.

Run: ``.venv/bin/python benchmarks/bench_calibration.py [--sims 300] [--weeks 8 26 104]``
"""

from __future__ import annotations

import argparse
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crowdcast.profiles import SiteProfile, Venue, Zone, load_indicator_library
from crowdcast.risk import Calibration, calibrate

TRUE_WEIGHT = 2.5
SITE = SiteProfile(
    id="simulated",
    name="simulated",
    timezone="Europe/Amsterdam",
    country="",
    subdivision=None,
    zones=(Zone("street", "street", measure="passages", width_m=2.0),),
    venues=(
        Venue("bar_a", "street", tags=("licensed",)),
        Venue("bar_b", "street", tags=("licensed",)),
    ),
)
LIBRARY = load_indicator_library()


def simulate(
    seed: int,
    *,
    weeks: int = 26,
    weight: float = TRUE_WEIGHT,
    shape: float = 1.0,
    base: float = 0.08,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One simulated city: ``(incidents, signals)`` for :data:`SITE`."""
    rng = np.random.default_rng(seed)
    hours = pd.date_range("2024-01-01", periods=24 * 7 * weeks, freq="h", tz="UTC")
    local = hours.tz_convert(SITE.timezone)
    hour = local.hour.to_numpy()
    night = (local - pd.to_timedelta((hour < 6).astype(int), unit="D")).normalize()
    index, nights = pd.factorize(night)
    busy = rng.gamma(4.0, 0.25, size=len(nights))  # some nights sell more everywhere
    shock = rng.gamma(shape, 1.0 / shape, size=len(nights))  # some nights go wrong
    evening = (hour >= 18) | (hour < 6)
    profile = np.where(evening, 1.0, 0.2)
    litres = rng.gamma(2.0, 10.0, size=(len(hours), 2)) * (busy[index] * profile)[:, None]
    signals = pd.concat(
        pd.DataFrame(
            {
                "timestamp": hours,
                "location": venue,
                "signal": "alcohol_litres_sold",
                "value": litres[:, i],
                "unit": "L",
            }
        )
        for i, venue in enumerate(["bar_a", "bar_b"])
    )
    x = np.where(evening, litres.mean(axis=1), 0.0)
    y = rng.poisson(base * shock[index] * 1.01 ** (weight * x))
    incidents = pd.DataFrame(
        {"timestamp": hours, "zone": "street", "kind": "aggression", "count": y}
    )
    return incidents[incidents["count"] > 0], signals


def fit(seed: int, method: str, **kwargs: float) -> Calibration:
    """Calibrate one simulated city (warnings are the benchmark's subject, not its output)."""
    incidents, signals = simulate(seed, **kwargs)  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return calibrate(incidents, signals, SITE, LIBRARY, zone="street", method=method)


@dataclass(frozen=True)
class Coverage:
    method: str
    coverage: float
    half_width_se: float
    spread: float
    dispersion: float
    night_dispersion: float
    inflation: float
    seconds: float


def coverage(seeds: range, method: str, **kwargs: float) -> Coverage:
    """How often the 95 % interval of ``method`` covers the true weight over ``seeds``."""
    start = time.perf_counter()
    fits = [fit(seed, method, **kwargs) for seed in seeds]
    weight = float(kwargs.get("weight", TRUE_WEIGHT))
    lo = np.array([c.ci_low for c in fits])
    hi = np.array([c.ci_high for c in fits])
    est = np.array([c.weight for c in fits])
    return Coverage(
        method=method,
        coverage=float(((lo < weight) & (weight < hi)).mean()),
        half_width_se=float(((hi - lo) / 2 / 1.959964).mean()),
        spread=float(est.std(ddof=1)),
        dispersion=float(np.mean([c.dispersion for c in fits])),
        night_dispersion=float(np.mean([c.night_dispersion for c in fits])),
        inflation=float(np.mean([c.variance_inflation for c in fits])),
        seconds=(time.perf_counter() - start) / len(fits),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=300, help="simulated cities per row")
    parser.add_argument("--weeks", type=int, nargs="+", default=[8, 26, 104])
    parser.add_argument("--shapes", type=float, nargs="+", default=[1.0, 100.0])
    args = parser.parse_args()
    print(f"True weight {TRUE_WEIGHT}, {args.sims} simulated cities per row.\n")
    print(
        "| nights | night shock shape | method | coverage of 95 % | mean SE | spread of "
        "estimates | dispersion per hour / night | variance inflation | s per fit |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for weeks in args.weeks:
        for shape in args.shapes:
            for method in ("poisson", "night"):
                r = coverage(range(args.sims), method, weeks=weeks, shape=shape)
                print(
                    f"| {7 * weeks} | {shape:g} | {method} | {100 * r.coverage:.1f} % | "
                    f"{r.half_width_se:.3f} | {r.spread:.3f} | {r.dispersion:.2f} / "
                    f"{r.night_dispersion:.2f} | "
                    f"{r.inflation:.2f} | {r.seconds:.2f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
