"""Numbers as files write them: decimal marks, thousands separators, missing-value markers.

:func:`parse_numbers` is the rule; :func:`number_array` the same rule on a
pyarrow block, fast when nothing is unusual and handing the block to
:func:`parse_numbers` otherwise (for its exact errors).

The rule:

- empty cells and ``nan``, ``na``, ``n/a``, ``#n/a``, ``null`` (any case) are
  missing (NaN);
- ``decimal`` is the decimal mark (``.`` or ``,``); the other mark is only
  accepted as the ``thousands`` separator, and then only between groups of
  three digits (``1.234.567,5`` with ``thousands='.'``, ``decimal=','``);
- a count of people (``persons=True``: counts and expected attendance) is
  read strictly: ``1.234`` or ``1,234`` could be a thousand and more with a
  thousands separator, or a fraction of a person, so unless the reader was
  told (``thousands=`` or ``decimal=``) such a value is an error rather than
  a guess.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crowdcast._validation import Problems
from crowdcast.exceptions import ParseError
from crowdcast.io._csv import NumberFormat
from crowdcast.io._times import arrow_series

__all__ = ["MISSING_MARKERS", "number_array", "parse_numbers"]

#: Cell texts read as a missing value (compared in lower case).
MISSING_MARKERS = ("nan", "na", "n/a", "#n/a", "null")


def _grouped(thousands: str, decimal: str) -> str:
    """A number with thousands separators between groups of three digits, in full."""
    t, d = (f"\\{c}" if c in ".^$*+?()[]{}|\\" else c for c in (thousands, decimal))
    return rf"[+-]?\d{{1,3}}(?:{t}\d{{3}})+(?:{d}\d+)?"


def _ambiguous(decimal: str) -> str:
    """A value a thousands separator would read otherwise: one mark, then three digits."""
    return rf"[+-]?\d{{1,3}}\{decimal}\d{{3}}"


def parse_numbers(
    values: pd.Series,
    *,
    column: str,
    source: str,
    numbers: NumberFormat | None = None,
    persons: bool = False,
) -> pd.Series:
    """Parse numeric text by the rule of this module; anything else is one error with its rows.

    >>> parse_numbers(pd.Series(["1.234,5", "n/a"]), column="count", source="x.csv",
    ...               numbers=NumberFormat(",", ".", explicit=True)).tolist()
    [1234.5, nan]
    """
    fmt = numbers or NumberFormat()
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("float64")
    text = values.astype("string").str.strip()
    missing = (text.isna() | (text == "") | text.str.lower().isin(MISSING_MARKERS)).to_numpy(bool)
    cells = text.mask(missing)
    found = Problems(source=source, error=ParseError)
    other = "," if fmt.decimal == "." else "."
    if fmt.thousands is not None:
        has = cells.str.contains(fmt.thousands, regex=False).fillna(False).to_numpy(bool)
        grouped = cells.str.fullmatch(_grouped(fmt.thousands, fmt.decimal)).fillna(False)
        _add(
            found,
            values,
            has & ~grouped.to_numpy(bool),
            column,
            f"numbers with the thousands separator {fmt.thousands!r} only between groups of "
            "three digits",
            f"check thousands={fmt.thousands!r} and decimal={fmt.decimal!r}",
        )
        cells = cells.str.replace(fmt.thousands, "", regex=False)
    if persons and not fmt.explicit:
        ambiguous = cells.str.fullmatch(_ambiguous(fmt.decimal)).fillna(False).to_numpy(bool)
        _add(
            found,
            values,
            ambiguous,
            column,
            "whole numbers of people, or the reader told how numbers are written",
            f"pass thousands={fmt.decimal!r} if {fmt.decimal!r} separates thousands here "
            f"(1{fmt.decimal}234 = 1234), or decimal={fmt.decimal!r} if these are fractions",
            got_prefix="values that a thousands separator would read otherwise, such as ",
        )
        cells = cells.mask(ambiguous)
    has_other = cells.str.contains(other, regex=False).fillna(False).to_numpy(bool)
    _add(
        found,
        values,
        has_other,
        column,
        f"numbers with {fmt.decimal!r} as decimal mark",
        f"pass thousands={other!r} if {other!r} separates thousands, "
        f"or decimal={other!r} if it is the decimal mark",
    )
    cells = cells.mask(has_other)
    if fmt.decimal != ".":
        cells = cells.str.replace(fmt.decimal, ".", regex=False)
    parsed = pd.to_numeric(cells, errors="coerce")
    bad = parsed.isna().to_numpy() & cells.notna().to_numpy()
    _add(
        found,
        values,
        bad,
        column,
        "numbers (empty, 'n/a' or 'nan' = missing)",
        "write digits only; leave a cell empty for a missing value",
    )
    found.raise_if_any()
    return pd.Series(parsed.to_numpy(dtype="float64", na_value=np.nan), index=values.index)


def _add(
    found: Problems,
    values: pd.Series,
    bad: np.ndarray,
    column: str,
    expectation: str,
    hint: str,
    got_prefix: str = "",
) -> None:
    if bad.any():
        found.add(
            f"`{column}`",
            expectation,
            f"{int(bad.sum())} value(s): {got_prefix}{values[bad].iloc[0]!r}",
            column=column,
            rows=tuple(values.index[bad][:5]),
            hint=hint,
        )


def number_array(
    cells: pa.Array,
    index: pd.Index,
    *,
    column: str,
    source: str,
    numbers: NumberFormat,
    persons: bool = False,
) -> np.ndarray:
    """A block of text cells as float64: pyarrow when plain, else :func:`parse_numbers`."""
    if not pa.types.is_string(cells.type) and not pa.types.is_large_string(cells.type):
        if pa.types.is_integer(cells.type) or pa.types.is_floating(cells.type):
            return np.asarray(cells.to_numpy(zero_copy_only=False), dtype="float64")
        return _careful(cells, index, column, source, numbers, persons)
    text = pc.utf8_trim_whitespace(cells)
    other = "," if numbers.decimal == "." else "."
    if numbers.thousands is not None or _any(pc.match_substring(text, other)):
        return _careful(cells, index, column, source, numbers, persons)
    strict = persons and not numbers.explicit
    if strict and _any(pc.match_substring_regex(text, f"^{_ambiguous(numbers.decimal)}$")):
        return _careful(cells, index, column, source, numbers, persons)
    if numbers.decimal != ".":
        text = pc.replace_substring(text, numbers.decimal, ".")
    try:
        parsed = pc.cast(text, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _careful(cells, index, column, source, numbers, persons)
    return np.asarray(parsed.to_numpy(zero_copy_only=False), dtype="float64")


def _any(mask: pa.Array) -> bool:
    return bool(pc.any(mask).as_py())


def _careful(
    cells: pa.Array,
    index: pd.Index,
    column: str,
    source: str,
    numbers: NumberFormat,
    persons: bool,
) -> np.ndarray:
    values = arrow_series(cells, index)
    parsed = parse_numbers(values, column=column, source=source, numbers=numbers, persons=persons)
    return parsed.to_numpy(dtype="float64")
