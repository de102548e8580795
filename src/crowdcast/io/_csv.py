"""CSV files as cities export them: layout sniffed, options checked, rows read in blocks.

Every CSV reader opens its file here. :func:`sniff_csv` reads the first
64 KiB and settles how the file is written, each guess overridden by the
reader option of the same name:

- ``encoding``: UTF-8 (a byte order mark is skipped); a file that is not
  UTF-8 is read as Windows-1252, the Excel default in Western Europe, with a
  :class:`~crowdcast.exceptions.DataQualityWarning` (pass ``encoding=`` to
  silence it);
- ``sep``: of ``,``, ``;``, tab and ``|``, the one that splits the header and
  the first rows into the same number of fields, most fields first;
- ``decimal``: ``,`` when the separator is ``;`` and a cell is a number with
  a decimal comma (``2,5``), else ``.``. A thousands separator is never
  guessed (``thousands=``): see :func:`crowdcast.io._numbers.parse_numbers`.

So the Dutch Excel default (semicolons, decimal commas, Windows-1252, a BOM,
``dd-mm-yyyy HH:MM`` times: see :mod:`crowdcast.io._times`) reads without
options. :func:`csv_batches` then reads the rows with pyarrow's streaming
CSV reader, every cell as text, in blocks, so a file of any size is read in
bounded memory; :func:`read_csv_frame` gathers them for the small tables.

Columns without a name (a trailing separator, an index written by pandas
as ``Unnamed: 0``) are dropped with a warning when they are empty and an
error when they hold values: a nameless column is never read as data.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from crowdcast._validation import Problems
from crowdcast.exceptions import DataQualityWarning, ParameterError, ParseError, Problem

__all__ = [
    "CsvLayout",
    "CsvOptions",
    "NumberFormat",
    "TimeFormat",
    "csv_batches",
    "is_unnamed",
    "phantom_columns",
    "read_csv_frame",
    "sniff_csv",
    "unnamed_values_problem",
]

_HEAD_BYTES = 1 << 16
_BLOCK_BYTES = 4 << 20
_SNIFF_LINES = 20
_SEPARATORS = (",", ";", "\t", "|")
_BOM = b"\xef\xbb\xbf"
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_UNNAMED = re.compile(r"(?:Unnamed: \d+(?:_level_\d+)?)?(?:\.\d+)?")
_SEPARATOR_HINT = "pass sep= with the file's separator (e.g. sep=';') and check its quoting"


@dataclass(frozen=True)
class NumberFormat:
    """How numbers are written: the decimal mark and the thousands separator, if any.

    ``explicit`` says the user gave one of them, which settles a value such as
    ``1.234`` that the two would read differently.
    """

    decimal: str = "."
    thousands: str | None = None
    explicit: bool = False


@dataclass(frozen=True)
class TimeFormat:
    """How timestamps are written when not in ISO 8601: a strptime format or day first."""

    date_format: str | None = None
    dayfirst: bool | None = None


@dataclass(frozen=True)
class CsvOptions:
    """The reader options every CSV reader takes (``None``: sniffed from the file)."""

    sep: str | None = None
    decimal: str | None = None
    thousands: str | None = None
    encoding: str | None = None
    date_format: str | None = None
    dayfirst: bool | None = None

    def check(self, source: str) -> None:
        """Raise a :class:`ParameterError` naming every option with an invalid value."""
        found = Problems(source=source, error=ParameterError, title="Invalid reader options")
        one_char = "a single character such as ',' or ';'"
        if self.sep is not None and (not isinstance(self.sep, str) or len(self.sep) != 1):
            found.add("`sep`", one_char, repr(self.sep), hint="e.g. sep=';' for Excel in Europe")
        if self.decimal not in (None, ".", ","):
            found.add("`decimal`", "'.' or ','", repr(self.decimal), hint="e.g. decimal=','")
        if self.thousands not in (None, ".", ",", " ", "'", "\u00a0", "_"):
            found.add(
                "`thousands`",
                "one of '.', ',', ' ', \"'\", '_' or a no-break space",
                repr(self.thousands),
                hint="e.g. thousands='.' for 1.234 meaning one thousand two hundred thirty-four",
            )
        elif self.thousands is not None and self.thousands == self.decimal:
            found.add(
                "`thousands`",
                "another character than the decimal mark",
                repr(self.thousands),
                hint="pass decimal=',' with thousands='.' (or the other way round)",
            )
        if self.encoding is not None and not _known_codec(self.encoding):
            found.add(
                "`encoding`",
                "a Python codec name such as 'utf-8' or 'cp1252'",
                repr(self.encoding),
                hint="Excel in Western Europe writes 'cp1252'",
            )
        if self.date_format is not None and (
            not isinstance(self.date_format, str) or "%" not in self.date_format
        ):
            found.add(
                "`date_format`",
                "a strftime format such as '%d-%m-%Y %H:%M'",
                repr(self.date_format),
                hint="see https://docs.python.org/3/library/datetime.html#format-codes",
            )
        if self.dayfirst is not None and not isinstance(self.dayfirst, bool):
            found.add("`dayfirst`", "True or False", repr(self.dayfirst), hint="e.g. dayfirst=True")
        found.raise_if_any()

    @property
    def numbers(self) -> NumberFormat:
        """The number format these options give (the default is the dot)."""
        explicit = self.decimal is not None or self.thousands is not None
        return NumberFormat(self.decimal or _other_mark(self.thousands), self.thousands, explicit)

    @property
    def times(self) -> TimeFormat:
        return TimeFormat(self.date_format, self.dayfirst)


def _other_mark(thousands: str | None) -> str:
    """The decimal mark that goes with a thousands separator (the dot unless that is taken)."""
    return "," if thousands == "." else "."


def _known_codec(name: object) -> bool:
    if not isinstance(name, str):
        return False
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


@dataclass(frozen=True)
class CsvLayout:
    """How one CSV file is written, as sniffed and as the options say."""

    path: Path
    sep: str
    encoding: str
    bom: bool
    names: tuple[str, ...]  # the header, made unique as pandas does ("a", "a.1")
    numbers: NumberFormat
    times: TimeFormat
    notes: tuple[str, ...] = field(default=())  # what was sniffed, for the log

    @property
    def source(self) -> str:
        return str(self.path)


def _open(path: Path) -> pa.NativeFile:
    return pa.input_stream(str(path), compression="detect")


def sniff_csv(path: str | Path, options: CsvOptions, *, what: str) -> CsvLayout:
    """Settle separator, encoding and decimal mark from the head of the file.

    Raises a :class:`ParseError` for a missing or empty file (no header line).
    """
    p = Path(path)
    source = str(p)
    options.check(source)
    if not p.is_file():
        raise ParseError(
            [
                Problem(
                    f"the {what} file",
                    "an existing file",
                    source,
                    source=source,
                    hint="check the path",
                )
            ]
        )
    try:
        with _open(p) as stream:
            head = stream.read(_HEAD_BYTES)
    except (OSError, pa.ArrowInvalid) as exc:
        raise _unreadable(what, source, str(exc)) from None
    bom = head.startswith(_BOM)
    head = head[len(_BOM) :] if bom else head
    encoding, text = _decode(head, options.encoding, source)
    lines = [line for line in text.splitlines()[:_SNIFF_LINES] if line.strip()]
    if not lines:
        raise ParseError(
            [
                Problem(
                    f"the {what} file",
                    "a header line naming its columns, then one line per row",
                    "an empty file",
                    source=source,
                    hint="check the export: its period, filters or a failed download",
                )
            ],
            title=f"Cannot read {what} file",
        )
    sep = options.sep or _sniff_separator(lines)
    header = next(csv.reader([lines[0]], delimiter=sep))
    names = _unique([name.strip() for name in header])
    decimal = options.decimal or _sniff_decimal(lines[1:], sep)
    if options.decimal is None and decimal == options.thousands:
        decimal = _other_mark(options.thousands)
    numbers = NumberFormat(
        decimal, options.thousands, options.decimal is not None or options.thousands is not None
    )
    notes = tuple(
        note
        for note, sniffed in (
            (f"separator {sep!r}", options.sep is None and sep != ","),
            (f"decimal mark {decimal!r}", options.decimal is None and decimal != "."),
            (f"encoding {encoding}", options.encoding is None and encoding != "utf-8"),
        )
        if sniffed
    )
    return CsvLayout(p, sep, encoding, bom, names, numbers, options.times, notes)


def _decode(head: bytes, encoding: str | None, source: str) -> tuple[str, str]:
    """The encoding to read with and the decoded head (a cut character at the end is fine)."""
    if encoding is not None:
        return encoding, codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)
    try:
        return "utf-8", codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        warnings.warn(
            f"{source} is not UTF-8: read as Windows-1252 (cp1252), the encoding Excel writes "
            "in Western Europe. Pass encoding='cp1252' to confirm it, or the file's encoding.",
            DataQualityWarning,
            stacklevel=4,
        )
        return "cp1252", head.decode("cp1252", errors="replace")


def _sniff_separator(lines: list[str]) -> str:
    """The separator that splits every sniffed line into the header's number of fields (> 1)."""
    best, best_fields = ",", 1
    for sep in _SEPARATORS:
        widths = {len(row) for row in csv.reader(lines, delimiter=sep)}
        fields = len(next(csv.reader(lines[:1], delimiter=sep)))
        if widths == {fields} and fields > best_fields:
            best, best_fields = sep, fields
    return best


