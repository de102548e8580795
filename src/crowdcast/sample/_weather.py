"""Hourly Dutch weather for the sample city: observations (KNMI layout) and issued forecasts.

The weather is a few latent AR(1) processes turned into the quantities a KNMI
station reports, stored in KNMI's integer units (0.1 °C, 0.1 mm, 0.1 m/s,
0.1 h) so that what the file says is exactly what drove the crowds.

* temperature: climate mean 10.5 °C with an annual amplitude of 7 °C
  (coldest around 20 January), a diurnal cycle of 2-4 °C damped by clouds,
  and a slow synoptic anomaly (hourly AR(1), phi 0.985, sd 3 °C);
* rain: a wet-spell process (a fast and a slow AR(1) mixed) above a seasonal
  threshold, so about 8 % of hours are wet and wet hours cluster; amounts
  grow with the excess, heavier in summer;
* wind: log-normal around 4 m/s, windier in winter and in the afternoon;
* clouds, sunshine (from solar elevation), humidity, dew point and pressure
  follow from the same latent state.

Forecasts are issued every day at 05:00 UTC for the next 48 hours, with
errors growing with lead time: temperature ±(0.6 + 0.045·h) °C, wind ±(10 +
0.4·h) %, rain shifted in time by a phase error that grows with lead time,
smoothed and scaled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crowdcast.sample._shapes import ar1

__all__ = ["STATION", "Weather", "simulate_forecasts", "simulate_weather"]

STATION = "260"
_LAT, _LON = 52.07, 4.61
_TWO_PI = 2.0 * np.pi


@dataclass(frozen=True)
class Weather:
    """Hourly weather in KNMI integer units; index ``i`` is the hour starting at ``hours[i]`` UTC.

    Columns are named as in a KNMI "uurgegevens" file.
    """

    hours: pd.DatetimeIndex
    columns: dict[str, np.ndarray]

    # Decoded exactly as read_knmi does (value * 0.1; the -1 "trace" code read as 0).
    @property
    def temperature_c(self) -> np.ndarray:
        return self.columns["T"] * 0.1

    @property
    def precipitation_mm(self) -> np.ndarray:
        return np.where(self.columns["RH"] < 0, 0.0, self.columns["RH"]) * 0.1

    @property
    def wind_speed_ms(self) -> np.ndarray:
        return self.columns["FH"] * 0.1

    @property
    def sunshine_h(self) -> np.ndarray:
        return np.where(self.columns["SQ"] < 0, 0.0, self.columns["SQ"]) * 0.1

    @property
    def humidity_pct(self) -> np.ndarray:
        return self.columns["U"] * 1.0

    def frame(self, n: int | None = None) -> pd.DataFrame:
        """The first ``n`` hours as a ``weather`` contract table, as :func:`read_knmi` reads it."""
        n = len(self.hours) if n is None else n
        return pd.DataFrame(
            {
                "timestamp": self.hours[:n],
                "temperature_c": self.temperature_c[:n],
                "precipitation_mm": self.precipitation_mm[:n],
                "wind_speed_ms": self.wind_speed_ms[:n],
                "sunshine_h": self.sunshine_h[:n],
                "humidity_pct": self.humidity_pct[:n],
                "station": pd.array([STATION] * n, dtype="str"),
                "issued_at": pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns, UTC]"),
            }
        )


def _solar_sine(hours: pd.DatetimeIndex) -> np.ndarray:
    """Sine of the sun's elevation at the middle of each UTC hour."""
    doy = hours.day_of_year.to_numpy()
    utc = hours.hour.to_numpy() + 0.5
    decl = np.deg2rad(23.44) * np.sin(_TWO_PI * (284 + doy) / 365.0)
    angle = np.deg2rad(15.0 * (utc + _LON / 15.0 - 12.0))
    lat = np.deg2rad(_LAT)
    return np.sin(lat) * np.sin(decl) + np.cos(lat) * np.cos(decl) * np.cos(angle)


@dataclass(frozen=True)
class _Latent:
    """The random state behind the weather (standard normal series, hourly)."""

    slow: np.ndarray
    fast: np.ndarray
    cloud: np.ndarray
    temp_slow: np.ndarray
    temp_fast: np.ndarray
    wind: np.ndarray
    wind_dir: np.ndarray
    humid: np.ndarray
    pressure: np.ndarray
    amount: np.ndarray
    gust: np.ndarray
    ff: np.ndarray

    @property
    def rain(self) -> np.ndarray:
        """Wet spells: a fast and a slow process mixed."""
        return 0.7 * self.fast + np.sqrt(1.0 - 0.7**2) * self.slow


