"""Data contracts: the standardised tables that flow between crowdcast's layers.

Every table is a plain :class:`pandas.DataFrame` with the columns below.
Timestamps are timezone-aware and stored in UTC; a timestamp marks the
START of its interval.

=========  ============================================================  ==========================
table      columns (dtype, unit)                                         key (unique)
=========  ============================================================  ==========================
counts     zone (str), timestamp (UTC), count (float >= 0, persons;      zone, timestamp
           NaN = interval not observed)
events     event_id, name, zone (str), start, end (UTC),                 event_id, zone
           expected_attendance (float, persons, NaN = unknown),
           category (str), status (confirmed | tentative | cancelled)
weather    timestamp (UTC), temperature_c, precipitation_mm,             [station,] timestamp,
           wind_speed_ms (float); optional sunshine_h, humidity_pct,     issued_at
           condition, station; issued_at (UTC, NaT = observation)
signals    timestamp (UTC), location (str), signal (str), value          timestamp, location,
           (float); optional unit (str)                                  signal
incidents  timestamp (UTC), zone (str), kind (str), count (int >= 0)     timestamp, zone, kind
forecast   zone, origin, timestamp (UTC), horizon (int), q<level>        zone, origin, horizon
           (float, persons; increasing level, never crossing)
=========  ============================================================  ==========================

Each ``validate_*`` function checks every rule, collects *all* problems and
raises one :class:`~crowdcast.exceptions.DataError` naming the source, the
column and the first offending rows (index labels; readers use file line
numbers). On success it returns a normalised copy: contract column order,
canonical dtypes (``datetime64[ns, UTC]``, ``float64``), sorted by key, with a
fresh ``RangeIndex``.

The package also owns the time grid (:mod:`crowdcast.schemas._time`: the
interval, UTC conversion, completing and gridding counts) and the forecast
table's helpers (:mod:`crowdcast.schemas._forecast`).
"""

from crowdcast.schemas._checker import require_columns, sorted_by
from crowdcast.schemas._contracts import (
    CONTRACTS,
    COUNTS,
    EVENT_STATUSES,
    EVENTS,
    INCIDENTS,
    SIGNALS,
    WEATHER,
    Column,
    Contract,
)
from crowdcast.schemas._forecast import (
    FORECAST,
    FORECAST_KEYS,
    make_rows,
    quantile_column,
    quantile_columns,
)
from crowdcast.schemas._tables import (
    validate_counts,
    validate_events,
    validate_incidents,
    validate_signals,
    validate_weather,
)
from crowdcast.schemas._time import (
    DAY,
    DAY_NS,
    HOUR,
    HOUR_NS,
    WEEK,
    History,
    as_timedelta,
    as_utc,
    complete_grid,
    find_gaps,
    infer_freq,
    interval_text,
    utc,
)
from crowdcast.schemas._types import FreqLike, PathLike, TimestampLike

__all__ = [
    "CONTRACTS",
    "COUNTS",
    "DAY",
    "DAY_NS",
    "EVENTS",
    "EVENT_STATUSES",
    "FORECAST",
    "FORECAST_KEYS",
    "HOUR",
    "HOUR_NS",
    "INCIDENTS",
    "SIGNALS",
    "WEATHER",
    "WEEK",
    "Column",
    "Contract",
    "FreqLike",
    "History",
    "PathLike",
    "TimestampLike",
    "as_timedelta",
    "as_utc",
    "complete_grid",
    "find_gaps",
    "infer_freq",
    "interval_text",
    "make_rows",
    "quantile_column",
    "quantile_columns",
    "require_columns",
    "sorted_by",
    "utc",
    "validate_counts",
    "validate_events",
    "validate_incidents",
    "validate_signals",
    "validate_weather",
]
