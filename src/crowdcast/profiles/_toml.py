"""Typed reading of a parsed TOML document, every problem kept for one report.

:class:`Reader` is what the site and library loaders read their files
with: each access names the key path it reads (``zones[0].area_m2``), checks
its type and rule, and on a problem records it in a
:class:`~crowdcast._validation.Problems` (raised as a
:class:`~crowdcast.exceptions.ConfigError`) and goes on with a default, so a
file's problems are all reported at once.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from crowdcast._validation import Problems
from crowdcast.exceptions import ConfigError, Problem

__all__ = ["Reader", "kind_text", "parse_time", "positive", "read_toml"]

_MISSING = object()


class Reader:
    """Typed access to a parsed TOML document that records every problem.

    Parameters
    ----------
    source
        The file read, named on every problem.
    what
        What the file is (``"site profile"``), for the error's title
        ``Invalid <what>``.
    hint
        The hint of a problem that has none of its own: where the file's keys
        are described.

    Examples
    --------
    >>> r = Reader("site.toml", "site profile")
    >>> r.get({"area_m2": -5}, "zones[0]", "area_m2", float, None, check=positive,
    ...       expectation="a positive number")
    >>> r.raise_if_any()
    Traceback (most recent call last):
    ...
    crowdcast.exceptions.ConfigError: Invalid site profile: 1 problem.
    - `zones[0].area_m2` must be a positive number. Got -5.0.
        where: site.toml
        hint: see docs/site-toml.md, which describes every key
    """

    def __init__(
        self, source: str, what: str, hint: str = "see docs/site-toml.md, which describes every key"
    ) -> None:
        self.source = source
        self.hint = hint
        self.problems = Problems(source=source, error=ConfigError, title=f"Invalid {what}")

    def error(
        self, key: str, expectation: str, got: object = _MISSING, hint: str | None = None
    ) -> None:
        """Record that the value at ``key`` breaks ``expectation`` (``got``: the value found)."""
        self.problems.add(
            f"`{key}`", expectation, None if got is _MISSING else repr(got), hint=hint or self.hint
        )

    def add(self, problem: Problem | None) -> None:
        """Record a problem found by a shared check (None: nothing found)."""
        if problem is not None:
            self.problems.extend([problem])

    def get(
        self,
        table: Mapping[str, Any],
        prefix: str,
        key: str,
        kind: type | tuple[type, ...],
        default: object = _MISSING,
        check: Callable[[Any], bool] | None = None,
        expectation: str | None = None,
    ) -> Any:
        """``table[key]`` if of type ``kind`` and passing ``check``; else ``default``.

        Without a default the key is required. An integer is read as a float
        where a float is asked for; a boolean is never a number.
        """
        path = f"{prefix}.{key}" if prefix else key
        if key not in table:
            if default is _MISSING:
                self.error(path, f"present ({expectation or kind_text(kind)})", hint=None)
            return None if default is _MISSING else default
        value = table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            self.error(path, expectation or kind_text(kind), value)
            return None if default is _MISSING else default
        if check is not None and not check(value):
            self.error(path, expectation or "valid", value)
            return None if default is _MISSING else default
        return value

    def strings(self, table: Mapping[str, Any], prefix: str, key: str) -> tuple[str, ...]:
        """``table[key]`` as a tuple of strings (empty when absent)."""
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(f"{prefix}.{key}", "a list of strings", value)
            return ()
        return tuple(value)

    def unknown_keys(self, table: Mapping[str, Any], prefix: str, allowed: set[str]) -> None:
        """Record every key of ``table`` that is not ``allowed`` (a misspelling, mostly)."""
        for key in table:
            if key not in allowed:
                self.error(
                    f"{prefix}.{key}" if prefix else key,
                    f"one of the known keys ({', '.join(sorted(allowed))})",
                    "an unknown key",
                    hint="check the spelling; see docs/architecture.md for the file layout",
                )

    def tables(self, doc: Mapping[str, Any], key: str) -> list[tuple[str, Mapping[str, Any]]]:
        """The ``[[key]]`` array of tables, each with its key path (``zones[0]``)."""
        value = doc.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.error(key, f"an array of tables ([[{key}]])", type(value).__name__)
            return []
        return [(f"{key}[{i}]", v) for i, v in enumerate(value)]

    def unique_ids(self, key: str, ids: Iterable[str]) -> None:
        """Record the ids given more than once in the ``[[key]]`` tables."""
        found = list(ids)
        dupes = sorted({i for i in found if found.count(i) > 1})
        if dupes:
            self.error(f"{key}.id", "unique", ", ".join(dupes))

    def raise_if_any(self) -> None:
        """Raise every problem recorded, as one :class:`~crowdcast.exceptions.ConfigError`."""
        self.problems.raise_if_any()


def kind_text(kind: type | tuple[type, ...]) -> str:
    """The words for a TOML value type: ``kind_text(float) == 'a number'``."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {
        str: "a string",
        float: "a number",
        int: "an integer",
        bool: "true or false",
        list: "a list",
        dict: "a table",
        dt.date: "a date",
    }
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def positive(v: float) -> bool:
    """A finite number > 0."""
    return math.isfinite(v) and v > 0


def read_toml(path: str | Path, what: str) -> tuple[Path, dict[str, Any]]:
    """The path and parsed document of a TOML file; a ConfigError when missing or invalid."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            return p, tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(
            [
                Problem(
                    f"the {what} file",
                    "an existing file",
                    str(p),
                    source=str(p),
                    hint="check the path",
                )
            ]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            [
                Problem(
                    f"the {what} file",
                    "valid TOML",
                    str(exc),
                    source=str(p),
                    hint="check the quoting and brackets near that line; see https://toml.io",
                )
            ]
        ) from None


def parse_time(r: Reader, key: str, value: object) -> dt.time | None:
    """A local time of day from a TOML time or text like ``'18:00'`` (None stays None)."""
    if value is None:
        return None
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            pass
    r.error(key, "a local time like '18:00'", value)
    return None
