"""CSV in Threatscape's documented columns, or any CSV through --map FIELD=COLUMN.

Two readers of one meaning. `read` yields one RawIncident per record, read by the csv module: the reference,
and what the record-by-record path uses. `read_table` gives the same cells as Arrow columns for the column-wise
normaliser (columnar.py). It lets pyarrow parse when a regular expression over the whole file shows that the
file is plain RFC 4180 (every quote opens or closes a quoted cell or doubles one inside it; lines end with LF
or CRLF): there the csv module and pyarrow read the same cells, and a record's line number follows from the
line breaks inside its quoted cells. Any other file, and any file that the csv module would refuse, is read
by the csv module as `read` reads it, so that it is refused with the same words.
"""
from __future__ import annotations

import codecs
import csv
import io
import mmap
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .model import RawIncident, Rejection, UnreadableFile

COLUMNS = ("incident_id", "occurred_on", "actor", "sectors", "victim_country", "title", "summary",
           "source_url", "confidence", "tlp", "campaign")
REQUIRED = ("occurred_on", "actor")
LIST_SEPARATOR = ";"
_SLOW_BATCH = 65_536     # rows the csv-module path gathers before making Arrow arrays of them


def looks_like(path: Path, head: bytes) -> bool:
    """A .csv file whose first line (the header) has commas."""
    first = head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    return path.suffix.lower() == ".csv" and "," in first


def read(paths: list[Path], *, source: str | None, mapping: dict[str, str] | None = None
         ) -> Iterator[RawIncident | Rejection]:
    """One RawIncident per row; row numbers are the file's line numbers (the header is line 1)."""
    mapping = mapping or {}
    for path in paths:
        yield from _read_file(path, source or path.stem, mapping)


