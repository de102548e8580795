"""The one validation engine: every check that several modules share lives here.

- :class:`Problems` collects every problem found in one input (a file, a
  table, a set of parameters) and raises them together, as the most basic
  kind of error found (a file that cannot be parsed before a column that is
  missing, before a value that breaks a rule);
- parameter constraints are declared once per class, in
  ``_parameter_rules`` (a mapping of parameter name to the :class:`Rule`\\ s
  any of which its value must satisfy), and checked once, when ``fit``
  starts (:func:`fit_context`, :func:`check_params`), as scikit-learn does
  with ``_parameter_constraints``/``_fit_context``; the attribute has its own
  name so that scikit-learn's ``_validate_params`` never reads it;
- :func:`check_is_fitted`, :func:`check_timezone`, :func:`as_utc` and
  :func:`atomic_write` are the one implementation of their rule.

Everything raises the errors of :mod:`crowdcast.exceptions` in its one
message template.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import tempfile
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from crowdcast.exceptions import (
    DataValidationError,
    NotFittedError,
    ParameterError,
    ParseError,
    Problem,
    SchemaError,
)
from crowdcast.exceptions import _ProblemsError as ProblemsError

__all__ = [
    "NONE",
    "Check",
    "Choice",
    "Duration",
    "InstanceOf",
    "Interval",
    "ParameterRules",
    "PositiveInt",
    "Problems",
    "Rule",
    "atomic_write",
    "check_is_fitted",
    "check_params",
    "check_timezone",
    "check_writable",
    "describe_value",
    "fit_context",
    "positive_int",
    "timezone_problem",
]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

#: Error kinds in the order they are reported and raised: a file that cannot be
#: parsed first, then a table that has the wrong shape, then everything else.
_PRIORITY: tuple[type[ProblemsError], ...] = (ParseError, SchemaError)


# ----------------------------------------------------------------------------- problems


class Problems:
    """Every problem found in one input, raised together.

    Parameters
    ----------
    source
        Where the input came from (a file name), put on each problem that does
        not name its own.
    error
        The error raised for problems added without a kind of their own.
    title
        The first line of the error, e.g. ``"Invalid events file"``.

    Examples
    --------
    >>> found = Problems(source="counts.csv", title="Invalid counts file")
    >>> found.add("`count`", ">= 0", "-3", column="count", rows=[4])
    >>> found.add("`zone`", "present", error=SchemaError)
    >>> try:
    ...     found.raise_if_any()
    ... except SchemaError as exc:
    ...     print(exc)
    Invalid counts file: 2 problems.
    - `zone` must be present.
        where: counts.csv
    - `count` must be >= 0. Got -3.
        where: counts.csv, column 'count', rows 4
    """

    def __init__(
        self,
        *,
        source: str | None = None,
        error: type[ProblemsError] = DataValidationError,
        title: str | None = None,
    ) -> None:
        self.source = source
        self.error = error
        self.title = title
        self._found: dict[type[ProblemsError], list[Problem]] = {}

    def add(
        self,
        what: str,
        expectation: str,
        got: str | None = None,
        *,
        error: type[ProblemsError] | None = None,
        source: str | None = None,
        column: str | None = None,
        rows: Iterable[object] = (),
        hint: str | None = None,
    ) -> None:
        """Record one problem (an identical one is recorded once)."""
        problem = Problem(
            what,
            expectation,
            got,
            source=source if source is not None else self.source,
            column=column,
            rows=tuple(rows),
            hint=hint,
        )
        self.extend([problem], error=error)

    def extend(
        self, problems: Iterable[Problem] | Problems, *, error: type[ProblemsError] | None = None
    ) -> None:
        """Record problems found elsewhere (kept as given, duplicates once).

        Another :class:`Problems` keeps the kind of each of its problems.
        """
        if isinstance(problems, Problems):
            for kind, found in problems._found.items():
                self.extend(found, error=error or kind)
            return
        found = self._found.setdefault(error or self.error, [])
        for problem in problems:
            if problem not in found:
                found.append(problem)

    def attempt(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """``function(*args, **kwargs)``, or None with the problems it raised kept for later.

        Only crowdcast's own errors with problems are caught; anything else
        (a bug, an ``OSError``) passes through.
        """
        try:
            return function(*args, **kwargs)
        except ProblemsError as exc:
            if not exc.problems:
                raise
            self.extend(exc.problems, error=type(exc))
            return None

    def has(self, error: type[ProblemsError]) -> bool:
        """True when a problem of this kind (exactly) was recorded."""
        return bool(self._found.get(error))

    def __bool__(self) -> bool:
        return any(self._found.values())

    def __len__(self) -> int:
        return sum(len(p) for p in self._found.values())

    def __iter__(self) -> Iterator[Problem]:
        for kind in self._kinds():
            yield from self._found[kind]

    def _kinds(self) -> list[type[ProblemsError]]:
        kinds = [k for k, found in self._found.items() if found]
        first = [k for k in _PRIORITY if k in kinds]
        return first + [k for k in kinds if k not in first]

    def raise_if_any(self, title: str | None = None) -> None:
        """Raise every problem recorded, as the most basic kind found."""
        kinds = self._kinds()
        if kinds:
            raise kinds[0](list(self), title=title or self.title)


# ----------------------------------------------------------------------------- parameter rules


def positive_int(value: Any) -> bool:
    """True for a positive integer (numpy integers included, booleans not).

    >>> [positive_int(v) for v in (3, np.int64(3), 0, True, 2.0)]
    [True, True, False, False, False]
    """
    return bool(not isinstance(value, bool) and isinstance(value, int | np.integer) and value >= 1)


def describe_value(value: Any) -> str:
    """``repr`` of a parameter value, but a function is named rather than addressed.

    >>> describe_value(len), describe_value([1, 2])
    ('the function len', '[1, 2]')
    """
    if callable(value) and not isinstance(value, type):
        return f"the function {getattr(value, '__name__', type(value).__name__)}"
    if isinstance(value, tuple | list):
        callables = [v for v in value if callable(v) and not isinstance(v, type)]
        if callables:
            return describe_value(callables[0])
    return repr(value)


class Rule:
    """A condition on one parameter value, with the words that describe it."""

    expectation: str = "valid"
    hint: str | None = None

    def __call__(self, value: Any) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class PositiveInt(Rule):
    """A positive integer (numpy integers yes, booleans and floats no)."""

    expectation: str = "a positive integer"
    hint: str | None = None

    def __call__(self, value: Any) -> bool:
        return positive_int(value)


@dataclass(frozen=True)
class Interval(Rule):
    """A real number (not a boolean) between ``low`` and ``high``.

    ``closed`` says which ends belong: ``"left"``, ``"right"``, ``"both"`` or
    ``"neither"``; ``None`` for an end means unbounded.
    """

    low: float | None = None
    high: float | None = None
    closed: str = "both"
    integer: bool = False
    expectation: str = ""
    hint: str | None = None

    def __post_init__(self) -> None:
        if not self.expectation:
            object.__setattr__(self, "expectation", self._words())

    def _words(self) -> str:
        kind = "an integer" if self.integer else "a number"
        lo = "[" if self.closed in ("left", "both") else "("
        hi = "]" if self.closed in ("right", "both") else ")"
        if self.low is not None and self.high is not None:
            return f"{kind} in {lo}{self.low:g}, {self.high:g}{hi}"
        if self.low is not None:
            return f"{kind} {'>=' if lo == '[' else '>'} {self.low:g}"
        if self.high is not None:
            return f"{kind} {'<=' if hi == ']' else '<'} {self.high:g}"
        return kind

    def __call__(self, value: Any) -> bool:
        kinds: tuple[type, ...] = (int, np.integer) if self.integer else (int, float, np.number)
        if isinstance(value, bool | np.bool_) or not isinstance(value, kinds):
            return False
        v = float(value)  # type: ignore[arg-type]
        if np.isnan(v):
            return False
        low_ok = self.closed in ("left", "both")
        if self.low is not None and (v < self.low or (v == self.low and not low_ok)):
            return False
        if self.high is not None:
            return not (v > self.high or (v == self.high and self.closed not in ("right", "both")))
        return True


@dataclass(frozen=True)
class Choice(Rule):
    """One of a fixed set of values."""

    options: tuple[Any, ...] = ()
    expectation: str = ""
    hint: str | None = None

    def __post_init__(self) -> None:
        if not self.expectation:
            words = f"one of {', '.join(str(o) for o in self.options)}"
            object.__setattr__(self, "expectation", words)

    def __call__(self, value: Any) -> bool:
        try:
            return any(value == o and type(value) is type(o) for o in self.options)
        except (TypeError, ValueError):
            return False


@dataclass(frozen=True)
class InstanceOf(Rule):
    """An instance of a type (or ``None`` when the type is ``None``)."""

    kind: type | tuple[type, ...] | None = None
    expectation: str = ""
    hint: str | None = None

    def __call__(self, value: Any) -> bool:
        if self.kind is None:
            return value is None
        return isinstance(value, self.kind) and not (
            isinstance(value, bool) and self.kind not in (bool, (bool,))
        )


#: ``None`` is allowed (put it in a parameter's list of rules).
NONE = InstanceOf(None, "None")


@dataclass(frozen=True)
class Duration(Rule):
    """A positive duration: a :class:`pandas.Timedelta` or text such as ``"28D"``."""

    expectation: str = "a positive duration"
    hint: str | None = None

    def __call__(self, value: Any) -> bool:
        if isinstance(value, bool) or value is None:
            return False
        try:
            span = pd.Timedelta(value)
        except (TypeError, ValueError):
            return False
        return not pd.isna(span) and span > pd.Timedelta(0)


@dataclass(frozen=True)
class Check(Rule):
    """Any other condition, given as a predicate and the words that describe it."""

    test: Callable[[Any], bool] = bool
    expectation: str = "valid"
    hint: str | None = None

    def __call__(self, value: Any) -> bool:
        try:
            return bool(self.test(value))
        except (TypeError, ValueError):
            return False


#: The type of a class's ``_parameter_rules``: parameter name -> the rules any of which holds.
ParameterRules = Mapping[str, Sequence[Rule | None]]


def _rules(owner: type) -> Mapping[str, Sequence[Rule | None]]:
    """The parameter rules of a class and its bases (a subclass's rule wins)."""
    merged: dict[str, Sequence[Rule | None]] = {}
    for cls in reversed(owner.__mro__):
        merged.update(vars(cls).get("_parameter_rules", {}))
    return merged


def check_params(owner: Any, *, title: str | None = None) -> None:
    """Check every parameter of ``owner`` against its class's ``_parameter_rules``.

    A parameter passes when any of its rules holds (``None`` in the list
    allows ``None``). Then ``owner._more_problems()``, when defined, adds the
    problems that involve several parameters or need more than one rule. All
    problems are raised together as one :class:`~crowdcast.exceptions.ParameterError`
    titled ``Invalid <Class> parameters``.

    Examples
    --------
    >>> class Window:
    ...     _parameter_rules = {"size": [PositiveInt()], "step": [None, PositiveInt()]}
    ...     def __init__(self, size, step=None):
    ...         self.size, self.step = size, step
    >>> check_params(Window(3))
    >>> check_params(Window(0, step=1.5))
    Traceback (most recent call last):
    ...
    crowdcast.exceptions.ParameterError: Invalid Window parameters: 2 problems.
    - `size` must be a positive integer. Got 0.
    - `step` must be None or a positive integer. Got 1.5.
    """
    name = type(owner).__name__
    found = Problems(error=ParameterError, title=title or f"Invalid {name} parameters")
    for param, rules in _rules(type(owner)).items():
        value = getattr(owner, param)
        checks = [NONE if r is None else r for r in rules]
        if any(rule(value) for rule in checks):
            continue
        hint = next((r.hint for r in checks if r.hint), None)
        expectation = " or ".join(r.expectation for r in checks)
        found.add(f"`{param}`", expectation, describe_value(value), hint=hint)
    more = getattr(owner, "_more_problems", None)
    if more is not None:
        found.extend(more())  # a Problems keeps its kinds; a list becomes ParameterErrors
    found.raise_if_any()


def fit_context(fit: F) -> F:
    """Decorate ``fit`` so that the parameters are checked, once, before it runs."""

    @functools.wraps(fit)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        check_params(self)
        return fit(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


# ----------------------------------------------------------------------------- fitted state


def check_is_fitted(owner: Any, attribute: str, *, call: str, why: str | None = None) -> None:
    """Raise :class:`~crowdcast.exceptions.NotFittedError` unless ``owner`` has ``attribute``.

    >>> class Model:
    ...     pass
    >>> check_is_fitted(Model(), "provenance_", call="fit(counts, ...)")
    Traceback (most recent call last):
    ...
    crowdcast.exceptions.NotFittedError: This Model is not fitted yet. Call fit(counts, ...) first.
    """
    if not hasattr(owner, attribute):
        because = f": {why}" if why else ""
        raise NotFittedError(
            f"This {type(owner).__name__} is not fitted yet{because}. Call {call} first."
        )


# ----------------------------------------------------------------------------- time


_TIMEZONE_WORDS = "an IANA time zone name like 'Europe/Amsterdam'"


def timezone_problem(
    value: object, *, what: str = "`timezone`", source: str | None = None, hint: str | None = None
) -> Problem | None:
    """The problem with a time zone argument, or None when it names a known zone."""
    if isinstance(value, dt.tzinfo):
        return None
    try:
        zoneinfo.ZoneInfo(value)  # type: ignore[arg-type]
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        return Problem(what, _TIMEZONE_WORDS, repr(value), source=source, hint=hint)
    return None


def check_timezone(
    value: object,
    *,
    what: str = "`timezone`",
    source: str | None = None,
    error: type[ProblemsError] = ParameterError,
    hint: str | None = None,
) -> dt.tzinfo:
    """A time zone argument as a ``tzinfo``; an unknown name raises ``error`` (with ``hint``).

    >>> check_timezone("Europe/Amsterdam")
    zoneinfo.ZoneInfo(key='Europe/Amsterdam')
    """
    problem = timezone_problem(value, what=what, source=source, hint=hint)
    if problem is not None:
        raise error([problem], title="Invalid argument")
    return value if isinstance(value, dt.tzinfo) else zoneinfo.ZoneInfo(str(value))


# ----------------------------------------------------------------------------- files


def _mode_for(target: Path) -> int:
    """The permissions a new file gets: the replaced file's, else ``0o666`` less the umask.

    ``mkstemp`` creates its file readable by the owner only; a forecast or a
    profile written for a dashboard or a colleague must not stay that way.
    """
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def check_writable(
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    append: bool = False,
    what: str = "`path`",
    title: str | None = None,
) -> Path:
    """``path`` as a Path, once it is sure a file can be written there; else a ParameterError.

    Refused: an existing file unless ``overwrite`` (or ``append``: a log that
    grows), a directory, a path under a file, a folder (or, to append, a file)
    the user may not write to; missing folders will be created. Call it before
    long work and before any other output; :func:`atomic_write` checks again.
    ``what`` and ``title`` name the file in the error (``"the audit log"``).
    """
    target = Path(path)
    problem = _write_problem(target, overwrite=overwrite, append=append, what=what)
    if problem is None:
        return target
    refusal = target.is_file() and not (overwrite or append)
    title = title or ("Refusing to overwrite a file" if refusal else "Cannot write the file")
    raise ParameterError([problem], title=title)


def _write_problem(target: Path, *, overwrite: bool, append: bool, what: str) -> Problem | None:
    """Why no file can be written at ``target`` (None if it can): a rename over a file
    (:func:`atomic_write`) needs its folder writable, an append the file itself."""
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the nearest folder that exists: the rest will be created
    exists = target.is_file()
    checks = (
        (target.is_dir(), "a file path, not a directory", str(target),
         "give the path of a file in that folder, not the folder itself"),
        (exists and not (overwrite or append), "a file that does not exist yet", str(target),
         "pass overwrite=True (--overwrite on the command line) to replace it; "
         "crowdcast never overwrites a file without being asked"),
        (exists and append and not os.access(target, os.W_OK), "a file you may write to",
         f"{target} (read-only)", "change its permissions or choose another file"),
        (not folder.is_dir(), "a path whose folders are folders",
         f"{target} ({folder} is a file)", "choose a path in a folder, not under a file"),
        (not (append and exists) and not os.access(folder, os.W_OK | os.X_OK),
         "in a folder you may write to", f"{target} ({folder} is not writable)",
         "choose a folder you can write to, or change its permissions"),
    )  # fmt: skip
    for failed, expectation, got, hint in checks:
        if failed:
            return Problem(what, expectation, got, hint=hint)
    return None


def atomic_write(
    path: str | os.PathLike[str],
    content: bytes | str | Callable[[Path], object],
    *,
    overwrite: bool = False,
    encoding: str = "utf-8",
    mode: int | None = None,
) -> Path:
    """Write a file whole or not at all; never replace an existing file unless asked.

    ``content`` is the bytes or text to write, or a function that writes the
    file at the path it is given (e.g. ``lambda p: table.to_parquet(p)``).
    The file is written beside its target under a temporary name, flushed to
    disk and renamed over the target, so a reader sees the old file or the new
    one, never half of one; on any failure the temporary file is removed.

    ``mode`` sets the permissions (``0o600`` for a confidential file such as
    a site profile with its weights); by default a new file gets ``0o666``
    less the umask and a replaced file keeps its own.

    Raises
    ------
    ParameterError
        When ``path`` exists and ``overwrite`` is false.
    """
    target = check_writable(path, overwrite=overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        if callable(content):
            os.close(fd)
            content(tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        else:
            data = content.encode(encoding) if isinstance(content, str) else content
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, mode if mode is not None else _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
