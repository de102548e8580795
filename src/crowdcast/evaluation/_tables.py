"""The backtest table as the technology KPIs read it: the checks of it and of their arguments.

:func:`~crowdcast.evaluation.kpis`, :func:`~crowdcast.evaluation.peak_days`
and :func:`~crowdcast.evaluation.peak_kpis` take the long table of
``backtest(...)``; the rules it must follow are checked here, once, and every
problem is collected (:class:`~crowdcast._validation.Problems`) before one
error is raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from crowdcast._validation import Problems
from crowdcast.exceptions import DataValidationError, ParameterError, Problem, SchemaError
from crowdcast.schemas import quantile_columns

__all__ = [
    "BACKTEST_HINT",
    "GROUP_KEYS",
    "POINT",
    "check_forecasts",
    "check_table",
    "group_keys",
    "interval_levels",
    "model_categories",
    "produced_columns",
]

GROUP_KEYS = ("zone", "horizon", "hour", "event", "origin", "weekday")
"""What :func:`~crowdcast.evaluation.kpis` can group by; ``hour`` and ``weekday`` (0 = Monday)
are local."""

POINT = "q0.5"
"""The point forecast: the quantile column behind MAE, RMSE, MASE, sMAPE, bias and the peaks."""

BACKTEST_HINT = "pass the table from backtest(...)"


# ---------------------------------------------------------------------------- arguments


def group_keys(by: str | Sequence[str] | None, found: Problems) -> list[str]:
    """The ``by`` keys, once each, in the order given; unknown ones are recorded in ``found``."""
    keys = [by] if isinstance(by, str) else list(by or [])
    unknown = [k for k in keys if k not in GROUP_KEYS]
    if unknown:
        found.add("`by`", f"None or some of {list(GROUP_KEYS)}", repr(unknown))
    return list(dict.fromkeys(keys))


def interval_levels(interval: object, found: Problems) -> tuple[float, float]:
    """The two quantile levels of ``interval``; a wrong pair is recorded in ``found``."""
    try:
        lo, hi = (float(v) for v in interval)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        lo = hi = float("nan")
    if not 0 < lo < hi < 1:
        found.add(
            "`interval`",
            "two quantile levels (lower, upper) with 0 < lower < upper < 1",
            repr(interval),
            hint="e.g. interval=(0.1, 0.9) for the central 80 % interval",
        )
    return lo, hi


# ---------------------------------------------------------------------------- the table


def check_table(table: object, required: Sequence[str], function: str) -> pd.DataFrame:
    """``table`` when it is a backtest table with ``required`` columns, else every problem.

    Shape problems (columns, dtypes) raise a SchemaError; then rows repeated on
    ``(model, origin, zone, timestamp)`` a DataValidationError.
    """
    if not isinstance(table, pd.DataFrame):
        raise ParameterError(
            [
                Problem(
                    f"`table` of {function}()",
                    "a pandas DataFrame",
                    type(table).__name__,
                    hint=BACKTEST_HINT,
                )
            ]
        )
    found = Problems(error=SchemaError, title=f"Invalid backtest table for {function}()")
    missing = [c for c in (*required, POINT) if c not in table.columns]
    if missing:
        found.add(
            f"the backtest table passed to {function}()",
            f"a table with columns {[*required, POINT]} (and more quantiles)",
            f"missing {missing}",
            hint=BACKTEST_HINT,
        )
    if "timestamp" in table.columns and not isinstance(
        table["timestamp"].dtype, pd.DatetimeTZDtype
    ):
        found.add(
            "`timestamp`",
            "timezone-aware datetimes (datetime64[ns, UTC])",
            str(table["timestamp"].dtype),
            column="timestamp",
            hint="localise or convert with .dt.tz_localize('UTC'); " + BACKTEST_HINT,
        )
    numeric = ["actual", *(["scale"] if "scale" in required else []), *quantile_columns(table)]
    for col in numeric:
        if col in table.columns and (
            not pd.api.types.is_numeric_dtype(table[col]) or pd.api.types.is_bool_dtype(table[col])
        ):
            found.add(f"`{col}`", "numeric", str(table[col].dtype), column=col, hint=BACKTEST_HINT)
    if (
        "event" in required
        and "event" in table.columns
        and (not pd.api.types.is_bool_dtype(table["event"]) or table["event"].isna().any())
    ):
        found.add("`event`", "booleans without missing values", str(table["event"].dtype))
    found.raise_if_any()
    dup = table.duplicated(["model", "origin", "zone", "timestamp"])
    if dup.any():
        rows = table.index[dup]
        found.add(
            "rows of the backtest table",
            "unique per (model, origin, zone, timestamp)",
            f"{len(rows)} duplicate row(s)",
            error=DataValidationError,
            rows=rows.tolist(),
            hint="a row counted twice would weigh twice; " + BACKTEST_HINT,
        )
    found.raise_if_any()
    return table


def produced_columns(table: pd.DataFrame, cols: Iterable[str]) -> dict[str, np.ndarray]:
    """Per row: does the row's model produce quantile column ``c`` (any non-NaN value)."""
    out = {}
    for c in cols:
        per_model = table[c].notna().groupby(table["model"], sort=False).any()
        out[c] = table["model"].map(per_model).to_numpy(dtype=bool)
    return out


def check_forecasts(
    table: pd.DataFrame, observed: np.ndarray, has: dict[str, np.ndarray], found: Problems
) -> None:
    """Record NaN forecasts on observed rows of a model that produces the column.

    They are errors, never skipped: skipping them would flatter the model.
    """
    lacking = ~has[POINT]
    if lacking.any():
        names = list(pd.unique(table["model"][lacking]))
        found.add(
            f"`{POINT}` (the point forecast behind mae, rmse, mase, smape, bias)",
            "produced by every model",
            f"all NaN for model(s) {names}",
            column=POINT,
            hint=BACKTEST_HINT,
        )
    for c, has_c in has.items():
        bad = observed & has_c & table[c].isna().to_numpy()
        if bad.any():
            models = list(pd.unique(table["model"][bad]))
            metrics = "mae, rmse, mase, smape, bias, pinball" if c == POINT else "pinball, coverage"
            found.add(
                f"`{c}` (used by {metrics})",
                "a number on every row whose actual is observed",
                f"NaN on {int(bad.sum())} observed row(s) of model(s) {models}",
                column=c,
                rows=table.index[bad].tolist(),
                hint="the model failed to forecast these rows; they are not skipped "
                "because that would flatter the model. Fix the model or drop the rows",
            )


def model_categories(table: pd.DataFrame) -> pd.Categorical:
    """``model`` as a categorical ordered by first appearance (for deterministic output)."""
    return pd.Categorical(table["model"], categories=pd.unique(table["model"]))
