"""The contracts: each table's columns, dtypes, units and key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

__all__ = [
    "CONTRACTS",
    "COUNTS",
    "EVENTS",
    "EVENT_STATUSES",
    "INCIDENTS",
    "SIGNALS",
    "WEATHER",
    "Column",
    "Contract",
]

Kind = Literal["str", "datetime", "float", "int", "bool"]
EVENT_STATUSES = ("confirmed", "tentative", "cancelled")


@dataclass(frozen=True)
class Column:
    """One column of a contract."""

    name: str
    kind: Kind
    description: str
    unit: str | None = None
    required: bool = True
    nullable: bool = False


@dataclass(frozen=True)
class Contract:
    """A named table layout: its columns and the key that must be unique."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def describe(self) -> pd.DataFrame:
        """The contract as a table, for documentation and notebooks."""
        return pd.DataFrame(
            [
                {
                    "column": c.name,
                    "dtype": c.kind,
                    "unit": c.unit or "",
                    "required": c.required,
                    "nullable": c.nullable,
                    "description": c.description,
                }
                for c in self.columns
            ]
        )


COUNTS = Contract(
    "counts",
    (
        Column("zone", "str", "zone id from the site profile"),
        Column("timestamp", "datetime", "start of the interval, UTC"),
        Column(
            "count",
            "float",
            "people present (occupancy) or passing (passages) in the interval; "
            "NaN marks an interval on the grid that was not observed",
            unit="persons",
            nullable=True,
        ),
    ),
    key=("zone", "timestamp"),
)

EVENTS = Contract(
    "events",
    (
        Column("event_id", "str", "unique id; recurrences get '<uid>@<start>'"),
        Column("name", "str", "human-readable title"),
        Column("zone", "str", "zone id the event takes place in (one row per zone)"),
        Column("start", "datetime", "start, UTC"),
        Column("end", "datetime", "end (exclusive), UTC"),
        Column("expected_attendance", "float", "expected visitors", unit="persons", nullable=True),
        Column("category", "str", "free category, e.g. market, football, concert"),
        Column("status", "str", "confirmed, tentative or cancelled"),
    ),
    key=("event_id", "zone"),
)

WEATHER = Contract(
    "weather",
    (
        Column("timestamp", "datetime", "start of the hour the values describe, UTC"),
        Column("temperature_c", "float", "air temperature", unit="°C", nullable=True),
        Column("precipitation_mm", "float", "precipitation sum", unit="mm", nullable=True),
        Column("wind_speed_ms", "float", "mean wind speed", unit="m/s", nullable=True),
        Column("sunshine_h", "float", "sunshine duration", unit="h", required=False, nullable=True),
        Column(
            "humidity_pct", "float", "relative humidity", unit="%", required=False, nullable=True
        ),
        Column("condition", "str", "free text or code", required=False, nullable=True),
        Column("station", "str", "station or grid point id", required=False),
        Column(
            "issued_at",
            "datetime",
            "when a forecast was issued, UTC; NaT for observations",
            nullable=True,
        ),
    ),
    key=("station", "timestamp", "issued_at"),
)

SIGNALS = Contract(
    "signals",
    (
        Column("timestamp", "datetime", "start of the interval, UTC"),
        Column("location", "str", "venue or zone id"),
        Column("signal", "str", "signal name, e.g. alcohol_litres_sold"),
        Column("value", "float", "signal value in its unit", nullable=True),
        Column("unit", "str", "unit of value, e.g. L", required=False),
    ),
    key=("timestamp", "location", "signal"),
)

INCIDENTS = Contract(
    "incidents",
    (
        Column("timestamp", "datetime", "start of the interval, UTC"),
        Column("zone", "str", "zone id"),
        Column("kind", "str", "incident kind, e.g. aggression"),
        Column("count", "int", "number of incidents", unit="incidents"),
    ),
    key=("timestamp", "zone", "kind"),
)

CONTRACTS = {c.name: c for c in (COUNTS, EVENTS, WEATHER, SIGNALS, INCIDENTS)}
