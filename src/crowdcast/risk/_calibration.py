"""The result of :func:`crowdcast.risk.calibrate`: a site weight, its evidence and its fit.

What a weight means, and when it may be written into a site profile:

- the 95 % interval lies above 0 (``evidence == "raises"``): the signal raises
  the risk here; :meth:`Calibration.to_weight` gives the weight for
  :func:`crowdcast.profiles.save_site_profile`;
- the interval includes 0 (``"none"``): the data cannot tell the effect from no
  effect. ``summary()`` and ``describe()`` say so rather than "raises by
  -0.3 %", and ``to_weight`` refuses: a weight written as ``calibrated`` would
  claim evidence the data do not give, and the site keeps its current weight
  (1.0 = the published effect, or an expert's);
- the interval lies below 0 (``"lowers"``): the data contradict the library's
  relation. ``to_weight`` refuses as well; a weight is never negative (the
  profile's rule), and clipping it to 0 would switch the indicator off on
  contrary evidence without anyone deciding it. Switching it off is a person's
  call, recorded as ``IndicatorWeight(indicator, target, 0.0, source="expert",
  note=...)``.

In a safety tool the cost of silently dropping a risk driver is a missed
alert, so both refusals carry a hint rather than a quiet fallback.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from crowdcast.exceptions import ParameterError, Problem
from crowdcast.profiles import IndicatorWeight

__all__ = ["Calibration"]

#: Above this a dispersion (per zone-hour or per night) is worth a warning (``calibrate``).
LARGE_DISPERSION = 1.5


@dataclass(frozen=True)
class Calibration:
    """A calibrated site weight with its uncertainty and fit.

    Attributes
    ----------
    indicator, target
        What was calibrated (``target``: ``site`` or ``zone:<id>``).
    weight, ci_low, ci_high
        The estimate of the site weight and its 95 % interval.
    effect
        The generic effect per unit (0.01 = +1 % per litre).
    n, incidents
        Zone-hours used and incidents in them.
    deviance, pearson_chi2, df_resid
        Goodness of fit of the Poisson GLM (dispersion = pearson_chi2 / df_resid).
    baseline_cells
        Baseline intercepts fitted (zone × weekday of night × hour with incidents
        and exposure).
    unit, span
        The signal's unit and the hours covered (UTC).
    hazard
        The indicator's hazard.
    method
        ``"night"``: Poisson GEE with an exchangeable correlation within each
        night and a bias-reduced (Mancl-DeRouen) sandwich interval, so incidents
        that cluster by night widen the interval; ``"poisson"``: the Poisson
        GLM's own interval, right only when hours are independent.
    nights
        Nights (06:00 to 06:00 local) the zone-hours fall in: the clusters.
    night_dispersion
        Pearson chi² of the nightly incident totals against the Poisson GLM per
        degree of freedom: about 1 when nights are Poisson, larger when
        incidents cluster by night (several on one bad night).
    variance_inflation
        The variance behind the interval over the Poisson GLM's own (1 for
        ``"poisson"``; 2.3 means the interval is 1.5 times as wide).
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
    method: str = "night"
    nights: int = 0
    night_dispersion: float = math.nan
    variance_inflation: float = math.nan

    @property
    def dispersion(self) -> float:
        """Pearson chi² / residual df: about 1 when each hour's count is Poisson."""
        return self.pearson_chi2 / self.df_resid if self.df_resid > 0 else math.nan

    @property
    def evidence(self) -> str:
        """``"raises"`` (interval above 0), ``"lowers"`` (below 0) or ``"none"`` (includes 0)."""
        if self.ci_low > 0:
            return "raises"
        return "lowers" if self.ci_high < 0 else "none"

    @property
    def clustered(self) -> bool:
        """Whether the incidents are over-dispersed per zone-hour or per night (above 1.5)."""
        return self.dispersion > LARGE_DISPERSION or self.night_dispersion > LARGE_DISPERSION

    def summary(self) -> pd.DataFrame:
        """The result as a one-row table (as ``City.summary()`` and ``RiskTable.summary()``).

        ``weight``, ``ci_low``, ``ci_high`` are the site weight and its 95 %
        interval; ``evidence`` what it shows (``raises``, ``none``: the
        interval includes 0, no evidence of an effect, or ``lowers``);
        ``change``, ``change_low``, ``change_high`` the change of the risk per
        unit of the signal they mean here (0.014 = +1.4 % per litre), against
        the generic ``effect`` per ``unit``; then the fit: zone-hours ``n``,
        ``incidents``, ``nights``, ``baseline_cells``, ``method``,
        ``dispersion`` (per zone-hour), ``night_dispersion`` (of the nightly
        totals; both about 1 without over-dispersion), ``variance_inflation``
        and the hours covered (``start``, ``end``, UTC). :meth:`describe` says the
        same in words.
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
                "evidence": [self.evidence],
                "change": [self._change(self.weight)],
                "change_low": [self._change(self.ci_low)],
                "change_high": [self._change(self.ci_high)],
                "effect": [self.effect],
                "unit": [self.unit],
                "n": [self.n],
                "incidents": [self.incidents],
                "nights": [self.nights],
                "baseline_cells": [self.baseline_cells],
                "method": [self.method],
                "dispersion": [self.dispersion],
                "night_dispersion": [self.night_dispersion],
                "variance_inflation": [self.variance_inflation],
                "start": [start],
                "end": [end],
            }
        )

    def describe(self) -> str:
        """The result in plain language: the evidence first, then the fit.

        >>> import pandas as pd
        >>> t = pd.Timestamp("2024-01-01", tz="UTC")
        >>> cal = Calibration("alcohol_aggression", "site", 1.37, 0.88, 1.87, 0.01, 6997, 706,
        ...                   6000.0, 6930.0, 6929.0, 67, "L", (t, t), "aggression", "night",
        ...                   732, 1.02, 1.1)
        >>> print(cal.describe())  # doctest: +NORMALIZE_WHITESPACE
        Each litre sold raises aggression risk by 1.4 % here, 1.37 times the generic 1 % per L;
        95 % interval 0.9 % to 1.9 % (weight 0.88 to 1.87). Poisson GEE by night on 6,997
        zone-hours with 706 incidents over 732 nights, 67 baseline cells; dispersion 1.00 per
        zone-hour and 1.02 per night (about 1 = Poisson); interval variance 1.1 times a
        Poisson model's.
        >>> import dataclasses
        >>> unclear = dataclasses.replace(cal, weight=0.3, ci_low=-0.2, ci_high=0.8)
        >>> print(unclear.describe().split(";")[0])
        No evidence that litres sold change aggression risk here
        """
        return f"{self._finding()} {self._fit_text()}"

    def _finding(self) -> str:
        u = self.unit or "unit"
        what = self.hazard or self.indicator
        generic = f"the generic {100 * self.effect:g} % per {u}"
        signed = self.evidence != "raises"  # "-1.3 % to +0.4 %" where the sign is the point
        interval = (
            f"95 % interval {self._pct(self.ci_low, signed)} to "
            f"{self._pct(self.ci_high, signed)} (weight {self.ci_low:.2f} to {self.ci_high:.2f})"
        )
        if self.evidence == "none":
            return (
                f"No evidence that {_unit_word(u)}s sold change {what} risk here; the "
                f"{interval} includes no change, against {generic}. The estimate, "
                f"{self._pct(self.weight, sign=True)} per {u} (weight {self.weight:.2f}), "
                "cannot be told from no effect: keep the current weight or collect more "
                "incidents."
            )
        if self.evidence == "lowers":
            return (
                f"Each {_unit_word(u)} sold lowers {what} risk by "
                f"{-100 * self._change(self.weight):.1f} % here, against {generic}; "
                f"{interval}: the library's relation does not hold in these data. "
                "Check the incidents and signals before relying on it."
            )
        return (
            f"Each {_unit_word(u)} sold raises {what} risk by {self._pct(self.weight)} here, "
            f"{self.weight:.2f} times {generic}; {interval}."
        )

    def _fit_text(self) -> str:
        model = "Poisson GEE by night" if self.method == "night" else "Poisson GLM"
        text = (
            f"{model} on {self.n:,} zone-hours with {self.incidents:,} incidents over "
            f"{self.nights:,} nights, {self.baseline_cells} baseline cells; dispersion "
            f"{self.dispersion:.2f} per zone-hour and {self.night_dispersion:.2f} per night "
            "(about 1 = Poisson)"
        )
        if self.method == "night":
            text += f"; interval variance {self.variance_inflation:.1f} times a Poisson model's."
        else:
            text += "."
        if self.clustered:
            text += " Incidents cluster by night: " + (
                "the interval allows for it, but nights, not hours, carry the evidence."
                if self.method == "night"
                else "this Poisson interval is too narrow; calibrate(..., method='night')."
            )
        return text

    def _pct(self, weight: float, sign: bool = False) -> str:
        value = 100 * self._change(weight)
        return f"{value:+.1f} %" if sign else f"{value:.1f} %"

    def _change(self, weight: float) -> float:
        """The relative change of the risk per unit at this weight: ``(1 + effect) ** w - 1``."""
        return float((1 + self.effect) ** weight - 1)

    def __repr__(self) -> str:
        return (
            f"Calibration({self.indicator!r} @ {self.target}: weight {self.weight:.3f} "
            f"[{self.ci_low:.3f}, {self.ci_high:.3f}], evidence {self.evidence}, n={self.n}, "
            f"incidents={self.incidents})"
        )

    def to_weight(self, target: str | None = None) -> IndicatorWeight:
        """The weight for the site profile, with its interval and provenance.

        Only a weight whose 95 % interval lies above 0 (``evidence ==
        "raises"``) is given: see the module docstring for why a
        non-significant or negative estimate is refused rather than clipped.

        Raises
        ------
        ParameterError
            When the interval includes 0 or lies below it, with a hint.
        """
        if self.evidence != "raises":
            raise ParameterError([self._refusal()], title="No weight to write")
        start, end = (t.strftime("%Y-%m-%d") for t in self.span)
        model = "Poisson GEE by night" if self.method == "night" else "Poisson GLM"
        return IndicatorWeight(
            indicator=self.indicator,
            target=target or self.target,
            value=round(self.weight, 4),
            source="calibrated",
            interval=(round(self.ci_low, 4), round(self.ci_high, 4)),
            note=(
                f"{model} on {self.incidents} incidents in {self.n} zone-hours over "
                f"{self.nights} nights {start} to {end}; 95 % interval; "
                f"dispersion {self.dispersion:.2f}"
            ),
        )

    def _refusal(self) -> Problem:
        got = f"{self.weight:.2f} [{self.ci_low:.2f}, {self.ci_high:.2f}]"
        keep = (
            f"IndicatorWeight({self.indicator!r}, {self.target!r}, 0.0, source='expert', note=...)"
        )
        if self.evidence == "none":
            hint = (
                "the interval includes 0: no evidence of an effect here. Keep the site's "
                "current weight (1.0 = the published effect), collect more incidents, or "
                f"record a judgement as an expert weight, e.g. {keep}"
            )
        else:
            hint = (
                "the data say the risk falls with the signal, against the library; a "
                "weight is never negative. Check the incidents and signals; to switch the "
                f"indicator off here, record {keep}"
            )
        return Problem(
            f"the calibrated weight of {self.indicator!r} ({self.target})",
            "an estimate whose 95 % interval lies above 0",
            got,
            hint=hint,
        )


def _unit_word(unit: str) -> str:
    return {"L": "litre"}.get(unit, unit)