def _sniff_decimal(lines: list[str], sep: str) -> str:
    if sep != ";":
        return "."
    cells = (cell.strip() for row in csv.reader(lines, delimiter=sep) for cell in row)
    return "," if any(_DECIMAL_COMMA.match(cell) for cell in cells) else "."


def _unique(names: list[str]) -> tuple[str, ...]:
    """Column names made unique as pandas does: a repeated ``a`` becomes ``a.1``."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        seen.setdefault(name, 0)
        out.append(name)
    return tuple(out)


def is_unnamed(name: str) -> bool:
    """A header cell that names nothing: empty, or pandas' ``Unnamed: 3``."""
    return _UNNAMED.fullmatch(name) is not None


def _unreadable(what: str, source: str, detail: str, rows: tuple[int, ...] = ()) -> ParseError:
    return ParseError(
        [
            Problem(
                f"the {what} file",
                "readable CSV: every row with as many fields as the header",
                detail,
                source=source,
                rows=rows,
                hint=_SEPARATOR_HINT,
            )
        ],
        title=f"Cannot read {what} file",
    )


def csv_batches(
    layout: CsvLayout, *, what: str, block_size: int | None = None
) -> Iterator[tuple[int, pa.RecordBatch]]:
    """The rows of the file in blocks, every cell as text (empty = null), and each first line.

    Rows are numbered as lines of the file (the header is line 1); blank lines
    are skipped and not numbered, as in pandas.
    """
    internal = [f"c{i}" for i in range(len(layout.names))]
    stream = _open(layout.path)
    if layout.bom:
        stream.read(len(_BOM))
    try:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(
                encoding="utf8" if layout.encoding == "utf-8" else layout.encoding,
                column_names=internal,
                skip_rows=1,
                use_threads=False,
                block_size=block_size or _BLOCK_BYTES,
            ),
            parse_options=pacsv.ParseOptions(delimiter=layout.sep),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(internal, pa.string()),
                null_values=[""],
                strings_can_be_null=True,
            ),
        )
        line = 2
        for batch in reader:
            yield line, batch.rename_columns(list(layout.names))
            line += batch.num_rows
    except pa.ArrowInvalid as exc:
        if "utf8" not in str(exc).lower():
            raise _unreadable(what, layout.source, *_bad_width(layout, str(exc))) from None
        raise _encoding_problem(what, layout, "bytes that are not UTF-8") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _encoding_problem(what, layout, str(exc).splitlines()[0]) from None
    finally:
        stream.close()


