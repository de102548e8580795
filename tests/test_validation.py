"""The one validation engine: problems, parameter rules, fitted state, time zones, files."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any, ClassVar

import pytest

from crowdcast._validation import (
    NONE,
    Check,
    Choice,
    Duration,
    InstanceOf,
    Interval,
    ParameterRules,
    PositiveInt,
    Problems,
    atomic_write,
    check_is_fitted,
    check_params,
    check_timezone,
    describe_value,
    fit_context,
    timezone_problem,
)
from crowdcast.exceptions import (
    ConfigError,
    DataValidationError,
    NotFittedError,
    ParameterError,
    ParseError,
    Problem,
    SchemaError,
)


def test_problems_raise_the_most_basic_kind_and_list_it_first() -> None:
    found = Problems(source="f.csv", title="Invalid file")
    found.add("`count`", ">= 0", "-1")
    found.add("`zone`", "present", error=SchemaError)
    found.add("the file", "UTF-8 text", error=ParseError)
    with pytest.raises(ParseError) as err:
        found.raise_if_any()
    lines = [line for line in str(err.value).splitlines() if line.startswith("- ")]
    assert lines == [
        "- the file must be UTF-8 text.",
        "- `zone` must be present.",
        "- `count` must be >= 0. Got -1.",
    ]
    assert str(err.value).startswith("Invalid file: 3 problems.")


def test_problems_keep_an_identical_problem_once() -> None:
    found = Problems()
    for _ in range(3):
        found.add("`x`", "positive", "0")
    assert len(found) == 1


def test_problems_attempt_keeps_the_kind_of_what_it_caught() -> None:
    def parse() -> None:
        raise SchemaError([Problem("`ts`", "timezone-aware", "naive")])

    found = Problems()
    assert found.attempt(parse) is None
    assert found.attempt(lambda: 3) == 3
    assert found.has(SchemaError) and not found.has(DataValidationError)
    with pytest.raises(SchemaError):
        found.raise_if_any()


def test_problems_attempt_lets_other_errors_through() -> None:
    def broken() -> None:
        raise OSError("disk")

    with pytest.raises(OSError, match="disk"):
        Problems().attempt(broken)


def test_an_empty_collector_raises_nothing() -> None:
    found = Problems()
    found.raise_if_any()
    assert not found and len(found) == 0


class _Window:
    _parameter_rules: ClassVar[ParameterRules] = {
        "size": [PositiveInt()],
        "step": [None, PositiveInt()],
        "share": [Interval(0, 1, closed="right")],
        "kind": [Choice(("mean", "max"))],
        "span": [Duration(), NONE],
        "flag": [InstanceOf(bool, "True or False")],
        "even": [Check(lambda v: v % 2 == 0, "an even number", hint="e.g. 2")],
    }

    def __init__(self, **params: Any) -> None:
        defaults = {"size": 3, "step": None, "share": 0.5, "kind": "mean", "span": "1D"}
        for name, value in {**defaults, "flag": True, "even": 2, **params}.items():
            setattr(self, name, value)

    @fit_context
    def fit(self) -> _Window:
        self.fitted_ = True
        return self


def test_check_params_passes_valid_parameters() -> None:
    check_params(_Window())
    check_params(_Window(step=2, span=None, share=1))


def test_check_params_reports_every_broken_rule_in_one_error() -> None:
    bad = _Window(size=True, step=0, share=0, kind="median", span="soon", flag=1, even=3)
    with pytest.raises(ParameterError) as err:
        check_params(bad)
    assert str(err.value) == (
        "Invalid _Window parameters: 7 problems.\n"
        "- `size` must be a positive integer. Got True.\n"
        "- `step` must be None or a positive integer. Got 0.\n"
        "- `share` must be a number in (0, 1]. Got 0.\n"
        "- `kind` must be one of mean, max. Got 'median'.\n"
        "- `span` must be a positive duration or None. Got 'soon'.\n"
        "- `flag` must be True or False. Got 1.\n"
        "- `even` must be an even number. Got 3.\n"
        "    hint: e.g. 2"
    )


def test_fit_context_checks_before_fit_runs() -> None:
    window = _Window(size=0)
    with pytest.raises(ParameterError, match=re.escape("`size` must be a positive integer")):
        window.fit()
    assert not hasattr(window, "fitted_")
    assert _Window().fit().fitted_


def test_more_problems_keep_their_own_kind() -> None:
    class Union(_Window):
        def _more_problems(self) -> Problems:
            found = Problems(error=ConfigError)
            found.add("step names", "unique", "a, a")
            return found

    with pytest.raises(ConfigError, match="step names must be unique"):
        check_params(Union())


def test_a_subclass_rule_replaces_its_base_rule() -> None:
    class Wide(_Window):
        _parameter_rules: ClassVar[ParameterRules] = {"size": [Interval(0, None)]}

    check_params(Wide(size=0.5))


def test_a_function_is_named_not_addressed() -> None:
    assert describe_value(len) == "the function len"
    assert describe_value((1, len)) == "the function len"
    assert describe_value(int) == "<class 'int'>"


def test_check_is_fitted_names_the_class_and_the_call() -> None:
    with pytest.raises(NotFittedError) as err:
        check_is_fitted(_Window(), "fitted_", call="fit()", why="nothing learnt yet")
    assert str(err.value) == (
        "This _Window is not fitted yet: nothing learnt yet. Call fit() first."
    )
    check_is_fitted(_Window().fit(), "fitted_", call="fit()")


@pytest.mark.parametrize("value", ["Mars/Olympus", "", 3, None])
def test_an_unknown_time_zone_is_one_clear_problem(value: object) -> None:
    problem = timezone_problem(value, source="site.toml")
    assert problem is not None
    assert str(problem) == (
        f"`timezone` must be an IANA time zone name like 'Europe/Amsterdam'. Got {value!r}.\n"
        "  where: site.toml"
    )
    with pytest.raises(ConfigError):
        check_timezone(value, error=ConfigError)


def test_a_known_time_zone_passes() -> None:
    assert timezone_problem("Europe/Amsterdam") is None
    assert str(check_timezone("UTC")) == "UTC"


def test_atomic_write_refuses_an_existing_file_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("mine")
    with pytest.raises(ParameterError, match="must be a file that does not exist yet"):
        atomic_write(path, "theirs")
    assert path.read_text() == "mine"
    atomic_write(path, "theirs", overwrite=True)
    assert path.read_text() == "theirs"


def test_atomic_write_leaves_nothing_behind_when_writing_fails(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    path.write_text("old")

    def half_then_fail(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, half_then_fail, overwrite=True)
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.parquet"]


def test_atomic_write_creates_folders_and_takes_a_writer(tmp_path: Path) -> None:
    path = atomic_write(tmp_path / "a" / "b.txt", lambda p: p.write_text("x"))
    assert path.read_text() == "x"


def test_atomic_write_gives_a_new_file_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        path = atomic_write(tmp_path / "new.txt", b"x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_atomic_write_keeps_the_permissions_of_the_file_it_replaces(tmp_path: Path) -> None:
    path = tmp_path / "kept.txt"
    path.write_text("old")
    path.chmod(0o640)
    atomic_write(path, "new", overwrite=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_atomic_write_can_keep_a_confidential_file_to_its_owner(tmp_path: Path) -> None:
    path = atomic_write(tmp_path / "weights.toml", "w = 1", mode=0o600)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
