"""Indicator hazards (aggression, ...) hours ahead: levels from a forecast of their signals.

:func:`~crowdcast.risk.indicator_lift` scores hours whose signal values are
known. ``assess(forecast, site, hazard="aggression")`` scores hours to come
from a forecast of the signal per venue (``zone`` = venue id, as forecasters
fitted on :func:`crowdcast.models.signal_city` give), with the forecast's
uncertainty carried into the lift.

**Quantile propagation, comonotonic.** Per zone, hour and origin the
exposure is ``x = Σ_v w_v s_v / n`` (the zone's ``n`` scoped venues, each
venue's weight ``w_v`` from the site, as in ``indicator_lift``) and the lift
``(1 + effect) ** x = exp(log(1 + effect) · x)``. The forecast gives each
venue's ``s_v`` as quantiles. The venues' errors on one night share their
causes (the crowd, how much people drink that night, the weather), so the
venues' quantile levels are taken to move together: the ``τ``-quantile of
the sum is the sum of the ``τ``-quantiles. That is exact for comonotonic
errors and the widest (convex-order) coupling otherwise: independence would
average the uncertainty of six bars away, which their shared night does not.
The lift is increasing in ``x``, so its quantiles are the lift of ``x``'s
quantiles, and P(level >= L) = P(x >= x_L) follows from the quantiles with
the interpolation and tail rule of every other level probability
(:mod:`crowdcast.risk._quantiles`), on the log-lift scale where the effect
form is linear. No sampling: deterministic and exact under that
assumption, where Monte Carlo would need the same dependence assumption and
add noise. The expected lift ``lift_mean = E[(1 + effect) ** x]``, the
multiplier of the expected incident rate, is the integral of the lift over
the quantile function (400 midpoints); by Jensen's inequality it exceeds
the lift at P50 as the forecast widens. Several indicators of one hazard
multiply, with the same coupling.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from crowdcast.exceptions import (
    ConfigError,
    DataQualityWarning,
    DataValidationError,
    ParameterError,
    Problem,
)
from crowdcast.profiles import Indicator, IndicatorLibrary, SiteProfile
from crowdcast.risk._indicators import _in_window, resolve_weight, scoped_venues
from crowdcast.risk._quantiles import exceedance_probability, quantile_at
from crowdcast.risk._schemes import _Scheme
from crowdcast.schemas import quantile_column

__all__ = ["indicator_hazards", "signal_levels"]

_KEYS = ["zone", "origin", "timestamp", "horizon"]
_MEAN_POINTS = 400


def indicator_hazards(library: IndicatorLibrary) -> dict[str, list[Indicator]]:
    """Hazard -> its ``relative_lift`` indicators (scored from signals)."""
    out: dict[str, list[Indicator]] = {}
    for ind in library.indicators:
        if ind.effect_form == "relative_lift":
            out.setdefault(ind.hazard, []).append(ind)
    return out


def _levels_of(inds: Sequence[Indicator]) -> Indicator:
    """The indicator whose lift thresholds define the hazard's levels."""
    for ind in inds:
        if ind.thresholds:
            return ind
    raise ConfigError(
        [
            Problem(
                f"the effect of indicator {inds[0].id!r}",
                "`thresholds` on the lift and their `levels`",
                "none",
                hint="e.g. thresholds = [1.25, 1.5, 2.0], levels = [green, yellow, orange, red]",
            )
        ],
        title="Indicator without levels",
    )


def _check_hourly(minutes: float) -> None:
    if minutes != 60.0:
        raise ParameterError(
            [
                Problem(
                    "`forecast`",
                    "an hourly forecast of the signal (indicators score hours)",
                    f"every {minutes:g} min",
                    hint="forecast the signal per hour: signal_city(city) of hourly signals",
                )
            ]
        )