def _draw_latent(rng: np.random.Generator, n: int) -> _Latent:
    # drawn in a fixed order: the order is part of what makes the bytes reproducible
    slow = ar1(rng, n, 0.97)
    fast = ar1(rng, n, 0.90)
    cloud = ar1(rng, n, 0.93)
    temp_slow = ar1(rng, n, 0.97)
    temp_fast = ar1(rng, n, 0.70)
    wind = ar1(rng, n, 0.97)
    wind_dir = ar1(rng, n, 0.98)
    humid = ar1(rng, n, 0.8)
    pressure = ar1(rng, n, 0.995)
    amount = rng.standard_normal(n)
    gust = rng.standard_normal(n)
    ff = rng.standard_normal(n)
    return _Latent(
        slow, fast, cloud, temp_slow, temp_fast, wind, wind_dir, humid, pressure, amount, gust, ff
    )


@dataclass(frozen=True)
class _State:
    """The weather in physical units, hour by hour."""

    wet: np.ndarray
    amount: np.ndarray  # mm
    cloud: np.ndarray  # 0..1
    temp: np.ndarray  # °C
    wind: np.ndarray  # m/s
    sunshine: np.ndarray  # h
    humidity: np.ndarray  # %
    dewpoint: np.ndarray  # °C
    pressure: np.ndarray  # hPa
    summer: np.ndarray  # 0 in January, 1 in July


def _physical(hours: pd.DatetimeIndex, latent: _Latent) -> _State:
    doy = hours.day_of_year.to_numpy().astype("float64")
    utc = hours.hour.to_numpy().astype("float64")
    summer = 0.5 * (1.0 - np.cos(_TWO_PI * (doy - 20.0) / 365.25))  # 0 in January, 1 in July
    rain_latent = latent.rain

    threshold = 1.39 - 0.12 * np.cos(_TWO_PI * (doy - 330.0) / 365.25)
    excess = rain_latent - threshold
    wet = excess > 0
    amount = np.where(
        wet,
        (0.03 + 1.7 * np.maximum(excess, 0.0)) * (0.7 + 0.8 * summer) * np.exp(0.5 * latent.amount),
        0.0,
    )
    cloud = _normal_cdf(0.9 * (0.55 * rain_latent + 0.6 * latent.cloud) + 0.25)

    clim = 10.4 - 7.5 * np.cos(_TWO_PI * (doy - 20.0) / 365.25)
    diurnal_shape = np.cos(_TWO_PI * (utc + 0.5 - 13.5) / 24.0)
    amplitude = (2.0 + 3.0 * summer) * (1.0 - 0.5 * cloud)
    temp = (
        clim
        + amplitude * diurnal_shape
        + (3.3 - 0.6 * summer) * latent.temp_slow
        + 2.0 * summer * np.maximum(latent.temp_slow - 0.8, 0.0)
        + 0.35 * latent.temp_fast
        - 0.8 * wet
    )

    log_wind = (
        1.25
        + 0.15 * np.cos(_TWO_PI * (doy - 15.0) / 365.25)
        + 0.12 * diurnal_shape
        + 0.42 * latent.wind
        + 0.12 * rain_latent
    )
    daylight = np.clip(_solar_sine(hours) / 0.12, 0.0, 1.0)
    humidity = np.clip(
        82.0
        - 12.0 * diurnal_shape * (1.0 - 0.5 * cloud)
        + 10.0 * wet
        + 10.0 * (cloud - 0.6)
        + 4.0 * latent.humid,
        25.0,
        100.0,
    )
    gamma = np.log(humidity / 100.0) + 17.62 * temp / (243.12 + temp)
    return _State(
        wet=wet,
        amount=amount,
        cloud=cloud,
        temp=temp,
        wind=np.exp(log_wind),
        sunshine=daylight * np.clip(1.0 - cloud, 0.0, 1.0) ** 1.3,
        humidity=humidity,
        dewpoint=243.12 * gamma / (17.62 - gamma),
        pressure=1014.0 - 1.5 * latent.slow + 9.0 * latent.pressure,
        summer=summer,
    )


