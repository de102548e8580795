"""Rolling-origin backtests of one or several forecasters on the same folds.

:func:`backtest` refits each forecaster (a clone, seeded) as the :class:`Fold`
says, forecasts every zone from every origin using only the counts before it
(minus the fold's gap), and returns a :class:`Backtest` holding one long table:

``model, fold, origin, zone, timestamp, horizon, q.., actual, event, scale``

``actual`` is NaN where the count was not observed (never zero); ``event`` is
True where a non-cancelled event overlaps the interval in that zone; ``scale``
is the in-sample MAE of the seasonal naive (period ``season``) on the counts
before that origin, the denominator of MASE.

Jobs (one per model and fit) run in parallel with joblib; each gets its own
clone with ``random_state=seed``, so results do not depend on ``n_jobs``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crowdcast._city import City, as_city
from crowdcast._validation import positive_int
from crowdcast.evaluation._folds import Fold
from crowdcast.evaluation._kpis import kpis, skill
from crowdcast.evaluation._peaks import peak_kpis
from crowdcast.exceptions import ConfigError, ParameterError, Problem
from crowdcast.models import BaseForecaster
from crowdcast.schemas import WEEK, History

__all__ = ["Backtest", "backtest", "event_mask", "seasonal_scale"]


@dataclass(frozen=True)
class Backtest:
    """What :func:`backtest` produced.

    Attributes
    ----------
    table
        The long table of forecasts and actuals (see the module docstring).
    fold
        The protocol used.
    origins
        The UTC origins, oldest first (``table["fold"]`` indexes them).
    timezone
        The site's timezone (for time-of-day KPIs and plots).
    timings
        One row per job: ``model, first_fold, n_folds, fit_seconds, predict_seconds``.
    history
        The counts grid the actuals and scales were read from.
    """

    table: pd.DataFrame
    fold: Fold
    origins: pd.DatetimeIndex
    timezone: str
    timings: pd.DataFrame
    history: History = field(repr=False)

    @property
    def models(self) -> list[str]:
        return list(pd.unique(self.table["model"]))

    def with_season(self, season: int) -> pd.DataFrame:
        """The table with ``scale`` recomputed for a seasonal naive of period ``season``."""
        cut = self.history.position(self.origins) - self.fold.gap
        scale = seasonal_scale(self.history, cut, season=season)
        z = self.history.zone_index(self.table["zone"])
        return self.table.assign(scale=scale[z, self.table["fold"].to_numpy()])

    def kpis(
        self, by: str | Sequence[str] | None = None, *, season: int | None = None, **kwargs: Any
    ) -> pd.DataFrame:
        """Technology KPIs per model (and ``by`` group); see :func:`crowdcast.evaluation.kpis`.

        MASE is scaled by the weekly seasonal naive unless ``season`` (in intervals) is given.
        """
        table = self.table if season is None else self.with_season(season)
        return kpis(table, by=by, timezone=self.timezone, **kwargs)

    def peak_kpis(self, **kwargs: Any) -> pd.DataFrame:
        """Daily-peak level and timing errors; see :func:`crowdcast.evaluation.peak_kpis`."""
        return peak_kpis(self.table, timezone=self.timezone, **kwargs)

    def skill(
        self, baseline: str | Sequence[str], by: str | Sequence[str] | None = None, **kwargs: Any
    ) -> pd.DataFrame:
        """Skill ``1 - KPI / KPI(baseline)``; see :func:`~crowdcast.evaluation.skill`."""
        return skill(self.kpis(by=by), baseline, **kwargs)


def backtest(
    models: BaseForecaster | Sequence[BaseForecaster] | Mapping[str, BaseForecaster],
    data: City | pd.DataFrame,
    *,
    fold: Fold | None = None,
    n_jobs: int = 1,
    progress: bool | None = None,
    seed: int = 0,
) -> Backtest:
    """Rolling-origin backtest of ``models`` on ``data``.

    Parameters
    ----------
    models
        A forecaster, a list of them (named by class, numbered when repeated)
        or a mapping ``name -> forecaster``. They are cloned, never modified.
    data
        A :class:`~crowdcast.City` (``load_city``, ``load_sample``,
        ``City.from_tables``) with counts, and optionally events, weather
        (observations and issued forecasts) and the site; or a counts table
        alone. With a site profile the City must declare a purpose (every
        source used is declared for it, checked when the City was built); it
        goes into each model's provenance. Use ``city.with_purpose(...)`` to
        evaluate for another purpose.
    fold
        The protocol; ``Fold()`` (28 daily origins, 24 intervals ahead, refit
        at each) by default.
    n_jobs
        Parallel jobs (joblib; ``-1`` = all cores). Each worker runs its
        models single-threaded, so LightGBM does not oversubscribe.
    progress
        Show a progress bar (``None``: only on an interactive terminal or notebook).
    seed
        ``random_state`` of every model that has one.

    Examples
    --------
    >>> import crowdcast as cc
    >>> from crowdcast.evaluation import Fold, backtest
    >>> from crowdcast.models import SeasonalNaive, WeekdayHourMean
    >>> city = cc.load_sample()
    >>> bt = backtest([SeasonalNaive(), WeekdayHourMean()], city,
    ...               fold=Fold(horizon=6, n_windows=2, origin_time="07:00"))
    >>> bt.models
    ['SeasonalNaive', 'WeekdayHourMean']
    >>> len(bt.table) == 2 * 2 * 7 * 6  # models x origins x zones x horizons
    True
    """
    fold = fold if fold is not None else Fold()
    if not isinstance(fold, Fold):
        raise ParameterError([Problem("`fold`", "a crowdcast.evaluation.Fold", repr(fold))])
    named = _name_models(models)
    city = _backtest_city(data)
    history = city.history()
    timezone = city.site.timezone if city.site is not None else "UTC"
    origins = fold.origins(history, timezone)
    inputs = city.with_grid(history)

    jobs = [
        (name, model, group)
        for name, model in named.items()
        for group in fold.refit_groups(len(origins))
    ]
    results = _run(jobs, inputs, origins, fold, seed, n_jobs, progress)
    table = _long_table([part for part, _ in results], list(named), history, inputs, origins, fold)
    return Backtest(
        table=table,
        fold=fold,
        origins=origins,
        timezone=timezone,
        timings=pd.DataFrame([t for _, t in results]),
        history=history,
    )


def _backtest_city(data: City | pd.DataFrame) -> City:
    """The data as a City; with a site profile it must declare the purpose of the backtest."""
    city = as_city(data, source="backtest")
    if city.site is not None and city.purpose is None:
        raise ConfigError(
            [
                Problem(
                    "backtest purpose",
                    "a purpose declared for the data sources",
                    "none",
                    hint="load the city with load_city(..., purpose=...) or use "
                    "city.with_purpose(...)",
                )
            ],
            title="backtest needs a purpose",
        )
    return city


def _long_table(
    parts: list[pd.DataFrame],
    names: list[str],
    history: History,
    inputs: City,
    origins: pd.DatetimeIndex,
    fold: Fold,
) -> pd.DataFrame:
    """The forecasts of every job as one table with the truth, models in the order given."""
    table = pd.concat(parts, ignore_index=True)
    keys = ["model", "fold", "origin", "zone", "timestamp", "horizon"]
    table = table[keys + [c for c in table.columns if c not in keys]]
    table = _attach_truth(table, history, inputs.events, origins, fold)
    order = {name: i for i, name in enumerate(names)}
    return table.sort_values(
        ["model", "fold", "zone", "horizon"], key=lambda s: s.map(order) if s.name == "model" else s
    ).reset_index(drop=True)


# ----------------------------------------------------------------------------- jobs


def _run(
    jobs: list[tuple[str, BaseForecaster, list[int]]],
    data: City,
    origins: pd.DatetimeIndex,
    fold: Fold,
    seed: int,
    n_jobs: int,
    progress: bool | None,
) -> list[tuple[pd.DataFrame, dict[str, Any]]]:
    from joblib import Parallel, delayed, parallel_config
    from tqdm.auto import tqdm

    tasks = (
        delayed(_job)(name, model, data, origins[group], group, fold, seed)
        for name, model, group in jobs
    )
    bar = tqdm(total=len(jobs), desc="backtest", unit="fit", disable=_disable(progress))
    out = []
    with parallel_config(backend="loky", inner_max_num_threads=1 if n_jobs != 1 else None):
        for result in Parallel(n_jobs=n_jobs, return_as="generator")(tasks):
            out.append(result)
            bar.update()
    bar.close()
    return out


def _disable(progress: bool | None) -> bool | None:
    return None if progress is None else not progress


def _job(
    name: str,
    model: BaseForecaster,
    data: City,
    origins: pd.DatetimeIndex,
    fold_ids: list[int],
    fold: Fold,
    seed: int,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    from sklearn.base import clone

    est = clone(model)
    params = est.get_params(deep=False)
    est.set_params(horizon=fold.horizon)
    if "random_state" in params:
        est.set_params(random_state=seed)
    freq = data.freq if data.freq is not None else data.history().freq
    lag = fold.gap * freq
    counts = data.counts
    start = time.perf_counter()
    # subsets of a validated City are valid: no table is checked again
    est.fit(data.replace(counts=counts[counts["timestamp"] < origins[0] - lag]))
    fitted = time.perf_counter()
    parts = []
    for i, (origin, fold_id) in enumerate(zip(origins, fold_ids, strict=True)):
        seen = None if i == 0 else data.replace(counts=counts[counts["timestamp"] < origin - lag])
        fc = est.predict(seen, origin=origin, horizon=fold.horizon)
        fc.attrs = {}
        parts.append(fc.assign(model=name, fold=fold_id))
    done = time.perf_counter()
    timing = {
        "model": name,
        "first_fold": fold_ids[0],
        "n_folds": len(fold_ids),
        "fit_seconds": fitted - start,
        "predict_seconds": done - fitted,
    }
    return pd.concat(parts, ignore_index=True), timing


def _name_models(
    models: BaseForecaster | Sequence[BaseForecaster] | Mapping[str, BaseForecaster],
) -> dict[str, BaseForecaster]:
    if isinstance(models, BaseForecaster):
        items: Iterable[tuple[str, Any]] = [(type(models).__name__, models)]
    elif isinstance(models, Mapping):
        items = [(str(k), v) for k, v in models.items()]
    else:
        seq = list(models)
        names = [type(m).__name__ for m in seq]
        items = [
            (n if names.count(n) == 1 else f"{n}_{names[:i].count(n) + 1}", m)
            for i, (n, m) in enumerate(zip(names, seq, strict=True))
        ]
    named = dict(items)
    bad = [k for k, v in named.items() if not isinstance(v, BaseForecaster)]
    if not named or bad:
        raise ParameterError(
            [
                Problem(
                    "`models`",
                    "crowdcast forecasters (a list or a name -> forecaster mapping)",
                    ", ".join(f"{k}: {type(named[k]).__name__}" for k in bad) or "nothing",
                )
            ]
        )
    return named


# ----------------------------------------------------------------------------- truth


def _attach_truth(
    table: pd.DataFrame,
    history: History,
    events: pd.DataFrame | None,
    origins: pd.DatetimeIndex,
    fold: Fold,
) -> pd.DataFrame:
    z = history.zone_index(table["zone"])
    pos = history.position(table["timestamp"])
    inside = (pos >= 0) & (pos < history.values.shape[1])
    actual = np.full(len(table), np.nan)
    actual[inside] = history.values[z[inside], pos[inside]]
    table["actual"] = actual
    table["event"] = event_mask(table["zone"], table["timestamp"], events, history.freq)
    cut = history.position(origins) - fold.gap
    scale = seasonal_scale(history, cut, season=_week(history.freq))
    table["scale"] = scale[z, table["fold"].to_numpy()]
    return table


def _week(freq: pd.Timedelta) -> int:
    return max(1, int(WEEK / freq))


def seasonal_scale(history: History, cut: np.ndarray, *, season: int) -> np.ndarray:
    """In-sample MAE of the seasonal naive per zone, on the counts before each cut position.

    ``mean |y[t] - y[t - season]|`` over the pairs where both were observed
    and ``t < cut``; NaN when there is no such pair. Returns ``zones x len(cut)``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> h = History(("a",), pd.Timestamp("2024-01-01", tz="UTC"), pd.Timedelta("1h"),
    ...             np.array([[1.0, 2.0, 4.0, np.nan, 5.0]]))
    >>> seasonal_scale(h, np.array([2, 3, 5]), season=1)  # |2-1|, then +|4-2|, then (4-5 is NaN)
    array([[1. , 1.5, 1.5]])
    """
    if not positive_int(season):
        raise ParameterError([Problem("`season`", "a positive number of intervals", repr(season))])
    values = history.values
    diff = np.full(values.shape, np.nan)
    diff[:, season:] = np.abs(values[:, season:] - values[:, :-season])
    ok = ~np.isnan(diff)
    total = np.concatenate(
        [np.zeros((len(values), 1)), np.cumsum(np.where(ok, diff, 0), axis=1)], 1
    )
    count = np.concatenate([np.zeros((len(values), 1)), np.cumsum(ok, axis=1)], axis=1)
    idx = np.clip(np.asarray(cut, dtype=np.int64), 0, values.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count[:, idx] > 0, total[:, idx] / count[:, idx], np.nan)


def event_mask(
    zones: pd.Series, timestamps: pd.Series, events: pd.DataFrame | None, freq: pd.Timedelta
) -> np.ndarray:
    """True where a non-cancelled event in the zone overlaps ``[timestamp, timestamp + freq)``.

    Examples
    --------
    >>> ev = pd.DataFrame({"zone": ["a"], "status": ["confirmed"],
    ...     "start": [pd.Timestamp("2024-06-01 10:30", tz="UTC")],
    ...     "end": [pd.Timestamp("2024-06-01 12:00", tz="UTC")]})
    >>> t = pd.Series(pd.date_range("2024-06-01 09:00", periods=4, freq="h", tz="UTC"))
    >>> event_mask(pd.Series(["a"] * 4), t, ev, pd.Timedelta("1h")).tolist()
    [False, True, True, False]
    """
    out = np.zeros(len(zones), dtype=bool)
    if events is None or events.empty or len(zones) == 0:
        return out
    live = events[events["status"] != "cancelled"]
    ts = pd.DatetimeIndex(timestamps).as_unit("ns").asi8
    step = freq.value
    t0 = ts.min()
    n_t = int((ts.max() - t0) // step) + 1
    zone_codes, zone_names = pd.factorize(np.asarray(zones))
    grid = np.zeros((len(zone_names), n_t + 1), dtype=np.int32)
    ez = pd.Index(zone_names).get_indexer(live["zone"])
    start = pd.DatetimeIndex(live["start"]).as_unit("ns").asi8
    end = pd.DatetimeIndex(live["end"]).as_unit("ns").asi8
    # first interval overlapping the event and the first one after it, clipped to the rows' range
    lo = np.clip((start - t0) // step, 0, n_t)
    hi = np.clip(-((t0 - end) // step), 0, n_t)
    keep = (ez >= 0) & (hi > lo)
    np.add.at(grid, (ez[keep], lo[keep]), 1)
    np.add.at(grid, (ez[keep], hi[keep]), -1)
    active = np.cumsum(grid, axis=1) > 0
    return active[zone_codes, (ts - t0) // step]
