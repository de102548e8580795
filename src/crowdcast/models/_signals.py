"""Signals viewed as counts, so that every forecaster forecasts them.

An indicator such as ``alcohol_aggression`` scores an hour from its signal
(litres sold per venue and hour, the signals contract). To score tonight
before tonight, the signal itself is forecast. A signals table is shaped like
counts keyed by venue rather than zone, so :func:`signal_city` turns one
signal of a :class:`~crowdcast.City` into another ``City`` whose *zones are
the venues* and whose counts are the signal's values. Every forecaster then
fits, predicts, explains and backtests it unchanged::

    sales = signal_city(city)                      # litres per venue and hour
    fc = ProfileRatio(horizon=12).fit(sales).predict(origin=tonight_18h)
    risk = assess(fc, city.site, hazard="aggression")

Missing and closed. In the signals contract a venue without a row in an
interval sold nothing: it was closed (``indicator_lift`` reads it so). The
view keeps that meaning: between a venue's first row and the last interval
of the table, an interval without a row is **0**, not missing, so seasonal
baselines and lags see the closed hours as zeros. A row whose ``value`` is
NaN (reported as unknown) stays NaN: missing, never zero-filled. Before a
venue's first row nothing is known (it may not have reported yet): no rows.

The view's site profile (``City.site``) has one zone per venue (``measure
"passages"``: a value per interval, like people passing; the venue's tags,
coordinates and, as neighbours, the other venues of its zone), the site's
timezone, holidays and closed days, no venues and **no weights**: a model
fitted on it holds nothing confidential. Events of a zone apply to each of
its venues. The signal's sources become the view's counts sources, so the
purpose is checked against the sources the values really come from.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from crowdcast._city import City
from crowdcast.exceptions import DataValidationError, ParameterError, Problem
from crowdcast.profiles import SiteProfile, Zone
from crowdcast.schemas import infer_freq

__all__ = ["signal_city"]


def signal_city(city: City, signal: str | None = None) -> City:
    """One signal of a City as a City of counts per venue: any forecaster forecasts it.

    Parameters
    ----------
    city
        A City with signals (``load_sample()``, ``load_city(site, purpose=...)``
        with a signals source, ``City.from_tables(..., signals=...)``).
    signal
        The signal to view (``"alcohol_litres_sold"``); may be left out when
        the table holds one signal only.

    Returns
    -------
    City
        ``counts``: ``zone`` = venue (location) id, ``timestamp``, ``count`` =
        the signal's value, on each venue's grid from its first row to the
        table's last interval; an interval without a row is 0 (closed), a
        NaN value stays missing. ``site``: one zone per venue and no weights
        (see the module docstring); events, weather, library and purpose as
        in ``city``. Forecasts of it have ``zone`` = venue id and are what
        ``assess(forecast, site, hazard="aggression")`` reads.

    Raises
    ------
    ParameterError
        The City has no signals, or ``signal`` is not one of them (or is
        needed to choose among several).
    DataValidationError
        The signal is given in more than one unit.

    Examples
    --------
    >>> import crowdcast as cc
    >>> sales = signal_city(cc.load_sample())
    >>> sales.zones[:3], sales.freq
    (('bar_noord', 'cafe_de_haven', 'club_kade_7'), Timedelta('0 days 01:00:00'))
    >>> club = sales.counts.set_index(["zone", "timestamp"])["count"].loc["club_kade_7"]
    >>> club.loc["2024-06-03 17:00":"2024-06-04 02:00"].tolist()  # opens 21:00, closes 03:00 local
    [0.0, 0.0, 56.1, 47.8, 29.1, 11.5, 13.5, 3.0, 0.0, 0.0]
    """
    table = city.signals
    name = _chosen_signal(table, signal)
    assert table is not None  # checked by _chosen_signal
    rows = table[table["signal"] == name]
    _check_one_unit(rows, name)
    freq = infer_freq(rows["timestamp"], by=rows["location"])
    counts = _counts(rows, freq)
    locations = counts["zone"].unique()
    site = _venue_site(city.site, locations) if city.site is not None else None
    return City(
        counts=counts,
        events=_venue_events(city.events, city.site, locations),
        weather=city.weather,
        site=site,
        library=city.library,
        freq=freq,
        sources=city.sources,
        purpose=city.purpose,
    )


def _chosen_signal(table: pd.DataFrame | None, signal: str | None) -> str:
    """The signal to view: ``signal`` if the table holds it, else the table's only one."""
    if table is None or table.empty:
        raise ParameterError(
            [
                Problem(
                    "`city`",
                    "a City with signals",
                    "no signals",
                    hint="declare a signals source in the site profile and load_city(...), "
                    "or City.from_tables(counts, signals=..., site=...)",
                )
            ]
        )
    names = sorted(table["signal"].unique())
    if signal is None and len(names) == 1:
        return str(names[0])
    if signal is None or signal not in names:
        raise ParameterError(
            [
                Problem(
                    "`signal`",
                    f"one of the City's signals ({', '.join(names)})",
                    repr(signal),
                    hint="signal_city(city, signal=...) to choose one",
                )
            ]
        )
    return signal