def _decode(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None


def _where(path: Path, header: list[str], mapping: dict[str, str]) -> list[int]:
    """Each field's column position in COLUMNS order (-1: the file has no such column), or UnreadableFile."""
    columns = {f: mapping.get(f, f) for f in COLUMNS}
    missing = [f"{f} (column {c!r})" if c != f else f for f, c in columns.items() if f in REQUIRED and c not in header]
    if missing:
        raise UnreadableFile(f"{path}: no column for {', '.join(missing)}; columns are {', '.join(header)}"
                             " (map others with --map FIELD=COLUMN)")
    unknown = [c for c in mapping.values() if c not in header]
    if unknown:
        raise UnreadableFile(f"{path}: --map names columns the file does not have: {', '.join(unknown)}")
    return [header.index(columns[f]) if columns[f] in header else -1 for f in COLUMNS]


def _records(path: Path, lines: Iterable[str], mapping: dict[str, str]
             ) -> Iterator[tuple[int, list[str | None] | Rejection]]:
    """(line number, the fields' stripped cells in COLUMNS order, None for empty or absent) per record,
    or (line number, Rejection) for a record with more cells than the header; the csv module reads."""
    reader = csv.reader(lines, strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        raise UnreadableFile(f"{path}: broken CSV at line 1 ({exc})") from None
    where = _where(path, header, mapping)
    width, name = len(header), str(path)
    try:
        for cells in reader:
            if len(cells) > width:
                yield reader.line_num, Rejection(name, f"line {reader.line_num}", "(row)",
                                                 f"{len(cells) - width} cells more than the header's columns")
                continue
            yield reader.line_num, [(cells[i].strip() or None) if 0 <= i < len(cells) else None for i in where]
    except csv.Error as exc:
        raise UnreadableFile(f"{path}: broken CSV at line {reader.line_num} ({exc})") from None


def _read_file(path: Path, source: str, mapping: dict[str, str]) -> Iterator[RawIncident | Rejection]:
    name = str(path)
    for line, cells in _records(path, io.StringIO(_decode(path), newline=""), mapping):
        if isinstance(cells, Rejection):
            yield cells
            continue
        incident_id, occurred_on, actor, sectors, country, title, summary, url, confidence, tlp, campaign = cells
        yield RawIncident(
            file=name, locator=f"line {line}", source=source, source_id=incident_id,
            occurred_on=occurred_on, actors=[actor] if actor else [],
            sectors=sectors.split(LIST_SEPARATOR) if sectors else [],
            countries=country.split(LIST_SEPARATOR) if country else [],
            title=title, summary=summary, campaign=campaign, source_url=url, confidence=confidence, tlp=tlp)


@dataclass
class CsvTable:
    """A CSV file's records as columns: what `read` yields for it, column-wise."""

    file: str
    source: str
    cells: pa.Table  # 'line' (int64), then one string column per field of COLUMNS: stripped, null when empty
    too_wide: list[Rejection] = field(default_factory=list)  # records with more cells than the header

    @property
    def records(self) -> int:
        return self.cells.num_rows + len(self.too_wide)


def read_table(path: Path, *, source: str | None, mapping: dict[str, str] | None = None) -> CsvTable:
    """The file's records as Arrow columns; the same cells, line numbers, rejections and errors as `read`."""
    mapping = mapping or {}
    source = source or path.stem
    try:
        data = _map(path)
    except OSError as e:
        raise UnreadableFile(f"{path}: cannot be read ({e.strerror})") from e
    start = len(codecs.BOM_UTF8) if data[:len(codecs.BOM_UTF8)] == codecs.BOM_UTF8 else 0
    text = _as_arrow(data, start, pa.large_binary())
    try:
        text.cast(pa.large_string())  # validates UTF-8 (no copy)
    except pa.ArrowInvalid:
        _decode(path)  # raises, saying where, in the row-by-row reader's words
        return _slow_table(path, source, mapping)  # (Python's decoder refuses what Arrow's does)
    newlines = _plain_lines(data, start)
    if newlines is not None:
        multiline = False
    elif pc.match_substring_regex(text, _PLAIN)[0].as_py():
        multiline = True
    else:
        return _slow_table(path, source, mapping)
    with open(path, encoding="utf-8-sig", newline="") as f:
        header = [h.strip() for h in next(csv.reader(f), [])]
    where = _where(path, header, mapping)
    names = [f"c{i}" for i in range(len(header))]
    used = sorted({i for i in where if i >= 0})
    # The csv module refuses a field longer than its limit. When every line is shorter, so is every field of a
    # one-line file, and the columns no field reads need not be converted; otherwise every cell is measured.
    limit = csv.field_size_limit()
    measure = multiline or not _short_lines(data, start, limit)
    # pyarrow parses blocks in parallel, but may misread a record that does not fit in one block: blocks only
    # when every line (so every record) is much shorter than a block.
    block = max(len(data) - start, 1) if measure else _BLOCK
    if block > _MAX_BLOCK:
        return _slow_table(path, source, mapping)
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)[start:]),
            read_options=pacsv.ReadOptions(column_names=names, block_size=block),
            parse_options=pacsv.ParseOptions(delimiter=",", quote_char='"', double_quote=True, escape_char=False,
                                             newlines_in_values=multiline, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, check_utf8=False,
                include_columns=names if measure else [names[i] for i in used],
                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except pa.ArrowInvalid:  # a record with fewer or more cells than the header
        return _slow_table(path, source, mapping)
    if measure and any(pc.max(pc.binary_length(c)).as_py() > limit for c in table.columns if len(c)):
        return _slow_table(path, source, mapping)  # let the csv module say which field is too long
    if multiline:
        # A record ends on the line of its last newline plus one; only quoted cells hold newlines.
        breaks = np.zeros(table.num_rows, np.int64)
        for column in table.columns:
            breaks += as_numpy(pc.count_substring(column, "\n"))
        lines = np.cumsum(breaks + 1)
    else:
        if table.num_rows != newlines + (len(data) > start and data[-1:] != b"\n"):
            return _slow_table(path, source, mapping)
        lines = np.arange(1, table.num_rows + 1)
    body = table.slice(1)
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:  # numpy and Arrow work on a column without the GIL
        stripped = dict(zip(used, pool.map(lambda i: _strip(body.column(f"c{i}")), used)))
    return CsvTable(str(path), source, _columns(lines[1:], stripped, where))


# Plain RFC 4180, as regular expressions over the whole file: a field is unquoted without quotes, CR or LF, or
# quoted with doubled quotes inside; records end with LF or CRLF. The first kind has no line break inside quotes.
_FIELD_ONE_LINE = r'(?:[^",\r\n]*|"(?:[^"\r\n]|"")*")'
_FIELD = r'(?:[^",\r\n]*|"(?:[^"\r]|\r\n|"")*")'
_PLAIN_ONE_LINE = rf"\A{_FIELD_ONE_LINE}(?:(?:,|\r?\n){_FIELD_ONE_LINE})*\z"
_PLAIN = rf"\A{_FIELD}(?:(?:,|\r?\n){_FIELD})*\z"
_BLOCK = 1 << 23  # pyarrow's bytes per parsing block (each line is shorter than the csv field limit, 128 KiB)
_MAX_BLOCK = (1 << 31) - 1  # pyarrow's largest block
_COUNT_CHUNK = 1 << 24  # bytes compared at a time to count the lines (bounds the temporary array)
_LF = ord("\n")
CONTIGUOUS_BYTES = 1 << 30  # a string column up to this size goes into one chunk (2 GiB is Arrow's limit)
_PARALLEL_MATCH = 1 << 24  # bytes from which the one-line match runs in pieces, one per core


def as_numpy(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A column of integers or booleans without nulls as a NumPy array, read from its buffers. (pyarrow's
    to_numpy goes through its pandas conversion, which imports pandas: 0.3 s that an ingest has no use for.)"""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if values.null_count:
        raise ValueError("as_numpy: the column has nulls")
    n, offset, data = len(values), values.offset, values.buffers()[1]
    if pa.types.is_boolean(values.type):
        bits = np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)
        return np.unpackbits(bits, count=offset + n, bitorder="little")[offset:].view(bool)
    dtype = values.type.to_pandas_dtype()
    return np.frombuffer(data, dtype)[offset:offset + n] if n else np.zeros(0, dtype)


def _plain_lines(data: bytes | mmap.mmap, start: int) -> int | None:
    """The number of line breaks in data[start:] when it matches _PLAIN_ONE_LINE, else None. Every line break of
    such a file ends a record, so the file matches exactly when pieces of it cut after line breaks all do: pieces
    are matched, and their line breaks counted, in parallel (RE2 and numpy run without the GIL)."""
    pieces = (os.cpu_count() or 1) if len(data) - start > _PARALLEL_MATCH else 1
    cuts = [start]
    for k in range(1, pieces):
        cut = data.find(b"\n", start + (len(data) - start) * k // pieces) + 1
        if cut > cuts[-1]:
            cuts.append(cut)
    cuts.append(len(data))
    offsets = pa.py_buffer(np.array(cuts, np.int64))
    text = pa.Array.from_buffers(pa.large_binary(), len(cuts) - 1, [None, offsets, pa.py_buffer(data)])
    view = np.frombuffer(data, dtype=np.uint8)

    def piece(i: int) -> int | None:
        if not pc.match_substring_regex(text.slice(i, 1), _PLAIN_ONE_LINE)[0].as_py():
            return None
        return sum(int(np.count_nonzero(view[j:min(j + _COUNT_CHUNK, cuts[i + 1])] == _LF))
                   for j in range(cuts[i], cuts[i + 1], _COUNT_CHUNK))

    if len(text) == 1:
        return piece(0)
    with ThreadPoolExecutor(len(text)) as pool:
        counts = list(pool.map(piece, range(len(text))))
    return None if None in counts else sum(counts)


def _short_lines(data: bytes | mmap.mmap, start: int, limit: int) -> bool:
    """True when no line of data[start:] is longer than limit bytes: every half-limit stretch holds a newline."""
    step = max(limit // 2, 1)
    return all(data.find(b"\n", i, i + step) >= 0 for i in range(start, len(data) - step, step))


def _map(path: Path) -> mmap.mmap | bytes:
    """The file's bytes, mapped rather than copied (the page cache serves them)."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return b""
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _as_arrow(data: bytes | mmap.mmap, start: int, type_: pa.DataType) -> pa.Array:
    """data[start:] as a one-value Arrow array, without a copy."""
    return pa.Array.from_buffers(type_, 1, [None, pa.py_buffer(np.array([start, len(data)], np.int64)),
                                            pa.py_buffer(data)])


def _strip(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Python's str.strip() of every cell, null for an empty one, in one contiguous chunk when its text fits
    one (what DuckDB scans fastest); only cells that start or end with other than printable ASCII go through
    Python."""
    chunks = [column.combine_chunks()] if column.nbytes < CONTIGUOUS_BYTES else column.chunks
    return pa.chunked_array([_strip_chunk(c) for c in chunks], pa.string())


def _strip_chunk(arr: pa.StringArray) -> pa.Array:
    if arr.null_count:  # pyarrow's reader gives none: strings_can_be_null=False
        return pa.array([(v.strip() or None) if v is not None else None for v in arr.to_pylist()], pa.string())
    n = len(arr)
    _, offsets_buffer, chars = arr.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[arr.offset:arr.offset + n + 1]
    data = np.frombuffer(chars, dtype=np.uint8) if chars is not None and chars.size else np.zeros(1, np.uint8)
    filled = offsets[1:] > offsets[:-1]
    first = data[np.where(filled, offsets[:-1], 0)]
    last = data[np.where(filled, offsets[1:] - 1, 0)]
    odd = filled & ((first < 0x21) | (first > 0x7E) | (last < 0x21) | (last > 0x7E))
    out = arr
    if not filled.all():  # empty cells become nulls: a validity bitmap over the same buffers
        bits = np.packbits(np.r_[np.ones(arr.offset, bool), filled], bitorder="little")
        out = pa.Array.from_buffers(pa.string(), n, [pa.py_buffer(bits), offsets_buffer, chars],
                                    null_count=int(n - filled.sum()), offset=arr.offset)
    if odd.any():
        stripped = [v.strip() or None for v in arr.filter(pa.array(odd)).to_pylist()]
        out = pc.replace_with_mask(out, pa.array(odd), pa.array(stripped, pa.string()))
    return out


def _columns(lines: np.ndarray, by_position: dict[int, pa.ChunkedArray | pa.Array],
             where: list[int]) -> pa.Table:
    n = len(lines)
    nothing = pa.nulls(n, pa.string())
    return pa.table({"line": pa.array(lines, pa.int64())} |
                    {f: by_position.get(i, nothing) if i >= 0 else nothing for f, i in zip(COLUMNS, where)})


def _slow_table(path: Path, source: str, mapping: dict[str, str]) -> CsvTable:
    """The csv module's reading, gathered into columns."""
    out = CsvTable(str(path), source, pa.table({}))
    batches, lines, cells = [], [], []

    def flush():
        if lines:
            columns = list(zip(*cells))
            batches.append(pa.record_batch(
                [pa.array(lines, pa.int64())] + [pa.array(c, pa.string()) for c in columns],
                names=["line", *COLUMNS]))
            lines.clear()
            cells.clear()

    # Valid UTF-8 (read_table checked): read as a file, whose lines end where StringIO(newline="")'s do,
    # without holding the whole text (StringIO keeps 4 bytes a character).
    with open(path, encoding="utf-8-sig", newline="") as f:
        for line, record in _records(path, f, mapping):
            if isinstance(record, Rejection):
                out.too_wide.append(record)
                continue
            lines.append(line)
            cells.append(record)
            if len(lines) >= _SLOW_BATCH:
                flush()
    flush()
    schema = pa.schema([("line", pa.int64())] + [(c, pa.string()) for c in COLUMNS])
    out.cells = pa.Table.from_batches(batches, schema)
    return out
