"""Read KNMI hourly station files ("uurgegevens") into the ``weather`` contract.

KNMI labels an hour by its END (``HH = 5`` is 04:00-05:00 UT); a row gets the
timestamp of the START of its hour, as every weather reader does (see
:mod:`crowdcast.io`).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from crowdcast._validation import Problems
from crowdcast.exceptions import DataValidationError, ParseError, Problem
from crowdcast.io._common import PathOrFile, read_text, utc_column
from crowdcast.io._units import convert, numbers
from crowdcast.schemas import validate_weather

__all__ = ["read_knmi"]

_KNMI_TITLE = "Cannot read KNMI file"
_KNMI_HINT = "is this a KNMI hourly export? expected a line starting with '# STN,YYYYMMDD,'"
# KNMI column -> (contract column, KNMI unit). In RH and SQ, -1 codes "less than 0.05".
_KNMI_VALUES = {
    "T": ("temperature_c", "0.1 °C"),
    "RH": ("precipitation_mm", "0.1 mm"),
    "FH": ("wind_speed_ms", "0.1 m/s"),
    "SQ": ("sunshine_h", "0.1 h"),
    "U": ("humidity_pct", "%"),
}
_KNMI_REQUIRED = ("STN", "YYYYMMDD", "HH", "T", "RH", "FH")


def read_knmi(
    path: PathOrFile, *, stations: Iterable[str | int] | str | int | None = None
) -> pd.DataFrame:
    """Read a KNMI hourly station file ("uurgegevens", ``uurgeg_260_1991-2000.txt``).

    The header is found by its ``STN,YYYYMMDD`` line, so exports that prefix
    every legend line with ``#`` read as well. Fields are comma separated and
    padded with spaces; a blank field is missing (NaN), never zero.

    ``HH`` runs from 1 to 24 and labels the hour ENDING at ``HH`` UT, so a row's
    timestamp, the start of its hour, is ``YYYYMMDD + (HH - 1) h`` in UTC (KNMI
    works in UT all year: there is no daylight saving time to undo; see
    :mod:`crowdcast.io` for the timing rule KNMI and Open-Meteo share).

    ========  ====================  =========================================
    KNMI      contract column       conversion
    ========  ====================  =========================================
    STN       station               as text, e.g. ``"260"``
    T         temperature_c         0.1 °C -> °C (read at the end of the hour)
    RH        precipitation_mm      0.1 mm -> mm; -1 (trace, < 0.05 mm) -> 0.0
    FH        wind_speed_ms         hourly mean, 0.1 m/s -> m/s
    SQ        sunshine_h            0.1 h -> h; -1 (< 0.05 h) -> 0.0
    U         humidity_pct          %
    ========  ====================  =========================================

    Parameters
    ----------
    path
        Path of the file, or an open text or binary file.
    stations
        Keep only these station numbers (``260`` or ``"260"``); all when None.

    Returns
    -------
    pandas.DataFrame
        A validated ``weather`` table with ``issued_at`` = NaT (observations).

    Raises
    ------
    ParseError
        No ``STN,YYYYMMDD`` header, a column the contract needs is missing, a
        row has the wrong number of fields, a value is not a number, a date is
        invalid or ``HH`` is outside 1..24; naming the file lines.
    DataValidationError
        A requested station is not in the file, or values break the contract
        (e.g. a temperature above 60 °C), naming the file lines.

    Examples
    --------
    >>> import io
    >>> text = (
    ...     "# STN,YYYYMMDD,   HH,   FH,    T,   RH\\n"
    ...     "  260,20000101,    1,   30,   49,   -1\\n"
    ...     "  260,20000101,   24,   20,   57,    4\\n"
    ... )
    >>> read_knmi(io.StringIO(text))[["timestamp", "temperature_c", "precipitation_mm"]]
                      timestamp  temperature_c  precipitation_mm
    0 2000-01-01 00:00:00+00:00            4.9               0.0
    1 2000-01-01 23:00:00+00:00            5.7               0.4
    """
    text, source = read_text(path, _KNMI_TITLE)
    lines = text.splitlines()
    header_at, names = _knmi_header(lines, source)
    problems = Problems(source=source, error=ParseError, title=_KNMI_TITLE)
    raw = _knmi_rows(lines, header_at, names, problems)
    out = _knmi_values(raw, problems, source)
    problems.raise_if_any()
    if stations is not None:
        out = _select_stations(out, stations, source)
    return validate_weather(out, source=source)


def _knmi_rows(
    lines: list[str], header_at: int, names: list[str], problems: Problems
) -> pd.DataFrame:
    """The data rows as text, indexed by file line; rows of another width are a problem."""
    rows: list[list[str]] = []
    line_numbers: list[int] = []
    bad_width: list[int] = []
    for number, line in enumerate(lines[header_at + 1 :], start=header_at + 2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in line.split(",")]
        if len(fields) == len(names):
            rows.append(fields)
            line_numbers.append(number)
        else:
            bad_width.append(number)
    if bad_width:
        problems.add(
            "each data row",
            f"{len(names)} comma-separated fields long, like the header",
            f"{len(bad_width)} row(s) with another number",
            rows=tuple(bad_width),
            hint="the file may be cut off or edited by hand",
        )
    return pd.DataFrame(rows, columns=names, index=pd.Index(line_numbers), dtype=object)


def _knmi_values(raw: pd.DataFrame, problems: Problems, source: str) -> pd.DataFrame:
    """The rows in the contract: station, start of the hour (UTC), converted values."""
    date = pd.to_datetime(raw["YYYYMMDD"], format="%Y%m%d", errors="coerce")
    _knmi_key_problem(raw, date.isna(), "YYYYMMDD", "a date like 20000101", problems)
    hour = pd.to_numeric(raw["HH"], errors="coerce")
    bad_hour = ~hour.between(1, 24) | (hour % 1 != 0)
    _knmi_key_problem(
        raw, bad_hour, "HH", "a whole hour from 1 to 24 (the hour ending at HH UT)", problems
    )
    out = pd.DataFrame(index=raw.index)
    out["station"] = raw["STN"].where(raw["STN"] != "")
    out["timestamp"] = (date + pd.to_timedelta(hour - 1, unit="h")).dt.tz_localize("UTC")
    for name, (column, unit) in _KNMI_VALUES.items():
        if name in raw.columns:
            value = numbers(raw[name], problems, column=name, source=source)
            if name in ("RH", "SQ"):
                value = value.mask(value == -1, 0.0)
            out[column] = convert(value, column, unit, problems, name=name)
    out["issued_at"] = utc_column(out.index)
    return out


def _knmi_header(lines: list[str], source: str) -> tuple[int, list[str]]:
    for i, line in enumerate(lines):
        if line.lstrip("# ").replace(" ", "").startswith("STN,YYYYMMDD,"):
            names = [n.strip().lstrip("#").strip() for n in line.split(",")]
            missing = [n for n in _KNMI_REQUIRED if n not in names]
            if missing:
                raise ParseError(
                    [
                        Problem(
                            f"KNMI columns {', '.join(_KNMI_REQUIRED)}",
                            "present",
                            f"no {', '.join(missing)} in the header on line {i + 1}",
                            source=source,
                            hint="read_knmi reads hourly files (uurgeg_*); "
                            "download them with the variables T, RH and FH (and SQ, U)",
                        )
                    ],
                    title=_KNMI_TITLE,
                )
            return i, names
    raise ParseError(
        [
            Problem(
                "the file",
                "a KNMI hourly export with a 'STN,YYYYMMDD,HH,...' header line",
                f"no such line among its {len(lines)} lines",
                source=source,
                hint=_KNMI_HINT,
            )
        ],
        title=_KNMI_TITLE,
    )


def _knmi_key_problem(
    raw: pd.DataFrame, bad: pd.Series, name: str, expectation: str, problems: Problems
) -> None:
    if bad.any():
        problems.add(
            f"`{name}`",
            expectation,
            f"{int(bad.sum())} other value(s), e.g. {raw.loc[bad, name].iloc[0]!r}",
            column=name,
            rows=tuple(raw.index[bad.to_numpy()]),
            hint="the file may be cut off or edited by hand; download it again from KNMI",
        )


def _select_stations(
    df: pd.DataFrame, stations: Iterable[str | int] | str | int, source: str
) -> pd.DataFrame:
    wanted = [stations] if isinstance(stations, str | int) else list(stations)
    wanted_text = {str(s).strip() for s in wanted}
    present = set(df["station"].dropna())
    absent = sorted(wanted_text - present)
    if absent:
        raise DataValidationError(
            [
                Problem(
                    "`stations`",
                    "in the file",
                    f"{', '.join(absent)}; the file has {', '.join(sorted(present)) or 'none'}",
                    source=source,
                    column="STN",
                    hint="pass stations= the numbers in the file, or download the station's "
                    "file (e.g. 260 for De Bilt)",
                )
            ],
            title=_KNMI_TITLE,
        )
    return df[df["station"].isin(wanted_text)]
