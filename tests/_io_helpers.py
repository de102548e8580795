"""What the reader tests share: the Amsterdam zones of the event fixtures, lookups by time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from crowdcast.profiles import Zone

FIXTURES = Path(__file__).parent / "fixtures"
AMS = "Europe/Amsterdam"

#: The zones the event fixtures name (by id, display name or coordinates).
ZONES = [
    Zone("dam", "Dam Square", lat=52.3731, lon=4.8932),
    Zone("noordermarkt", "Noordermarkt", lat=52.3796, lon=4.8862),
    Zone("museumplein", "Museumplein", lat=52.3573, lon=4.8818),
    Zone("arena", "ArenA Boulevard", lat=52.3124, lon=4.9440),
    Zone("westerpark", "Westerpark", lat=52.3868, lon=4.8767),
]
ZONE_LIST = "dam, noordermarkt, museumplein, arena, westerpark"
TZ_HINT = (
    "    hint: pass timezone= with the site's time zone, e.g. timezone='Europe/Amsterdam', "
    "to read them as local times"
)
#: The weather contract's columns in order, as the weather readers return them.
WEATHER_COLUMNS = [
    "timestamp",
    "temperature_c",
    "precipitation_mm",
    "wind_speed_ms",
    "sunshine_h",
    "humidity_pct",
    "station",
    "issued_at",
]


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def row(df: pd.DataFrame, event_id: str) -> pd.Series:
    """The one row of an event."""
    rows = df[df["event_id"] == event_id]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def span(df: pd.DataFrame, event_id: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    r = row(df, event_id)
    return r["start"], r["end"]


def row_at(df: pd.DataFrame, when: str) -> pd.Series:
    """The one weather row at a UTC time."""
    rows = df[df["timestamp"] == utc(when)]
    assert len(rows) == 1, f"expected one row at {when}, got {len(rows)}"
    return rows.iloc[0]