def _encoding_problem(what: str, layout: CsvLayout, got: str) -> ParseError:
    return ParseError(
        [
            Problem(
                f"the {what} file",
                f"text in the {layout.encoding} encoding",
                got,
                source=layout.source,
                hint="pass encoding= with the file's encoding, e.g. encoding='cp1252'",
            )
        ],
        title=f"Cannot read {what} file",
    )


def _bad_width(layout: CsvLayout, error: str) -> tuple[str, tuple[int, ...]]:
    """What is wrong and on which lines, for a file pyarrow could not split into rows.

    The file is scanned again with Python's csv module (only on this error
    path) to name the lines whose number of fields differs from the header's;
    pyarrow's own message repeats the row's values, which are never shown.
    """
    bad: list[tuple[int, int]] = []
    with _open(layout.path) as stream:
        raw = stream.read()
    text = raw[len(_BOM) :] if layout.bom else raw
    rows = csv.reader(
        io.StringIO(text.decode(layout.encoding, errors="replace")), delimiter=layout.sep
    )
    for number, row in enumerate(rows, start=1):
        if row and len(row) != len(layout.names):
            bad.append((number, len(row)))
    if not bad:
        return error.split(":")[0], ()
    line, width = bad[0]
    got = (
        f"{len(bad)} line(s) with another number of fields than the header's "
        f"{len(layout.names)}, e.g. line {line} with {width}"
    )
    return got, tuple(number for number, _ in bad[:5])


