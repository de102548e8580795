"""The exception tree and the one message template."""

from __future__ import annotations

import pytest

from crowdcast import exceptions as exc


def test_every_error_derives_from_crowdcast_error() -> None:
    for cls in (
        exc.DataError,
        exc.SchemaError,
        exc.DataValidationError,
        exc.ParseError,
        exc.ConfigError,
        exc.NotFittedError,
        exc.PrivacyError,
    ):
        assert issubclass(cls, exc.CrowdcastError)
    assert issubclass(exc.DataQualityWarning, exc.CrowdcastWarning)
    assert issubclass(exc.NotFittedError, ValueError)  # as scikit-learn's


def test_docstring_draws_every_class_of_the_tree() -> None:
    doc = exc.__doc__ or ""
    for name in exc.__all__:
        if name[0].isupper() and name != "Problem":
            assert name in doc


def test_format_message_follows_the_template() -> None:
    text = exc.format_message(
        "`count`",
        "non-negative",
        "-3",
        source="counts.csv",
        column="count",
        rows=list(range(2, 10)),
        hint="check the export",
    )
    assert text == (
        "`count` must be non-negative. Got -3.\n"
        "  where: counts.csv, column 'count', rows 2, 3, 4, 5, 6 (and 3 more)\n"
        "  hint: check the export"
    )


def test_data_error_lists_all_problems_and_keeps_them() -> None:
    problems = [exc.Problem("`a`", "x", "y"), exc.Problem("`b`", "z", source="f.csv")]
    error = exc.DataValidationError(problems, title="Invalid counts table")
    assert error.problems == tuple(problems)
    assert str(error) == (
        "Invalid counts table: 2 problems.\n"
        "- `a` must be x. Got y.\n"
        "- `b` must be z.\n    where: f.csv"
    )


def test_errors_accept_a_plain_message() -> None:
    with pytest.raises(exc.ConfigError, match=r"^plain$"):
        raise exc.ConfigError("plain")
