"""Level schemes: per zone the indicator, its levels and thresholds on the count scale.

:func:`crowdcast.risk.assess` scores every zone by the scheme its measure and
the hazard call for (see :mod:`crowdcast.risk._assess` for how the thresholds
become counts):

- crowding: density bands (the settings' ``density_scheme``) for occupancy
  zones with an area, Fruin flow LOS for passage zones with a width;
- distancing: ``ok``/``exceeded`` against the densest lattice in which
  everyone keeps the settings' ``distance_rule_m`` (:func:`max_density`);
- busyness: the zone's own percentiles of past counts per local weekday and
  time of day.

Each scheme keeps its indicator's ``inclusive`` side (the source's reading of
a value exactly on a threshold: Fruin's "A <= 23 p/m/min" puts 23 in A), and
levels and their probabilities both use it (:attr:`_Scheme.strict`).

Here too: the level each zone's alert watches (:data:`DEFAULT_ALERT_LEVELS`
when the scheme lacks the requested one).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crowdcast._validation import Problems
from crowdcast.exceptions import ConfigError, ParameterError, Problem
from crowdcast.profiles import Indicator, IndicatorLibrary, RiskSettings, SiteProfile

__all__ = ["DEFAULT_ALERT_LEVELS", "HAZARDS", "max_density"]

#: Hazards :func:`assess` scores from a forecast of counts.
HAZARDS = ("crowding", "distancing", "busyness")
_DENSITY_INDICATORS = {
    "default": "crowding_density",
    "fruin_walkway": "crowding_fruin_walkway",
    "fruin_queuing": "crowding_fruin_queuing",
}
_FLOW_INDICATOR = "crowding_fruin_flow"
_DISTANCING_INDICATOR = "distancing"
_BUSYNESS_INDICATOR = "relative_busyness"
#: The alert level of each scheme when the requested level is not one of its levels.
DEFAULT_ALERT_LEVELS: Mapping[str, str] = {
    "crowding_density": "orange",
    "crowding_fruin_walkway": "E",
    "crowding_fruin_queuing": "E",
    "crowding_fruin_flow": "E",
    "distancing": "exceeded",
    "relative_busyness": "very_busy",
    "alcohol_aggression": "orange",
}


def max_density(distance_m: float) -> float:
    """Densest crowd in which everyone keeps ``distance_m``: a hexagonal lattice, 2/(√3 d²).

    >>> round(max_density(1.5), 3)
    0.513
    """
    return 2.0 / (math.sqrt(3.0) * distance_m**2)


@dataclass(frozen=True)
class _Scheme:
    indicator: str
    quantity: str  # density, flow or count
    levels: tuple[str, ...]
    thresholds: tuple[float, ...]  # on the quantity's scale; percentiles for busyness
    scale: float = 1.0  # count = quantity × scale
    inclusive: str = "lower"  # the bound a level includes (Indicator.inclusive)

    @property
    def strict(self) -> bool:
        """A value on a threshold is in the level below it: level >= L iff value > threshold."""
        return self.inclusive == "upper"


# ----------------------------------------------------------------------------- schemes


def _no_area_hint() -> str:
    return (
        "no area (or width) is known for this zone; use relative levels: "
        "assess(forecast, site, hazard='busyness', history=counts)"
    )


def _bands(ind: Indicator, quantity: str, scale: float) -> _Scheme:
    t = ind.thresholds
    if not t or any(b <= a for a, b in itertools.pairwise(t)) or len(ind.levels) != len(t) + 1:
        raise ConfigError(
            [
                Problem(
                    f"the thresholds of indicator {ind.id!r}",
                    "strictly increasing, with one more level than thresholds",
                    f"{list(t)} for levels {list(ind.levels)}",
                )
            ],
            title="Invalid indicator",
        )
    return _Scheme(ind.id, quantity, ind.levels, ind.thresholds, scale, ind.inclusive)


def _schemes(
    zones: list[str],
    site: SiteProfile,
    library: IndicatorLibrary,
    hazard: str,
    settings: RiskSettings,
    minutes: float,
) -> dict[str, _Scheme]:
    """The level scheme of each zone, with its thresholds on the zone's count scale."""
    found = Problems(error=ParameterError, title=f"Cannot compute {hazard} levels")
    out: dict[str, _Scheme] = {}
    density_scheme = settings.density_scheme
    for zid in zones:
        z = site.zone(zid)
        if hazard == "busyness":
            ind = library[_BUSYNESS_INDICATOR]
            out[zid] = _Scheme(ind.id, "count", ind.levels, ind.thresholds, inclusive=ind.inclusive)
        elif z.measure == "occupancy" and z.area_m2 is not None:
            if hazard == "crowding":
                out[zid] = _bands(
                    library[_DENSITY_INDICATORS[density_scheme]], "density", z.area_m2
                )
            else:
                ind = library[_DISTANCING_INDICATOR]
                limit = max_density(settings.distance_rule_m)
                out[zid] = _Scheme(
                    ind.id, "density", ("ok", "exceeded"), (limit,), z.area_m2, ind.inclusive
                )
        elif z.measure == "passages" and z.width_m is not None and hazard == "crowding":
            out[zid] = _bands(library[_FLOW_INDICATOR], "flow", z.width_m * minutes)
        else:
            need = "area_m2" if z.measure == "occupancy" or hazard == "distancing" else "width_m"
            found.add(
                f"zone {zid!r} ({z.measure})",
                f"given `{need}` for {hazard} levels",
                "no " + need,
                hint=_no_area_hint(),
            )
    found.raise_if_any()
    return out


