"""Indicator hazards: the expected lift over a zone's baseline rate from signals.

A ``relative_lift`` indicator (e.g. ``alcohol_aggression``: +1 % per litre)
scores a zone in an hour as

    lift = (1 + effect) ** (weight × x)

where ``x`` is the **exposure**: the mean, over the venues in scope, of the
signal each sold in that hour (a venue without a row is closed: 0), inside the
indicator's local time window (hours *starting* in ``[start, end)``, wrapping
midnight), and 0 outside it. This is the sample simulator's definition, so that
calibrated weights mean the same thing as the lift. Equivalently the lift is a
product over the scoped venues of ``(1 + effect) ** (weight_v × litres_v / n)``,
which is how per-venue weights enter.

Scope rule: the venues *located in the zone* (``venue.zone``) carrying one of
the scope's ``venue_tags``; with ``zone_tags``, only zones carrying one of them.
The scope's ``radius_m`` is informative: it states how far the published effect
reaches, and a site draws its zones (or moves venues between them) to respect
it. It is not recomputed from coordinates, because zone centroids of long
streets are far from venues that are still "on the street".

Weights come only from the site profile, most specific first:
``venue:<id>``, then ``zone:<id>``, then ``site``, then 1.0 (the generic
effect holds as published).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import cast

import numpy as np
import pandas as pd

from crowdcast._validation import Check, Problems, describe_value
from crowdcast.exceptions import DataValidationError, ParameterError, Problem
from crowdcast.profiles import Indicator, IndicatorLibrary, SiteProfile, Venue

__all__ = ["exposure", "indicator_lift", "resolve_weight", "scoped_venues"]


def _relative_lift(library: IndicatorLibrary, indicator: str) -> Indicator:
    ind = library[indicator]  # unknown id: ConfigError naming the known ids
    if ind.effect_form != "relative_lift":
        raise ParameterError(
            [
                Problem(
                    "`indicator`",
                    "a relative_lift indicator (scored from signals)",
                    f"{indicator!r} with form {ind.effect_form!r}",
                    hint="density, flow, distancing and busyness levels come from assess(...)",
                )
            ]
        )
    return ind


def _indicator_ids(value: object) -> bool:
    if isinstance(value, str):
        return True
    return (
        isinstance(value, Sequence | pd.Index | np.ndarray)
        and len(value) > 0
        and all(isinstance(v, str) for v in value)
    )


_INDICATOR_IDS = Check(_indicator_ids, "an indicator id or a non-empty list of indicator ids")


def _relative_lifts(library: IndicatorLibrary, indicator: str | Sequence[str]) -> list[Indicator]:
    """The ``relative_lift`` indicators asked for; every problem with them at once."""
    if not _INDICATOR_IDS(indicator):
        raise ParameterError(
            [Problem("`indicator`", _INDICATOR_IDS.expectation, describe_value(indicator))]
        )
    ids = [indicator] if isinstance(indicator, str) else list(indicator)
    found = Problems(error=ParameterError)
    inds = [found.attempt(_relative_lift, library, i) for i in ids]
    found.raise_if_any()
    return cast(list[Indicator], inds)


def _set_weight(site: SiteProfile, indicator: str, target: str) -> float | None:
    for w in site.weights:
        if w.indicator == indicator and w.target == target:
            return w.value
    return None


def resolve_weight(site: SiteProfile, indicator: str, zone: str, venue: str | None = None) -> float:
    """The site's weight of an indicator for a venue in a zone (venue > zone > site > 1.0)."""
    site.require_full("a weight")
    for target in ([f"venue:{venue}"] if venue else []) + [f"zone:{zone}", "site"]:
        value = _set_weight(site, indicator, target)
        if value is not None:
            return value
    return 1.0


def scoped_venues(site: SiteProfile, indicator: Indicator) -> dict[str, list[Venue]]:
    """Zone id → the venues in the indicator's scope located in that zone."""
    out: dict[str, list[Venue]] = {}
    for z in site.zones:
        if indicator.scope_zone_tags and not set(z.tags) & set(indicator.scope_zone_tags):
            continue
        out[z.id] = [
            v
            for v in site.venues
            if v.zone == z.id
            and (not indicator.scope_venue_tags or set(v.tags) & set(indicator.scope_venue_tags))
        ]
    return out


def _in_window(timestamps: pd.DatetimeIndex, ind: Indicator, tz: str) -> np.ndarray:
    if ind.window_start is None or ind.window_end is None:
        return np.ones(len(timestamps), dtype=bool)
    local = timestamps.tz_convert(tz)
    minutes = (local.hour * 60 + local.minute).to_numpy()

    def m(t: dt.time) -> int:
        return t.hour * 60 + t.minute

    start, end = m(ind.window_start), m(ind.window_end)
    if start <= end:
        return np.asarray((minutes >= start) & (minutes < end))
    return np.asarray((minutes >= start) | (minutes < end))


