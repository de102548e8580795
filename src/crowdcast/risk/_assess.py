"""From a forecast to risk levels, their probabilities and alerts.

Every level scheme is turned into thresholds on the *count* scale of each zone,
so that probabilities come straight from the forecast's quantiles:

- density (persons/m²) = occupancy / ``area_m2`` → count threshold = density × area;
- flow (persons/m/min) = passages per interval / ``width_m`` / minutes per interval
  → count threshold = flow × width × minutes;
- relative busyness: the zone's own percentiles of history counts for the same
  local weekday and time of day (the history interval that contains the forecast's
  time, so a forecast at :45 on an hourly history uses that hour).

A value exactly on a threshold belongs to the level its scheme's source says
(the indicator's ``inclusive`` side): with ``"upper"`` (Fruin: "A <= 23
p/m/min") a level runs from above its lower threshold up to and including the
next, so ``P(level >= L) = P(Y > lower threshold of L)``; with ``"lower"``
(">= 4 p/m² is red") from its lower threshold inclusive, so ``P(Y >= ...)``,
with ``Y`` the forecast count (see :mod:`crowdcast.risk._quantiles` for the
interpolation and tail rule). The level at P50 uses the same side, so it is at
least ``L`` exactly when ``P(level >= L)`` is above one half (``"upper"``) or at
least one half (``"lower"``). The schemes and their thresholds are in
:mod:`crowdcast.risk._schemes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crowdcast._validation import check_params
from crowdcast.exceptions import ParameterError, Problem
from crowdcast.profiles import IndicatorLibrary, RiskSettings, SiteProfile, load_indicator_library
from crowdcast.risk._quantiles import exceedance_probability, predictive_quantiles, quantile_at
from crowdcast.risk._schemes import (
    HAZARDS,
    _alert_levels,
    _busyness_thresholds,
    _Scheme,
    _schemes,
)
from crowdcast.risk._signal_levels import indicator_hazards, signal_levels

__all__ = ["RiskTable", "assess"]

#: The quantity a level is read from, per scheme (lift: indicator hazards).
_QUANTITIES = ("density", "flow", "count", "lift")


@dataclass(frozen=True)
class RiskTable:
    """Risk levels of a forecast: per zone and interval, and the alerts they raise.

    Attributes
    ----------
    table
        The forecast's columns plus ``indicator`` (the level scheme), ``density``,
        ``flow`` or ``count`` (at P50), ``level`` (at P50) and ``p_<level>`` =
        P(level >= that level) for every level above the lowest (NaN where the
        zone's scheme has no such level). For an indicator hazard (aggression)
        one row per zone with venues in scope and interval: ``zone, origin,
        timestamp, horizon, indicator``, ``exposure_<id>`` (P50), ``lift``
        (P50), ``lift_q<τ>``, ``lift_mean``, ``level`` and ``p_<level>``.
    alerts
        Per zone and origin the earliest interval at which P(level >= alert level)
        exceeds the alert probability: ``zone, origin, first_alert, horizon,
        level, probability, lead_time`` (``first_alert - origin``: 0 for the
        first forecast interval, which starts at the origin).
    hazard, alert_probability
        What was assessed and the alert threshold.
    schemes
        Zone → (indicator id, levels, alert level).
    site, freq
        The site's id and the forecast interval (crowding only).
    settings
        The :class:`~crowdcast.profiles.RiskSettings` the levels were computed with.
    """

    table: pd.DataFrame
    alerts: pd.DataFrame
    hazard: str
    alert_probability: float
    schemes: Mapping[str, tuple[str, tuple[str, ...], str]] = field(default_factory=dict)
    site: str = ""
    freq: pd.Timedelta | None = None
    settings: RiskSettings | None = None

    def summary(self) -> pd.DataFrame:
        """One row per zone: scheme, peak at P50, highest level, chance of the alert level."""
        rows = []
        t = self.table
        qty = next(c for c in _QUANTITIES if c in t.columns)
        for zone, (indicator, levels, alert) in self.schemes.items():
            z = t[t["zone"] == zone]
            if z.empty:
                continue
            values = z[[c for c in _QUANTITIES if c in z.columns]]
            value = values.bfill(axis=1).iloc[:, 0]
            peak = int(np.nanargmax(value.to_numpy())) if value.notna().any() else 0
            p = z[f"p_{alert}"]
            worst = max((lv for lv in z["level"].dropna()), key=levels.index, default="")
            first = self.alerts[self.alerts["zone"] == zone]["first_alert"]
            rows.append(
                {
                    "zone": zone,
                    "scheme": indicator,
                    "peak_at": z["timestamp"].iloc[peak],
                    "peak_p50": round(float(value.iloc[peak]), 3),
                    "highest_level_p50": worst,
                    "alert_level": alert,
                    "max_p_alert": round(float(p.max()), 3),
                    "first_alert": first.min() if len(first) else pd.NaT,
                }
            )
        out = pd.DataFrame(rows)
        out.attrs["quantity"] = qty
        return out

    def __repr__(self) -> str:
        zones = len(self.schemes)
        return (
            f"<RiskTable {self.hazard!r} for {self.site or 'a site'}: {zones} zones, "
            f"{len(self.table)} intervals, {len(self.alerts)} alerts "
            f"(P > {self.alert_probability:g})>\n{self.summary().to_string(index=False)}"
        )

    def _repr_html_(self) -> str:
        head = (
            f"<p><b>RiskTable</b> {self.hazard!r} for {self.site or 'a site'}: "
            f"{len(self.table)} intervals, {len(self.alerts)} alerts "
            f"(P &gt; {self.alert_probability:g})</p>"
        )
        return head + self.summary().to_html(index=False)


def _minutes(forecast: pd.DataFrame) -> float:
    prov = forecast.attrs.get("provenance")
    if isinstance(prov, Mapping) and prov.get("freq"):
        return pd.Timedelta(str(prov["freq"])).total_seconds() / 60.0
    steps = forecast.sort_values(["zone", "origin", "timestamp"]).groupby(["zone", "origin"])[
        "timestamp"
    ]
    diffs = steps.diff().dropna()
    if diffs.empty:
        raise ParameterError(
            [
                Problem(
                    "`forecast`",
                    "a forecast whose interval is known",
                    "one interval per zone and no provenance",
                    hint="pass a forecast from a crowdcast forecaster (attrs['provenance'])",
                )
            ]
        )
    return float(diffs.min().total_seconds() / 60.0)


# ----------------------------------------------------------------------------- assess


def assess(
    forecast: pd.DataFrame,
    site: SiteProfile,
    *,
    hazard: str = "crowding",
    settings: RiskSettings | None = None,
    library: IndicatorLibrary | None = None,
    history: pd.DataFrame | None = None,
) -> RiskTable:
    """Risk levels of a forecast per zone and interval, their probabilities, and alerts.

    Parameters
    ----------
    forecast
        The forecast contract (``zone, origin, timestamp, horizon, q...``), at
        least two quantile columns: of the counts, or for an indicator hazard
        of its signal per venue (``zone`` = venue id, as forecasters fitted on
        :func:`crowdcast.models.signal_city` give it).
    site
        The site profile: zone areas and widths, and its risk settings.
    hazard
        ``"crowding"``: density bands for occupancy zones (the settings'
        ``density_scheme``: ``default``, ``fruin_walkway``, ``fruin_queuing``)
        and Fruin flow LOS for passage zones with a width; ``"distancing"``:
        ``ok``/``exceeded`` against the densest lattice for the settings'
        ``distance_rule_m``; ``"busyness"``: quiet/normal/busy/very_busy from
        the zone's own ``history`` percentiles per local weekday × time of day;
        ``"aggression"`` (a hazard of ``relative_lift`` indicators): the lift
        ``(1 + effect) ** (weight × x)`` over each zone's baseline rate from a
        forecast of the signal, hours ahead, with the lift's levels
        (``green``/``yellow``/``orange``/``red`` from 1.25, 1.5, 2 times); the
        venues' quantiles are propagated as if their errors move together
        (comonotonic), see :mod:`crowdcast.risk._signal_levels`. For hours
        whose signals are known, :func:`indicator_lift` scores them.
    settings
        How levels are computed and when an alert fires
        (:class:`~crowdcast.profiles.RiskSettings`): ``site.risk`` by default,
        e.g. ``site.risk.replace(alert_probability=0.4)``. Its ``alert_level``
        is the level an alert watches, or a mapping indicator id → level; a
        zone whose scheme lacks the site's level uses
        :data:`DEFAULT_ALERT_LEVELS` (e.g. ``E`` for Fruin flow). An alert
        fires when P(level >= alert level) exceeds ``alert_probability``.
    library
        The generic indicator library (crowdcast's own by default).
    history
        Past counts (counts contract), needed for ``hazard="busyness"`` only.

    Examples
    --------
    >>> import pandas as pd, crowdcast as cc
    >>> site = cc.load_site_profile(cc.sample_path() / "site.toml")
    >>> t = pd.Timestamp("2024-12-14 17:00", tz="UTC")
    >>> fc = pd.DataFrame({"zone": ["stadium_plaza"] * 2, "origin": t,
    ...     "timestamp": [t, t + pd.Timedelta("1h")], "horizon": [1, 2],
    ...     "q0.1": [9000.0, 20000.0], "q0.5": [18000.0, 30000.0], "q0.9": [27000.0, 40000.0]})
    >>> risk = assess(fc, site)
    >>> risk.table[["level", "p_orange", "p_red"]].round(2).to_numpy().tolist()
    [['orange', 0.5, 0.0], ['orange', 0.98, 0.26]]
    >>> risk.alerts[["first_alert", "level", "lead_time"]].to_numpy().tolist()[0][1:]
    ['orange', Timedelta('0 days 01:00:00')]

    Aggression tonight, from 18:00, with the litres sold forecast per venue:

    >>> from crowdcast.models import ProfileRatio, signal_city
    >>> city = cc.load_sample()
    >>> sales = ProfileRatio(horizon=12, smoothing=(1.0,)).fit(signal_city(city))
    >>> tonight = pd.Timestamp("2024-12-20 18:00", tz="Europe/Amsterdam")
    >>> risk = assess(sales.predict(origin=tonight), city.site, hazard="aggression")
    >>> street = risk.table[risk.table["zone"] == "nightlife_street"]
    >>> p = street.loc[street["lift"].idxmax()]  # the peak hour, 23:00 local
    >>> str(p["timestamp"]), p["level"], [round(float(p[c]), 2) for c in ("lift", "p_orange")]
    ('2024-12-20 22:00:00+00:00', 'yellow', [1.37, 0.16])
    """
    settings = settings if settings is not None else site.risk
    check_params(settings)
    library = library if library is not None else load_indicator_library()
    from_signals = indicator_hazards(library)
    _check_hazard(hazard, from_signals)
    cols, taus = predictive_quantiles(forecast)
    fc = forecast.reset_index(drop=True)
    zones = list(dict.fromkeys(fc["zone"]))
    minutes = _minutes(fc) if hazard == "crowding" or hazard in from_signals else 60.0
    if hazard in from_signals:
        out, schemes = signal_levels(fc, site, from_signals[hazard], cols, taus, minutes)
    else:
        schemes = _schemes(zones, site, library, hazard, settings, minutes)
        busy = None
        if hazard == "busyness":
            pcts = next(iter(schemes.values())).thresholds
            busy = _busyness_thresholds(fc, history, site, pcts)
        out = _levels(fc, schemes, fc[cols].to_numpy(dtype="float64"), taus, busy)
    alerts_at = _alert_levels(schemes, settings, site)
    prob = settings.alert_probability
    return RiskTable(
        table=out,
        alerts=_alerts(out, alerts_at, prob),
        hazard=hazard,
        alert_probability=prob,
        schemes={z: (s.indicator, s.levels, alerts_at[z]) for z, s in schemes.items()},
        site=site.id,
        freq=pd.Timedelta(minutes=minutes) if hazard == "crowding" else None,
        settings=settings,
    )


def _check_hazard(hazard: str, from_signals: Mapping[str, object]) -> None:
    if hazard not in HAZARDS and hazard not in from_signals:
        known = [*HAZARDS, *from_signals]
        raise ParameterError([Problem("`hazard`", f"one of {', '.join(known)}", repr(hazard))])


def _levels(
    fc: pd.DataFrame,
    schemes: Mapping[str, _Scheme],
    values: np.ndarray,
    taus: np.ndarray,
    busy: np.ndarray | None,
) -> pd.DataFrame:
    """The forecast with the quantity at P50, the level at P50 and P(level >= L) per level."""
    p50 = quantile_at(values, taus, 0.5)
    all_levels = list(dict.fromkeys(lv for s in schemes.values() for lv in s.levels[1:]))
    out = fc.copy()
    out["indicator"] = fc["zone"].map({z: s.indicator for z, s in schemes.items()})
    for q in dict.fromkeys(s.quantity for s in schemes.values()):
        out[q] = np.nan
    out["level"] = pd.Series([None] * len(fc), dtype="object")
    for lv in all_levels:
        out[f"p_{lv}"] = np.nan
    zone_col = fc["zone"].to_numpy()
    for zid, s in schemes.items():
        rows = np.flatnonzero(zone_col == zid)
        if busy is not None:
            thr = busy[rows]
        else:
            thr = np.tile(np.array(s.thresholds) * s.scale, (len(rows), 1))
        p = exceedance_probability(values[rows], taus, thr, strict=s.strict)
        for i, lv in enumerate(s.levels[1:]):
            out.loc[rows, f"p_{lv}"] = p[:, i]
        out.loc[rows, s.quantity] = p50[rows] / s.scale
        mid = p50[rows][:, None]
        above = (mid > thr if s.strict else mid >= thr).sum(axis=1)
        level = np.array(s.levels, dtype=object)[above]
        level[np.isnan(thr).any(axis=1)] = None
        out.loc[rows, "level"] = level
    return out


def _alerts(table: pd.DataFrame, alert_levels: Mapping[str, str], prob: float) -> pd.DataFrame:
    parts = []
    for zid, lv in alert_levels.items():
        z = table[(table["zone"] == zid) & (table[f"p_{lv}"] > prob)]
        if z.empty:
            continue
        first = z.sort_values("timestamp").groupby("origin", as_index=False).first()
        parts.append(
            pd.DataFrame(
                {
                    "zone": zid,
                    "origin": first["origin"],
                    "first_alert": first["timestamp"],
                    "horizon": first["horizon"],
                    "level": lv,
                    "probability": first[f"p_{lv}"],
                    "lead_time": first["timestamp"] - first["origin"],
                }
            )
        )
    columns = ["zone", "origin", "first_alert", "horizon", "level", "probability", "lead_time"]
    if not parts:
        empty = table.iloc[:0]
        return pd.DataFrame(
            {
                "zone": pd.Series(dtype="object"),
                "origin": empty["origin"],
                "first_alert": empty["timestamp"],
                "horizon": empty["horizon"],
                "level": pd.Series(dtype="object"),
                "probability": pd.Series(dtype="float64"),
                "lead_time": pd.Series(dtype="timedelta64[ns]"),
            }
        )
    return pd.concat(parts, ignore_index=True)[columns].sort_values(
        ["origin", "first_alert", "zone"], ignore_index=True
    )
