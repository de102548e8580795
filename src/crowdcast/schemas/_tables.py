"""One ``validate_*`` per contract table: every rule checked, every problem reported at once.

Each function returns a normalised copy: contract column order, canonical
dtypes (``datetime64[ns, UTC]``, ``float64``), sorted by key, with a fresh
``RangeIndex``. Readers index tables by file line before validating, so the
rows a problem names are lines of the file.
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from crowdcast.exceptions import DataError
from crowdcast.schemas._checker import TableChecker, first_rows
from crowdcast.schemas._contracts import COUNTS, EVENT_STATUSES, EVENTS, INCIDENTS, SIGNALS, WEATHER
from crowdcast.schemas._time import as_timedelta, infer_freq, interval_text

__all__ = [
    "validate_counts",
    "validate_events",
    "validate_incidents",
    "validate_signals",
    "validate_weather",
]


def validate_counts(
    df: pd.DataFrame,
    *,
    source: str | None = None,
    zones: Collection[str] | object | None = None,
    freq: str | pd.Timedelta | None = None,
    one_interval: bool = True,
) -> pd.DataFrame:
    """Check a counts table against the contract and return it normalised.

    Parameters
    ----------
    df
        Columns ``zone``, ``timestamp`` (tz-aware), ``count``.
    source
        Where the table came from (file name), used in messages.
    zones
        Zone ids, zone objects or the site profile; other zones are an error.
    freq
        The sampling interval; inferred when omitted. Every timestamp must lie
        on one regular grid of this interval.
    one_interval
        Refuse zones counted at different intervals (the most common step of
        each zone must agree). ``read_counts`` checks this itself, row by row,
        and can resample instead.

    Raises
    ------
    SchemaError, DataValidationError
        Listing every problem found, not only the first.

    Examples
    --------
    >>> df = pd.DataFrame({"zone": ["a", "a"], "count": [3.0, 5.0],
    ...     "timestamp": pd.date_range("2024-01-01", periods=2, freq="h", tz="UTC")})
    >>> validate_counts(df).columns.tolist()
    ['zone', 'timestamp', 'count']
    """
    chk = TableChecker(COUNTS, df, source)
    chk.check_columns()
    ok = chk.check_dtypes()
    chk.check_min(
        "count", 0, ok, hint="counts are people; fix the sensor export or mark the interval missing"
    )
    chk.check_unique(
        COUNTS.key,
        ok,
        hint="each zone needs one row per interval; aggregate or remove the duplicates",
    )
    chk.check_known("zone", zones, ok, "zone")
    if {"timestamp", "zone"} <= ok and len(chk.df) > 1 and not chk.has_value_problems:
        if one_interval:
            _check_one_interval(chk)
        _check_regular(chk, freq)
    chk.raise_if_any()
    return chk.normalised(COUNTS.key)


def _check_one_interval(chk: TableChecker) -> None:
    """Every zone counted at one interval: the most common step of each zone agrees.

    Otherwise the finest would become the grid and a coarser zone's totals
    would be read as counts of the finer interval, the rest missing.
    """
    df = chk.df[["zone", "timestamp"]].sort_values(["zone", "timestamp"], kind="stable")
    ns = pd.Series(pd.DatetimeIndex(df["timestamp"]).as_unit("ns").asi8, index=df.index)
    same = df["zone"].eq(df["zone"].shift())
    steps = ns.diff()[same]
    if steps.empty:
        return
    usual = steps.groupby(df["zone"][same], sort=True).agg(lambda s: s.mode().iloc[0])
    if usual.nunique() < 2:
        return
    by_step = {
        interval_text(pd.Timedelta(int(step), "ns")): sorted(map(str, zones))  # type: ignore[call-overload]
        for step, zones in usual.groupby(usual).groups.items()
    }
    chk.add(
        what="`timestamp`",
        expectation="one counting interval for every zone",
        got="; ".join(f"every {k}: {', '.join(v[:5])}" for k, v in by_step.items()),
        column="timestamp",
        hint="read the file with read_counts(..., resample=True) to aggregate exactly to the "
        "coarsest interval, or aggregate the finer zones yourself",
    )


def _check_regular(chk: TableChecker, freq: str | pd.Timedelta | None) -> None:
    ts = chk.df["timestamp"]
    try:
        step = as_timedelta(freq) if freq is not None else infer_freq(ts, by=chk.df["zone"])
    except DataError:
        return
    step_ns = step.value
    ns = pd.DatetimeIndex(ts).as_unit("ns").asi8
    phase = ns % step_ns
    off_grid = phase != pd.Series(phase).mode().iloc[0]
    if off_grid.any():
        chk.add(
            what="`timestamp`",
            expectation=f"on one regular {interval_text(step, adjective=True)} grid",
            got=f"{int(off_grid.sum())} timestamp(s) off the grid, e.g. {ts[off_grid].iloc[0]}",
            column="timestamp",
            rows=first_rows(chk.df, off_grid),
            hint="resample to a fixed interval first, or pass the right freq=",
        )


# ----------------------------------------------------------------------------- events
# ----------------------------------------------------------------------------- events


def validate_events(
    df: pd.DataFrame,
    *,
    source: str | None = None,
    zones: Collection[str] | object | None = None,
) -> pd.DataFrame:
    """Check an events table (one row per event x zone) and return it normalised.

    ``zones`` (zone ids, zone objects or a site profile, as the readers take)
    lists the known zones; other zones are an error.

    Examples
    --------
    >>> t = pd.Timestamp("2024-06-01 18:00", tz="UTC")
    >>> ev = pd.DataFrame({"event_id": ["e1"], "name": ["Concert"], "zone": ["park"],
    ...     "start": [t], "end": [t + pd.Timedelta("3h")], "expected_attendance": [5000.0],
    ...     "category": ["concert"], "status": ["confirmed"]})
    >>> len(validate_events(ev))
    1
    """
    chk = TableChecker(EVENTS, df, source)
    chk.check_columns()
    ok = chk.check_dtypes()
    chk.check_min("expected_attendance", 0, ok)
    if {"start", "end"} <= ok:
        bad = (chk.df["end"] <= chk.df["start"]).to_numpy()
        if bad.any():
            chk.add(
                what="`end`",
                expectation="after `start`",
                got=f"{int(bad.sum())} event(s) ending at or before their start",
                column="end",
                rows=first_rows(chk.df, bad),
                hint="check DTEND/DURATION and the time zones of start and end",
            )
    if "status" in ok:
        bad = (~chk.df["status"].isin(EVENT_STATUSES)).to_numpy()
        if bad.any():
            chk.add(
                what="`status`",
                expectation=f"one of {', '.join(EVENT_STATUSES)}",
                got=repr(chk.df["status"][bad].iloc[0]),
                column="status",
                rows=first_rows(chk.df, bad),
                hint="readers map CANCELED/canceled to cancelled; write one of these words",
            )
    chk.check_unique(
        EVENTS.key, ok, hint="give each event a unique event_id (one row per event and zone)"
    )
    chk.check_known("zone", zones, ok, "zone")
    chk.raise_if_any()
    return chk.normalised(("start", "event_id", "zone"))


# ----------------------------------------------------------------------------- weather


def validate_weather(df: pd.DataFrame, *, source: str | None = None) -> pd.DataFrame:
    """Check a weather table (observations and/or issued forecasts); return it normalised.

    Observations have ``issued_at`` = NaT; forecasts carry the time they were
    issued, so that features can use only what was known at a forecast origin.
    """
    chk = TableChecker(WEATHER, df, source)
    chk.check_columns()
    ok = chk.check_dtypes()
    chk.check_range("temperature_c", -60, 60, ok, "°C")
    chk.check_min(
        "precipitation_mm", 0, ok, hint="precipitation cannot be negative; check codes like -1"
    )
    chk.check_min("wind_speed_ms", 0, ok)
    chk.check_min("sunshine_h", 0, ok)
    chk.check_range("humidity_pct", 0, 100, ok, "%")
    chk.check_unique(
        WEATHER.key,
        ok,
        hint="one row per (station,) hour and issue time; drop repeated exports",
    )
    chk.raise_if_any()
    return chk.normalised(("station", "issued_at", "timestamp"))


# ----------------------------------------------------------------------------- signals


def validate_signals(
    df: pd.DataFrame,
    *,
    source: str | None = None,
    locations: Collection[str] | None = None,
) -> pd.DataFrame:
    """Check a signals table (inputs of indicators) and return it normalised."""
    chk = TableChecker(SIGNALS, df, source)
    chk.check_columns()
    ok = chk.check_dtypes()
    chk.check_unique(SIGNALS.key, ok, hint="aggregate the signal per location and interval first")
    chk.check_known("location", locations, ok, "venue or zone")
    chk.raise_if_any()
    return chk.normalised(SIGNALS.key)


# ----------------------------------------------------------------------------- incidents


def validate_incidents(
    df: pd.DataFrame,
    *,
    source: str | None = None,
    zones: Collection[str] | object | None = None,
) -> pd.DataFrame:
    """Check an incidents table and return it normalised."""
    chk = TableChecker(INCIDENTS, df, source)
    chk.check_columns()
    ok = chk.check_dtypes()
    chk.check_min("count", 0, ok)
    chk.check_unique(INCIDENTS.key, ok, hint="sum incidents per interval, zone and kind")
    chk.check_known("zone", zones, ok, "zone")
    chk.raise_if_any()
    return chk.normalised(INCIDENTS.key)
