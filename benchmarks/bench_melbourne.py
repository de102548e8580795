"""Accuracy on real data: crowdcast against mlforecast (and statsforecast) on Melbourne.

The data and the peer figures to beat are described in
``../shared/data/melbourne-pedestrians-2015-2016/PROVENANCE.md``: hourly
pedestrian counts at 4 sensors of the City of Melbourne, 2015-2016, with the
daily maximum temperature and rainfall of station 086338.

Protocol (the one of PROVENANCE.md, for every model in the same run)
---------------------------------------------------------------------
- Windows: 28 daily origins at 06:00 Australia/Melbourne, from 1 Dec 2016
  and from 1 Aug 2016 (``--windows dec15 may oct``: from 1 Dec 2015, 1 May
  and 1 Oct 2016, the windows used to choose model variants). At each
  origin every model is refitted on all counts before it and forecasts the
  next 24 hours of the 4 sensors.
- MASE per (sensor, origin): the MAE of the 24 forecasts over the hours that
  were observed, divided by the in-sample MAE of the weekly seasonal naive
  (``|y[t] - y[t - 168 h]|`` on the UTC grid, over the pairs where both hours
  were observed, all training data before the origin). Reported: the mean
  over (sensor, origin), the MAE over all observed target hours, the share of
  observed hours inside the 80 % interval (q0.1-q0.9 for crowdcast, lo-80 /
  hi-80 for the peers) and the wall time of fit + predict per origin.
- Only observed hours are scored, for everyone; filled values are never
  scored.

Weather, the same information for every model
---------------------------------------------
The daily file has the maximum temperature and the rainfall of each date.
BoM measures the rain of date D over the 24 h to 9 am on D, so it fell
between 09:00 on D - 1 and 09:00 on D (local): every model gets it on those
hours (``rain_dates``). Using it for the hours of D itself, as this script
did until the rain of a Friday evening (19 Aug 2016) showed up on the
Saturday, misplaces 15 of its 24 hours. The peers get, for the target hour,
``max_temperature_c`` of its local date and that rain as exogenous columns
(future values in ``X_df``: a perfect forecast). crowdcast gets the same as
a "perfect forecast archive" in its weather contract: for each local date a
forecast issued at 00:00 local covering the next 48 hours, whose hourly rows
carry ``temperature_c`` = the max temperature of the hour's local date and
``precipitation_mm`` = that rain / 24 (wind NaN), plus the same values as
observations (``issued_at`` NaT). crowdcast's features only read
forecasts issued at or before the origin, so at a 06:00 origin every target
hour is covered by that day's 00:00 forecast.

Gaps
----
DST-change hours are absent and Birrarung Marr has several long gaps (the
longest 744 h in Oct-Nov 2016). crowdcast reads the file with ``read_counts``
(missing hours become NaN on the grid; its features skip them). mlforecast
and statsforecast need complete series: for them each series is put on a
complete UTC hourly grid from its first to its last observation and a missing
hour takes the value one week earlier (repeatedly, so a long gap repeats the
last observed week; causal, so nothing after an origin leaks into its
training data). The fill is used only to fit and to build lags.

Peer configuration
------------------
mlforecast ``MLForecast`` with ``LGBMRegressor(objective="tweedie")`` (LightGBM
defaults otherwise), ``lags=[1, 2, 3, 24, 48, 168, 336]``, rolling means
``RollingMean(24)`` of lag 1 (the last day) and ``RollingMean(168)`` of lag 24
(the week before yesterday's hour), date features hour, day of week and
month in *local* time (functions of the UTC ``ds``), exogenous ``is_holiday``
(AU-VIC, ``holidays``), ``temp_max`` and ``rain``; recursive 24-step
prediction; conformal intervals ``PredictionIntervals(n_windows=2, h=24)`` at
level 80. statsforecast ``MSTL(season_length=[24, 168])`` (AutoETS trend) on
the last ``--mstl-weeks`` weeks (default 8) of each series, level 80.

Seeds
-----
``--seeds N`` also runs the default with LightGBM seeds 1..N-1 (its bagging
draws) and prints the mean, min and max MASE over the N seeds: differences
between configurations smaller than that spread are not evidence.

Run: ``.venv/bin/python benchmarks/bench_melbourne.py [--windows dec aug] [--origins 28]
[--seeds 3]``
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

import crowdcast as cc
from crowdcast import City
from crowdcast.profiles import SiteProfile, Zone
from crowdcast.schemas import validate_weather

DATA = Path(__file__).resolve().parents[2] / "shared/data/melbourne-pedestrians-2015-2016"
TZ = "Australia/Melbourne"
WINDOWS = {"dec": "2016-12-01", "aug": "2016-08-01"}
#: Other windows, used to choose between model variants without looking at
#: the two benchmark windows (``--windows dec15 may oct hol16``).
VALIDATION = {"dec15": "2015-12-01", "may": "2016-05-01", "oct": "2016-10-01"}
#: The 2016 public holidays of Victoria outside the December window (on their
#: own dates): window ``hol16`` has an origin on each and on the day before.
HOLIDAYS_2016 = (
    "2016-01-01", "2016-01-26", "2016-03-14", "2016-03-25", "2016-03-26", "2016-03-27",
    "2016-03-28", "2016-04-25", "2016-06-13", "2016-09-30", "2016-11-01",
)  # fmt: skip
#: PROVENANCE.md: the peer's MASE (seasonal naive, MSTL, mlforecast LightGBM + Tweedie).
PEER = {
    "dec": {"seasonal naive": 1.546, "MSTL": 1.325, "mlforecast": 1.066},
    "aug": {"seasonal naive": 0.663, "MSTL": 0.574, "mlforecast": 0.545},
}
SENSORS = {
    "birrarung_marr": "Birrarung Marr",
    "bourke_street_mall": "Bourke Street Mall (North)",
    "qv_market": "QV Market-Elizabeth St (West)",
    "southern_cross": "Southern Cross Station",
}
LAGS = [1, 2, 3, 24, 48, 168, 336]
DEFAULT = "crowdcast GBMForecaster"
ACCURATE = "crowdcast GBMForecaster accurate"
WEEK = 168
HORIZON = 24


# ----------------------------------------------------------------------------- data


def melbourne_site() -> SiteProfile:
    return SiteProfile(
        id="melbourne",
        name="City of Melbourne pedestrian sensors",
        timezone=TZ,
        country="AU",
        subdivision="VIC",
        zones=tuple(Zone(id=i, name=n, measure="passages") for i, n in SENSORS.items()),
    )


def read_daily_weather(path: Path) -> pd.DataFrame:
    daily = pd.read_csv(path, parse_dates=["date"])
    return daily.rename(
        columns={"max_temperature_c": "temp_max", "precipitation_mm_9am_to_9am": "rain"}
    ).set_index("date")


def local_dates(ts: pd.DatetimeIndex | pd.Series) -> pd.DatetimeIndex:
    """The local calendar date (midnight, naive) of UTC timestamps."""
    idx = pd.DatetimeIndex(ts)
    if idx.tz is None:
        idx = idx.tz_localize("UTC")
    return idx.tz_convert(TZ).tz_localize(None).normalize()


def rain_dates(ts: pd.DatetimeIndex | pd.Series) -> pd.DatetimeIndex:
    """The date of the BoM rain report covering each UTC hour: 09:00 on D - 1 to 09:00 on D.

    >>> hours = ["2016-08-19 07:00", "2016-08-19 22:00", "2016-08-19 23:00"]  # UTC + 10 h
    >>> rain_dates(pd.DatetimeIndex(hours, tz="UTC")).strftime("%d").tolist()  # Fri 17:00 ...
    ['20', '20', '21']
    """
    idx = pd.DatetimeIndex(ts)
    if idx.tz is None:
        idx = idx.tz_localize("UTC")
    wall = idx.tz_convert(TZ).tz_localize(None)
    return (wall + pd.Timedelta(hours=15)).normalize()


def crowdcast_weather(daily: pd.DataFrame) -> pd.DataFrame:
    """The daily file as crowdcast weather: a perfect-forecast archive plus observations."""
    first = pd.Timestamp(daily.index.min()).tz_localize(TZ)
    last = (pd.Timestamp(daily.index.max()) + pd.Timedelta(days=1)).tz_localize(TZ)
    hours = pd.date_range(
        first.tz_convert("UTC"), last.tz_convert("UTC"), freq="h", inclusive="left"
    )
    day = local_dates(hours)
    temp = daily["temp_max"].reindex(day).to_numpy()
    rain = (daily["rain"] / 24.0).reindex(rain_dates(hours)).to_numpy()
    obs = pd.DataFrame(
        {"timestamp": hours, "temperature_c": temp, "precipitation_mm": rain, "issued_at": pd.NaT}
    )
    # forecasts issued at local midnight of each date, covering the next 48 hours
    parts = []
    for lead_day in (0, 1):  # an hour is covered by its own date's and the previous date's issue
        issue = (day - pd.Timedelta(days=lead_day)).tz_localize(TZ).tz_convert("UTC")
        parts.append(obs.assign(issued_at=issue))
    fc = pd.concat(parts, ignore_index=True)
    fc = fc[(fc["timestamp"] - fc["issued_at"]) < pd.Timedelta(hours=48)]
    weather = pd.concat([obs, fc], ignore_index=True)
    weather["issued_at"] = pd.to_datetime(weather["issued_at"], utc=True)
    weather["wind_speed_ms"] = np.nan
    weather = weather[weather["timestamp"] >= first.tz_convert("UTC")]
    return validate_weather(weather.dropna(subset=["temperature_c"]).reset_index(drop=True))


@dataclass
class Melbourne:
    site: SiteProfile
    counts: pd.DataFrame  # counts contract, NaN = not observed
    weather: pd.DataFrame  # crowdcast weather contract
    daily: pd.DataFrame  # temp_max, rain by local date
    grid: np.ndarray = field(repr=False)  # zones x hours, NaN = not observed
    start: pd.Timestamp = field(default=pd.Timestamp(0, tz="UTC"))
    zones: tuple[str, ...] = ()
    peer_frame: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def position(self, ts: pd.Timestamp) -> int:
        return int((ts - self.start) / pd.Timedelta(hours=1))


def load() -> Melbourne:
    site = melbourne_site()
    counts = cc.read_counts(DATA / "counts.csv", zones=site)
    daily = read_daily_weather(DATA / "weather_daily.csv")
    weather = crowdcast_weather(daily)
    history = City(counts=counts, site=site).history()
    mel = Melbourne(
        site=site,
        counts=counts,
        weather=weather,
        daily=daily,
        grid=history.values,
        start=history.start,
        zones=history.zones,
    )
    mel.peer_frame = peer_frame(mel)
    return mel


def seasonal_fill(values: np.ndarray) -> np.ndarray:
    """Fill NaN with the value one week earlier, repeatedly (causal); then carry forward."""
    out = values.copy()
    for t in np.flatnonzero(np.isnan(out)):
        if t >= WEEK:
            out[t] = out[t - WEEK]
    return pd.Series(out).ffill().bfill().to_numpy()


def is_holiday(dates: pd.DatetimeIndex) -> np.ndarray:
    import holidays

    years = range(dates.year.min(), dates.year.max() + 1)
    hol = holidays.country_holidays("AU", subdiv="VIC", years=years)
    return np.asarray(dates.isin(pd.DatetimeIndex(list(hol))), dtype=np.int8)


def peer_frame(mel: Melbourne) -> pd.DataFrame:
    """Complete, filled series in Nixtla's long format with the exogenous columns."""
    parts = []
    n_t = mel.grid.shape[1]
    ds = mel.start.tz_localize(None) + pd.to_timedelta(np.arange(n_t), unit="h")
    for z, zone in enumerate(mel.zones):
        observed = np.flatnonzero(~np.isnan(mel.grid[z]))
        lo, hi = observed[0], observed[-1] + 1
        parts.append(
            pd.DataFrame(
                {
                    "unique_id": zone,
                    "ds": ds[lo:hi],
                    "y": seasonal_fill(mel.grid[z, lo:hi]),
                    "observed": ~np.isnan(mel.grid[z, lo:hi]),
                }
            )
        )
    df = pd.concat(parts, ignore_index=True)
    return df.join(exogenous(df["ds"], mel.daily))