def phantom_columns(empty: Mapping[str, bool], *, source: str) -> list[str]:
    """The columns without a name that are empty throughout: to drop, with a warning.

    ``empty`` maps each unnamed column to whether all its cells are empty.
    """
    dropped = [name for name, is_empty in empty.items() if is_empty]
    if dropped:
        warnings.warn(
            f"{source}: dropped {len(dropped)} empty column(s) without a name "
            "(a separator at the end of each line?)",
            DataQualityWarning,
            stacklevel=4,
        )
    return dropped


def unnamed_values_problem(names: list[str], *, source: str, what: str) -> ParseError:
    """The error for columns without a name that hold values where every column is data."""
    return ParseError(
        [
            Problem(
                "every column with values",
                "named in the header line",
                f"{len(names)} column(s) without a name ({', '.join(map(repr, names))}) "
                "holding values",
                source=source,
                hint="name the column in the header, or delete it (pandas writes its index "
                "as a nameless column: save with index=False)",
            )
        ],
        title=f"Cannot read {what} file",
    )


def _stripped(cells: pd.Series) -> pd.Series:
    text = cells.astype(object).where(cells.notna(), None).str.strip()
    return text.where(text.notna() & (text != ""), float("nan"))


def read_csv_frame(layout: CsvLayout, *, what: str) -> pd.DataFrame:
    """The whole file as text (NaN = empty), indexed by file line; empty unnamed columns dropped."""
    frames = [
        batch.to_pandas().set_axis(pd.RangeIndex(line, line + batch.num_rows))
        for line, batch in csv_batches(layout, what=what)
    ]
    if frames:
        df = pd.concat(frames) if len(frames) > 1 else frames[0]
    else:
        df = pd.DataFrame(
            {name: pd.Series(dtype=object) for name in layout.names}, index=pd.RangeIndex(2, 2)
        )
    df = df.apply(_stripped).astype(object)
    unnamed = {c: bool(df[c].isna().all()) for c in df.columns if is_unnamed(c)}
    return df.drop(columns=phantom_columns(unnamed, source=layout.source))
