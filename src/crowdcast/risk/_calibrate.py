"""Calibrate a site weight of an indicator on the site's own incident history.

Model (statsmodels, Poisson mean with a log link), one row per zone and hour of
the span the signals cover::

    log E[incidents] = baseline(zone, local weekday of the night, local hour)
                       + beta × log(1 + effect) × x

with ``x`` the exposure of :func:`crowdcast.risk.indicator_lift` (mean signal
over the zone's scoped venues, inside the window). The generic effect enters
as the covariate, so ``beta`` *is* the site weight (1.0 = the published effect
holds here). A night runs from 06:00 to 06:00 local: hours before 06:00 belong
to the previous weekday's night. Every row is one hour, so no exposure offset
is needed. Baseline cells without any incident, or without any exposure
(hours outside the window), are left out: their intercept absorbs them exactly
whatever ``beta`` is, so they carry no information on it (cells without
incidents would not even converge). ``n``, the deviance and Pearson chi² are
those of the zone-hours kept.

Incidents cluster by night (several on one bad night), so hours are not
independent and the Poisson GLM's own interval is too narrow (on simulated
clustered cities its 95 % interval covers the true weight in 73-83 % of
them). By default (``method="night"``) the weight is estimated by a Poisson
GEE with an exchangeable correlation among the zone-hours of each night
(06:00 to 06:00 local, across zones), and its interval comes from the
bias-reduced (Mancl-DeRouen) sandwich, which stays honest with a few dozen
nights: 95 % coverage on the same cities, 94-96 % when hours are independent
(``benchmarks/bench_calibration.py``). The Poisson GLM is still fitted for
the fit statistics and as the reference the variance inflation is measured
against; a warning says when the clustering or over-dispersion is large.
What an estimate means for the site profile is in
:mod:`crowdcast.risk._calibration`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from crowdcast._validation import Choice
from crowdcast.exceptions import DataQualityWarning, DataValidationError, ParameterError, Problem
from crowdcast.profiles import Indicator, IndicatorLibrary, SiteProfile
from crowdcast.risk._calibration import Calibration
from crowdcast.risk._indicators import _check_units, _relative_lift, exposure, scoped_venues
from crowdcast.schemas import HOUR

__all__ = ["METHODS", "calibrate"]

#: How the weight's interval is computed: clustered by night (default) or plain Poisson.
METHODS = ("night", "poisson")
_METHOD = Choice(METHODS, hint="method='night' unless you know the hours are independent")
#: Fewer nights than this leave the sandwich interval itself uncertain.
MIN_NIGHTS = 30


# Over 80 lines only for its numpydoc docstring: the code is about 45 lines.
def calibrate(
    incidents: pd.DataFrame,
    signals: pd.DataFrame,
    site: SiteProfile,
    library: IndicatorLibrary,
    *,
    indicator: str = "alcohol_aggression",
    zone: str | None = None,
    kind: str | None = None,
    method: str = "night",
) -> Calibration:
    """Estimate a site weight of a ``relative_lift`` indicator from incidents.

    Parameters
    ----------
    incidents
        The incidents contract (absent = no incident). Must lie inside the
        span of the signals.
    signals
        The signals contract; the exposure is computed as in ``indicator_lift``.
    site, library
        The site profile (venues, zones, timezone) and the generic library.
    indicator
        The indicator whose weight is calibrated.
    zone
        Calibrate for one zone (target ``zone:<id>``). Default: pool every zone
        with scoped venues and at least one incident (target ``site``).
    kind
        Incident kind to count (default: the indicator's hazard, e.g. ``aggression``).
    method
        ``"night"`` (default): a Poisson GEE with the zone-hours of a night
        correlated and a bias-reduced sandwich interval, right when incidents
        cluster by night; ``"poisson"``: the plain Poisson GLM and its own
        interval, too narrow when they do (see the module docstring).

    Returns
    -------
    Calibration
        The weight, its interval and what they show (``evidence``), the fit
        and its dispersion; ``summary()`` and ``describe()`` report it.

    Warns
    -----
    DataQualityWarning
        When the Pearson dispersion is above 1.5 or the clustering by night more
        than doubles the weight's variance, and when fewer than 30 nights hold
        the zone-hours.

    Examples
    --------
    On the sample city (about 3 s; tested in ``tests/test_risk_calibrate.py``):

    >>> import crowdcast as cc
    >>> city = cc.load_sample()  # doctest: +SKIP
    >>> cal = calibrate(city.incidents, city.signals, city.site, city.library)  # doctest: +SKIP
    >>> cal.evidence, round(cal.weight, 2)  # doctest: +SKIP
    ('raises', 1.37)
    """
    site.require_full("calibrate")
    if not _METHOD(method):
        raise ParameterError(
            [Problem("`method`", _METHOD.expectation, repr(method), hint=_METHOD.hint)]
        )
    ind = _relative_lift(library, indicator)
    rows = _check_units(signals, ind)
    inc = _incidents_of_kind(incidents, kind or ind.hazard)
    start, end = rows["timestamp"].min().floor("h"), rows["timestamp"].max().floor("h")
    _check_inside_span(inc, start, end)
    zones = _zones_to_fit(site, ind, inc, zone)
    data = _zone_hours(inc, signals, site, ind, zones, pd.date_range(start, end, freq="h"))
    effect = float(ind.effect_size or 0.0)
    fit = _fit(data, math.log1p(effect), method)
    cal = Calibration(
        indicator=indicator,
        target=f"zone:{zone}" if zone else "site",
        weight=fit.weight,
        ci_low=fit.ci_low,
        ci_high=fit.ci_high,
        effect=effect,
        n=len(data),
        incidents=int(data["y"].sum()),
        deviance=fit.deviance,
        pearson_chi2=fit.pearson_chi2,
        df_resid=fit.df_resid,
        baseline_cells=int(data["cell"].nunique()),
        unit=ind.unit or "",
        span=(start, end),
        hazard=ind.hazard,
        method=method,
        nights=int(data["night"].nunique()),
        night_dispersion=fit.night_dispersion,
        variance_inflation=fit.variance_inflation,
    )
    _warn(cal)
    return cal


def _warn(cal: Calibration) -> None:
    """Say when the interval rests on few nights, or the incidents cluster or scatter a lot."""
    if cal.method == "night" and cal.nights < MIN_NIGHTS:
        warnings.warn(
            f"calibrate: the {cal.n} zone-hours fall in {cal.nights} nights only; with fewer "
            f"than {MIN_NIGHTS} the interval of a clustered estimate is itself uncertain.",
            DataQualityWarning,
            stacklevel=3,
        )
    if cal.clustered:
        fix = (
            f"the interval allows for it ({cal.variance_inflation:.1f} times the Poisson variance)"
            if cal.method == "night"
            else "this Poisson interval is too narrow: use method='night'"
        )
        warnings.warn(
            f"calibrate: incidents are over-dispersed or cluster by night (dispersion "
            f"{cal.dispersion:.2f} per zone-hour, {cal.night_dispersion:.2f} per night; about 1 "
            f"without); {fix}. Bad nights may have causes the model lacks (events, weather, "
            "closing times).",
            DataQualityWarning,
            stacklevel=3,
        )


def _incidents_of_kind(incidents: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The incidents of ``kind``; none at all is an error naming the kinds there are."""
    inc = incidents[incidents["kind"] == kind]
    if inc.empty:
        raise DataValidationError(
            [
                Problem(
                    "`incidents`",
                    f"incidents of kind {kind!r}",
                    f"kinds {sorted(incidents['kind'].unique())}",
                    hint="pass kind=... to count another kind",
                )
            ],
            title="No incidents to calibrate on",
        )
    return inc


def _check_inside_span(inc: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> None:
    """Refuse incidents outside the hours ``start`` to ``end`` (inclusive) the signals cover."""
    outside = inc[(inc["timestamp"] < start) | (inc["timestamp"] >= end + HOUR)]
    if len(outside):
        raise DataValidationError(
            [
                Problem(
                    "`incidents`",
                    f"inside the span of the signals ({start} to {end})",
                    f"{len(outside)} incident row(s) outside, e.g. {outside['timestamp'].iloc[0]}",
                    column="timestamp",
                    rows=tuple(outside.index[:5]),
                    hint="trim the incidents to the hours the signals cover",
                )
            ],
            title="Incidents outside the data span",
        )


def _zones_to_fit(
    site: SiteProfile, ind: Indicator, inc: pd.DataFrame, zone: str | None
) -> list[str]:
    """``[zone]`` when it has venues in scope, else every such zone with an incident."""
    scoped = {z: v for z, v in scoped_venues(site, ind).items() if v}
    if zone is not None:
        site.zone(zone)  # unknown zone: clear error
        if zone not in scoped:
            raise ParameterError(
                [
                    Problem(
                        "`zone`",
                        f"a zone with venues in the scope of {ind.id!r} "
                        f"({', '.join(scoped) or 'none'})",
                        repr(zone),
                    )
                ]
            )
        return [zone]
    zones = [z for z in scoped if z in set(inc["zone"])]
    if not zones:
        raise DataValidationError(
            [
                Problem(
                    "`incidents`",
                    f"incidents in a zone with venues in scope ({', '.join(scoped)})",
                    f"zones {sorted(inc['zone'].unique())}",
                )
            ],
            title="No incidents to calibrate on",
        )
    return zones


def _zone_hours(
    inc: pd.DataFrame,
    signals: pd.DataFrame,
    site: SiteProfile,
    ind: Indicator,
    zones: list[str],
    grid: pd.DatetimeIndex,
) -> pd.DataFrame:
    """The model's rows: per zone and hour its baseline ``cell``, ``night``, exposure and incidents.

    ``night`` numbers the local nights (06:00 to 06:00), shared by the zones.
    Only the cells with at least one incident and some exposure are kept (see
    the module docstring).
    """
    x = exposure(signals, site, ind, grid)
    local = grid.tz_convert(site.timezone)
    hour = local.hour.to_numpy()
    night_start = local - pd.to_timedelta((hour < 6).astype(int), unit="D")
    weekday = night_start.day_of_week.to_numpy()
    night = pd.factorize(night_start.normalize())[0]
    frames = []
    for z in zones:
        zi = inc[inc["zone"] == z]
        y = zi.groupby(zi["timestamp"].dt.floor("h"))["count"].sum().reindex(grid, fill_value=0)
        frames.append(
            pd.DataFrame(
                {
                    "cell": [f"{z}|{d}|{h}" for d, h in zip(weekday, hour, strict=True)],
                    "night": night,
                    "x": x[z].to_numpy(),
                    "y": y.to_numpy(),
                }
            )
        )
    data = pd.concat(frames, ignore_index=True)
    cells = data.groupby("cell")
    return data[(cells["y"].transform("sum") > 0) & (cells["x"].transform("max") > 0)]


@dataclass(frozen=True)
class _Fit:
    weight: float
    ci_low: float
    ci_high: float
    deviance: float
    pearson_chi2: float
    df_resid: float
    night_dispersion: float
    variance_inflation: float


def _fit(data: pd.DataFrame, log_effect: float, method: str) -> _Fit:
    """The Poisson GLM (fit statistics, reference variance) and, by night, the GEE estimate.

    ``night_dispersion`` is the Pearson chi² of the nightly incident totals
    against the GLM's expectation per degree of freedom: about 1 when nights
    are Poisson, ``1 + mean incidents per night x variance of the night
    effect`` when incidents cluster. ``variance_inflation`` is the variance of
    the interval given over the Poisson GLM's own (1 for ``"poisson"``).
    """
    import statsmodels.api as sm

    codes, cells = pd.factorize(data["cell"], sort=True)
    design = np.zeros((len(data), len(cells) + 1))
    design[np.arange(len(data)), codes] = 1.0
    design[:, -1] = log_effect * data["x"].to_numpy()
    y = data["y"].to_numpy()
    # a small dense problem: one BLAS thread is faster than contending threads
    with threadpool_limits(limits=1, user_api="blas"):
        glm = sm.GLM(y, design, family=sm.families.Poisson()).fit()
        lo, hi = glm.conf_int(alpha=0.05)[-1]
        weight = float(glm.params[-1])
        var = float(glm.bse[-1] ** 2)
        if method == "night":
            weight, lo, hi, var = _gee(sm, y, design, data["night"].to_numpy())
    nightly = pd.DataFrame({"night": data["night"].to_numpy(), "y": y, "mu": glm.mu})
    totals = nightly.groupby("night")[["y", "mu"]].sum()
    chi2 = float((((totals["y"] - totals["mu"]) ** 2) / totals["mu"]).sum())
    return _Fit(
        weight=weight,
        ci_low=float(lo),
        ci_high=float(hi),
        deviance=float(glm.deviance),
        pearson_chi2=float(glm.pearson_chi2),
        df_resid=float(glm.df_resid),
        night_dispersion=chi2 / max(len(totals) - 1, 1),
        variance_inflation=var / float(glm.bse[-1] ** 2),
    )


def _gee(
    sm: Any, y: np.ndarray, design: np.ndarray, nights: np.ndarray
) -> tuple[float, float, float, float]:
    """Poisson GEE, exchangeable within nights, Mancl-DeRouen interval: weight, lo, hi, var."""
    model = sm.GEE(
        y,
        design,
        groups=nights,
        family=sm.families.Poisson(),
        cov_struct=sm.cov_struct.Exchangeable(),
    )
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, IterationLimitWarning

    not_converged = (ConvergenceWarning, IterationLimitWarning)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = model.fit(cov_type="bias_reduced")
    for w in caught:
        if not issubclass(w.category, not_converged):  # not ours to judge: pass it on
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    trouble = [w for w in caught if issubclass(w.category, not_converged)]
    if trouble:
        warnings.warn(
            f"calibrate: the clustered fit did not converge ({trouble[0].message}); compare "
            "its interval with method='poisson'.",
            DataQualityWarning,
            stacklevel=4,
        )
    weight, se = float(fit.params[-1]), float(fit.bse[-1])
    return weight, weight - 1.959964 * se, weight + 1.959964 * se, se**2
