"""Aggression risk hours ahead: from forecast signals, from the actual signals, with no signal.

The sample city (``data/sample``, ``make_city()`` with seed 2024) simulates
aggression incidents in ``nightlife_street`` as Poisson per hour with rate
``baseline(weekday of the night, hour) × 1.01 ** (1.6 × x)``, ``x`` the litres
sold per licensed venue of the street: the generic ``alcohol_aggression``
indicator with a true site weight of 1.6. So the risk can be judged against
the true rate as well as against the incidents that happened.

Protocol. Every night of 2024 (366 origins at 18:00 Europe/Amsterdam, 12 h
ahead: the indicator's window to 06:00) the litres per venue are forecast
through ``evaluation.backtest`` on ``models.signal_city(city)``, refitted each
night (the GBM weekly), and ``assess(forecast, site, hazard="aggression")``
with the true weight turns them into lift quantiles, ``lift_mean``, levels and
P(level). Three risks per hour of the night:

- **forecast signals**: ``baseline × lift_mean`` (issued at 18:00);
- **actual signals**: ``baseline × lift`` from the litres really sold
  (``indicator_lift`` on ``signals.csv``: what is known only after the night);
- **no signal**: the rate of the weekday of the night and hour, without litres.

``baseline`` and the no-signal rate are Poisson GLMs of the incidents before
the first night (2023) on weekday-of-night and hour factors (plus late-night ×
weekday), with and without ``log lift`` of the actual signals as offset.

Figures, nightlife_street, 4,392 hours: (1) the lift and its levels against
those from the actual signals: mean abs log ratio, correlation of the logs,
coverage of the 80 % interval of the lift, the level at P50 equal to the
actual one, Brier score and AUC of P(level >= orange) for an actual orange
or red hour (the no-signal row: the mean lift of the same local weekday and
hour in 2023, and how often that slot reached orange); (2) the incident rate
against the true rate and the incidents: Σ rate / Σ true rate, mean abs
log(rate / true rate), Σ rate / incidents, Poisson log-likelihood per night
gained over no signal, AUC of an hour with an incident, Brier score of P(an
incident in the night) = 1 - exp(-Σ rate), AUC of a night with 3 or more
incidents.

Run: ``.venv/bin/python benchmarks/bench_aggression.py [--nights N] [--out FILE]``
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
from bench_sample import markdown
from scipy.stats import poisson
from sklearn.metrics import roc_auc_score

import crowdcast as cc
from crowdcast.evaluation import Fold, backtest
from crowdcast.models import signal_city
from crowdcast.profiles import IndicatorWeight

TZ = "Europe/Amsterdam"
ZONE = "nightlife_street"
LAST_NIGHT = pd.Timestamp("2024-12-30 18:00", tz=TZ)
LEVELS = ["green", "yellow", "orange", "red"]


def models(quick: bool) -> dict[str, tuple[cc.BaseForecaster, int]]:
    """Name -> (forecaster of the litres, refit every k nights)."""
    out: dict[str, tuple[cc.BaseForecaster, int]] = {
        "ProfileRatio": (cc.ProfileRatio(horizon=12), 1),
        "ProfileRatio, no smoothing": (cc.ProfileRatio(horizon=12, smoothing=(1.0,)), 1),
    }
    if not quick:
        out["GBM"] = (cc.GBMForecaster(horizon=12), 7)
    return out


def forecast_risks(
    city: cc.City, site: cc.SiteProfile, nights: int, quick: bool
) -> tuple[dict[str, pd.DataFrame], pd.DatetimeIndex, float]:
    """Per model the aggression risk table of nightlife_street for every night."""
    sales = signal_city(city)
    out, seconds, origins = {}, 0.0, pd.DatetimeIndex([])
    for name, (model, refit) in models(quick).items():
        fold = Fold(horizon=12, n_windows=nights, origin_time="18:00", refit=refit, end=LAST_NIGHT)
        start = time.perf_counter()
        with warnings.catch_warnings():  # events bigger than the venue's history: expected
            warnings.simplefilter("ignore", cc.exceptions.ExtrapolationWarning)
            bt = backtest({name: model}, sales, fold=fold)
        fc = bt.table[["zone", "origin", "timestamp", "horizon", "q0.1", "q0.5", "q0.9"]]
        fc.attrs["provenance"] = {"freq": str(sales.freq)}
        risk = cc.assess(fc, site, hazard="aggression").table
        seconds += time.perf_counter() - start
        out[name] = risk[risk["zone"] == ZONE].sort_values("timestamp", ignore_index=True)
        origins = bt.origins
    return out, origins, seconds


def design(ts: pd.Series | pd.DatetimeIndex) -> pd.DataFrame:
    """Intercept, weekday of the night (06:00 to 06:00 local), hour, late hours x weekday.

    Monday night, 00:00 and Monday's late hours are the reference levels.
    """
    local = pd.DatetimeIndex(ts).tz_convert(TZ)
    night = np.asarray(
        (local - pd.to_timedelta((local.hour < 6).astype(int), unit="D")).day_of_week
    )
    hour = np.asarray(local.hour)
    late = (hour >= 22) | (hour < 6)
    columns = {"const": np.ones(len(local))}
    columns |= {f"night_{d}": (night == d).astype(float) for d in range(1, 7)}
    columns |= {f"hour_{h}": (hour == h).astype(float) for h in range(1, 24)}
    columns |= {f"late_night_{d}": (late & (night == d)).astype(float) for d in range(1, 7)}
    return pd.DataFrame(columns)


def rate_models(
    hours: pd.DatetimeIndex, lift: np.ndarray, incidents: np.ndarray
) -> tuple[object, object]:
    """Poisson GLMs of the past incidents: with the lift as offset (baseline) and without."""
    x = design(hours)
    with_lift = sm.GLM(incidents, x, family=sm.families.Poisson(), offset=np.log(lift)).fit()
    without = sm.GLM(incidents, x, family=sm.families.Poisson()).fit()
    return with_lift, without


def lift_table(
    risks: dict[str, pd.DataFrame], actual: pd.DataFrame, past: pd.DataFrame
) -> pd.DataFrame:
    """The lift and levels from forecast signals (and from none) against the actual signals."""
    act = actual["lift"].to_numpy()
    act_level = pd.cut(act, [0, 1.25, 1.5, 2.0, np.inf], right=False, labels=LEVELS).astype(str)
    high = np.isin(act_level, ["orange", "red"])
    rows = []
    for name, r in risks.items():
        inside = (act >= r["lift_q0.1"].to_numpy() - 1e-9) & (act <= r["lift_q0.9"] + 1e-9)
        rows.append(_lift_row(f"forecast: {name}", r["lift"], act, act_level, high, r["p_orange"]))
        rows[-1]["coverage_80"] = float(np.mean(inside[act > 1]))
    slot = _slot(past["timestamp"])
    typical = past.groupby(slot)["lift"].mean()
    share = past.assign(high=past["lift"] >= 1.5).groupby(slot)["high"].mean()
    now = _slot(actual["timestamp"])
    rows.append(
        _lift_row(
            "no signal (2023 slot mean)",
            typical.reindex(now).to_numpy(),
            act,
            act_level,
            high,
            share.reindex(now).to_numpy(),
        )
    )
    return pd.DataFrame(rows)


def _lift_row(
    name: str,
    lift: pd.Series | np.ndarray,
    act: np.ndarray,
    act_level: np.ndarray,
    high: np.ndarray,
    p_high: pd.Series | np.ndarray,
) -> dict[str, object]:
    lift, p = np.asarray(lift, dtype=float), np.asarray(p_high, dtype=float)
    level = pd.cut(lift, [0, 1.25, 1.5, 2.0, np.inf], right=False, labels=LEVELS).astype(str)
    return {
        "lift from": name,
        "mean abs log ratio": float(np.mean(np.abs(np.log(lift / act)))),
        "corr (log)": float(np.corrcoef(np.log(lift), np.log(act))[0, 1]),
        "coverage_80": "-",
        "level = actual": float(np.mean(level == act_level)),
        "Brier P(>=orange)": float(np.mean((p - high) ** 2)),
        "AUC P(>=orange)": float(roc_auc_score(high, p)),
    }


def _slot(ts: pd.Series) -> np.ndarray:
    local = pd.DatetimeIndex(ts).tz_convert(TZ)
    return np.asarray(local.day_of_week * 24 + local.hour)


def incident_table(
    rates: dict[str, np.ndarray], truth: np.ndarray, y: np.ndarray, night: np.ndarray
) -> pd.DataFrame:
    """Each hourly rate against the true rate and the incidents that happened."""
    n_nights = len(np.unique(night))
    base_ll = poisson.logpmf(y, rates["no signal"]).sum()
    nights = pd.Series(y).groupby(night).sum()
    rows = []
    for name, rate in rates.items():
        total = pd.Series(rate).groupby(night).sum()
        rows.append(
            {
                "risk from": name,
                "rate / true rate": rate.sum() / truth.sum(),
                "mean abs log rate/true": float(np.mean(np.abs(np.log(rate / truth)))),
                "rate / incidents": rate.sum() / y.sum(),
                "loglik gain / night": (poisson.logpmf(y, rate).sum() - base_ll) / n_nights,
                "AUC hour": float(roc_auc_score(y > 0, rate)),
                "Brier night": float(np.mean((1 - np.exp(-total) - (nights > 0)) ** 2)),
                "AUC night (>=3)": float(roc_auc_score(nights >= 3, total)),
            }
        )
    return pd.DataFrame(rows)


def run(nights: int, quick: bool) -> str:
    city = cc.load_sample()
    sim = cc.make_city()  # the same city, with its truth
    weight = float(sim.truth["site_weight"])
    site = dataclasses.replace(
        city.site, weights=(IndicatorWeight("alcohol_aggression", "site", weight),)
    )
    risks, origins, seconds = forecast_risks(city, site, nights, quick)
    first = origins[0]
    lifts = cc.indicator_lift(city.signals, site, city.library)
    lifts = lifts[lifts["zone"] == ZONE].set_index("timestamp")
    hours = pd.DatetimeIndex(next(iter(risks.values()))["timestamp"])
    actual = lifts.loc[hours].reset_index()
    past = lifts[lifts.index < first].reset_index()
    incidents = city.incidents[(city.incidents["zone"] == ZONE)]
    per_hour = incidents.groupby("timestamp")["count"].sum()
    true_rate = sim.truth["incident_rates"].set_index("timestamp")["rate"]
    with_lift, without = rate_models(
        pd.DatetimeIndex(past["timestamp"]),
        past["lift"].to_numpy(),
        per_hour.reindex(past["timestamp"], fill_value=0).to_numpy(),
    )
    x = design(hours)
    baseline = with_lift.predict(x)  # type: ignore[attr-defined]
    rates = {f"forecast: {n}": baseline * r["lift_mean"].to_numpy() for n, r in risks.items()}
    rates["actual signals"] = baseline * actual["lift"].to_numpy()
    rates["no signal"] = np.asarray(without.predict(x))  # type: ignore[attr-defined]
    rates["true rate (simulator)"] = true_rate.loc[hours].to_numpy()
    y = per_hour.reindex(hours, fill_value=0).to_numpy()
    night = np.asarray(next(iter(risks.values()))["origin"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cal = cc.calibrate(
            city.incidents[city.incidents["timestamp"] < first],
            city.signals[city.signals["timestamp"] < first],
            city.site,
            city.library,
        )
    same = np.allclose(sim.truth["incident_rates"].set_index("timestamp")["exposure_l"]
                       .loc[hours], actual["exposure_alcohol_aggression"])  # fmt: skip
    return (
        f"{len(origins)} nights from {origins[0].tz_convert(TZ):%Y-%m-%d %H:%M} to "
        f"{origins[-1].tz_convert(TZ):%Y-%m-%d %H:%M} {TZ}, 12 h ahead, {len(hours):,} hours "
        f"of {ZONE} with {int(y.sum())} incidents; true site weight {weight} (calibrated on "
        f"the incidents before the first night: {cal.weight:.2f} [{cal.ci_low:.2f}, "
        f"{cal.ci_high:.2f}]); exposure from signals.csv = simulator's: {same}; forecasts "
        f"and assess {seconds:.0f} s\n\n"
        f"### Lift and levels against the actual-signal risk (per hour)\n\n"
        f"{markdown(lift_table(risks, actual, past))}\n\n"
        f"### Incident rate against the true rate and the incidents\n\n"
        f"{markdown(incident_table(rates, rates['true rate (simulator)'], y, night))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nights", type=int, default=366)
    parser.add_argument("--quick", action="store_true", help="ProfileRatio only")
    parser.add_argument("--out", type=Path, help="also write the tables here")
    args = parser.parse_args()
    text = (
        f"machine: {platform.machine()}, CPython {platform.python_version()}, "
        f"pandas {pd.__version__}, crowdcast {cc.__version__}\n\n{run(args.nights, args.quick)}\n"
    )
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
