"""Weather at the target hour as it was known at the origin (point in time)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np
import pandas as pd

from crowdcast._city import City
from crowdcast._validation import ParameterRules, check_params
from crowdcast.features._base import FeatureTransformer
from crowdcast.features._common import POSITIVE_NUMBER, distinct_names, ns, pair_codes
from crowdcast.schemas import HOUR_NS

__all__ = ["WeatherFeatures"]

#: Numeric weather columns of the contract that can become features.
WEATHER_VARIABLES = (
    "temperature_c",
    "precipitation_mm",
    "wind_speed_ms",
    "sunshine_h",
    "humidity_pct",
)
_NAT = np.iinfo(np.int64).min


class WeatherFeatures(FeatureTransformer):
    """Weather of the target hour from the latest forecast issued by the origin.

    For each row, in this order:

    1. **forecast**: the values for the hour holding the target timestamp
       from the most recent forecast with ``issued_at <= origin`` that covers
       that hour;
    2. **observation**: otherwise the last observation that had ended by the
       origin (``timestamp + 1 h <= origin``) and is not later than the
       target hour. For a target after the origin (every forecast row) that
       is persistence of the last known hour; for a target hour before the
       origin it is that hour's observation. An observation more than
       ``max_observation_age_h`` hours older than the last hour it could
       stand for (a station that stopped reporting) is not persisted: the
       row gets NaN, which the models treat as unknown.

    Observations of hours not ended by the origin and forecasts issued after
    it are never read. ``weather_forecast_age_h`` is the hours from issue to
    the target timestamp, NaN when an observation was used. Several stations
    are averaged. Without weather every column is NaN. A forecast or
    observation row is used whole (a NaN variable in it stays NaN).

    Parameters
    ----------
    variables
        Names among ``temperature_c``, ``precipitation_mm``,
        ``wind_speed_ms``, ``sunshine_h``, ``humidity_pct``; columns
        ``weather_{variable}`` (NaN when the table lacks the column).
    max_observation_age_h
        How old, in hours, the last observation may be and still be
        persisted: counted to the last hour ended by the origin (or to the
        target hour, if earlier). 48 by default, enough for daily reports;
        None persists the last observation however old it is.
    condition
        Add ``weather_condition``: the code of the weather table's
        ``condition`` text (``"wet road"``, ``"snow"``; case-insensitive),
        read at the target hour like the numbers (a forecast's, else the
        last observation's): ``1..K`` for the conditions seen in ``fit``, 0
        for none given, -1 for one not seen. A categorical column.
        :class:`~crowdcast.GBMForecaster` switches it on when the weather it
        is fitted on has conditions.

    Examples
    --------
    >>> WeatherFeatures(variables=("temperature_c",)).get_feature_names_out()
    ['weather_temperature_c', 'weather_forecast_age_h']
    """

    _parameter_rules: ClassVar[ParameterRules] = {
        "variables": [distinct_names(WEATHER_VARIABLES)],
        "max_observation_age_h": [POSITIVE_NUMBER, None],
    }

    def __init__(
        self,
        *,
        variables: Sequence[str] = ("temperature_c", "precipitation_mm", "wind_speed_ms"),
        max_observation_age_h: float | None = 48,
        condition: bool = False,
    ) -> None:
        self.variables = variables
        self.max_observation_age_h = max_observation_age_h
        self.condition = condition

    _categorical = ("weather_condition",)

    def get_feature_names_out(self) -> list[str]:
        check_params(self)
        names = [*(f"weather_{v}" for v in self.variables), "weather_forecast_age_h"]
        return [*names, "weather_condition"] if self.condition else names

    def _fit(self, rows: pd.DataFrame, data: City) -> None:
        seen = _conditions(data.weather)
        self.conditions_ = {c: i + 1 for i, c in enumerate(sorted(set(seen.dropna())))}

    def get_code_labels(self) -> dict[str, dict[int, str]]:
        if not self.condition:
            return {}
        found = {code: c for c, code in getattr(self, "conditions_", {}).items()}
        return {"weather_condition": {-1: "a condition not seen in fit", 0: "none", **found}}

    def _transform(self, rows: pd.DataFrame, data: City) -> pd.DataFrame:
        names = self.get_feature_names_out()
        variables = list(self.variables)
        if data.weather is None or rows.empty:
            return pd.DataFrame(np.nan, index=rows.index, columns=names)
        weather = data.weather
        if self.condition:
            known = getattr(self, "conditions_", {})
            text = _conditions(weather)
            code = text.map(lambda c: known.get(c, -1)).where(text.notna(), 0)
            weather = weather.assign(_condition=code.astype(float))
            variables.append("_condition")
        forecasts, observations = _split(weather, variables)
        origin, target = ns(rows["origin"]), ns(rows["timestamp"])
        hour = target - target % HOUR_NS
        codes, first = pair_codes(origin, hour)  # features depend on (origin, hour) only
        o, h = origin[first], hour[first]
        values = np.full((len(first), len(variables)), np.nan)
        issued = np.full(len(first), np.nan)

        found = _latest(forecasts, o, h, variables)
        has = found["issued"].notna().to_numpy()
        values[has] = found.loc[has, variables].to_numpy()
        issued[has] = found.loc[has, "issued"].to_numpy()
        # no forecast: the last observation ended by the origin, not after the target hour
        rest = ~has
        known_until = np.minimum(h[rest], o[rest] - HOUR_NS)
        max_age = self.max_observation_age_h
        max_age_ns = None if max_age is None else float(max_age) * HOUR_NS
        values[rest] = _last_observation(observations, known_until, variables, max_age_ns)

        out = {f"weather_{v}": values[codes, j] for j, v in enumerate(self.variables)}
        out["weather_forecast_age_h"] = (target - issued[codes]) / HOUR_NS
        if self.condition:  # stations disagreeing give their rounded mean code
            out["weather_condition"] = np.round(values[codes, -1])
        return pd.DataFrame(out, index=rows.index)


def _conditions(weather: pd.DataFrame | None) -> pd.Series:
    """The ``condition`` text of each weather row, trimmed and lower-case (NaN if none)."""
    if weather is None or "condition" not in weather:
        index = weather.index if weather is not None else pd.RangeIndex(0)
        return pd.Series(np.nan, index=index, dtype=object)
    text = weather["condition"].astype("string").str.strip().str.casefold()
    return text.where(text.notna() & (text != ""), None).astype(object)


def _split(weather: pd.DataFrame, variables: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forecasts (``issued``, ``ts``, variables) and observations, stations averaged."""
    table = pd.DataFrame(
        {"issued": ns(weather["issued_at"]), "ts": ns(weather["timestamp"])},
        index=weather.index,
    )
    for v in variables:
        table[v] = weather[v].to_numpy(np.float64) if v in weather else np.nan
    if "station" in weather and weather["station"].nunique() > 1:
        table = table.groupby(["issued", "ts"], as_index=False, sort=False)[variables].mean()
    is_obs = (table["issued"] == _NAT).to_numpy()
    return table[~is_obs], table[is_obs]


def _latest(
    forecasts: pd.DataFrame, origin: np.ndarray, hour: np.ndarray, variables: list[str]
) -> pd.DataFrame:
    """Per query, the row of the latest forecast issued at or before ``origin`` for ``hour``."""
    left = pd.DataFrame({"at": origin, "ts": hour, "query": np.arange(len(origin))})
    right = forecasts.assign(at=forecasts["issued"]).sort_values("at", kind="stable")
    merged = pd.merge_asof(
        left.sort_values("at", kind="stable"),
        right[["at", "ts", "issued", *variables]],
        on="at",
        by="ts",
        direction="backward",
        allow_exact_matches=True,
    )
    return merged.set_index("query").reindex(np.arange(len(origin)))


def _last_observation(
    observations: pd.DataFrame,
    until: np.ndarray,
    variables: list[str],
    max_age_ns: float | None,
) -> np.ndarray:
    """Per query, the variables of the last observation with ``timestamp <= until``,
    NaN when there is none or it is more than ``max_age_ns`` older than ``until``."""
    obs = observations.sort_values("ts", kind="stable")
    stamps = obs["ts"].to_numpy()
    at = np.searchsorted(stamps, until, side="right") - 1
    values = obs[variables].to_numpy(np.float64)
    out = np.full((len(until), len(variables)), np.nan)
    ok = at >= 0
    if max_age_ns is not None:
        ok[ok] = (until[ok] - stamps[at[ok]]) <= max_age_ns
    out[ok] = values[at[ok]]
    return out
