"""Alcohol sales and aggression incidents: the signal and the truth calibration should recover.

Each licensed venue sells litres in proportion to the expected crowd of its
zone (to the power 0.8), times how much people drink that night (shared by a
zone's venues), an evening profile, terrace weather and Gamma noise, and
saturates softly at what a bar can serve. Aggression incidents in
``nightlife_street`` are Poisson per hour: a baseline by weekday of the night
and hour, times ``(1 + TRUE_EFFECT) ** (TRUE_WEIGHT * litres per venue)`` in
the indicator's window. Everything here is hourly, whatever the counting
interval.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from crowdcast.sample._clock import Clock, child
from crowdcast.sample._crowds import MEASURE, ZoneResult
from crowdcast.sample._havenstad import TIMEZONE, VENUES, VenueSpec
from crowdcast.sample._shapes import smooth_box
from crowdcast.sample._weather import Weather

__all__ = [
    "INCIDENT_ZONE",
    "INDICATOR",
    "PROFILE_WEIGHT",
    "SALES",
    "SIGNAL",
    "TRUE_EFFECT",
    "TRUE_WEIGHT",
    "baseline_rates",
    "scope_venues",
    "simulate_sales",
]

#: The generic effect of the ``alcohol_aggression`` indicator: +1 % per litre.
TRUE_EFFECT = 0.01
#: The site weight the simulator uses for ``alcohol_aggression`` (the profile says 1.0).
TRUE_WEIGHT = 1.6
PROFILE_WEIGHT = 1.0
INDICATOR = "alcohol_aggression"
INCIDENT_ZONE = "nightlife_street"
SIGNAL = "alcohol_litres_sold"

_DRINKING_SD = 0.45  # night-to-night drinking per head, log scale
_SALES_NOISE_SHAPE = 5.0  # Gamma(shape, 1 / shape) hourly noise per venue
_SALES_CAP = 4.0  # demand saturates softly at this multiple of the venue's L/h
_BASELINE_EVENING = 0.03
_BASELINE_DAY = 0.01
_BASELINE_NIGHT = (0.07, 0.07, 0.07, 0.09, 0.13, 0.13, 0.07)  # Mon..Sun nights

#: The parameters of the sales model, as ``truth["sales"]`` reports them.
SALES = {"noise_shape": _SALES_NOISE_SHAPE, "cap": _SALES_CAP, "drinking_sd": _DRINKING_SD}


def baseline_rates() -> np.ndarray:
    """Incidents per hour in nightlife_street at zero litres, by [weekday of the night, hour].

    Examples
    --------
    >>> rates = baseline_rates()
    >>> rates.shape, float(rates[4, 23]), float(rates[0, 12])
    ((7, 24), 0.13, 0.01)
    """
    rate = np.full((7, 24), _BASELINE_DAY)
    rate[:, 18:22] = _BASELINE_EVENING
    for d in range(7):
        rate[d, 22:] = _BASELINE_NIGHT[d]
        rate[d, :6] = _BASELINE_NIGHT[d]
    return rate


def scope_venues() -> tuple[str, ...]:
    """The venues whose sales drive the incidents: the licensed ones of the incident zone."""
    return tuple(v.id for v in VENUES if v.zone == INCIDENT_ZONE and "licensed" in v.tags)


def _hourly(values: np.ndarray, per_hour: int, measure: str) -> np.ndarray:
    if per_hour == 1:
        return values
    blocks = values.reshape(-1, per_hour)
    return blocks.sum(axis=1) if measure == "passages" else blocks.mean(axis=1)


def _drinking(zone: str, clock: Clock, seed: int) -> np.ndarray:
    """How much people drink per head this night, shared by a zone's venues (log-normal).

    Nights differ beyond the crowd (students, paydays, a match on TV), so that
    sales carry information the counts do not.
    """
    rng = child(seed, f"signals/nights/{zone}")
    night = clock.day_index - (clock.hour_int < 6)
    night = night - night.min()
    sd = _DRINKING_SD
    return np.exp(sd * rng.standard_normal(int(night.max()) + 1) - 0.5 * sd**2)[night]


def _venue_litres(
    v: VenueSpec, crowd: np.ndarray, drinking: np.ndarray, clock: Clock, w: Weather, seed: int
) -> np.ndarray:
    """Litres sold per hour (NaN when closed), rounded to 0.1 L as reported."""
    rng = child(seed, f"signals/{v.id}")
    night_hour = np.where(clock.hour_int < 6, clock.hour_int + 24, clock.hour_int).astype("float64")
    closes = np.where(np.isin(clock.night_weekday, (4, 5)), v.closes_weekend, v.closes)
    months = clock.times.tz_convert(TIMEZONE).month.to_numpy()
    is_open = (night_hour >= v.opens) & (night_hour < closes) & np.isin(months, v.months)
    evening = 0.35 + 0.65 * smooth_box(night_hour + 0.5, 19.0, closes - 0.5, 1.0)
    idx = clock.weather_index
    terrace = np.exp(
        0.015 * (w.temperature_c[idx] - 15.0) - 0.1 * np.log1p(2.0 * w.precipitation_mm[idx])
    )
    noise = rng.gamma(_SALES_NOISE_SHAPE, 1.0 / _SALES_NOISE_SHAPE, size=len(crowd))
    demand = v.litres * (crowd / v.reference) ** 0.8 * drinking * evening * terrace * noise
    cap = _SALES_CAP * v.litres  # a bar can serve only so fast
    litres = demand / np.sqrt(1.0 + (demand / cap) ** 2)
    return np.where(is_open, np.round(litres, 1) + 0.0, np.nan)


def _incidents(litres: Mapping[str, np.ndarray], clock: Clock, seed: int) -> pd.DataFrame:
    """Poisson incidents: baseline(weekday of night, hour) x 1.01 ** (weight x litres per venue)."""
    per_venue = np.mean([np.nan_to_num(litres[v], nan=0.0) for v in scope_venues()], axis=0)
    in_window = (clock.hour_int >= 18) | (clock.hour_int < 6)
    exposure = np.where(in_window, per_venue, 0.0)
    base = baseline_rates()[clock.night_weekday, clock.hour_int]
    rate = base * np.exp(TRUE_WEIGHT * np.log1p(TRUE_EFFECT) * exposure)
    counts = child(seed, "incidents").poisson(rate)
    return pd.DataFrame(
        {
            "timestamp": clock.times,
            "exposure_l": exposure,
            "in_window": in_window,
            "baseline_rate": base,
            "rate": rate,
            "count": counts,
        }
    )


def simulate_sales(
    seed: int,
    results: Mapping[str, ZoneResult],
    per_hour: int,
    hourly_clock: Clock,
    weather: Weather,
) -> tuple[dict[str, np.ndarray], pd.DataFrame | None]:
    """Litres sold per venue and hour, and the hourly incident table (None without its zone).

    ``results`` are the simulated zones (``per_hour`` intervals an hour);
    only venues in them sell, and incidents need the incident zone with all
    its selling venues.
    """
    litres: dict[str, np.ndarray] = {}
    for v in VENUES:
        if v.litres > 0 and v.zone in results:
            crowd = _hourly(results[v.zone].expected, per_hour, MEASURE[v.zone])
            drinking = _drinking(v.zone, hourly_clock, seed)
            litres[v.id] = _venue_litres(v, crowd, drinking, hourly_clock, weather, seed)
    incident_table: pd.DataFrame | None = None
    if INCIDENT_ZONE in results and all(
        v.id in litres for v in VENUES if v.zone == INCIDENT_ZONE and v.litres > 0
    ):
        incident_table = _incidents(litres, hourly_clock, seed)
    return litres, incident_table
