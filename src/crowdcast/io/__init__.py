"""Readers: files in the formats cities have, out as validated contract tables."""

from crowdcast._city import City
from crowdcast.io._counts import read_counts
from crowdcast.io._events import read_events_csv, read_ical, write_ical
from crowdcast.io._site import load_city
from crowdcast.io._tables import read_incidents, read_signals
from crowdcast.io._weather import read_knmi, read_open_meteo, read_weather_csv

__all__ = [
    "City",
    "load_city",
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