def _alert_levels(
    schemes: Mapping[str, _Scheme], settings: RiskSettings, site: SiteProfile
) -> dict[str, str]:
    """The level each zone's alert watches.

    A level the site's own settings name but a zone's scheme lacks falls back
    to the scheme's default (Fruin flow has no ``orange``); a level asked for
    in other settings must belong to at least one scheme assessed.
    """
    requested = settings.alert_level
    alert_level = None if requested == site.risk.alert_level else requested
    out: dict[str, str] = {}
    for zid, s in schemes.items():
        if isinstance(requested, Mapping) and s.indicator in requested:
            out[zid] = requested[s.indicator]
        elif isinstance(requested, str) and requested in s.levels:
            out[zid] = requested
        else:
            out[zid] = DEFAULT_ALERT_LEVELS.get(s.indicator, s.levels[-1])
        if out[zid] not in s.levels[1:]:
            raise ParameterError(
                [
                    Problem(
                        "`alert_level`",
                        f"a level above the lowest of {s.indicator} ({', '.join(s.levels[1:])})",
                        repr(out[zid]),
                    )
                ]
            )
    explicit = alert_level if isinstance(alert_level, str) else None
    if explicit is not None and explicit not in out.values():
        known = sorted({lv for s in schemes.values() for lv in s.levels[1:]})
        raise ParameterError(
            [
                Problem(
                    "`alert_level`",
                    f"a level of the schemes assessed ({', '.join(known)})",
                    repr(explicit),
                )
            ]
        )
    return out


def _local_keys(ts: pd.Series, tz: str, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Local weekday and time-of-day bin (the history interval containing the time)."""
    local = pd.DatetimeIndex(ts).tz_convert(tz)
    minutes = (local.hour * 60 + local.minute).to_numpy()
    return local.day_of_week.to_numpy(), (minutes // step).astype("int64")


def _busyness_thresholds(
    forecast: pd.DataFrame, history: pd.DataFrame | None, site: SiteProfile, pcts: tuple[float, ...]
) -> np.ndarray:
    if history is None:
        raise ParameterError(
            [
                Problem(
                    "`history`",
                    "the zones' past counts for relative busyness levels",
                    "None",
                    hint="assess(forecast, site, hazard='busyness', history=counts)",
                )
            ]
        )
    h = history.dropna(subset=["count"])
    stamps = pd.DatetimeIndex(h["timestamp"]).unique().sort_values()
    gaps = stamps.to_series().diff().dropna().dt.total_seconds().to_numpy() / 60.0
    step = min(float(gaps.min()), 60.0) if len(gaps) else 60.0  # at most an hour
    wd, tod = _local_keys(h["timestamp"], site.timezone, step)
    keyed = pd.DataFrame({"zone": h["zone"].to_numpy(), "wd": wd, "tod": tod, "c": h["count"]})
    levels = np.array([p / 100 for p in pcts])
    table = keyed.groupby(["zone", "wd", "tod"])["c"].quantile(levels).unstack()
    missing = sorted(set(forecast["zone"]) - set(keyed["zone"]))
    if missing:
        raise ParameterError(
            [Problem("`history`", "counts of every zone in the forecast", f"none for {missing}")]
        )
    fwd, ftod = _local_keys(forecast["timestamp"], site.timezone, step)
    idx = pd.MultiIndex.from_arrays([forecast["zone"].to_numpy(), fwd, ftod])
    return table.reindex(idx).to_numpy(dtype="float64")
