"""Writing the sample city's files, deterministically (same arrays, same bytes).

:func:`write_files` writes :data:`FILES` in the formats real sources use.
Every number is formatted here, explicitly, so the bytes do not depend on the
pandas version: integers as integers, other values with a fixed number of
decimals, ``-0.0`` never. CSV files use ``\\n`` line endings; the KNMI file
uses CRLF like the real exports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crowdcast.io import write_ical
from crowdcast.sample._havenstad import TIMEZONE
from crowdcast.sample._readme import readme
from crowdcast.sample._site_file import site_toml
from crowdcast.sample._tables import Simulation
from crowdcast.sample._weather import STATION, Weather

__all__ = ["FILES", "KNMI_COLUMNS", "fixed", "iso_utc", "write_csv", "write_files", "write_knmi"]

#: Files make_city writes, in the order it writes them.
FILES = (
    "site.toml",
    "counts.csv",
    "events.ics",
    "weather_knmi.txt",
    "weather_forecasts.csv",
    "signals.csv",
    "incidents.csv",
    "README.md",
)

KNMI_COLUMNS = (
    "STN", "YYYYMMDD", "HH", "DD", "FH", "FF", "FX", "T", "T10N", "TD", "SQ", "Q", "DR", "RH",
    "P", "VV", "N", "U", "WW", "IX", "M", "R", "S", "O", "Y",
)  # fmt: skip

_KNMI_LEGEND = (
    "BRON: SYNTHETISCHE GEGEVENS - gesimuleerd door crowdcast voor de voorbeeldstad Havenstad,",
    "in de indeling van de uurgegevens van het",
    "KONINKLIJK NEDERLANDS METEOROLOGISCH INSTITUUT (KNMI)",
    "Opmerking: dit zijn GEEN waarnemingen van het KNMI; stationsnummer 260 is alleen een label.",
    "",
    "SOURCE: SYNTHETIC DATA - simulated by crowdcast for the sample city Havenstad,",
    "in the layout of the hourly station data of the",
    "ROYAL NETHERLANDS METEOROLOGICAL INSTITUTE (KNMI)",
    "Comment: these are NOT KNMI observations; station number 260 is only a label.",
    "",
    "YYYYMMDD  = datum (YYYY=jaar,MM=maand,DD=dag) / date (YYYY=year,MM=month,DD=day)",
    "HH        = tijd (HH=uur, UT. Uurvak 05 loopt van 04.00 UT tot 5.00 UT / "
    "time (HH uur/hour, UT. Hourly division 05 runs from 04.00 UT to 5.00 UT",
    "DD        = Windrichting (in graden) / Mean wind direction (in degrees) "
    "(360=north, 90=east, 180=south, 270=west, 0=calm 990=variable)",
    "FH        = Uurgemiddelde windsnelheid (in 0.1 m/s) / Hourly mean wind speed (in 0.1 m/s)",
    "FF        = Windsnelheid (in 0.1 m/s) gemiddeld over de laatste 10 minuten / "
    "Mean wind speed (in 0.1 m/s) during the last 10 minutes",
    "FX        = Hoogste windstoot (in 0.1 m/s) / Maximum wind gust (in 0.1 m/s)",
    "T         = Temperatuur (in 0.1 graden Celsius) op 1.50 m hoogte / "
    "Temperature (in 0.1 degrees Celsius) at 1.50 m",
    "T10N      = Minimumtemperatuur (in 0.1 graden Celsius) op 10 cm hoogte / "
    "Minimum temperature (in 0.1 degrees Celsius) at 0.1 m (not simulated: blank)",
    "TD        = Dauwpuntstemperatuur (in 0.1 graden Celsius) / Dew point temperature (in 0.1 °C)",
    "SQ        = Duur van de zonneschijn (in 0.1 uren) per uurvak (-1 for <0.05 uur) / "
    "Sunshine duration (in 0.1 hour) (-1 for <0.05 hour)",
    "Q         = Globale straling (in J/cm2) / Global radiation (in J/cm2) (not simulated: blank)",
    "DR        = Duur van de neerslag (in 0.1 uur) / Precipitation duration (in 0.1 hour)",
    "RH        = Uursom van de neerslag (in 0.1 mm) (-1 voor <0.05 mm) / "
    "Hourly precipitation amount (in 0.1 mm) (-1 for <0.05 mm)",
    "P         = Luchtdruk (in 0.1 hPa) herleid naar zeeniveau / "
    "Air pressure (in 0.1 hPa) reduced to mean sea level",
    "VV        = Horizontaal zicht / Horizontal visibility (not simulated: blank)",
    "N         = Bewolking (in achtsten) / Cloud cover (in octants)",
    "U         = Relatieve vochtigheid (in procenten) / Relative humidity (in percents)",
    "WW        = Weercode / Present weather code (not simulated: blank)",
    "IX        = Weercode indicator / Indicator present weather code (not simulated: blank)",
    "M         = Mist 0=niet voorgekomen, 1=wel voorgekomen / Fog 0=no occurrence, 1=occurred",
    "R         = Regen 0=niet voorgekomen, 1=wel voorgekomen / Rain 0=no occurrence, 1=occurred",
    "S         = Sneeuw 0=niet voorgekomen, 1=wel voorgekomen / Snow 0=no occurrence, 1=occurred",
    "O         = Onweer 0=niet voorgekomen, 1=wel voorgekomen / "
    "Thunder 0=no occurrence, 1=occurred",
    "Y         = IJsvorming 0=niet voorgekomen, 1=wel voorgekomen / "
    "Ice formation 0=no occurrence, 1=occurred",
    "",
)


def iso_utc(times: pd.DatetimeIndex) -> np.ndarray:
    """``2023-01-01T00:00:00Z`` for each (UTC) time, as an object array of str."""
    return np.asarray(times.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ"), dtype=object)


def fixed(values: np.ndarray, decimals: int) -> np.ndarray:
    """Numbers with a fixed number of decimals (``"-0.0"`` written as ``"0.0"``)."""
    rounded = np.round(np.asarray(values, dtype="float64"), decimals) + 0.0
    return np.asarray([f"{v:.{decimals}f}" for v in rounded.tolist()], dtype=object)


def write_csv(path: Path, columns: Mapping[str, Sequence[object] | np.ndarray]) -> None:
    """Write text columns (already formatted) as CSV with a header and ``\\n`` line endings."""
    names = list(columns)
    cols = [np.asarray(columns[c], dtype=object) for c in names]
    lines = [",".join(names)]
    if cols and len(cols[0]):
        body = cols[0]
        for col in cols[1:]:
            body = body + "," + col
        lines.extend(body.tolist())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


def write_knmi(path: Path, weather: Weather, n_hours: int) -> None:
    """Write the first ``n_hours`` of ``weather`` as a KNMI "uurgegevens" file (CRLF)."""
    hours = weather.hours[:n_hours]
    header = "# STN,YYYYMMDD," + ",".join(f"{c:>5}" for c in KNMI_COLUMNS[2:])
    dates = np.asarray(hours.strftime("%Y%m%d"), dtype=object)
    hh = hours.hour.to_numpy() + 1
    blank = "     "
    fields: list[np.ndarray] = [np.full(n_hours, f"{STATION:>5}", dtype=object), dates]
    fields.append(np.asarray([f"{h:>5}" for h in hh.tolist()], dtype=object))
    for name in KNMI_COLUMNS[3:]:
        if name in weather.columns:
            values = weather.columns[name][:n_hours].tolist()
            fields.append(np.asarray([f"{v:>5}" for v in values], dtype=object))
        else:
            fields.append(np.full(n_hours, blank, dtype=object))
    rows = fields[0]
    for f in fields[1:]:
        rows = rows + "," + f
    text = "\r\n".join([*_KNMI_LEGEND, header, "", *rows.tolist()]) + "\r\n"
    path.write_bytes(text.encode("utf-8"))


def _write_counts(path: Path, counts: pd.DataFrame) -> None:
    """``counts.csv``: observed counts only (an outage is absent rows, not zeros)."""
    seen = counts["count"].notna().to_numpy()
    values = counts["count"].to_numpy()[seen].astype("int64")
    write_csv(
        path,
        {
            "zone": counts["zone"].to_numpy(dtype=object)[seen],
            "timestamp": iso_utc(pd.DatetimeIndex(counts["timestamp"][seen])),
            "count": np.asarray([str(v) for v in values.tolist()], dtype=object),
        },
    )


def _write_forecasts(path: Path, forecasts: pd.DataFrame) -> None:
    fc = forecasts.sort_values(["issued_at", "timestamp"], kind="stable")
    write_csv(
        path,
        {
            "timestamp": iso_utc(pd.DatetimeIndex(fc["timestamp"])),
            "issued_at": iso_utc(pd.DatetimeIndex(fc["issued_at"])),
            "station": fc["station"].to_numpy(dtype=object),
            "temperature_c": fixed(fc["temperature_c"].to_numpy(), 1),
            "precipitation_mm": fixed(fc["precipitation_mm"].to_numpy(), 1),
            "wind_speed_ms": fixed(fc["wind_speed_ms"].to_numpy(), 1),
        },
    )


def _write_signals(path: Path, signals: pd.DataFrame) -> None:
    write_csv(
        path,
        {
            "timestamp": iso_utc(pd.DatetimeIndex(signals["timestamp"])),
            "location": signals["location"].to_numpy(dtype=object),
            "signal": signals["signal"].to_numpy(dtype=object),
            "value": fixed(signals["value"].to_numpy(), 1),
            "unit": signals["unit"].to_numpy(dtype=object),
        },
    )


def _write_incidents(path: Path, incidents: pd.DataFrame) -> None:
    write_csv(
        path,
        {
            "timestamp": iso_utc(pd.DatetimeIndex(incidents["timestamp"])),
            "zone": incidents["zone"].to_numpy(dtype=object),
            "kind": incidents["kind"].to_numpy(dtype=object),
            "count": np.asarray([str(v) for v in incidents["count"].tolist()], dtype=object),
        },
    )


def write_files(
    folder: Path,
    doc: Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame],
    truth: Mapping[str, Any],
    sim: Simulation,
) -> tuple[Path, ...]:
    """Write :data:`FILES` into ``folder`` (created if needed), in that order; their paths.

    ``doc`` is the site profile document, ``tables`` and ``truth`` what
    :func:`~crowdcast.sample._tables.contract_tables` and
    :func:`~crowdcast.sample._tables.truth` made of ``sim``. Existing files
    are replaced: the caller checked that it may.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = tuple(folder / f for f in FILES)
    site, counts, events, knmi, forecasts, signals, incidents, readme_md = paths
    site.write_text(site_toml(doc), encoding="utf-8", newline="\n")
    _write_counts(counts, tables["counts"])
    write_ical(
        tables["events"],
        events,
        timezone=TIMEZONE,
        calendar_name="Havenstad evenementen",
        overwrite=True,
    )
    write_knmi(knmi, sim.weather, 24 * sim.days)
    _write_forecasts(forecasts, tables["weather_forecasts"])
    _write_signals(signals, tables["signals"])
    _write_incidents(incidents, tables["incidents"])
    text = readme(doc, tables, truth, sim.zones)
    readme_md.write_text(text, encoding="utf-8", newline="\n")
    return paths