def _check_locations(fc: pd.DataFrame, site: SiteProfile, inds: Sequence[Indicator]) -> None:
    """Every location known, each once per step; a venue in the scope of the indicators."""
    known = {v.id for v in site.venues} | set(site.zone_ids)
    locations = fc["zone"].astype(str)
    unknown = fc[~locations.isin(known)]
    scoped = {v.id for ind in inds for vs in scoped_venues(site, ind).values() for v in vs}
    key = ["zone", "origin", "horizon"] + (["signal"] if "signal" in fc.columns else [])
    twice = fc[fc.duplicated(key, keep=False)]
    problems = []
    if len(twice):  # summed over venues, a repeated row would count twice
        problems.append(
            Problem(
                "the signal forecast",
                f"one row per {', '.join(key)}",
                f"{len(twice)} rows sharing their key",
                rows=tuple(twice.index[:5]),
                hint="forecast each venue once per origin (concatenate forecasts of other origins)",
            )
        )
    if len(unknown):
        problems.append(
            Problem(
                "`zone` of the signal forecast",
                f"venues (or zones) of site {site.id!r}",
                ", ".join(map(repr, sorted(unknown["zone"].astype(str).unique())[:5])),
                column="zone",
                rows=tuple(unknown.index[:5]),
                hint="pass the City's site profile (city.site), not the signal view's",
            )
        )
    elif not locations.isin(scoped).any():
        problems.append(
            Problem(
                "`forecast`",
                f"a forecast of {', '.join(sorted({i.signal or '' for i in inds}))} per venue "
                f"in scope ({', '.join(sorted(scoped)) or 'none'})",
                f"locations {sorted(locations.unique())[:5]}",
                column="zone",
                hint="forecast the signal, not the crowd: "
                "model.fit(signal_city(city)).predict(origin=...)",
            )
        )
    if problems:
        raise DataValidationError(problems, title="Not a forecast of the indicator's signal")


def _rows_of(fc: pd.DataFrame, ind: Indicator, signals: set[str]) -> pd.DataFrame:
    if "signal" in fc.columns:
        return fc[fc["signal"] == ind.signal]
    if len(signals) > 1:
        raise ParameterError(
            [
                Problem(
                    "`forecast`",
                    f"a `signal` column: the hazard reads {', '.join(sorted(signals))}",
                    "no `signal` column",
                    hint="stack the signals' forecasts with a `signal` column",
                )
            ]
        )
    return fc


def _exposure_quantiles(
    fc: pd.DataFrame,
    cols: list[str],
    site: SiteProfile,
    ind: Indicator,
    grid: pd.DataFrame,
    weighted: bool,
) -> np.ndarray:
    """``(len(grid), k)`` quantiles of the exposure: sums of the venues' quantiles (comonotonic)."""
    share: dict[str, tuple[str, float]] = {}
    for zid, venues in scoped_venues(site, ind).items():
        for v in venues:
            w = resolve_weight(site, ind.id, zid, v.id) if weighted else 1.0
            share[v.id] = (zid, w / len(venues))
    rows = fc[fc["zone"].isin(share)]
    scaled = (
        rows[cols].to_numpy(dtype="float64")
        * np.array([share[v][1] for v in rows["zone"]])[:, None]
    )
    parts = pd.DataFrame(np.nan_to_num(scaled, nan=0.0), columns=cols)
    parts["_missing"] = np.isnan(scaled).any(axis=1)
    parts["zone"] = [share[v][0] for v in rows["zone"]]
    for key in _KEYS[1:]:
        parts[key] = rows[key].to_numpy()
    summed = parts.groupby(_KEYS, sort=False)[[*cols, "_missing"]].sum()
    index = pd.MultiIndex.from_frame(grid[_KEYS])
    summed = summed.reindex(index, fill_value=0)  # zone-hours without a scoped venue's row: 0
    values = summed[cols].to_numpy(dtype="float64", copy=True)
    values[summed["_missing"].to_numpy() > 0] = np.nan  # a venue's unknown value: unknown sum
    stamps = pd.DatetimeIndex(grid["timestamp"])
    return np.where(_in_window(stamps, ind, site.timezone)[:, None], values, 0.0)


