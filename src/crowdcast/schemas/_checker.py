"""Check a table against its contract, collecting every problem before raising."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

import numpy as np
import pandas as pd

from crowdcast._validation import Problems
from crowdcast.exceptions import DataValidationError, Problem, SchemaError
from crowdcast.schemas._contracts import Column, Contract

__all__ = ["TableChecker", "first_rows", "known_ids", "require_columns", "sorted_by"]

_DEFAULT_SOURCE = "<DataFrame>"


def first_rows(df: pd.DataFrame, mask: np.ndarray | pd.Series) -> tuple[object, ...]:
    """The index labels (file lines, for readers) of the first five rows where ``mask``."""
    return tuple(df.index[np.asarray(mask, dtype=bool)][:5].tolist())


def _is_str_like(s: pd.Series) -> bool:
    if pd.api.types.is_string_dtype(s.dtype) and not pd.api.types.is_object_dtype(s.dtype):
        return True
    if isinstance(s.dtype, pd.CategoricalDtype):
        return all(isinstance(v, str) for v in s.dtype.categories)
    if pd.api.types.is_object_dtype(s.dtype):
        return pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty")
    return False


def require_columns(
    table: object, columns: Sequence[str], what: str, hint: str | None = None
) -> pd.DataFrame:
    """``table`` as a DataFrame with ``columns``, else a SchemaError naming what is missing.

    For tables that are not contracts of their own (a backtest table, a risk
    table) but whose functions need some columns.
    """
    if not isinstance(table, pd.DataFrame):
        raise SchemaError(
            [Problem(f"the {what}", "a pandas DataFrame", type(table).__name__, hint=hint)],
            title=f"Invalid {what}",
        )
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SchemaError(
            [
                Problem(
                    f"the {what}'s columns {', '.join(columns)}",
                    "present",
                    f"no column {', '.join(repr(m) for m in missing)} among {list(table.columns)}",
                    hint=hint,
                )
            ],
            title=f"Invalid {what}",
        )
    return table


def known_ids(known: object) -> set[str]:
    """The ids a ``zones=`` argument names: a site profile's zones, zone objects or ids.

    >>> from types import SimpleNamespace as NS
    >>> sorted(known_ids(NS(zones=[NS(id="dam"), NS(id="park")])))
    ['dam', 'park']
    """
    items = getattr(known, "zones", known)
    return {str(getattr(item, "id", item)) for item in items}  # type: ignore[attr-defined]


def _duplicated(df: pd.DataFrame, key: list[str]) -> np.ndarray:
    """Rows whose key another row has; by neighbours when the table is sorted by the key."""
    if not key or len(df) < 2 or not sorted_by(df, key):
        return df.duplicated(key, keep=False).to_numpy()
    same = np.ones(len(df) - 1, dtype=bool)
    for name in key:
        k = _sort_key(df[name])
        same &= k[1:] == k[:-1]
    dup = np.zeros(len(df), dtype=bool)
    dup[1:] |= same
    dup[:-1] |= same
    return dup


class TableChecker:
    """The rules of one contract applied to one table; every problem is raised at the end.

    Shape problems (columns, dtypes) raise a :class:`SchemaError`, value
    problems a :class:`DataValidationError`; both are listed in one message.
    """

    def __init__(self, contract: Contract, df: object, source: str | None) -> None:
        self.contract = contract
        self.source = source or _DEFAULT_SOURCE
        self.found = Problems(source=self.source, title=f"Invalid {contract.name} table")
        if not isinstance(df, pd.DataFrame):
            raise SchemaError(
                [
                    Problem(
                        f"{contract.name} data",
                        "a pandas DataFrame",
                        type(df).__name__,
                        source=self.source,
                        hint="read the file with a crowdcast reader, or build a DataFrame "
                        "with the contract's columns",
                    )
                ],
                title=f"Invalid {contract.name} table",
            )
        self.df: pd.DataFrame = df

    def add(self, schema: bool = False, **kw: object) -> None:
        """Record a problem: a shape problem with ``schema=True``, else a value problem."""
        self.found.add(error=SchemaError if schema else DataValidationError, **kw)  # type: ignore[arg-type]

    @property
    def has_value_problems(self) -> bool:
        return self.found.has(DataValidationError)

    # ------------------------------------------------------------------ shape

    def check_columns(self, extra_ok: Collection[str] = ()) -> None:
        cols = list(self.df.columns)
        missing = [c for c in self.contract.required if c not in cols]
        if missing:
            self.add(
                schema=True,
                what=f"{self.contract.name} columns {', '.join(self.contract.required)}",
                expectation="present",
                got=f"no column {', '.join(repr(m) for m in missing)} among {cols}",
                hint="rename the columns (readers take a column mapping) or add them",
            )
        extra = [c for c in cols if c not in self.contract.names and c not in extra_ok]
        if extra:
            self.add(
                schema=True,
                what=f"{self.contract.name} columns",
                expectation=f"limited to the contract's {', '.join(self.contract.names)}",
                got=f"extra column(s) {', '.join(repr(e) for e in extra)}",
                hint="drop the columns the contract does not use",
            )
        dupes = pd.Index(cols)[pd.Index(cols).duplicated()].tolist()
        if dupes:
            self.add(
                schema=True,
                what=f"{self.contract.name} column names",
                expectation="unique",
                got=f"duplicated {dupes}",
                hint="rename or drop the repeated columns (or map only one of them)",
            )

    def present(self, name: str) -> bool:
        return name in self.df.columns and not isinstance(self.df[name], pd.DataFrame)

    def check_dtypes(self) -> set[str]:
        """Check every column's dtype; the names of those whose values can be checked further."""
        return {c.name for c in self.contract.columns if self.check_dtype(c)}

    def check_dtype(self, col: Column) -> bool:
        """Check one column's dtype; return True when values can be checked further."""
        if not self.present(col.name):
            return False
        check = {"datetime": self._datetime, "float": self._number, "int": self._number}.get(
            col.kind, self._text
        )
        return check(col, self.df[col.name])

    def _missing(self, col: Column, missing: np.ndarray | pd.Series) -> None:
        if not col.nullable and missing.any():
            self.add(
                what=f"`{col.name}`",
                expectation="present in every row",
                got=f"{int(missing.sum())} missing",
                column=col.name,
                rows=first_rows(self.df, missing),
                hint=f"fill in `{col.name}` in these rows, or drop them",
            )

    def _datetime(self, col: Column, s: pd.Series) -> bool:
        if not pd.api.types.is_datetime64_any_dtype(s.dtype):
            self.add(
                schema=True,
                what=f"`{col.name}`",
                expectation="timezone-aware datetimes",
                got=f"dtype {s.dtype}",
                column=col.name,
                hint="parse with pandas.to_datetime(..., utc=True) or use a crowdcast reader",
            )
            return False
        if getattr(s.dtype, "tz", None) is None:
            self.add(
                schema=True,
                what=f"`{col.name}`",
                expectation="timezone-aware",
                got="naive timestamps",
                column=col.name,
                hint="localize them with .dt.tz_localize('<site timezone>') "
                "or pass timezone= to the reader; crowdcast never guesses a timezone",
            )
            return False
        self._missing(col, s.isna())
        return True

    def _number(self, col: Column, s: pd.Series) -> bool:
        if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
            self.add(
                schema=True,
                what=f"`{col.name}`",
                expectation="numeric",
                got=f"dtype {s.dtype}",
                column=col.name,
                hint="convert with pandas.to_numeric and check the decimal separator",
            )
            return False
        values = s.to_numpy(dtype="float64", na_value=np.nan)
        nan = np.isnan(values)
        self._missing(col, nan)
        inf = np.isinf(values)
        if inf.any():
            self.add(
                what=f"`{col.name}`",
                expectation="finite",
                got=f"{int(inf.sum())} infinite value(s)",
                column=col.name,
                rows=first_rows(self.df, inf),
                hint="an infinite value is an export error: leave the cell empty for a missing "
                "value",
            )
        if col.kind == "int":
            frac = ~nan & ~inf & (values != np.round(values))
            if frac.any():
                self.add(
                    what=f"`{col.name}`",
                    expectation="whole numbers",
                    got=f"{float(values[frac][0])!r}",
                    column=col.name,
                    rows=first_rows(self.df, frac),
                    hint=f"`{col.name}` counts whole things; check the decimal and thousands "
                    "separators",
                )
        return True

    def _text(self, col: Column, s: pd.Series) -> bool:
        if col.kind != "str":  # pragma: no cover - bool columns are not in any contract yet
            return True
        if not _is_str_like(s):
            self.add(
                schema=True,
                what=f"`{col.name}`",
                expectation="text",
                got=f"dtype {s.dtype}",
                column=col.name,
                hint=f"convert with df[{col.name!r}].astype(str)",
            )
            return False
        self._missing(col, s.isna())
        return True

    # ------------------------------------------------------------------ values

    def check_min(
        self,
        name: str,
        minimum: float,
        ok: set[str],
        hint: str = "check the sign and the unit of the source",
    ) -> None:
        if name not in ok:
            return
        v = self.df[name].to_numpy(dtype="float64", na_value=np.nan)
        bad = v < minimum
        if bad.any():
            self.add(
                what=f"`{name}`",
                expectation=f">= {minimum:g}",
                got=f"{int(bad.sum())} value(s) below, e.g. {v[bad][0]:g}",
                column=name,
                rows=first_rows(self.df, bad),
                hint=hint,
            )

    def check_range(self, name: str, lo: float, hi: float, ok: set[str], unit: str) -> None:
        if name not in ok:
            return
        v = self.df[name].to_numpy(dtype="float64", na_value=np.nan)
        bad = (v < lo) | (v > hi)
        if bad.any():
            self.add(
                what=f"`{name}`",
                expectation=f"between {lo:g} and {hi:g} {unit}",
                got=f"{int(bad.sum())} value(s) outside, e.g. {v[bad][0]:g}",
                column=name,
                rows=first_rows(self.df, bad),
                hint="check the unit (e.g. 0.1 °C or km/h) of the source",
            )

    def check_unique(self, key: tuple[str, ...], ok: set[str], hint: str) -> None:
        key = tuple(k for k in key if k in ok)
        if any(self.contract.column(k).required and k not in key for k in self.contract.key):
            return
        dup = _duplicated(self.df, list(key))
        if dup.any():
            first = "(" + ", ".join(str(v) for v in self.df.loc[dup, list(key)].iloc[0]) + ")"
            self.add(
                what=f"({', '.join(key)})",
                expectation="unique",
                got=f"{int(dup.sum())} rows sharing a key, e.g. {first}",
                column=", ".join(key),
                rows=first_rows(self.df, dup),
                hint=hint,
            )

    def check_known(self, name: str, known: object, ok: set[str], what: str) -> None:
        """Values of ``name`` among ``known``: ids, objects with an ``id`` (zones, venues), or
        a site profile (its zones)."""
        if known is None or name not in ok:
            return
        known_set = known_ids(known)
        s = self.df[name]
        bad = (~s.isin(known_set) & s.notna()).to_numpy()
        if bad.any():
            unknown = sorted(set(s[bad].astype(str)))
            self.add(
                what=f"`{name}`",
                expectation=f"a {what} of the site profile ({', '.join(sorted(known_set))})",
                got=f"unknown {', '.join(repr(u) for u in unknown[:5])}",
                column=name,
                rows=first_rows(self.df, bad),
                hint=f"add the {what} to the site profile or map the names when reading",
            )

    def raise_if_any(self) -> None:
        self.found.raise_if_any()

    def normalised(self, sort_by: Iterable[str]) -> pd.DataFrame:
        """Contract column order, canonical dtypes, sorted by ``sort_by``, a fresh index.

        A table already in order (as the counts reader hands it over) is not
        sorted again, and each column is copied once at most: a large table
        is checked within little more than its own size.
        """
        columns: dict[str, object] = {}
        for col in self.contract.columns:
            if col.name not in self.df.columns:
                continue
            values = self.df[col.name]
            if col.kind == "datetime":
                values = values.dt.tz_convert("UTC").dt.as_unit("ns")
            elif col.kind == "float":
                values = values.astype("float64")
            elif col.kind == "int":
                values = values.astype("int64")
            elif col.kind == "str":
                values = values.astype(object).where(values.notna(), None)
                values = values.astype("str" if not col.nullable else object)
            columns[col.name] = values.array
        out = pd.DataFrame(columns, index=pd.RangeIndex(len(self.df)), copy=False)
        sort_cols = [c for c in sort_by if c in out.columns]
        if not sorted_by(out, sort_cols):
            out = out.sort_values(sort_cols, kind="stable", ignore_index=True)
        return out


def _sort_key(values: pd.Series) -> np.ndarray:
    """Values that compare as the column sorts (codes of a categorical, ns of datetimes)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        if values.cat.ordered or list(values.cat.categories) == sorted(values.cat.categories):
            return np.asarray(values.cat.codes)
        return values.astype(object).to_numpy()
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return np.asarray(pd.DatetimeIndex(values).asi8)
    return values.to_numpy()


def sorted_by(df: pd.DataFrame, columns: Sequence[str]) -> bool:
    """Whether the rows are in ascending order of ``columns`` (ties allowed); no missing keys.

    >>> sorted_by(pd.DataFrame({"a": ["x", "x", "y"], "b": [2, 3, 1]}), ["a", "b"])
    True
    """
    if len(df) < 2:
        return True
    tied = np.ones(len(df) - 1, dtype=bool)
    for name in columns:
        values = df[name]
        if values.isna().any():
            return False
        key = _sort_key(values)
        try:
            after, same = key[1:] > key[:-1], key[1:] == key[:-1]
        except TypeError:  # values that do not compare (mixed types)
            return False
        if (tied & ~(after | same)).any():
            return False
        tied &= same
    return True