def _knmi_columns(s: _State, latent: _Latent) -> dict[str, np.ndarray]:
    """The state in KNMI's integer units and codes."""
    wet, amount, wind, temp, humidity = s.wet, s.amount, s.wind, s.temp, s.humidity
    rh10 = np.round(amount * 10.0).astype("int64")
    sq10 = np.round(s.sunshine * 10.0).astype("int64")
    fx = np.round((wind * (1.5 + 0.25 * np.abs(latent.gust)) + 1.0) * 10.0).astype("int64")
    dd = (np.round((230.0 + 60.0 * latent.wind_dir) / 10.0).astype("int64") * 10) % 360
    dr = np.where(wet, np.clip(np.round(10.0 * (0.25 + 0.6 * amount)), 1, 10), 0).astype("int64")
    return {
        "DD": np.where(dd == 0, 360, dd),
        "FH": np.round(wind * 10.0).astype("int64"),
        "FF": np.round(wind * np.exp(0.1 * latent.ff) * 10.0).astype("int64"),
        "FX": fx,
        "T": np.round(temp * 10.0).astype("int64"),
        "TD": np.round(s.dewpoint * 10.0).astype("int64"),
        "SQ": np.where((sq10 == 0) & (s.sunshine > 0.01), -1, sq10),
        "DR": dr,
        "RH": np.where(wet & (rh10 == 0), -1, rh10),
        "P": np.round(s.pressure * 10.0).astype("int64"),
        "N": np.clip(np.round(8.0 * s.cloud), 0, 8).astype("int64"),
        "U": np.round(humidity).astype("int64"),
        "M": ((humidity >= 97.0) & (wind < 2.0)).astype("int64"),
        "R": wet.astype("int64"),
        "S": (wet & (temp < 0.5)).astype("int64"),
        "O": (wet & (amount > 4.0) & (s.summer > 0.6)).astype("int64"),
        "Y": ((temp < 0.0) & (humidity > 90.0)).astype("int64"),
    }


def simulate_weather(rng: np.random.Generator, hours: pd.DatetimeIndex) -> Weather:
    """Simulate hourly weather at the hours (UTC, hourly, contiguous).

    Examples
    --------
    >>> hours = pd.date_range("2024-07-01", periods=48, freq="h", tz="UTC")
    >>> w = simulate_weather(np.random.default_rng(0), hours)
    >>> bool(0.0 < w.temperature_c.mean() < 35.0)
    True
    """
    latent = _draw_latent(rng, len(hours))
    return Weather(hours=hours, columns=_knmi_columns(_physical(hours, latent), latent))


LEADS = 48
ISSUE_HOUR_UTC = 5


def simulate_forecasts(
    rng: np.random.Generator, weather: Weather, first_day: pd.Timestamp, days: int
) -> pd.DataFrame:
    """Forecasts issued at 05:00 UTC on each of ``days`` days, for the 48 hours from then.

    ``timestamp`` is the start of the forecast hour, ``issued_at`` the issue
    time (so the first forecast hour starts at the issue time). Values are
    rounded to 0.1.
    """
    hours = weather.hours
    issue_idx = hours.get_indexer(
        pd.date_range(first_day, periods=days, freq="D") + pd.Timedelta(hours=ISSUE_HOUR_UTC)
    )
    lead = np.arange(LEADS)
    valid = issue_idx[:, None] + lead[None, :]
    shape = valid.shape

    temp_err = np.stack([ar1(rng, LEADS, 0.92) for _ in range(days)]) if days else np.zeros(shape)
    wind_err = np.stack([ar1(rng, LEADS, 0.9) for _ in range(days)]) if days else np.zeros(shape)
    phase = rng.standard_normal(days)[:, None]
    rain_noise = rng.standard_normal(shape)
    false_alarm = rng.standard_normal(shape)

    temp = weather.temperature_c[valid] + (0.6 + 0.045 * lead) * temp_err
    wind = weather.wind_speed_ms[valid] * np.exp((0.10 + 0.004 * lead) * wind_err)

    rain = weather.precipitation_mm
    kernel_rain = {w: _moving_mean(rain, w) for w in (1, 3, 5)}
    shift = np.round(phase * 0.06 * lead).astype("int64")
    shifted = np.clip(valid + shift, 0, len(rain) - 1)
    width = np.where(lead < 12, 1, np.where(lead < 24, 3, 5))
    smooth = np.select(
        [width == 1, width == 3],
        [kernel_rain[1][shifted], kernel_rain[3][shifted]],
        kernel_rain[5][shifted],
    )
    precip = smooth * np.exp((0.25 + 0.01 * lead) * rain_noise - 0.5 * (0.25 + 0.01 * lead) ** 2)
    precip = precip + np.where(false_alarm > 2.3, 0.3, 0.0)
    precip = np.where(precip < 0.05, 0.0, precip)

    issued = hours[issue_idx]
    return pd.DataFrame(
        {
            "timestamp": hours[valid.ravel()],
            "issued_at": issued.repeat(LEADS),
            "temperature_c": np.round(temp.ravel(), 1) + 0.0,
            "precipitation_mm": np.round(precip.ravel(), 1) + 0.0,
            "wind_speed_ms": np.round(np.maximum(wind.ravel(), 0.0), 1) + 0.0,
        }
    )


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    """The standard normal CDF, by its logistic approximation (error < 0.01)."""
    return 1.0 / (1.0 + np.exp(-1.702 * z))


def _moving_mean(x: np.ndarray, width: int) -> np.ndarray:
    if width == 1:
        return x
    kernel = np.ones(width) / width
    return np.convolve(x, kernel, mode="same")
