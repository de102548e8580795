"""The planner's words: one TOML file per language, and the formatting that uses them.

Every word of the HTML report comes from ``report/locales/<language>.toml``
(English is ``en.toml``); a translation is another file with the same keys,
and keys it lacks fall back to English. Numbers, dates, durations and the
likelihood of a probability are formatted here too, so that nothing in the
report depends on the machine's locale.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from crowdcast.exceptions import ParameterError, Problem

__all__ = ["LOCALES", "Words", "languages", "load_words"]

#: The folder of the language files.
LOCALES = Path(__file__).with_name("locales")


def languages() -> tuple[str, ...]:
    """The languages the report can be written in (a file each under :data:`LOCALES`).

    >>> "en" in languages()
    True
    """
    return tuple(sorted(p.stem for p in LOCALES.glob("*.toml")))


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base``, table by table (a translation may leave keys out)."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), Mapping):
            out[key] = {**base[key], **value}
        else:
            out[key] = value
    return out


@functools.cache
def load_words(language: str = "en") -> Words:
    """The words of ``language``: its file under :data:`LOCALES`, English where it has none.

    >>> load_words().likelihood(0.62)
    'likely'
    """
    if language not in languages():
        raise ParameterError(
            [
                Problem(
                    "`language`",
                    f"one of the report's languages ({', '.join(languages())})",
                    repr(language),
                    hint=f"a translation is a copy of {LOCALES / 'en.toml'} named <language>.toml",
                )
            ]
        )
    with (LOCALES / "en.toml").open("rb") as fh:
        doc = tomllib.load(fh)
    if language != "en":
        with (LOCALES / f"{language}.toml").open("rb") as fh:
            doc = _merge(doc, tomllib.load(fh))
    return Words(language, doc)


@dataclass(frozen=True)
class Words:
    """One language's strings (``words["alerts"]``) and formatting rules."""

    language: str
    doc: Mapping[str, Any]

    def __getitem__(self, key: str) -> str:
        return str(self.doc["text"][key])

    def text(self, key: str, **values: object) -> str:
        """The string ``key`` of ``[text]`` with its placeholders filled in."""
        return self[key].format(**values)

    def scenario(self, key: str, **values: object) -> str:
        """The string ``key`` of ``[scenario]`` with its placeholders filled in."""
        return str(self.doc["scenario"][key]).format(**values)

    @property
    def strings(self) -> Mapping[str, str]:
        """Every ``[text]`` string, for templates (``t.alerts``)."""
        return {k: str(v) for k, v in self.doc["text"].items()}

    # ------------------------------------------------------------------ numbers

    def number(self, value: float, digits: int = 0) -> str:
        """``12,345`` (or the language's separators); ``-`` for a missing value.

        >>> load_words().number(12345.6), load_words().number(2.345, 1)
        ('12,346', '2.3')
        """
        if value is None or not math.isfinite(value):
            return "-"
        fmt = self.doc["format"]
        text = f"{value:,.{digits}f}"
        return text.replace(",", "\0").replace(".", fmt["decimal"]).replace("\0", fmt["thousands"])

    def percent(self, probability: float) -> str:
        """A probability as whole percent: ``56 %``."""
        if probability is None or not math.isfinite(probability):
            return "-"
        return str(self.doc["format"]["percent"]).format(value=round(100 * probability))

    def change(self, ratio: float) -> str:
        """A change as a signed percentage, ``+35 %`` or ``-58 %``; ``-`` when undefined."""
        if ratio is None or not math.isfinite(ratio):
            return "-"
        pct = 100 * (ratio - 1)
        sign = "+" if pct >= 0.5 else ("−" if pct <= -0.5 else "±")
        return str(self.doc["format"]["percent"]).format(value=sign + self.number(abs(pct)))

    def likelihood(self, probability: float) -> str:
        """The words for a probability (``likely`` for 0.6 to 0.9 in English)."""
        for step in self.doc["likelihood"]:
            if probability >= float(step["from"]):
                return str(step["words"])
        return str(self.doc["likelihood"][-1]["words"])

    # ------------------------------------------------------------------ time

    def _parts(self, ts: pd.Timestamp, timezone: str) -> dict[str, object]:
        local = ts.tz_convert(timezone)
        fmt = self.doc["format"]
        return {
            "day": fmt["days"][local.dayofweek],
            "date": local.day,
            "month": fmt["months"][local.month - 1],
            "year": local.year,
            "time": f"{local:%H:%M}",
        }

    def day(self, when: dt.date) -> str:
        """A day as on a time axis: ``Sat 14``."""
        return f"{self.doc['format']['days'][when.weekday()]} {when.day}"

    def time(self, ts: pd.Timestamp, timezone: str) -> str:
        """``18:00`` in the site's time."""
        return f"{ts.tz_convert(timezone):%H:%M}"

    def day_time(self, ts: pd.Timestamp, timezone: str) -> str:
        """``Sat 14 Dec, 18:00``."""
        return str(self.doc["format"]["day_time"]).format(**self._parts(ts, timezone))

    def date_time(self, ts: pd.Timestamp, timezone: str) -> str:
        """``Sat 14 Dec 2024, 18:00``."""
        return str(self.doc["format"]["date_time"]).format(**self._parts(ts, timezone))

    def duration(self, span: pd.Timedelta) -> str:
        """``45 min``, ``3 h``, ``1 h 15 min``, ``2 days``, ``1 week``.

        >>> w = load_words()
        >>> [w.duration(pd.Timedelta(x)) for x in ("45min", "3h", "75min", "50h", "7D", "14D")]
        ['45 min', '3 h', '1 h 15 min', '50 h', '1 week', '2 weeks']
        """
        fmt = self.doc["format"]
        minutes = round(abs(span.total_seconds()) / 60)
        hours, rest = divmod(minutes, 60)
        if minutes and minutes % (7 * 24 * 60) == 0:
            weeks = minutes // (7 * 24 * 60)
            return str(fmt["one_week"] if weeks == 1 else fmt["weeks_n"].format(n=weeks))
        if hours > 72 or (hours >= 24 and not rest and hours % 24 == 0):
            days = round(minutes / (24 * 60))
            return str(fmt["one_day"] if days == 1 else fmt["days_n"].format(n=days))
        if not hours:
            return str(fmt["minutes"]).format(n=rest)
        if not rest:
            return str(fmt["hours"]).format(n=hours)
        return str(fmt["hours_minutes"]).format(h=hours, m=rest)

    # ------------------------------------------------------------------ reasons

    def feature(self, name: str, freq: pd.Timedelta) -> str:
        """A forecaster's feature in words (``lag_target_168`` on hourly data: a week earlier).

        >>> load_words().feature("lag_target_168", pd.Timedelta("1h"))
        'the count at the same time 1 week earlier'
        """
        exact = self.doc.get("features", {})
        if name in exact:
            return str(exact[name])
        for prefix, text in self.doc.get("feature_prefixes", {}).items():
            if not name.startswith(prefix):
                continue
            rest = name[len(prefix) :]
            number = re.fullmatch(r"(\d+)w?", rest)
            span = self.duration(int(number.group(1)) * freq) if number else rest
            weeks = number.group(1) if number else rest
            return str(text).format(ago=span, span=span, weeks=weeks, tag=rest)
        return name

    def event_start(self, category: str) -> str:
        """The word for an event's start: ``kick-off`` for football in English."""
        table = self.doc.get("event_start", {})
        return str(table.get(category, table.get("default", "the start")))
