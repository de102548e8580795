"""Every error and warning crowdcast raises.

The tree::

    CrowdcastError                  base of every error raised on purpose
    ├── DataError                   a table breaks its data contract
    │   ├── SchemaError             columns missing/extra, wrong dtypes, naive timestamps
    │   ├── DataValidationError     values break a rule: duplicates, negatives, gaps in order
    │   └── ParseError              a file cannot be read in its declared format
    ├── ConfigError                 a site profile or indicator library is invalid
    ├── ParameterError              an argument has an invalid value (also a ValueError)
    ├── NotFittedError              a model is used before ``fit``
    └── PrivacyError                input would identify people or break purpose binding

    CrowdcastWarning                base of every warning
    ├── DataQualityWarning          data is usable but suspicious (stuck values, spikes)
    └── ExtrapolationWarning        a forecast goes beyond what the model learned from

Every message follows one template (see :func:`format_message`)::

    <what> must be <expectation>. Got <what was found>.
      where: <file>, column <column>, rows <first rows>   (or: <file>, key <key path>)
      hint: <how to fix it>

``DataError``, ``ConfigError`` and ``PrivacyError`` keep every problem they found in
``.problems`` so that one error reports all of them at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "ConfigError",
    "CrowdcastError",
    "CrowdcastWarning",
    "DataError",
    "DataQualityWarning",
    "DataValidationError",
    "ExtrapolationWarning",
    "NotFittedError",
    "ParameterError",
    "ParseError",
    "PrivacyError",
    "Problem",
    "SchemaError",
    "format_message",
]

MAX_ROWS_SHOWN = 5


def _rows_text(rows: Sequence[object]) -> str:
    shown = ", ".join(str(r) for r in list(rows)[:MAX_ROWS_SHOWN])
    more = len(rows) - MAX_ROWS_SHOWN
    return f"{shown} (and {more} more)" if more > 0 else shown


def format_message(
    what: str,
    expectation: str,
    got: str | None = None,
    *,
    source: str | None = None,
    column: str | None = None,
    rows: Sequence[object] | None = None,
    hint: str | None = None,
) -> str:
    """Render one problem in the crowdcast message template.

    Examples
    --------
    >>> print(format_message("`count`", "non-negative", "-3", source="counts.csv",
    ...                      column="count", rows=[4], hint="check the sensor export"))
    `count` must be non-negative. Got -3.
      where: counts.csv, column 'count', rows 4
      hint: check the sensor export
    """
    text = f"{what} must be {expectation}."
    if got is not None:
        text += f" Got {got}."
    where = []
    if source:
        where.append(str(source))
    if column:
        where.append(f"column {column!r}")
    if rows is not None and len(rows) > 0:
        where.append(f"rows {_rows_text(rows)}")
    if where:
        text += "\n  where: " + ", ".join(where)
    if hint:
        text += f"\n  hint: {hint}"
    return text


@dataclass(frozen=True)
class Problem:
    """One violated rule, with enough context to find and fix it."""

    what: str
    expectation: str
    got: str | None = None
    source: str | None = None
    column: str | None = None
    rows: tuple[object, ...] = field(default_factory=tuple)
    hint: str | None = None

    def __str__(self) -> str:
        return format_message(
            self.what,
            self.expectation,
            self.got,
            source=self.source,
            column=self.column,
            rows=self.rows,
            hint=self.hint,
        )


class CrowdcastError(Exception):
    """Base class of every error crowdcast raises on purpose."""


class _ProblemsError(CrowdcastError):
    """An error made of one message or of several :class:`Problem` objects."""

    def __init__(self, message: str | Iterable[Problem], *, title: str | None = None) -> None:
        if isinstance(message, str):
            self.problems: tuple[Problem, ...] = ()
            text = message
        else:
            self.problems = tuple(message)
            body = "\n".join(f"- {p}".replace("\n", "\n  ") for p in self.problems)
            n = len(self.problems)
            head = title or "Invalid data"
            text = f"{head}: {n} problem{'s' if n != 1 else ''}.\n{body}"
        super().__init__(text)


class DataError(_ProblemsError):
    """A table breaks its data contract; ``problems`` lists every violation."""


class SchemaError(DataError):
    """Columns are missing or unexpected, have the wrong dtype, or timestamps are naive."""


class DataValidationError(DataError):
    """Values break a contract rule (duplicates, negative counts, end before start...)."""


class ParseError(DataError):
    """A file cannot be read in the format it claims to be in."""


class ConfigError(_ProblemsError):
    """A site profile or indicator library file is invalid."""


class ParameterError(_ProblemsError, ValueError):
    """An argument of a crowdcast function has an invalid value."""


class NotFittedError(CrowdcastError, ValueError):
    """A model or transformer is used before it was fitted."""


class PrivacyError(_ProblemsError):
    """Input would identify people, or a source is used beyond its declared purposes.

    Like ``DataError`` it keeps every problem it found in ``.problems``.
    """


class CrowdcastWarning(UserWarning):
    """Base class of every warning crowdcast emits."""


class DataQualityWarning(CrowdcastWarning):
    """Data is usable but suspicious: stuck sensors, spikes, long gaps."""


class ExtrapolationWarning(CrowdcastWarning):
    """A forecast goes beyond what the model learned from (e.g. a larger event than any seen)."""
