"""What every plot shares: matplotlib imported on first use, new Axes, tables and errors.

matplotlib is the optional ``plot`` extra: :func:`pyplot` imports it only when
a plot is drawn and, when it is missing, says which command installs it.
Errors are raised through the one problem collector,
:class:`crowdcast._validation.Problems`, so a plot's message reads like every
other crowdcast message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import pandas as pd

from crowdcast._validation import Choice, Problems, describe_value
from crowdcast.exceptions import ParameterError
from crowdcast.exceptions import _ProblemsError as ProblemsError
from crowdcast.schemas import quantile_columns, require_columns

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: The command that installs what the plots need.
INSTALL = "pip install 'crowdcast[plot]'"


def pyplot() -> Any:
    """``matplotlib.pyplot``, or an ImportError that names :data:`INSTALL`."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError(f"crowdcast plots need matplotlib: {INSTALL}") from err
    return plt


def axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """``ax``, or the Axes of a new figure of ``figsize`` inches (constrained layout)."""
    if ax is not None:
        return ax
    _, new = pyplot().subplots(figsize=figsize, layout="constrained")
    return new


def require_table(table: object, columns: Sequence[str], what: str) -> pd.DataFrame:
    """``table`` as a DataFrame with ``columns``, else a SchemaError.

    The error about a backtest table says where one comes from.
    """
    hint = "pass the table crowdcast.evaluation.backtest(...) returns"
    return require_columns(table, columns, what, hint if what == "backtest table" else None)


def quantile_cols(df: pd.DataFrame) -> list[tuple[float, str]]:
    """``(tau, column)`` of the ``q<tau>`` columns with at least one value, by tau."""
    return [(tau, col) for col, tau in quantile_columns(df, with_values=True).items()]


def models_in(table: pd.DataFrame) -> list[str]:
    """Models in order of first appearance (the order of ``kpis``)."""
    return [str(m) for m in pd.unique(table["model"].dropna())]


def fail(
    what: str,
    expectation: str,
    got: str | None = None,
    *,
    hint: str | None = None,
    error: type[ProblemsError] = ParameterError,
    title: str | None = None,
) -> NoReturn:
    """Raise one problem (``<what> must be <expectation>. Got <got>.``) as ``error``."""
    found = Problems(error=error, title=title)
    found.add(what, expectation, got, hint=hint)
    found.raise_if_any()
    raise AssertionError("unreachable: a problem was recorded")  # pragma: no cover


def check_choice(
    what: str, value: object, options: Sequence[object], *, hint: str | None = None
) -> None:
    """A ParameterError unless ``value`` equals one of ``options``, in the words of :class:`Choice`.

    Membership is by equality: zone and model names come from a table, whose
    strings need not be of the type the caller typed.
    """
    if value not in options:
        fail(f"`{what}`", Choice(tuple(options)).expectation, describe_value(value), hint=hint)
