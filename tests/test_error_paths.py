"""Every crowdcast error the readers raise says where (the file, or the argument) and how to fix it.

Two checks: every exception path of the readers, site profiles and libraries
(one bad input each, below) raises a crowdcast error whose every problem has
a hint and, for data and configuration, the file it is in; and every problem
written in those modules (``Problem(...)``, ``problems.add(...)``,
``format_message(...)``) passes a ``hint=``, so a new error path cannot be
added without one.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import crowdcast as cc
from crowdcast import io as cio
from crowdcast.exceptions import CrowdcastError, ParameterError
from crowdcast.profiles import Zone, load_indicator_library, load_site_profile

SRC = Path(__file__).resolve().parents[1] / "src" / "crowdcast"
ZONES = [Zone("square", "Square", lat=52.0, lon=5.0), Zone("gate", "Gate", measure="passages")]
T = "2024-06-01T10:00Z"


def csv(tmp_path: Path, text: str, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def counts(tmp_path: Path, rows: str, header: str = "zone,timestamp,count") -> Path:
    return csv(tmp_path, header + "\n" + rows)


def hours(zone: str, n: int, step: str = "1h", start: str = "2024-06-01") -> str:
    times = pd.date_range(start, periods=n, freq=step, tz="UTC")
    return "".join(f"{zone},{t:%Y-%m-%dT%H:%MZ},{i}\n" for i, t in enumerate(times))


def ics(tmp_path: Path, body: str, head: str = "") -> Path:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN", *head.split()]
    lines += ["BEGIN:VEVENT", *body.strip().splitlines(), "END:VEVENT", "END:VCALENDAR"]
    path = tmp_path / "e.ics"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


EVENT = "UID:u1\nSUMMARY:Fair\nDTSTART:20240601T100000Z\nDTEND:20240601T120000Z\nLOCATION:square"


def events_csv(tmp_path: Path, row: str, header: str = "event_id,name,zone,start,end") -> Path:
    return csv(tmp_path, header + "\n" + row + "\n", "e.csv")


def weather(tmp_path: Path, text: str) -> Path:
    return csv(tmp_path, text, "w.csv")


def knmi(
    tmp_path: Path, *rows: str, header: str = "# STN,YYYYMMDD,   HH,   FH,    T,   RH"
) -> Path:
    path = tmp_path / "uurgeg.txt"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def meteo(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "latitude": 52.0,
        "longitude": 5.0,
        "utc_offset_seconds": 0,
        "timezone": "GMT",
        "hourly_units": {"temperature_2m": "°C", "precipitation": "mm", "wind_speed_10m": "m/s"},
        "hourly": {
            "time": ["2024-06-01T12:00"],
            "temperature_2m": [20.0],
            "precipitation": [0.0],
            "wind_speed_10m": [3.0],
        },
    }
    data.update(changes)
    return data


SITE = """[site]
id = "x"
timezone = "Europe/Amsterdam"
[[zones]]
id = "a"
name = "Markt"
"""

# Each case: a call with one kind of bad input, by the reader path it takes.
CASES: dict[str, Callable[[Path], object]] = {
    # ---------------------------------------------------------------- CSV files and counts
    "missing file": lambda p: cc.read_counts(p / "nope.csv"),
    "empty file": lambda p: cc.read_counts(csv(p, "")),
    "row wider than the header": lambda p: cc.read_counts(counts(p, f"a,{T},1,2\n")),
    "not the encoding given": lambda p: cc.read_counts(
        (p / "c.csv").write_bytes(b"zone,timestamp,count\ncaf\xe9," + T.encode() + b",1\n")
        and p / "c.csv",
        encoding="utf-8",
    ),
    "invalid reader options": lambda p: cc.read_counts(counts(p, ""), sep=";;", decimal="x"),
    "unknown columns= key": lambda p: cc.read_counts(
        counts(p, hours("a", 2)), columns={"x": "zone"}
    ),
    "missing counts columns": lambda p: cc.read_counts(counts(p, f"a,{T}\n", "zone,timestamp")),
    "wide without zone columns": lambda p: cc.read_counts(
        csv(p, f"timestamp\n{T}\n"), layout="wide"
    ),
    "unnamed column with values": lambda p: cc.read_counts(
        csv(p, f",timestamp,a\n0,{T},1\n"), layout="wide"
    ),
    "ambiguous thousands": lambda p: cc.read_counts(counts(p, f"a,{T},1.234\n")),
    "not a number": lambda p: cc.read_counts(counts(p, f"a,{T},lots\n")),
    "misplaced thousands": lambda p: cc.read_counts(counts(p, f"a,{T},12.34\n"), thousands="."),
    "empty zone": lambda p: cc.read_counts(counts(p, f",{T},1\n")),
    "empty timestamp": lambda p: cc.read_counts(counts(p, "a,,1\n")),
    "unreadable timestamp": lambda p: cc.read_counts(counts(p, "a,yesterday,1\n")),
    "naive and offset mixed": lambda p: cc.read_counts(
        counts(p, f"a,{T},1\na,2024-06-01T11:00,2\n")
    ),
    "naive without timezone": lambda p: cc.read_counts(counts(p, "a,2024-06-01 10:00,1\n")),
    "local time skipped by DST": lambda p: cc.read_counts(
        counts(p, "a,2024-03-31 02:30,1\n"), timezone="Europe/Amsterdam"
    ),
    "day and month unclear": lambda p: cc.read_counts(
        counts(p, "a,01-06-2024 10:00,1\n"), timezone="UTC"
    ),
    "date_format does not fit": lambda p: cc.read_counts(
        counts(p, f"a,{T},1\n"), date_format="%d-%m-%Y"
    ),
    "unknown zone": lambda p: cc.read_counts(counts(p, hours("plaza", 2)), zones=ZONES),
    "negative count": lambda p: cc.read_counts(counts(p, f"a,{T},-5\na,2024-06-01T11:00Z,1\n")),
    "infinite count": lambda p: cc.read_counts(counts(p, f"a,{T},inf\na,2024-06-01T11:00Z,1\n")),
    "duplicate rows": lambda p: cc.read_counts(counts(p, f"a,{T},5\na,{T},6\n")),
    "interval changes": lambda p: cc.read_counts(
        counts(p, hours("gate", 8, "15min") + hours("gate", 5, "1h", "2024-06-01 02:00"))
    ),
    "zones at different intervals": lambda p: cc.read_counts(
        counts(p, hours("gate", 8, "15min") + hours("square", 5))
    ),
    "freq contradicted": lambda p: cc.read_counts(counts(p, hours("gate", 6)), freq="15min"),
    "resample without measures": lambda p: cc.read_counts(
        counts(p, hours("gate", 8, "15min") + hours("gate", 5, "1h", "2024-06-01 02:00")),
        resample="1h",
    ),
    "resample that cannot split": lambda p: cc.read_counts(
        counts(p, hours("gate", 6)), zones=ZONES, resample="30min"
    ),
    "resample of an unknown kind": lambda p: cc.read_counts(counts(p, hours("a", 2)), resample=3),
    "unknown timezone": lambda p: cc.read_counts(counts(p, hours("a", 2)), timezone="Mars/Base"),
    "unknown layout": lambda p: cc.read_counts(counts(p, hours("a", 2)), layout="tall"),
    "unknown label": lambda p: cc.read_counts(counts(p, hours("a", 2)), label="middle"),
    "one row without freq": lambda p: cc.read_counts(counts(p, f"a,{T},1\n")),
    "identifiers": lambda p: cc.read_counts(
        counts(p, f"a,{T},1,aa:bb:cc:dd:ee:ff\n", "zone,timestamp,count,mac")
    ),
    "unreadable parquet": lambda p: cc.read_counts(csv(p, "not parquet", "c.parquet")),
    # ---------------------------------------------------------------- events CSV
    "events: unknown zone": lambda p: cc.read_events_csv(
        events_csv(p, f"e1,Fair,Vondelpark,{T},2024-06-01T12:00Z"),
        zones=ZONES,
        on_unmatched="error",
    ),
    "events: naive without timezone": lambda p: cc.read_events_csv(
        events_csv(p, "e1,Fair,square,2024-06-01 10:00,2024-06-01 12:00"), zones=ZONES
    ),
    "events: unreadable time": lambda p: cc.read_events_csv(
        events_csv(p, f"e1,Fair,square,soon,{T}"), zones=ZONES
    ),
    "events: time repeated by DST": lambda p: cc.read_events_csv(
        events_csv(p, "e1,Fair,square,2024-10-27 02:30,2024-10-27 04:00"),
        zones=ZONES,
        timezone="Europe/Amsterdam",
    ),
    "events: end before start": lambda p: cc.read_events_csv(
        events_csv(p, f"e1,Fair,square,{T},2024-06-01T09:00Z"), zones=ZONES
    ),
    "events: bad on_unmatched": lambda p: cc.read_events_csv(
        events_csv(p, f"e1,Fair,square,{T},{T}"), zones=ZONES, on_unmatched="maybe"
    ),
    "events: ambiguous attendance": lambda p: cc.read_events_csv(
        events_csv(
            p,
            f"e1,Fair,square,{T},2024-06-01T12:00Z,1.500",
            "event_id,name,zone,start,end,expected_attendance",
        ),
        zones=ZONES,
    ),
    "events: bad status": lambda p: cc.read_events_csv(
        events_csv(
            p,
            f"e1,Fair,square,{T},2024-06-01T12:00Z,postponed",
            "event_id,name,zone,start,end,status",
        ),
        zones=ZONES,
    ),
    # ---------------------------------------------------------------- iCalendar
    "ical: missing file": lambda p: cc.read_ical(p / "nope.ics", zones=ZONES),
    "ical: not a calendar": lambda p: cc.read_ical(csv(p, "hello", "x.ics"), zones=ZONES),
    "ical: no UID or DTSTART": lambda p: cc.read_ical(ics(p, "SUMMARY:x"), zones=ZONES),
    "ical: unknown TZID": lambda p: cc.read_ical(
        ics(p, EVENT.replace("DTSTART:20240601T100000Z", "DTSTART;TZID=Mars/X:20240601T100000")),
        zones=ZONES,
    ),
    "ical: floating without timezone": lambda p: cc.read_ical(
        ics(p, EVENT.replace("100000Z", "100000").replace("120000Z", "120000")), zones=ZONES
    ),
    "ical: endless RRULE": lambda p: cc.read_ical(
        ics(p, EVENT + "\nRRULE:FREQ=DAILY"), zones=ZONES
    ),
    "ical: end before start": lambda p: cc.read_ical(
        ics(p, EVENT.replace("DTEND:20240601T120000Z", "DTEND:20240601T080000Z")), zones=ZONES
    ),
    "ical: DTEND and DURATION": lambda p: cc.read_ical(
        ics(p, EVENT + "\nDURATION:PT1H"), zones=ZONES
    ),
    "ical: malformed property": lambda p: cc.read_ical(ics(p, EVENT + "\nGEO:north"), zones=ZONES),
    "ical: bad window": lambda p: cc.read_ical(ics(p, EVENT), zones=ZONES, window=("b", "a")),
    "ical: unmatched location": lambda p: cc.read_ical(
        ics(p, EVENT.replace("square", "Vondelpark")), zones=ZONES, on_unmatched="error"
    ),
    "ical: bad attendance property": lambda p: cc.read_ical(
        ics(p, EVENT + "\nX-CROWDCAST-ATTENDANCE:many"), zones=ZONES
    ),
    "ical: bad attendance in DESCRIPTION": lambda p: cc.read_ical(
        ics(p, EVENT + "\nDESCRIPTION:Bezoekers: veel"), zones=ZONES
    ),
    "ical: unknown X-WR-TIMEZONE": lambda p: cc.read_ical(
        ics(p, EVENT, head="X-WR-TIMEZONE:Mars/X"), zones=ZONES
    ),
    "ical: bad description_patterns": lambda p: cc.read_ical(
        ics(p, EVENT), zones=ZONES, description_patterns={"size": "(x)"}
    ),
    "ical: details without uid": lambda p: cc.read_ical(
        ics(p, EVENT), zones=ZONES, details=csv(p, "id,category\nu1,x\n", "d.csv")
    ),
    "ical: details with a bad attendance": lambda p: cc.read_ical(
        ics(p, EVENT), zones=ZONES, details=csv(p, "uid,expected_attendance\nu1,1.5\n", "d.csv")
    ),
    "write_ical: bad timezone": lambda p: cio.write_ical(
        pd.DataFrame(), p / "x.ics", timezone="Mars/X"
    ),
    # ---------------------------------------------------------------- weather
    "weather: no weather column": lambda p: cc.read_weather_csv(
        weather(p, f"timestamp,x\n{T},1\n")
    ),
    "weather: unknown unit": lambda p: cc.read_weather_csv(
        weather(p, f"timestamp,temperature_c\n{T},1\n"), units={"temperature_c": "K"}
    ),
    "weather: bad label": lambda p: cc.read_weather_csv(
        weather(p, f"timestamp,temperature_c\n{T},1\n"), label="middle"
    ),
    "weather: not a number": lambda p: cc.read_weather_csv(
        weather(p, f"timestamp,temperature_c\n{T},warm\n")
    ),
    "weather: out of range": lambda p: cc.read_weather_csv(
        weather(p, f"timestamp,temperature_c\n{T},75\n")
    ),
    "weather: issued_at twice": lambda p: cc.read_weather_csv(
        weather(p, f"timestamp,temperature_c,issued_at\n{T},1,{T}\n"),
        issued_at=pd.Timestamp(T),
    ),
    "weather: non-contract mapping": lambda p: cc.read_weather_csv(
        weather(p, f"timestamp,t\n{T},1\n"), columns={"t": "temperature"}
    ),
    "weather: naive issued_at": lambda p: cc.read_weather_csv(
        weather(p, f"timestamp,temperature_c\n{T},1\n"), issued_at="2024-06-01"
    ),
    "weather: unknown timezone": lambda p: cc.read_weather_csv(
        weather(p, f"timestamp,temperature_c\n{T},1\n"), timezone="Mars/X"
    ),
    "knmi: no header": lambda p: cc.read_knmi(csv(p, "hello\n", "k.txt")),
    "knmi: missing columns": lambda p: cc.read_knmi(knmi(p, header="# STN,YYYYMMDD,HH,T")),
    "knmi: wrong width": lambda p: cc.read_knmi(knmi(p, "260,20240601,1,30")),
    "knmi: bad date and hour": lambda p: cc.read_knmi(knmi(p, "260,20241301,25,30,49,0")),
    "knmi: bad number": lambda p: cc.read_knmi(knmi(p, "260,20240601,1,30,4.9x,0")),
    "knmi: unknown station": lambda p: cc.read_knmi(
        knmi(p, "260,20240601,1,30,49,0"), stations=[999]
    ),
    "open-meteo: invalid JSON": lambda p: cc.read_open_meteo(csv(p, "{nope", "o.json")),
    "open-meteo: not an object": lambda p: cc.read_open_meteo([1]),
    "open-meteo: API error": lambda p: cc.read_open_meteo({"error": True, "reason": "bad"}),
    "open-meteo: no hourly block": lambda p: cc.read_open_meteo({"latitude": 1}),
    "open-meteo: missing variable": lambda p: cc.read_open_meteo(
        meteo(hourly={"time": ["2024-06-01T12:00"]})
    ),
    "open-meteo: uneven arrays": lambda p: cc.read_open_meteo(
        meteo(hourly={**meteo()["hourly"], "precipitation": []})  # type: ignore[dict-item]
    ),
    "open-meteo: unknown unit": lambda p: cc.read_open_meteo(
        meteo(hourly_units={"temperature_2m": "K", "precipitation": "mm", "wind_speed_10m": "m/s"})
    ),
    "open-meteo: bad time": lambda p: cc.read_open_meteo(
        meteo(hourly={**meteo()["hourly"], "time": ["noon"]})  # type: ignore[dict-item]
    ),
    "open-meteo: unknown timezone": lambda p: cc.read_open_meteo(
        {k: v for k, v in meteo(timezone="Mars/X").items() if k != "utc_offset_seconds"}
    ),
    "open-meteo: bad offset": lambda p: cc.read_open_meteo(meteo(utc_offset_seconds="2h")),
    "perfect forecasts: bad horizon": lambda p: cio.observed_as_forecasts(
        cc.read_weather_csv(weather(p, f"timestamp,temperature_c\n{T},1\n")), horizon="soon"
    ),
    # ---------------------------------------------------------------- signals, incidents
    "incidents: not whole": lambda p: cc.read_incidents(
        csv(p, f"timestamp,zone,kind,count\n{T},square,fight,1.5\n")
    ),
    "signals: unknown location": lambda p: cc.read_signals(
        csv(p, f"timestamp,location,signal,value\n{T},pub,beer,1\n"), locations=["bar"]
    ),
    # ------------------------------------------------------------- profiles, libraries, load_city
    "profile: missing file": lambda p: load_site_profile(p / "nope.toml"),
    "profile: invalid TOML": lambda p: load_site_profile(csv(p, "[site\n", "s.toml")),
    "profile: bad keys": lambda p: load_site_profile(
        csv(p, SITE + 'area_m2 = -1\nmeasure = "people"\nflavour = "x"\n', "s.toml")
    ),
    "profile: a name of two zones": lambda p: load_site_profile(
        csv(p, SITE + '[[zones]]\nid = "b"\naliases = ["markt"]\n', "s.toml")
    ),
    "profile: bad source": lambda p: load_site_profile(
        csv(
            p,
            SITE + '[[sources]]\nid = "c"\nkind = "counts"\nformat = "ics"\npath = "c.csv"\n',
            "s.toml",
        )
    ),
    "load_city: unknown reader option": lambda p: cc.load_city(
        csv(
            p,
            SITE
            + '[[sources]]\nid = "c"\nkind = "counts"\nformat = "csv"\npath = "c.csv"\n'
            + 'purposes = ["crowd_safety"]\noptions = {colour = "red"}\n',
            "s.toml",
        ),
        purpose="crowd_safety",
    ),
    "library: thresholds not increasing": lambda p: load_indicator_library(
        csv(
            p,
            '[library]\nid = "l"\nversion = "1"\ntitle = "t"\n[[indicators]]\nid = "d"\n'
            'title = "d"\nhazard = "crowding"\n[indicators.effect]\nform = "bands"\n'
            'thresholds = [2.0, 1.0]\nlevels = ["a", "b"]\n',
            "l.toml",
        )
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_error_says_where_and_how_to_fix_it(tmp_path: Path, case: str) -> None:
    with pytest.raises(CrowdcastError) as info:
        CASES[case](tmp_path)
    error = info.value
    problems = getattr(error, "problems", ())
    if not problems:  # an argument error in the one message template
        assert isinstance(error, ParameterError), error
        assert "\n  hint: " in str(error), str(error)
        return
    for problem in problems:
        assert problem.hint, f"{case}: no hint in\n{problem}"
        if not isinstance(error, ParameterError):
            assert problem.source, f"{case}: no file named in\n{problem}"
        else:
            assert "`" in problem.what or problem.source, f"{case}: no argument named in\n{problem}"


# ----------------------------------------------------------------------------- static check

_MODULES = [
    *sorted((SRC / "io").glob("*.py")),
    *sorted((SRC / "profiles").glob("*.py")),
    SRC / "schemas" / "_checker.py",
    SRC / "schemas" / "_tables.py",
]
_COLLECTORS = ("problems", "found", "chk", "self", "self.found", "unmatched.problems")


def _receiver(node: ast.expr) -> str:
    return ast.unparse(node)


def _problem_calls(path: Path) -> list[tuple[int, str, str]]:
    """Calls that write a problem without ``hint=`` (a ``**kwargs`` pass-through is trusted)."""
    missing = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("Problem", "format_message"):
            name = func.id
        elif (
            isinstance(func, ast.Attribute)
            and func.attr == "add"
            and _receiver(func.value) in _COLLECTORS
            and (len(node.args) >= 2 or any(k.arg == "what" for k in node.keywords))
        ):
            name = f"{_receiver(func.value)}.add"
        else:
            continue
        keywords = {k.arg for k in node.keywords}
        if "hint" not in keywords and None not in keywords:
            first = ast.unparse(node.args[0]) if node.args else ""
            missing.append((node.lineno, name, first))
    return missing


#: A lookup outside the reader paths whose exact message another test pins
#: (IndicatorLibrary.__getitem__, tests/test_risk_indicators.py).
_ALLOWED = {("profiles/_model.py", "'`indicator_id`'")}


def test_every_problem_written_by_the_readers_has_a_hint() -> None:
    missing = {
        f"{path.relative_to(SRC)}:{line}": name
        for path in _MODULES
        for line, name, first in _problem_calls(path)
        if (str(path.relative_to(SRC)), first) not in _ALLOWED
    }
    assert not missing, f"problems without hint=: {missing}"


def test_the_profile_reader_gives_every_key_problem_a_hint() -> None:
    from crowdcast.profiles._toml import Reader

    r = Reader("site.toml", "site profile")
    r.error("zones[0].area_m2", "a positive number", -5)
    assert all(p.hint for p in r.problems)
