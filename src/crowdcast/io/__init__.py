"""Readers: files in the formats cities have, out as validated contract tables.

========================  ==============================================  ====================
function                  reads (or writes)                               module
========================  ==============================================  ====================
``read_counts``           counts: CSV/Parquet, long or wide, line         ``_counts``
                          counters
``read_events_csv``       events kept as a table                          ``_events_csv``
``read_ical``,            events: iCalendar (RFC 5545), recurrences       ``_ical``,
``write_ical``            expanded                                        ``_ical_write``
``read_knmi``             KNMI hourly station files                       ``_knmi``
``read_open_meteo``       Open-Meteo hourly JSON                          ``_open_meteo``
``read_weather_csv``      weather kept as a table, units converted        ``_weather_csv``
``observed_as_forecasts`` observed weather as forecasts issued at each    ``_forecasts``
                          origin (perfect-forecast backtests)
``read_signals``,         signals and incidents: CSV/Parquet              ``_tables``
``read_incidents``
``load_city``             every source a site profile declares, as a      ``_site``
                          :class:`City`
========================  ==============================================  ====================

Shared by the readers: ``_csv`` (a CSV file's layout sniffed, reader options,
rows read in blocks), ``_numbers`` and ``_times`` (the one rule for numbers
and for timestamps), ``_common`` (open a table or file, map columns),
``_zones`` (zone names, aliases, free text and positions to zone ids),
``_units`` (weather units to the contract's, plausibility), ``_intervals``
(the interval of each counts row, exact aggregation), ``_count_blocks``
(counts read block by block into compact arrays) and ``_event_details``
(attendance and category from DESCRIPTION or a side CSV).

One timing rule for KNMI and Open-Meteo
---------------------------------------
Both sources label an hour by its END. KNMI's ``HH = 5`` is the hour
04:00-05:00 UT; Open-Meteo's precipitation at ``05:00`` is the sum of
04:00-05:00. Both readers therefore give a source row the timestamp
``label - 1 h``, the start of the hour it sums. The whole row moves, so an
instantaneous value in it (temperature, wind, humidity) is the reading at the
END of the row's hour, as both sources report it. Because observed (KNMI) and
forecast (Open-Meteo) rows follow the same rule, they line up in training and in
serving. Only the summed values would keep their exact meaning if just those
were moved, and the edges would then be half empty.
"""

from crowdcast._city import City
from crowdcast.io._counts import read_counts
from crowdcast.io._events_csv import read_events_csv
from crowdcast.io._forecasts import observed_as_forecasts
from crowdcast.io._ical import read_ical
from crowdcast.io._ical_write import write_ical
from crowdcast.io._knmi import read_knmi
from crowdcast.io._open_meteo import read_open_meteo
from crowdcast.io._site import load_city
from crowdcast.io._tables import read_incidents, read_signals
from crowdcast.io._weather_csv import read_weather_csv

__all__ = [
    "City",
    "load_city",
    "observed_as_forecasts",
    "read_counts",
    "read_events_csv",
    "read_ical",
    "read_incidents",
    "read_knmi",
    "read_open_meteo",
    "read_signals",
    "read_weather_csv",
    "write_ical",
]
