"""Calibrate a site weight of an indicator on the site's own incident history.

Model (statsmodels Poisson GLM, log link), one row per zone and hour of the
span the signals cover::

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
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from crowdcast.exceptions import DataValidationError, ParameterError, Problem
from crowdcast.profiles import (
    Indicator,
    IndicatorLibrary,
    IndicatorWeight,
    SiteProfile,
)
from crowdcast.risk._indicators import _check_units, _relative_lift, exposure, scoped_venues
from crowdcast.schemas import HOUR

__all__ = ["Calibration", "calibrate"]


@dataclass(frozen=True)
class Calibration:
    """A calibrated site weight with its uncertainty and fit.

    Attributes
    ----------
    indicator, target
        What was calibrated (``target``: ``site`` or ``zone:<id>``).
    weight, ci_low, ci_high
        The estimate of the site weight and its 95 % (Wald) interval.
    effect
        The generic effect per unit (0.01 = +1 % per litre).
    n, incidents
        Zone-hours used and incidents in them.
    deviance, pearson_chi2, df_resid
        Goodness of fit of the Poisson GLM (dispersion ≈ pearson_chi2 / df_resid).
    baseline_cells
        Baseline intercepts fitted (zone × weekday of night × hour with incidents
        and exposure).
    unit, span
        The signal's unit and the hours covered (UTC).
    """

    indicator: str
    target: str
    weight: float
    ci_low: float
    ci_high: float
    effect: float
    n: int
    incidents: int
    deviance: float
    pearson_chi2: float
    df_resid: float
    baseline_cells: int
    unit: str
    span: tuple[pd.Timestamp, pd.Timestamp]
    hazard: str = ""

    @property
    def dispersion(self) -> float:
        """Pearson chi² / residual df: about 1 when the Poisson model fits."""
        return self.pearson_chi2 / self.df_resid if self.df_resid > 0 else math.nan

    def summary(self) -> pd.DataFrame:
        """The result as a one-row table (as ``City.summary()`` and ``RiskTable.summary()``).

        ``weight``, ``ci_low``, ``ci_high`` are the site weight and its 95 %
        interval; ``change``, ``change_low``, ``change_high`` the change of
        the risk per unit of the signal they mean here (0.014 = +1.4 % per
        litre), against the generic ``effect`` per ``unit``; then the fit:
        zone-hours ``n``, ``incidents``, ``baseline_cells``, ``dispersion``
        and the hours covered (``start``, ``end``, UTC). :meth:`describe`
        says the same in words.
        """
        start, end = self.span
        return pd.DataFrame(
            {
                "indicator": [self.indicator],
                "hazard": [self.hazard],
                "target": [self.target],
                "weight": [self.weight],
                "ci_low": [self.ci_low],
                "ci_high": [self.ci_high],
                "change": [self._change(self.weight)],
                "change_low": [self._change(self.ci_low)],
                "change_high": [self._change(self.ci_high)],
                "effect": [self.effect],
                "unit": [self.unit],
                "n": [self.n],
                "incidents": [self.incidents],
                "baseline_cells": [self.baseline_cells],
                "dispersion": [self.dispersion],
                "start": [start],
                "end": [end],
            }
        )

    def describe(self) -> str:
        """The result in plain language.

        >>> import pandas as pd
        >>> t = pd.Timestamp("2024-01-01", tz="UTC")
        >>> cal = Calibration("alcohol_aggression", "site", 1.37, 0.88, 1.87, 0.01, 6997, 706,
        ...                   6000.0, 6930.0, 6929.0, 67, "L", (t, t), "aggression")
        >>> print(cal.describe())  # doctest: +NORMALIZE_WHITESPACE
        Each litre sold raises aggression risk by 1.4 % here, 1.37 times the generic 1 % per L;
        95 % interval 0.9 % to 1.9 % (weight 0.88 to 1.87). Poisson GLM on 6,997 zone-hours with
        706 incidents, 67 baseline cells; dispersion 1.00 (about 1 = the model fits).
        """

        def pct(w: float) -> str:
            return f"{100 * self._change(w):.1f} %"

        u = self.unit or "unit"
        return (
            f"Each {_unit_word(u)} sold raises {self.hazard or self.indicator} risk "
            f"by {pct(self.weight)} here, "
            f"{self.weight:.2f} times the generic {100 * self.effect:g} % per {u}; "
            f"95 % interval {pct(self.ci_low)} to {pct(self.ci_high)} "
            f"(weight {self.ci_low:.2f} to {self.ci_high:.2f}). "
            f"Poisson GLM on {self.n:,} zone-hours with {self.incidents:,} incidents, "
            f"{self.baseline_cells} baseline cells; dispersion {self.dispersion:.2f} "
            f"(about 1 = the model fits)."
        )

    def _change(self, weight: float) -> float:
        """The relative change of the risk per unit at this weight: ``(1 + effect) ** w - 1``."""
        return float((1 + self.effect) ** weight - 1)

    def __repr__(self) -> str:
        return (
            f"Calibration({self.indicator!r} @ {self.target}: weight {self.weight:.3f} "
            f"[{self.ci_low:.3f}, {self.ci_high:.3f}], n={self.n}, incidents={self.incidents})"
        )

    def to_weight(self, target: str | None = None) -> IndicatorWeight:
        """The weight for the site profile, with its interval and provenance."""
        start, end = (t.strftime("%Y-%m-%d") for t in self.span)
        return IndicatorWeight(
            indicator=self.indicator,
            target=target or self.target,
            value=round(self.weight, 4),
            source="calibrated",
            interval=(round(self.ci_low, 4), round(self.ci_high, 4)),
            note=(
                f"Poisson GLM on {self.incidents} incidents in {self.n} zone-hours "
                f"{start} to {end}; 95 % Wald interval; dispersion {self.dispersion:.2f}"
            ),
        )


def _unit_word(unit: str) -> str:
    return {"L": "litre"}.get(unit, unit)


def calibrate(
    incidents: pd.DataFrame,
    signals: pd.DataFrame,
    site: SiteProfile,
    library: IndicatorLibrary,
    *,
    indicator: str = "alcohol_aggression",
    zone: str | None = None,
    kind: str | None = None,
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

    Examples
    --------
    On the sample city (about 2 s; tested in ``tests/test_risk_calibrate.py``):

    >>> import crowdcast as cc
    >>> city = cc.load_sample()  # doctest: +SKIP
    >>> cal = calibrate(city.incidents, city.signals, city.site, city.library)  # doctest: +SKIP
    >>> cal  # doctest: +SKIP
    Calibration('alcohol_aggression' @ site: weight 1.371 [0.876, 1.866], n=6997, incidents=706)
    """
    site.require_full("calibrate")
    ind = _relative_lift(library, indicator)
    rows = _check_units(signals, ind)
    inc = _incidents_of_kind(incidents, kind or ind.hazard)
    start, end = rows["timestamp"].min().floor("h"), rows["timestamp"].max().floor("h")
    _check_inside_span(inc, start, end)
    zones = _zones_to_fit(site, ind, inc, zone)
    data = _zone_hours(inc, signals, site, ind, zones, pd.date_range(start, end, freq="h"))
    effect = float(ind.effect_size or 0.0)
    beta, lo, hi, fit = _fit(data, math.log1p(effect))
    return Calibration(
        indicator=indicator,
        target=f"zone:{zone}" if zone else "site",
        weight=beta,
        ci_low=lo,
        ci_high=hi,
        effect=effect,
        n=len(data),
        incidents=int(data["y"].sum()),
        deviance=float(fit.deviance),
        pearson_chi2=float(fit.pearson_chi2),
        df_resid=float(fit.df_resid),
        baseline_cells=int(data["cell"].nunique()),
        unit=ind.unit or "",
        span=(start, end),
        hazard=ind.hazard,
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
    """The GLM's rows: per zone and hour its baseline ``cell``, exposure ``x`` and incidents ``y``.

    Only the cells with at least one incident and some exposure are kept (see
    the module docstring).
    """
    x = exposure(signals, site, ind, grid)
    local = grid.tz_convert(site.timezone)
    hour = local.hour.to_numpy()
    night = (local - pd.to_timedelta((hour < 6).astype(int), unit="D")).day_of_week.to_numpy()
    frames = []
    for z in zones:
        zi = inc[inc["zone"] == z]
        y = zi.groupby(zi["timestamp"].dt.floor("h"))["count"].sum().reindex(grid, fill_value=0)
        frames.append(
            pd.DataFrame(
                {
                    "cell": [f"{z}|{d}|{h}" for d, h in zip(night, hour, strict=True)],
                    "x": x[z].to_numpy(),
                    "y": y.to_numpy(),
                }
            )
        )
    data = pd.concat(frames, ignore_index=True)
    cells = data.groupby("cell")
    return data[(cells["y"].transform("sum") > 0) & (cells["x"].transform("max") > 0)]


def _fit(data: pd.DataFrame, log_effect: float) -> tuple[float, float, float, Any]:
    import statsmodels.api as sm

    codes, cells = pd.factorize(data["cell"], sort=True)
    design = np.zeros((len(data), len(cells) + 1))
    design[np.arange(len(data)), codes] = 1.0
    design[:, -1] = log_effect * data["x"].to_numpy()
    # a small dense problem: one BLAS thread is faster than contending threads
    with threadpool_limits(limits=1, user_api="blas"):
        fit = sm.GLM(data["y"].to_numpy(), design, family=sm.families.Poisson()).fit()
    lo, hi = fit.conf_int(alpha=0.05)[-1]
    return float(fit.params[-1]), float(lo), float(hi), fit


# ----------------------------------------------------------------------------- writing
