"""A counts file read block by block into compact arrays: zone codes, UTC times, counts, lines.

A counts export can hold tens of millions of rows, so the file is never held
as a table of text: pyarrow reads it in blocks (:func:`crowdcast.io._csv.csv_batches`,
or a Parquet file's row batches), each block is parsed straight into numpy
arrays (a zone is an ``int32`` code, a time ``int64`` nanoseconds, a count
``float64``), and only those are kept. Peak memory stays within about three
times the size of a long CSV file.

The privacy ingress guard (:func:`crowdcast.privacy.guard_ingress`) sees what
it needs without a second parse: the first block's sample of rows as text
(identifier names and values, so a refused file is refused before it is read
further), a sample of every block's rows (identifier values across the file),
and, in :mod:`crowdcast.io._counts`, the parsed rows themselves for the
record-level check.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from crowdcast.exceptions import ParseError, Problem, SchemaError
from crowdcast.io._common import is_parquet, map_columns
from crowdcast.io._csv import (
    CsvOptions,
    NumberFormat,
    csv_batches,
    is_unnamed,
    phantom_columns,
    sniff_csv,
    unnamed_values_problem,
)
from crowdcast.io._numbers import number_array
from crowdcast.io._times import TimeParser, localize, naive_problem
from crowdcast.privacy import guard_ingress

__all__ = ["CountRows", "read_count_blocks"]

logger = logging.getLogger("crowdcast.io")

_PARQUET_BATCH_ROWS = 500_000
_SAMPLE_ROWS = 1_000


@dataclass
class CountRows:
    """Every row of a counts file: zone code, start (UTC ns) and count, in file order.

    Row ``i`` is on file line ``first_line + i`` (the header is line 1; the
    wide layout repeats the file's rows once per zone, ``period`` rows each).
    """

    zones: list[str]  # the zone of each code, as the file names it
    codes: np.ndarray
    ns: np.ndarray
    count: np.ndarray
    first_line: int
    period: int | None = None
    line_counter: bool = False

    def __len__(self) -> int:
        return len(self.codes)

    def lines(self, positions: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """The file lines of rows at ``positions`` (written into ``out`` when given)."""
        lines = np.empty(len(positions), dtype=np.int64) if out is None else out
        if self.period:
            np.remainder(positions, self.period, out=lines)
        elif lines is not positions:
            lines[:] = positions
        lines += self.first_line
        return lines

    def index(self) -> pd.Index:
        """The file line of every row, as a table index."""
        if self.period is None:
            return pd.RangeIndex(self.first_line, self.first_line + len(self))
        return pd.Index(self.lines(np.arange(len(self))))


@dataclass
class _Blocks:
    """The row blocks of one file and how its numbers are written."""

    names: tuple[str, ...]
    numbers: NumberFormat
    batches: Iterator[tuple[int, pa.RecordBatch]]
    first_line: int  # of the first row: 2 in a CSV file (after the header), 0 in Parquet


def _open(path: str | Path, options: CsvOptions, source: str) -> _Blocks:
    if not is_parquet(path):
        layout = sniff_csv(path, options, what="counts")
        if layout.notes:
            logger.info("%s: read with %s (sniffed)", source, ", ".join(layout.notes))
        return _Blocks(layout.names, layout.numbers, csv_batches(layout, what="counts"), 2)
    options.check(source)
    if not Path(path).is_file():
        raise ParseError(
            [
                Problem(
                    "the counts file",
                    "an existing file",
                    source,
                    source=source,
                    hint="check the path",
                )
            ]
        )
    try:
        parquet = pq.ParquetFile(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise ParseError(
            [
                Problem(
                    "the counts file",
                    "readable Parquet",
                    str(exc).splitlines()[0],
                    source=source,
                    hint="write it again with pandas.DataFrame.to_parquet or pyarrow",
                )
            ]
        ) from None

    def batches() -> Iterator[tuple[int, pa.RecordBatch]]:
        row = 0
        for batch in parquet.iter_batches(batch_size=_PARQUET_BATCH_ROWS):
            yield row, batch
            row += batch.num_rows

    names = tuple(str(n).strip() for n in parquet.schema_arrow.names)
    return _Blocks(names, options.numbers, batches(), 0)


@dataclass
class _Spec:
    """Which file columns hold what, settled on the first block."""

    renamed: dict[str, str]  # file column -> contract name (or zone id in the wide layout)
    zone: str | None = None
    timestamp: str = "timestamp"
    values: dict[str, str] = field(default_factory=dict)  # contract name -> file column
    zone_columns: list[str] = field(default_factory=list)  # wide: file columns, one per zone
    unnamed: dict[str, bool] = field(default_factory=dict)  # unnamed column -> empty so far


def _sample(batch: pa.RecordBatch, line: int) -> pd.DataFrame:
    """Up to 1,000 evenly spaced rows of a block, as text, indexed by file line."""
    n = batch.num_rows
    take = np.unique(np.linspace(0, max(n - 1, 0), min(n, _SAMPLE_ROWS)).astype(np.int64))
    rows = batch.take(pa.array(take, type=pa.int64())).to_pandas()
    return rows.set_axis(pd.Index(np.asarray(take, dtype=np.int64) + line))


def _settle(
    first: pd.DataFrame,
    names: tuple[str, ...],
    columns: Mapping[str, str] | None,
    wide: bool,
    source: str,
) -> _Spec:
    """Map and guard the first block's sample; which columns hold the zone, time and counts."""
    renamed = {name: (columns or {}).get(name, name) for name in names}
    contract = set(renamed.values())
    line_counter = not wide and "count" not in contract and {"in", "out"} <= contract
    if wide:
        required: tuple[str, ...] = ("timestamp",)
        keep: tuple[str, ...] | None = tuple(renamed.values())
    elif line_counter:
        required = keep = ("zone", "timestamp", "in", "out")
    else:
        required, keep = ("zone", "timestamp", "count"), None
    kept = map_columns(first, columns, required=required, source=source, what="counts", keep=keep)
    by_contract = {new: old for old, new in renamed.items()}
    spec = _Spec(renamed, timestamp=by_contract["timestamp"])
    spec.unnamed = {name: True for name in names if is_unnamed(name)}
    if wide:
        spec.zone_columns = [
            old for old, new in renamed.items() if new != "timestamp" and not is_unnamed(old)
        ]
        if not spec.zone_columns:
            raise SchemaError(
                [
                    Problem(
                        "a wide counts file",
                        "one column per zone besides the timestamp",
                        f"only {list(names)}",
                        source=source,
                        hint="use layout='long' for a file with zone, timestamp and count columns",
                    )
                ]
            )
    else:
        spec.zone = by_contract["zone"]
        spec.values = {c: by_contract[c] for c in kept.columns if c in ("count", "in", "out")}
    return spec


class _Reader:
    """Parses the blocks of one counts file into arrays, keeping a sample for the guard."""

    def __init__(
        self,
        blocks: _Blocks,
        columns: Mapping[str, str] | None,
        wide: bool,
        source: str,
        parser: TimeParser,
    ) -> None:
        self.blocks, self.columns, self.wide, self.source = blocks, columns, wide, source
        self.parser = parser
        self.samples: list[pd.DataFrame] = []
        self.zone_codes: dict[str, int] = {}
        self.parts: dict[str, list[np.ndarray]] = {"codes": [], "ns": [], "count": []}
        self.wide_values: list[list[np.ndarray]] = []

    def read(self) -> _Spec:
        spec: _Spec | None = None
        for line, batch in self.blocks.batches:
            sample = _sample(batch, line)
            if spec is None:  # the first block is guarded whole, here
                spec = _settle(sample, self.blocks.names, self.columns, self.wide, self.source)
            else:
                self.samples.append(sample)
            for name in spec.unnamed:
                spec.unnamed[name] &= batch.column(name).null_count == batch.num_rows
            try:
                self._block(batch, line, spec)
            except ParseError:
                self.guard_samples()  # a refused file is refused before its parse errors
                raise
        if spec is None:  # a header without rows
            empty = pd.DataFrame({n: pd.Series(dtype=object) for n in self.blocks.names})
            spec = _settle(empty, self.blocks.names, self.columns, self.wide, self.source)
        self.guard_samples()
        holding = [name for name, empty in spec.unnamed.items() if not empty]
        if holding and self.wide:
            raise unnamed_values_problem(holding, source=self.source, what="counts")
        phantom_columns({n: e for n, e in spec.unnamed.items() if e}, source=self.source)
        return spec

    def guard_samples(self) -> None:
        """Identifier values across the blocks after the first (which :func:`_settle` guards)."""
        if not self.samples:
            return
        sample = pd.concat(self.samples)
        renamed = [(self.columns or {}).get(c, c) for c in sample.columns]
        file_names = {new: old for old, new in zip(sample.columns, renamed, strict=True)}
        guard_ingress(
            sample.set_axis(renamed, axis=1),
            source=self.source,
            contract="counts",
            keep=renamed,
            file_names=file_names,
        )

    def _block(self, batch: pa.RecordBatch, line: int, spec: _Spec) -> None:
        n = batch.num_rows
        index = pd.RangeIndex(line, line + n)
        ns = self.parser.parse_array(batch.column(spec.timestamp), index)
        numbers = self.blocks.numbers
        if self.wide:
            self.parts["ns"].append(ns)
            self.wide_values.append(
                [
                    number_array(
                        batch.column(col),
                        index,
                        column=col,
                        source=self.source,
                        numbers=numbers,
                        persons=True,
                    )
                    for col in spec.zone_columns
                ]
            )
            return
        assert spec.zone is not None
        self.parts["codes"].append(self._zone_codes(batch.column(spec.zone), index, spec.zone))
        values = [
            number_array(
                batch.column(col),
                index,
                column=col,
                source=self.source,
                numbers=numbers,
                persons=True,
            )
            for col in spec.values.values()
        ]
        self.parts["count"].append(values[0] if len(values) == 1 else values[0] + values[1])
        self.parts["ns"].append(ns)

    def _zone_codes(self, cells: pa.Array, index: pd.RangeIndex, column: str) -> np.ndarray:
        if not pa.types.is_string(cells.type):
            cells = pc.cast(cells, pa.string())
        cells = pc.utf8_trim_whitespace(cells)
        empty = np.asarray(pc.is_null(cells).to_numpy(zero_copy_only=False)) | np.asarray(
            pc.equal(cells, "").fill_null(False).to_numpy(zero_copy_only=False)
        )
        if empty.any():
            raise ParseError(
                [
                    Problem(
                        "`zone`",
                        "present in every row",
                        f"{int(empty.sum())} empty",
                        source=self.source,
                        column=column,
                        rows=tuple(index[empty][:5]),
                        hint="drop the rows without a zone, or fill in their zone",
                    )
                ]
            )
        encoded = pc.dictionary_encode(cells)
        mapping = np.array(
            [
                self.zone_codes.setdefault(v, len(self.zone_codes))
                for v in encoded.dictionary.to_pylist()
            ],
            dtype=np.int32,
        )
        return mapping[np.asarray(encoded.indices.to_numpy(zero_copy_only=False))]


def read_count_blocks(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None,
    wide: bool,
    timezone: str | None,
    options: CsvOptions,
    source: str,
) -> CountRows:
    """Read, guard and parse every row of a counts file; times localised to UTC."""
    blocks = _open(path, options, source)
    parser = TimeParser(options.times, column="timestamp", source=source)
    reader = _Reader(blocks, columns, wide, source, parser)
    spec = reader.read()
    pa.default_memory_pool().release_unused()  # the text blocks are parsed and gone
    parts = reader.parts
    first = blocks.first_line
    ns = _concatenate(parts["ns"], np.int64)
    if wide:
        zones = [spec.renamed[c] for c in spec.zone_columns]
        codes_per_row = np.zeros(len(ns), dtype=np.int32)
    else:
        zones = list(reader.zone_codes)
        codes_per_row = _concatenate(parts["codes"], np.int32)
    if len(ns) and parser.aware is False:
        if timezone is None:
            raise naive_problem("timestamp", source, pd.Timestamp(int(ns[0])))
        lines = pd.RangeIndex(first, first + len(ns))
        ns = localize(
            ns, codes_per_row, lines, timezone=timezone, column="timestamp", source=source
        )
    if not wide:
        count = _concatenate(parts["count"], np.float64)
        return CountRows(zones, codes_per_row, ns, count, first, line_counter="in" in spec.values)
    n_rows, n_zones = len(ns), len(zones)
    count = np.empty(n_rows * n_zones)
    for z in range(n_zones):  # zone after zone, as the long layout would list them
        column = [block[z] for block in reader.wide_values]
        count[z * n_rows : (z + 1) * n_rows] = np.concatenate(column) if column else []
    reader.wide_values.clear()
    return CountRows(
        zones,
        np.repeat(np.arange(n_zones, dtype=np.int32), n_rows),
        np.tile(ns, n_zones),
        count,
        first,
        period=n_rows,
    )


def _concatenate(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    """The blocks' arrays as one, each block freed as soon as it is copied."""
    out: np.ndarray = np.empty(sum(len(p) for p in parts), dtype=dtype)
    at = 0
    while parts:
        part = parts.pop(0)
        out[at : at + len(part)] = part
        at += len(part)
    return out