def exogenous(ds: pd.Series, daily: pd.DataFrame) -> pd.DataFrame:
    day = local_dates(pd.DatetimeIndex(ds))
    return pd.DataFrame(
        {
            "is_holiday": is_holiday(day),
            "temp_max": daily["temp_max"].reindex(day).to_numpy(),
            "rain": daily["rain"].reindex(rain_dates(pd.DatetimeIndex(ds))).to_numpy(),
        },
        index=ds.index,
    )


# ----------------------------------------------------------------------------- local date features


def _local(dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(dates).tz_localize("UTC").tz_convert(TZ)


def hour(dates: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray(_local(dates).hour)


def dayofweek(dates: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray(_local(dates).dayofweek)


def month(dates: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray(_local(dates).month)


# ----------------------------------------------------------------------------- models

#: A model: (mel, origin) -> (zones x 24) arrays of point, lower, upper.
Forecast = tuple[np.ndarray, np.ndarray, np.ndarray]


def _zone_matrix(fc: pd.DataFrame, zones: tuple[str, ...], cols: list[str]) -> list[np.ndarray]:
    fc = fc.sort_values(["zone", "timestamp"])
    out = []
    for col in cols:
        wide = fc.pivot(index="zone", columns="timestamp", values=col).reindex(list(zones))
        out.append(wide.to_numpy(dtype=float))
    return out


def crowdcast_model(make: Callable[[], cc.models.BaseForecaster]) -> Callable:
    def run(mel: Melbourne, origin: pd.Timestamp) -> Forecast:
        train = mel.counts[mel.counts["timestamp"] < origin]
        model = make().fit(train, weather=mel.weather, site=mel.site)
        fc = model.predict(origin=origin)
        point, lo, hi = _zone_matrix(fc, mel.zones, ["q0.5", "q0.1", "q0.9"])
        return point, lo, hi

    return run


def mlforecast_model(mel: Melbourne, origin: pd.Timestamp) -> Forecast:
    import lightgbm as lgb
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean
    from mlforecast.utils import PredictionIntervals

    cut = origin.tz_localize(None)
    df = mel.peer_frame
    train = df.loc[df["ds"] < cut].drop(columns="observed")
    future_ds = pd.date_range(cut, periods=HORIZON, freq="h")
    future = pd.DataFrame(
        {
            "unique_id": np.repeat(mel.zones, HORIZON),
            "ds": np.tile(future_ds, len(mel.zones)),
        }
    )
    future = future.join(exogenous(future["ds"], mel.daily))
    fcst = MLForecast(
        models={"lgbm": lgb.LGBMRegressor(objective="tweedie", verbosity=-1)},
        freq="h",
        lags=LAGS,
        lag_transforms={1: [RollingMean(window_size=24)], 24: [RollingMean(window_size=168)]},
        date_features=[hour, dayofweek, month],
    )
    fcst.fit(
        train,
        static_features=[],
        prediction_intervals=PredictionIntervals(n_windows=2, h=HORIZON),
    )
    fc = fcst.predict(h=HORIZON, X_df=future, level=[80])
    fc = fc.rename(columns={"unique_id": "zone", "ds": "timestamp"})
    point, lo, hi = _zone_matrix(fc, mel.zones, ["lgbm", "lgbm-lo-80", "lgbm-hi-80"])
    return point, lo, hi


def mstl_model(weeks: int) -> Callable:
    def run(mel: Melbourne, origin: pd.Timestamp) -> Forecast:
        from statsforecast import StatsForecast
        from statsforecast.models import MSTL

        cut = origin.tz_localize(None)
        df = mel.peer_frame
        train = df.loc[(df["ds"] < cut) & (df["ds"] >= cut - pd.Timedelta(weeks=weeks))]
        sf = StatsForecast(models=[MSTL(season_length=[24, WEEK])], freq="h", n_jobs=1)
        fc = sf.forecast(df=train[["unique_id", "ds", "y"]], h=HORIZON, level=[80])
        fc = fc.rename(columns={"unique_id": "zone", "ds": "timestamp"})
        point, lo, hi = _zone_matrix(fc, mel.zones, ["MSTL", "MSTL-lo-80", "MSTL-hi-80"])
        return point, lo, hi

    return run


# ----------------------------------------------------------------------------- scoring


@dataclass
class Score:
    mase: list[float] = field(default_factory=list)
    abs_err: list[np.ndarray] = field(default_factory=list)
    covered: list[np.ndarray] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    details: list[dict[str, object]] = field(default_factory=list)

    def row(self) -> dict[str, float]:
        err = np.concatenate(self.abs_err)
        return {
            "MASE": float(np.mean(self.mase)),
            "MAE": float(np.mean(err)),
            "coverage": float(np.mean(np.concatenate(self.covered))),
            "s/origin": float(np.median(self.seconds)),
        }


def naive_scale(train: np.ndarray) -> float:
    diff = np.abs(train[WEEK:] - train[:-WEEK])
    return float(np.nanmean(diff))


def score(mel: Melbourne, origin: pd.Timestamp, fc: Forecast, seconds: float, into: Score) -> None:
    pos = mel.position(origin)
    point, lo, hi = fc
    for z in range(len(mel.zones)):
        actual = mel.grid[z, pos : pos + HORIZON]
        ok = np.isfinite(actual)
        if not ok.any():
            continue
        if not np.isfinite(point[z, ok]).all():
            raise RuntimeError(f"missing forecast for {mel.zones[z]} at {origin}")
        err = np.abs(point[z, ok] - actual[ok])
        covered = (actual[ok] >= lo[z, ok]) & (actual[ok] <= hi[z, ok])
        into.mase.append(float(err.mean()) / naive_scale(mel.grid[z, :pos]))
        into.abs_err.append(err)
        into.covered.append(covered)
        into.details.append(
            {
                "origin": origin,
                "zone": mel.zones[z],
                "mase": into.mase[-1],
                "mae": float(err.mean()),
                "coverage": float(covered.mean()),
                "hours": int(ok.sum()),
            }
        )
    into.seconds.append(seconds)


# ----------------------------------------------------------------------------- main


def models(args: argparse.Namespace) -> dict[str, Callable]:
    from crowdcast.models import ProfileRatio, SeasonalNaive, WeekdayHourMean

    out: dict[str, Callable] = {
        DEFAULT: crowdcast_model(cc.GBMForecaster),
        # the same default with other LightGBM seeds (bagging), to measure the noise
        **{
            f"{DEFAULT} (seed {k})": crowdcast_model(lambda k=k: cc.GBMForecaster(random_state=k))
            for k in range(1, args.seeds)
        },
        # the default's centre is a blend; this is its median model alone
        "crowdcast GBMForecaster median only": crowdcast_model(
            lambda: cc.GBMForecaster(point="quantile")
        ),
        # the speed/accuracy trade-off: twice the training origins, twice the trees
        ACCURATE: crowdcast_model(
            lambda: cc.GBMForecaster(
                origin_step=13, lgbm_params={"n_estimators": 200, "learning_rate": 0.08}
            )
        ),
        "crowdcast SeasonalNaive": crowdcast_model(SeasonalNaive),
        "crowdcast ProfileRatio": crowdcast_model(ProfileRatio),
        "crowdcast WeekdayHourMean": crowdcast_model(WeekdayHourMean),
        "mlforecast LightGBM": mlforecast_model,
    }
    if args.mstl_weeks > 0:
        out["statsforecast MSTL"] = mstl_model(args.mstl_weeks)
    return out


PEER_ROW = {
    "crowdcast SeasonalNaive": "seasonal naive",
    "mlforecast LightGBM": "mlforecast",
    "statsforecast MSTL": "MSTL",
}


def window_origins(window: str, n: int) -> pd.DatetimeIndex:
    """The origins (UTC) of a window: ``n`` days at 06:00 local, or the holiday window."""
    if window == "hol16":
        days = sorted(
            {d + pd.Timedelta(days=k) for d in pd.to_datetime(HOLIDAYS_2016) for k in (-1, 0)}
        )
        local = [pd.Timestamp(f"{d.date()} 06:00", tz=TZ) for d in days]
        return pd.DatetimeIndex(local).tz_convert("UTC")
    start = {**WINDOWS, **VALIDATION}[window]
    return pd.date_range(f"{start} 06:00", periods=n, freq="D", tz=TZ).tz_convert("UTC")


def seed_summary(scores: dict[str, Score]) -> list[str]:
    """MASE of the default over its seeds: how much of a difference is noise."""
    runs = {k: v for k, v in scores.items() if k.startswith(f"{DEFAULT} (seed")}
    if not runs or DEFAULT not in scores:
        return []
    mase = [s.row()["MASE"] for s in [scores[DEFAULT], *runs.values()]]
    return [
        "",
        f"{DEFAULT} over {len(mase)} LightGBM seeds (0-{len(mase) - 1}): MASE mean "
        f"{np.mean(mase):.3f}, min {min(mase):.3f}, max {max(mase):.3f}",
    ]


def table(window: str, scores: dict[str, Score], n_origins: int) -> list[str]:
    where = (
        "on each 2016 holiday of Victoria outside December and the day before, 06:00"
        if window == "hol16"
        else f"from {({**WINDOWS, **VALIDATION})[window]} 06:00"
    )
    lines = [
        f"### {window}: {n_origins} origins {where} {TZ}, 24 h ahead",
        "",
        "| model | MASE | MAE | 80 % coverage | s/origin | peer MASE (PROVENANCE.md) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, s in scores.items():
        r = s.row()
        peer = PEER.get(window, {}).get(PEER_ROW.get(name, ""), None)
        lines.append(
            f"| {name} | {r['MASE']:.3f} | {r['MAE']:.1f} | {r['coverage']:.1%} | "
            f"{r['s/origin']:.2f} | {'' if peer is None else f'{peer:.3f}'} |"
        )
    return lines + seed_summary(scores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--windows", nargs="+", choices=[*WINDOWS, *VALIDATION, "hol16"], default=list(WINDOWS)
    )
    parser.add_argument("--origins", type=int, default=28)
    parser.add_argument(
        "--seeds", type=int, default=1, help="also run the default with seeds 1..N-1"
    )
    parser.add_argument("--mstl-weeks", type=int, default=8, help="0 switches MSTL off")
    parser.add_argument("--only", nargs="*", help="substrings of model names to run")
    parser.add_argument("--out", type=Path, help="also write the markdown tables here")
    parser.add_argument("--details", type=Path, help="write per (model, sensor, origin) scores")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=cc.exceptions.CrowdcastWarning)

    import lightgbm
    import mlforecast
    import statsforecast

    header = [
        f"machine: {os.cpu_count()} cores, {platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()}; "
        f"crowdcast {cc.__version__}, mlforecast {mlforecast.__version__}, "
        f"statsforecast {statsforecast.__version__}, lightgbm {lightgbm.__version__}, "
        f"pandas {pd.__version__}",
        "",
    ]
    print("\n".join(header), flush=True)
    t0 = time.perf_counter()
    mel = load()
    print(f"data loaded in {time.perf_counter() - t0:.1f} s\n", flush=True)
    run = models(args)
    if args.only:
        run = {k: v for k, v in run.items() if any(s.lower() in k.lower() for s in args.only)}
    lines = header
    details = []
    for window in args.windows:
        origins = window_origins(window, args.origins)
        scores = {name: Score() for name in run}
        for origin in origins:
            for name, model in run.items():
                start = time.perf_counter()
                fc = model(mel, origin)
                score(mel, origin, fc, time.perf_counter() - start, scores[name])
            print(
                f"  {window} {origin.tz_convert(TZ):%Y-%m-%d %H:%M} done",
                file=sys.stderr,
                flush=True,
            )
        for name, s in scores.items():
            details += [{"model": name, "window": window, **d} for d in s.details]
        block = table(window, scores, len(origins))
        print("\n".join(block) + "\n", flush=True)
        lines += [*block, ""]
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(lines))
    if args.details:
        pd.DataFrame(details).to_csv(args.details, index=False)


if __name__ == "__main__":
    main()