def _check_units(signals: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
    rows = signals[signals["signal"] == ind.signal]
    if rows.empty:
        raise DataValidationError(
            [
                Problem(
                    "`signals`",
                    f"rows of signal {ind.signal!r} (the input of {ind.id!r})",
                    f"signals {sorted(signals['signal'].unique())}",
                )
            ],
            title="Signals missing",
        )
    if "unit" in rows.columns and ind.unit is not None:
        wrong = rows[rows["unit"].notna() & (rows["unit"] != ind.unit)]
        if len(wrong):
            raise DataValidationError(
                [
                    Problem(
                        f"`unit` of signal {ind.signal!r}",
                        f"{ind.unit!r}, the unit of indicator {ind.id!r}",
                        f"{sorted(wrong['unit'].unique())}",
                        column="unit",
                        rows=tuple(wrong.index[:5]),
                        hint=f"convert the values to {ind.unit} before scoring",
                    )
                ],
                title="Signals in wrong units",
            )
    return rows


def _grid(
    rows: pd.DataFrame, timestamps: Sequence[object] | pd.DatetimeIndex | None
) -> pd.DatetimeIndex:
    if timestamps is not None:
        return (
            pd.DatetimeIndex(list(timestamps)).tz_convert("UTC").floor("h").unique().sort_values()
        )
    start, end = rows["timestamp"].min().floor("h"), rows["timestamp"].max().floor("h")
    return pd.date_range(start, end, freq="h")


def exposure(
    signals: pd.DataFrame,
    site: SiteProfile,
    indicator: Indicator,
    timestamps: pd.DatetimeIndex,
    weighted: bool = False,
) -> pd.DataFrame:
    """Per zone in scope and hour: the exposure ``x`` (or Σ weight_v × litres_v / n).

    Returns a frame indexed by the hourly ``timestamps`` with one column per
    zone in scope; zones without scoped venues are 0.
    """
    rows = _check_units(signals, indicator)
    wide = rows.pivot_table(index="timestamp", columns="location", values="value", aggfunc="sum")
    wide.index = pd.DatetimeIndex(wide.index).floor("h")
    wide = wide.groupby(level=0).sum().reindex(timestamps).fillna(0.0)
    window = _in_window(timestamps, indicator, site.timezone)
    out = {}
    for zid, venues in scoped_venues(site, indicator).items():
        x = np.zeros(len(timestamps))
        for v in venues:
            w = resolve_weight(site, indicator.id, zid, v.id) if weighted else 1.0
            if v.id in wide.columns:
                x += w * wide[v.id].to_numpy()
        out[zid] = np.where(window, x / max(len(venues), 1), 0.0)
    return pd.DataFrame(out, index=timestamps)


def indicator_lift(
    signals: pd.DataFrame,
    site: SiteProfile,
    library: IndicatorLibrary,
    *,
    indicator: str | Sequence[str] = "alcohol_aggression",
    timestamps: Sequence[object] | pd.DatetimeIndex | None = None,
) -> pd.DataFrame:
    """Expected lift over each zone's baseline rate per hour, and what contributed.

    Parameters
    ----------
    signals
        The signals contract (``timestamp, location, signal, value[, unit]``);
        a venue without a row in an hour counts 0 (closed).
    site
        Venues, their zones and tags, and the local weights.
    library
        The generic indicators.
    indicator
        One or several ``relative_lift`` indicator ids; lifts multiply.
    timestamps
        Hours to score (floored to the hour); default every hour the signals span.

    Returns
    -------
    ``zone, timestamp, exposure_<id>, lift_<id>`` per indicator, ``lift`` (the
    product) and ``contributing`` (ids with a lift other than 1, comma-separated).

    Examples
    --------
    >>> import pandas as pd, crowdcast as cc
    >>> site = cc.load_site_profile(cc.sample_path() / "site.toml")
    >>> sig = pd.DataFrame({"timestamp": pd.Timestamp("2024-06-07 20:00", tz="UTC"),
    ...     "location": ["bar_noord", "club_kade_7"], "signal": "alcohol_litres_sold",
    ...     "value": [30.0, 30.0], "unit": "L"})
    >>> lift = indicator_lift(sig, site, cc.load_indicator_library())
    >>> row = lift[lift["zone"] == "nightlife_street"].iloc[0]
    >>> float(row["exposure_alcohol_aggression"]), round(float(row["lift"]), 4), row["contributing"]
    (10.0, 1.1046, 'alcohol_aggression')
    """
    site.require_full("indicator_lift")
    inds = _relative_lifts(library, indicator)
    ids = [ind.id for ind in inds]
    first = _check_units(signals, inds[0])
    grid = _grid(first, timestamps)
    parts = []
    for ind in inds:
        weighted = exposure(signals, site, ind, grid, weighted=True)
        plain = exposure(signals, site, ind, grid, weighted=False)
        effect = math.log1p(float(ind.effect_size or 0.0))
        lift = np.exp(effect * weighted.to_numpy())
        long = pd.DataFrame(
            {
                "zone": np.repeat(plain.columns.to_numpy(), len(grid)),
                "timestamp": grid[np.tile(np.arange(len(grid)), len(plain.columns))],
                f"exposure_{ind.id}": plain.to_numpy().T.ravel(),
                f"lift_{ind.id}": lift.T.ravel(),
            }
        )
        parts.append(long.set_index(["zone", "timestamp"]))
    out = pd.concat(parts, axis=1).fillna({f"lift_{i}": 1.0 for i in ids}).reset_index()
    lifts = out[[f"lift_{i}" for i in ids]].to_numpy()
    out["lift"] = lifts.prod(axis=1)
    contributing = np.where(np.abs(lifts - 1.0) > 1e-12, np.array(ids, dtype=object), "")
    out["contributing"] = [",".join(c for c in row if c) for row in contributing]
    return out.sort_values(["zone", "timestamp"], ignore_index=True)
