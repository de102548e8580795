"""What a calendar says about an event besides its times: attendance and category.

Calendars kept in Google Calendar or Outlook have no field for the expected
number of visitors; planners write it in the DESCRIPTION. :func:`read_ical`
reads, per event, in this order (the first that has a value wins):

1. a side CSV keyed by UID (``details=``): columns ``uid`` and any of
   ``expected_attendance`` (whole numbers, read as in a DESCRIPTION) and
   ``category``. A UID covers every occurrence of a recurring event; a UID
   of no event in the calendar gives a warning;
2. the event's own properties: ``X-CROWDCAST-ATTENDANCE`` (or the
   ``attendance_property``) and CATEGORIES;
3. the DESCRIPTION, by :data:`DESCRIPTION_PATTERNS`: a line
   ``<label>: <value>`` whose label is, case-insensitively,

   - for the attendance: ``expected attendance``, ``attendance``, ``expected
     visitors``, ``visitors``, ``verwachte bezoekers``, ``bezoekers``,
     ``bezoekersaantal`` or ``aantal bezoekers``; the value is a whole number,
     with or without thousands separators (``23157``, ``23.157``,
     ``23,157``, ``23 157``): attendance is people, so the separators can
     only group thousands;
   - for the category: ``category``, ``categorie``, ``type`` or ``soort``; the
     value is lower-cased.

   ``description_patterns=`` replaces them: a mapping of
   ``"expected_attendance"`` and/or ``"category"`` to a regular expression
   whose first group (or group ``value``) is the value.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crowdcast.exceptions import (
    DataQualityWarning,
    ParameterError,
    ParseError,
    Problem,
    SchemaError,
)
from crowdcast.io._common import read_table
from crowdcast.privacy import guard_ingress
from crowdcast.schemas import PathLike

__all__ = [
    "DESCRIPTION_PATTERNS",
    "Details",
    "check_patterns",
    "from_description",
    "parse_attendance",
    "read_details",
]

_LINE = r"(?im)^[ \t]*(?:{labels})[ \t]*[:=][ \t]*(?P<value>.*?)[ \t]*$"

#: The default patterns of DESCRIPTION lines (see the module).
DESCRIPTION_PATTERNS: Mapping[str, str] = {
    "expected_attendance": _LINE.format(
        labels="expected attendance|attendance|expected visitors|visitors|"
        "verwachte bezoekers|bezoekersaantal|aantal bezoekers|bezoekers"
    ),
    "category": _LINE.format(labels="category|categorie|type|soort"),
}
_FIELDS = ("expected_attendance", "category")
_GROUPED = re.compile(r"\d{1,3}(?:([.,' \u00a0])\d{3})(?:\1\d{3})*|\d+")


def check_patterns(patterns: Mapping[str, str] | None) -> dict[str, re.Pattern[str]]:
    """The ``description_patterns=`` argument compiled, or a :class:`ParameterError`."""
    given = DESCRIPTION_PATTERNS if patterns is None else patterns
    out: dict[str, re.Pattern[str]] = {}
    problems = []
    for name, text in given.items():
        if name not in _FIELDS:
            problems.append(
                Problem(
                    f"the key {name!r} of `description_patterns`",
                    f"one of {', '.join(_FIELDS)}",
                    hint="e.g. description_patterns={'expected_attendance': "
                    "r'Bezoekers:\\s*(\\S+)'}",
                )
            )
            continue
        try:
            compiled = re.compile(text)
        except (re.error, TypeError) as exc:
            problems.append(
                Problem(
                    f"`description_patterns[{name!r}]`",
                    "a regular expression",
                    f"{text!r} ({exc})",
                    hint="see https://docs.python.org/3/library/re.html",
                )
            )
            continue
        if compiled.groups < 1:
            problems.append(
                Problem(
                    f"`description_patterns[{name!r}]`",
                    "a regular expression with a group around the value",
                    repr(text),
                    hint=r"e.g. r'Bezoekers:\s*(\S+)'",
                )
            )
            continue
        out[name] = compiled
    if problems:
        raise ParameterError(problems, title="Invalid argument")
    return out


def from_description(text: str, patterns: Mapping[str, re.Pattern[str]]) -> dict[str, str]:
    """The raw values the patterns find in a DESCRIPTION (the first match of each).

    >>> from_description("Markt\\nVerwachte bezoekers: 23.157", check_patterns(None))
    {'expected_attendance': '23.157'}
    """
    found: dict[str, str] = {}
    for name, pattern in patterns.items():
        match = pattern.search(text)
        if match is not None:
            value = match.group("value") if "value" in pattern.groupindex else match.group(1)
            if value and value.strip():
                found[name] = value.strip()
    return found


def parse_attendance(text: str) -> float | None:
    """A number of people written with or without thousands separators; None if it is not one.

    >>> parse_attendance("23.157"), parse_attendance("23157"), parse_attendance("about 200")
    (23157.0, 23157.0, None)
    """
    cleaned = text.strip()
    if not _GROUPED.fullmatch(cleaned):
        return None
    value = float(re.sub(r"\D", "", cleaned))
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class Details:
    """Attendance and category per UID, from a side CSV."""

    by_uid: Mapping[str, Mapping[str, object]]
    source: str

    def of(self, uid: str) -> Mapping[str, object]:
        return self.by_uid.get(uid, {})

    def warn_unknown(self, uids: Iterable[str]) -> None:
        """Warn about the UIDs of the side CSV that no event of the calendar has."""
        unknown = sorted(set(self.by_uid) - set(uids))
        if unknown:
            shown = ", ".join(map(repr, unknown[:5])) + (" ..." if len(unknown) > 5 else "")
            warnings.warn(
                f"{self.source}: {len(unknown)} UID(s) of no event in the calendar: {shown}",
                DataQualityWarning,
                stacklevel=3,
            )


def _attendances(cells: pd.Series, source: str) -> pd.Series:
    """Whole numbers of people, as in a DESCRIPTION (separators group thousands); empty = NaN."""
    if pd.api.types.is_numeric_dtype(cells.dtype):
        return cells.astype("float64")
    text = cells.astype("string").str.strip()
    values = {line: parse_attendance(str(t)) for line, t in text.dropna().items() if str(t)}
    bad = [line for line, v in values.items() if v is None]
    if bad:
        raise ParseError(
            [
                Problem(
                    "`expected_attendance`",
                    "whole numbers of people such as 23157 or 23.157",
                    f"{len(bad)} other value(s), e.g. {cells.to_dict()[bad[0]]!r}",
                    source=source,
                    column="expected_attendance",
                    rows=tuple(bad[:5]),
                    hint="write the expected visitors in digits; leave the cell empty if unknown",
                )
            ]
        )
    return pd.Series(values, index=cells.index, dtype="float64")


def read_details(path: PathLike) -> Details:
    """Read a side CSV of event details keyed by UID (see the module)."""
    source = str(path)
    table, _ = read_table(Path(path), what="event details")
    table.columns = [str(c).strip() for c in table.columns]
    if "uid" not in table.columns:
        raise SchemaError(
            [
                Problem(
                    "the event details columns",
                    "a 'uid' column and any of expected_attendance, category",
                    f"no 'uid' among {list(table.columns)}",
                    source=source,
                    hint="name the column of the events' UIDs 'uid'",
                )
            ],
            title="Invalid event details file",
        )
    # UIDs are the calendar's keys (Google's look like e-mail addresses): the other
    # columns get the privacy ingress guard, the key column only its name check
    others = guard_ingress(
        table.drop(columns=["uid"]),
        source=source,
        contract="events",
        keep=[c for c in _FIELDS if c in table.columns],
    )
    uids = table["uid"].astype("string").str.strip()
    if "expected_attendance" in others.columns:
        others["expected_attendance"] = _attendances(others["expected_attendance"], source)
    if "category" in others.columns:
        others["category"] = others["category"].astype("string").str.strip().str.lower()
    by_uid: dict[str, dict[str, object]] = {}
    records: dict[object, dict[str, object]] = others.to_dict("index")  # type: ignore[assignment]
    for line, uid in uids.dropna().items():
        values = {c: v for c, v in records[line].items() if not pd.isna(v)}  # type: ignore[call-overload]
        by_uid.setdefault(str(uid), {}).update(values)
    return Details(by_uid, source)