def _warn_missing_venues(fc: pd.DataFrame, site: SiteProfile, inds: Sequence[Indicator]) -> None:
    forecast = set(fc["zone"].astype(str))
    missing = sorted(
        v.id
        for ind in inds
        for vs in scoped_venues(site, ind).values()
        for v in vs
        if v.id not in forecast
    )
    if missing:
        warnings.warn(
            f"The signal forecast has no rows for venue(s) in scope {', '.join(missing)}: "
            "they count 0 (closed), as venues without signal rows do in indicator_lift. "
            "Include them in the signals the forecaster is fitted on if they are open.",
            DataQualityWarning,
            stacklevel=3,
        )


def signal_levels(
    forecast: pd.DataFrame,
    site: SiteProfile,
    inds: Sequence[Indicator],
    cols: list[str],
    taus: np.ndarray,
    minutes: float,
) -> tuple[pd.DataFrame, dict[str, _Scheme]]:
    """The risk table of an indicator hazard from a signal forecast, and each zone's scheme.

    Columns: ``zone, origin, timestamp, horizon, indicator``, ``exposure_<id>``
    (P50) per indicator, ``lift`` (P50), ``lift_q<τ>`` per forecast quantile,
    ``lift_mean``, ``level`` (at P50) and ``p_<level>`` (see the module docstring).
    """
    _check_hourly(minutes)
    fc = forecast.reset_index(drop=True)
    _check_locations(fc, site, inds)
    _warn_missing_venues(fc, site, inds)
    leveled = _levels_of(inds)
    zones = [z for z, vs in scoped_venues(site, leveled).items() if vs]
    for ind in inds:
        zones += [z for z, vs in scoped_venues(site, ind).items() if vs and z not in zones]
    steps = fc[_KEYS[1:]].drop_duplicates().sort_values(["origin", "timestamp"])
    grid = pd.DataFrame(
        {
            "zone": np.repeat(zones, len(steps)),
            **{k: np.tile(steps[k].to_numpy(), len(zones)) for k in _KEYS[1:]},
        }
    )
    signals = {ind.signal or "" for ind in inds}
    log_lift = np.zeros((len(grid), len(cols)))
    out = grid.copy()
    out["indicator"] = leveled.id
    for ind in inds:
        rows = _rows_of(fc, ind, signals)
        plain = _exposure_quantiles(rows, cols, site, ind, grid, weighted=False)
        out[f"exposure_{ind.id}"] = quantile_at(plain, taus, 0.5)
        weighted = _exposure_quantiles(rows, cols, site, ind, grid, weighted=True)
        log_lift += math.log1p(float(ind.effect_size or 0.0)) * weighted
    out["lift"] = np.exp(quantile_at(log_lift, taus, 0.5))
    for tau in taus:
        out[f"lift_{quantile_column(float(tau))}"] = np.exp(quantile_at(log_lift, taus, tau))
    points = (np.arange(_MEAN_POINTS) + 0.5) / _MEAN_POINTS
    out["lift_mean"] = np.mean([np.exp(quantile_at(log_lift, taus, u)) for u in points], axis=0)
    thresholds = np.array(leveled.thresholds, dtype="float64")
    above = (out["lift"].to_numpy()[:, None] >= thresholds).sum(axis=1)
    out["level"] = np.array(leveled.levels, dtype=object)[above]
    out.loc[out["lift"].isna(), "level"] = None
    with np.errstate(divide="ignore"):
        log_thresholds = np.log(thresholds)
    p = exceedance_probability(log_lift, taus, np.tile(log_thresholds, (len(grid), 1)))
    for i, level in enumerate(leveled.levels[1:]):
        out[f"p_{level}"] = p[:, i]
    scheme = _Scheme(leveled.id, "lift", leveled.levels, leveled.thresholds)
    table = out.sort_values(["origin", "zone", "timestamp"], ignore_index=True)
    return table, dict.fromkeys(zones, scheme)