def _check_one_unit(rows: pd.DataFrame, name: str) -> None:
    if "unit" not in rows.columns:
        return
    units = rows["unit"].dropna().unique()
    if len(units) > 1:
        first = rows[rows["unit"] != units[0]].dropna(subset=["unit"])
        raise DataValidationError(
            [
                Problem(
                    f"`unit` of signal {name!r}",
                    "one unit for all rows",
                    f"{sorted(map(str, units))}",
                    column="unit",
                    rows=tuple(first.index[:5]),
                    hint="convert the values to one unit before forecasting",
                )
            ],
            title="Signals in several units",
        )


def _counts(rows: pd.DataFrame, freq: pd.Timedelta) -> pd.DataFrame:
    """Per venue from its first row to the table's last interval: absent = 0, NaN stays NaN."""
    step = freq.value
    ns = pd.DatetimeIndex(rows["timestamp"]).as_unit("ns").asi8
    codes, venues = pd.factorize(rows["location"], sort=True)
    first = np.full(len(venues), np.iinfo(np.int64).max)
    np.minimum.at(first, codes, ns)
    last = int(ns.max())
    sizes = (last - first) // step + 1
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    grid_codes = np.repeat(np.arange(len(venues)), sizes)
    within = np.arange(int(sizes.sum())) - np.repeat(offsets, sizes)
    values = np.zeros(len(within))  # no row: the venue was closed
    values[offsets[codes] + (ns - first[codes]) // step] = rows["value"].to_numpy(dtype=float)
    stamps = np.repeat(first, sizes) + within * step
    return pd.DataFrame(
        {
            "zone": pd.Series(np.asarray(venues, dtype=object)[grid_codes], dtype="str"),
            "timestamp": pd.DatetimeIndex(stamps.astype("datetime64[ns]")).tz_localize("UTC"),
            "count": values,
        }
    )


def _venue_site(site: SiteProfile, locations: np.ndarray) -> SiteProfile:
    """The site with one zone per location of the signal (see the module docstring)."""
    venues = {v.id: v for v in site.venues}
    zones = {z.id: z for z in site.zones}
    unknown = sorted(str(loc) for loc in locations if loc not in venues and loc not in zones)
    if unknown:  # City.from_tables and the readers refuse these; a hand-built City may not
        raise DataValidationError(
            [
                Problem(
                    "`location` of the signals",
                    f"venues or zones of site {site.id!r}",
                    ", ".join(map(repr, unknown[:5])),
                    column="location",
                    hint="add the venues to the site profile",
                )
            ]
        )
    out = []
    for loc in sorted(map(str, locations)):
        if loc in venues:
            v = venues[loc]
            peers = tuple(o.id for o in site.venues if o.zone == v.zone and o.id != loc)
            out.append(
                Zone(
                    id=loc,
                    name=v.name or loc,
                    measure="passages",
                    tags=v.tags,
                    lat=v.lat,
                    lon=v.lon,
                    neighbours=tuple(p for p in peers if p in set(locations)),
                )
            )
        else:  # a signal measured for a whole zone
            out.append(dataclasses.replace(zones[loc], measure="passages", neighbours=()))
    sources = tuple(
        dataclasses.replace(s, kind="counts") for s in site.sources if s.kind == "signals"
    ) + tuple(s for s in site.sources if s.kind in ("events", "weather"))
    return dataclasses.replace(
        site, zones=tuple(out), venues=(), weights=(), sources=sources, path=None
    )


def _venue_events(
    events: pd.DataFrame | None, site: SiteProfile | None, locations: np.ndarray
) -> pd.DataFrame | None:
    """Each event row of a zone repeated for every location of the view in that zone."""
    if events is None or site is None:
        return events
    where = {v.id: v.zone for v in site.venues} | {z: z for z in site.zone_ids}
    held = [str(loc) for loc in locations]
    venue_zone = pd.DataFrame({"venue": held, "zone": [where[loc] for loc in held]})
    merged = events.merge(venue_zone, on="zone", how="inner")
    merged["zone"] = merged.pop("venue")
    return merged.sort_values(["event_id", "zone"], ignore_index=True)[events.columns]
