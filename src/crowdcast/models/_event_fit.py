"""Learning the event response: curves × shares, spreads and rain from past events.

How an event is learned (:func:`fit_event_response`)
-----------------------------------------------------
1. **A baseline without events**: per zone and interval, the median of the
   same weekday and time of day over the four weeks before and after, using
   only intervals no event touches (its zone or a neighbour, from six hours
   before the start to four after the end).
2. **What the events added**: the counts minus that baseline, in the
   intervals events touch.
3. **Per zone, one non-negative least-squares fit** of that excess on
   ``attendance × (hours of the interval in each bin)`` (:data:`BINS`) for
   every (category, venue) whose events are in the zone or a neighbour:
   a coefficient per bin is the fraction of the attendance present (or
   passing per hour) in that bin.
4. **Curves × shares**: per category and phase, the coefficient vectors of
   all (venue, zone) pairs are summarised by their common shape (the curve,
   scaled to the venue zone where it is largest) and one scale per pair
   (the share), so that what moves between cities (the curve) is separate
   from what belongs to the site (the shares).
5. **The spread**: per category, the ratio realised / expected load over the
   hours where an event dominates its zone; its quantiles give the event
   part of the forecast interval.

The load is linear in attendance, so a forecast that adds it grows in
proportion to the attendance, also beyond the largest attendance seen.
6. **Rain**: per category, the slope of ``log(realised / expected)`` on the
   wetness during the event (:mod:`crowdcast.models._event_rain`), after the
   zone's own response to rain is taken out of the baseline.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from crowdcast._city import City, as_city
from crowdcast.models._event_load import (
    POOLED,
    EventLoad,
    attendance_of,
    n_bins,
    per_interval,
    usable_events,
    windows,
)
from crowdcast.models._event_rain import event_wetness, rain_adjusted, significant_slope
from crowdcast.profiles import (
    BINS,
    PHASES,
    EventCurve,
    EventResponse,
    EventShare,
    EventSpread,
    SiteProfile,
)
from crowdcast.schemas import HOUR_NS, WEEK, History

__all__ = ["calibrate_events", "fit_event_response"]

#: Fewest events of a category with a rain estimate for its own rain elasticity.
MIN_RAIN_EVENTS = 10
#: Quantile levels stored for the realised / expected ratio.
RATIO_LEVELS = (0.025, 0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 0.95, 0.975)


def _rain_effects(
    response: EventResponse,
    site: SiteProfile | None,
    history: History,
    events: pd.DataFrame,
    excess: np.ndarray,
    weather: pd.DataFrame | None,
) -> dict[str, EventSpread]:
    """Each category's rain elasticity, where the data show one clearly (|t| > 2).

    Per event, the ratio realised / expected load (least squares over the
    intervals it reaches) against the wetness during it; the slope of
    ``log(ratio)`` per category with at least :data:`MIN_RAIN_EVENTS` events,
    else pooled over categories (around each category's mean).
    """
    spreads = dict(response.spreads)
    if weather is None or events.empty:
        return spreads
    wetness = event_wetness(events, weather)
    load = EventLoad(response, site)
    times = np.asarray(history.times(np.arange(history.values.shape[1])).asi8)
    step = history.freq.value
    ratios = np.full(len(events), np.nan)
    for i in range(len(events)):
        part = sum(load.parts(events.iloc[[i]], list(history.zones), times, step).values())
        if not isinstance(part, np.ndarray):
            continue
        ok = np.isfinite(excess) & (part > 0)
        den = float((part[ok] ** 2).sum())
        if den > 0:
            ratios[i] = float((excess[ok] * part[ok]).sum()) / den
    use = np.isfinite(wetness) & (ratios > 0.05)
    frame = pd.DataFrame(
        {
            "event": events["event_id"].astype(str),
            "category": events["category"].astype(str),
            "x": wetness,
            "y": np.log(np.where(use, ratios, 1.0)),
        }
    )[use]
    if frame.empty:
        return spreads
    centred = frame.assign(
        x=frame["x"] - frame.groupby("category")["x"].transform("mean"),
        y=frame["y"] - frame.groupby("category")["y"].transform("mean"),
    )
    pooled = significant_slope(centred["x"].to_numpy(), centred["y"].to_numpy())
    for category, spread in spreads.items():
        rows = frame[frame["category"] == category]
        own = significant_slope(
            (rows["x"] - rows["x"].mean()).to_numpy(), (rows["y"] - rows["y"].mean()).to_numpy()
        )
        slope = own if rows["event"].nunique() >= MIN_RAIN_EVENTS else pooled
        reference = float(rows["x"].mean()) if len(rows) else float(frame["x"].mean())
        spreads[category] = replace(spread, rain=slope, rain_reference=reference)
    return spreads


# ----------------------------------------------------------------------------- learning


def _shifted_median(values: np.ndarray, lags: Iterable[int]) -> np.ndarray:
    """Median over the values ``lag`` intervals away, for each lag (NaN ignored)."""
    n = values.shape[1]
    stack = []
    for lag in lags:
        shifted = np.full_like(values, np.nan)
        if 0 < lag < n:
            shifted[:, : n - lag] = values[:, lag:]
        elif 0 < -lag < n:
            shifted[:, -lag:] = values[:, : n + lag]
        stack.append(shifted)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices
        return np.nanmedian(np.stack(stack), axis=0)


def _baseline(history: History, touched: np.ndarray, weeks: int = 4) -> np.ndarray:
    """What the counts would have been without events, from untouched intervals only.

    The median of the same weekday and time over ``weeks`` weeks either side;
    where all of those are touched too (a weekly market), the median of the
    same time of day over the week either side.
    """
    clean = np.where(touched, np.nan, history.values)
    per_day = int(pd.Timedelta("1D") / history.freq)
    per_week = int(WEEK / history.freq)
    weekly = _shifted_median(clean, [k * per_week for k in range(-weeks, weeks + 1) if k])
    daily = _shifted_median(clean, [k * per_day for k in range(-7, 8) if k])
    return np.where(np.isnan(weekly), daily, weekly)


def _reach_of(site: SiteProfile | None, zones: Sequence[str]) -> dict[str, set[str]]:
    """Per venue zone, the zones its events may reach: itself and its neighbours."""
    out = {z: {z} for z in zones}
    if site is not None:
        for zone in site.zones:
            for other in zone.neighbours:
                out.setdefault(zone.id, {zone.id}).add(other)
                out.setdefault(other, {other}).add(zone.id)
    return out


def fit_event_response(
    history: History,
    events: pd.DataFrame | None,
    site: SiteProfile | None,
    *,
    weather: pd.DataFrame | None = None,
    source: str = "",
    weights: Mapping[str, float] | None = None,
) -> EventResponse:
    """Learn curves, shares and spreads from the counts around past events.

    See the module docstring for the method. Categories without a single
    event with a known attendance in the data get no curve. ``weights``
    (by event id; 0 when absent) weigh the intervals of each event's window
    in the least-squares fit: the bootstrap of :func:`calibrate_events`.
    """
    events = usable_events(events)
    # learn only from events the counts saw: the calendar also lists the future
    seen = (events["start"] < history.end) & (events["end"] > history.start)
    events = events[seen & events["zone"].isin(history.zones)].reset_index(drop=True)
    zones = list(history.zones)
    times = np.asarray(history.times(np.arange(history.values.shape[1])).asi8)
    step = history.freq.value
    step_h = step / HOUR_NS
    measures = {z.id: z.measure for z in site.zones} if site is not None else {}
    if events.empty:
        return EventResponse(curves={}, shares=())
    spreads0 = _attendance_only(events)
    att = attendance_of(events, spreads0)
    reached = windows(events, times, step)
    reach = _reach_of(site, zones)
    zone_at = {z: i for i, z in enumerate(zones)}
    touched = np.zeros(history.values.shape, dtype=bool)
    for w in reached:
        for z in reach.get(str(events["zone"].iat[w.row]), ()):
            if z in zone_at:
                touched[zone_at[z], w.positions] = True
    baseline = _baseline(history, touched)
    if weather is not None:
        baseline = rain_adjusted(history, baseline, touched, weather)
    excess = history.values - baseline

    # one non-negative least-squares fit per zone: coefficients per (category, venue, bin)
    nb = n_bins()
    coefs: dict[tuple[str, str, str], np.ndarray] = {}
    for zone in zones:
        zi = zone_at[zone]
        mine = [w for w in reached if zone in reach.get(str(events["zone"].iat[w.row]), ())]
        if not mine:
            continue
        keys = sorted(
            {(str(events["category"].iat[w.row]), str(events["zone"].iat[w.row])) for w in mine}
        )
        col = {k: i for i, k in enumerate(keys)}
        pos = np.unique(np.concatenate([w.positions for w in mine]))
        X = np.zeros((len(pos), len(keys) * nb))
        unit = per_interval(measures.get(zone, "occupancy"), step_h)
        weight = np.zeros(len(pos)) if weights is not None else np.ones(len(pos))
        for w in mine:
            k = col[(str(events["category"].iat[w.row]), str(events["zone"].iat[w.row]))]
            rows = np.searchsorted(pos, w.positions)
            X[rows, k * nb : (k + 1) * nb] += att[w.row] * unit * w.hours
            if weights is not None:
                own = weights.get(str(events["event_id"].iat[w.row]), 0.0)
                weight[rows] = np.maximum(weight[rows], own)
        y = excess[zi, pos]
        ok = np.isfinite(y) & (weight > 0)
        if weights is not None:  # weighted least squares: rows scaled by sqrt(weight)
            root = np.sqrt(weight)
            X, y = X * root[:, None], y * root
        if ok.sum() < 3:
            continue
        scale = np.sqrt((X[ok] ** 2).sum(axis=0))
        used = scale > 0
        beta = np.zeros(X.shape[1])
        if used.any():
            beta[used] = _nnls(X[ok][:, used] / scale[used], y[ok]) / scale[used]
        for (category, venue), k in col.items():
            coefs[(category, venue, zone)] = beta[k * nb : (k + 1) * nb]
    curves, shares = _factorise(coefs, source=source, events=events)
    response = EventResponse(curves=curves, shares=tuple(shares), spreads=spreads0)
    spreads = _spreads(response, site, history, events, excess)
    response = EventResponse(curves=curves, shares=tuple(shares), spreads=spreads)
    spreads = _rain_effects(response, site, history, events, excess, weather)
    return EventResponse(curves=curves, shares=tuple(shares), spreads=spreads)


def _nnls(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Non-negative least squares through a QR reduction (tall ``X``: thousands of rows).

    ``||X b - y||`` and ``||R b - Q'y||`` differ by a constant, so the active-set
    solver works on the small ``k x k`` triangle instead of the whole table.
    """
    from scipy.optimize import nnls

    q, r = np.linalg.qr(X, mode="reduced")
    return np.asarray(nnls(r, q.T @ y, maxiter=50 * X.shape[1])[0])


def _attendance_only(events: pd.DataFrame) -> dict[str, EventSpread]:
    """Spreads holding only the attendances seen (for the typical one of unknown rows)."""
    out = {}
    first = events.drop_duplicates("event_id")
    groups: Iterable[tuple[str, pd.DataFrame]] = [
        *((str(c), g) for c, g in first.groupby("category")),
        (POOLED, first),
    ]
    for category, group in groups:
        seen = group["expected_attendance"].dropna().to_numpy(dtype=float)
        out[category] = EventSpread(
            category, {0.5: 1.0}, tuple(float(a) for a in seen), n_events=len(group)
        )
    return out


def _factorise(
    coefs: Mapping[tuple[str, str, str], np.ndarray], *, source: str, events: pd.DataFrame
) -> tuple[dict[str, EventCurve], list[EventShare]]:
    """Split per-pair coefficient vectors into one curve per category and shares per pair."""
    sizes = [len(BINS[p]) - 1 for p in PHASES]
    cuts = np.cumsum([0, *sizes])
    by_category: dict[str, list[tuple[str, str, np.ndarray]]] = defaultdict(list)
    for (category, venue, zone), vec in coefs.items():
        by_category[category].append((venue, zone, vec))
    n_events = events.drop_duplicates("event_id").groupby("category").size()
    curves: dict[str, EventCurve] = {}
    shares: list[EventShare] = []
    for category, pairs in sorted(by_category.items()):
        phase_curves, phase_shares = {}, {}
        for i, phase in enumerate(PHASES):
            block = np.array([vec[cuts[i] : cuts[i + 1]] for _, _, vec in pairs])
            shape = block.sum(axis=0)
            norm = float(shape @ shape)
            scale = block @ shape / norm if norm > 0 else np.zeros(len(pairs))
            at_venue = [j for j, (v, z, _) in enumerate(pairs) if v == z]
            tiny = 1e-6 * float(scale.max(initial=0.0))
            ref = max((scale[j] for j in at_venue), default=0.0)
            ref = ref if ref > tiny else float(scale.max(initial=0.0))
            if ref > 0:
                shape, scale = shape * ref, scale / ref
            else:
                shape, scale = np.zeros_like(shape), np.zeros_like(scale)
            phase_curves[phase] = tuple(float(v) for v in shape)
            phase_shares[phase] = scale
        curves[category] = EventCurve(
            category,
            arrival=phase_curves["arrival"],
            during=phase_curves["during"],
            egress=phase_curves["egress"],
            source=source,
            n_events=int(n_events.get(category, 0)),
        )
        for j, (venue, zone, _) in enumerate(pairs):
            values = {p: float(phase_shares[p][j]) for p in PHASES}
            if any(v > 0 for v in values.values()):
                shares.append(EventShare(category, venue, zone, **values))
    return curves, shares


def _spreads(
    response: EventResponse,
    site: SiteProfile | None,
    history: History,
    events: pd.DataFrame,
    excess: np.ndarray,
) -> dict[str, EventSpread]:
    """Per category (and pooled), quantiles of realised / expected load where events dominate."""
    load = EventLoad(response, site)
    zones = list(history.zones)
    times = np.asarray(history.times(np.arange(history.values.shape[1])).asi8)
    parts = load.parts(events, zones, times, history.freq.value)
    if not parts:
        return dict(response.spreads)
    total = np.sum(list(parts.values()), axis=0)
    ratios: dict[str, list[np.ndarray]] = defaultdict(list)
    for key, part in parts.items():
        # intervals where this category is most of the load and the load is substantial
        peak = np.max(part, axis=1, keepdims=True)
        strong = (part >= 0.5 * total) & (part > 0) & (part >= 0.25 * _rolling_peak(part, peak))
        strong &= np.isfinite(excess)
        if strong.any():
            ratios[key.rstrip("?")].append(excess[strong] / total[strong])
    out = {}
    pooled = [r for rs in ratios.values() for r in rs]
    for category, spread in response.spreads.items():
        found = ratios.get(category) if category != POOLED else pooled
        if not found:
            out[category] = spread
            continue
        values = np.concatenate(found)
        quantiles = {q: float(np.quantile(values, q)) for q in RATIO_LEVELS}
        out[category] = EventSpread(category, quantiles, spread.attendance, spread.n_events)
    return out


def _rolling_peak(part: np.ndarray, peak: np.ndarray) -> np.ndarray:
    """A local peak per interval: the max over the surrounding day (robust to many events)."""
    n = part.shape[1]
    width = 24
    padded = np.pad(part, ((0, 0), (width, width)))
    spans = np.lib.stride_tricks.sliding_window_view(padded, 2 * width + 1, axis=1)
    local = spans.max(axis=2)[:, :n]
    return np.minimum(local, peak)


def calibrate_events(
    data: City | pd.DataFrame,
    *,
    events: pd.DataFrame | None = None,
    weather: pd.DataFrame | None = None,
    site: SiteProfile | None = None,
    n_boot: int = 0,
    seed: int = 0,
) -> EventResponse:
    """Learn a site's event response (curves, shares, spreads, rain) from its past events.

    The same learning :class:`~crowdcast.GBMForecaster` does in ``fit``, on
    its own: to inspect it (``.summary()``), publish the generic curves and
    keep the site's shares, with
    :func:`~crowdcast.profiles.save_event_response`, and to give them to a
    forecaster elsewhere (``GBMForecaster(event_response=...)``).

    Parameters
    ----------
    data
        A :class:`~crowdcast.City` with counts and events (weather for the
        rain effect), or a counts table with the others beside it.
    n_boot
        Resample the past events this many times (with replacement, whole
        events) and refit, for 95 % intervals of each zone's peak load per
        attendee (``response.reach()``); 0 (default) skips it. Each refit
        costs one calibration (about 1.5 s for the two years of the sample
        city).
    seed
        Seed of the resampling.

    Examples
    --------
    >>> import crowdcast as cc
    >>> city = cc.make_city(zones=["stadium_plaza"], start="2024-03-01", end="2024-06-30")
    >>> response = calibrate_events(city.counts, events=city.events, site=city.site)
    >>> response.summary().loc[0, "category"]
    'concert'
    """
    city = as_city(data, events=events, weather=weather, site=site)
    history = city.history()
    source = (
        f"learned from the counts of {city.site.id if city.site else 'a site'}, "
        f"{history.start:%Y-%m-%d} to {history.end:%Y-%m-%d}"
    )
    response = fit_event_response(
        history, city.events, city.site, weather=city.weather, source=source
    )
    if n_boot <= 0:
        return response
    return replace(
        response,
        peak_intervals=_bootstrap_peaks(response, history, city, int(n_boot), seed),
    )


def _bootstrap_peaks(
    response: EventResponse, history: History, city: City, n_boot: int, seed: int
) -> tuple[tuple[str, str, str, float, float, float], ...]:
    """95 % intervals of the peak per attendee over refits on resampled events."""
    events = usable_events(city.events)
    events = events[(events["start"] < history.end) & (events["end"] > history.start)]
    ids = events["event_id"].drop_duplicates().to_numpy()
    rng = np.random.default_rng(seed)
    draws: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for _ in range(n_boot):
        picked, counts = np.unique(rng.choice(ids, size=len(ids), replace=True), return_counts=True)
        weights = dict(zip(map(str, picked), counts.astype(float), strict=True))
        refit = fit_event_response(
            history, city.events, city.site, weather=city.weather, weights=weights
        )
        found = refit.peaks()
        for key in response.peaks():
            draws[key].append(found.get(key, 0.0))
    return tuple(
        (
            c,
            v,
            z,
            peak,
            float(np.quantile(draws[(c, v, z)], 0.025)),
            float(np.quantile(draws[(c, v, z)], 0.975)),
        )
        for (c, v, z), peak in sorted(response.peaks().items())
    )
