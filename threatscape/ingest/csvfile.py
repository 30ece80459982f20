"""CSV in Threatscape's documented columns, or any CSV through --map FIELD=COLUMN.

Two readers of one meaning. `read` yields one RawIncident per record, read by the csv module: the reference,
and what the record-by-record path uses. `read_table` gives the same cells as Arrow columns for the column-wise
normaliser (columnar.py). It lets pyarrow parse when a regular expression over the whole file shows that the
file is plain RFC 4180 (every quote opens or closes a quoted cell or doubles one inside it; lines end with LF
or CRLF): there the csv module and pyarrow read the same cells, and a record's line number follows from the
line breaks inside its quoted cells. Any other file, and any file that the csv module would refuse, is read
by the csv module as `read` reads it, so that it is refused with the same words.

Files as they come: the delimiter (',', ';', tab or '|') is found from the header and first records, a file
that is not UTF-8 is transcoded to UTF-8 in memory first (UTF-16 with a byte-order mark, else Windows-1252, or
the encoding given), and an .xlsx workbook's sheet is read by openpyxl into the same cells.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import functools
import hashlib
import io
import itertools
import mmap
import os
import re
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..resolver import split_reported
from ..safe import FORMULA_STARTS
from .model import RawIncident, Rejection, UnreadableFile

COLUMNS = ("incident_id", "occurred_on", "actor", "sectors", "victim_country", "title", "summary",
           "source_url", "confidence", "tlp", "campaign", "sponsor", "date_precision", "source")
# A CSV snapshot (threatscape/export.py) names each incident's actor as the directory does ('actor') and as its
# source reported it ('actor_as_reported'); read again, the reported name is the actor's, so that it resolves as
# it did (by the rules in force) and a snapshot ingested again adds nothing. --map actor=COLUMN says otherwise.
REPORTED_ACTOR = "actor_as_reported"
REPORTED_SPONSOR = "sponsor_as_reported"  # likewise, the sponsor state the source named (the field 'sponsor')
REQUIRED = ("occurred_on", "actor")
RECORD_SEPARATOR = "\x1f"  # between the cells of a row in its 'record' (ASCII's unit separator: never typed)
DELIMITERS = ",;\t|"     # the delimiters found by themselves, preferred in this order when the header fits several
_SLOW_BATCH = 65_536     # rows the csv-module path gathers before making Arrow arrays of them
_SNIFF_BYTES = 1 << 16   # the start of a file that its delimiter is found from
_SNIFF_RECORDS = 50      # records (the header first) that its delimiter is found from
_TRANSCODE_CHUNK = 1 << 24  # bytes decoded at a time when a file is transcoded to UTF-8
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old binary Office file (.xls)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def _first_line(head: bytes) -> str:
    """The first line (the header) of a file's first bytes, as UTF-16 after its byte-order mark, else UTF-8."""
    if head[:2] in _UTF16_BOMS:
        return head[:len(head) // 2 * 2].decode("utf-16", errors="replace").split("\n", 1)[0]
    return head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")


def names_fields(path: Path, mapping: dict[str, str]) -> bool:
    """Whether the first line of a CSV names a column for each field a record needs (REQUIRED, through --map; a
    snapshot's actor_as_reported for the actor): a CSV in a folder that does not (another table beside the
    incidents, such as EuRepoC's attributions) is skipped, not read. A workbook is read to find out."""
    if _is_workbook(path):
        return True
    with open(path, "rb") as f:
        first = _first_line(f.read(_SNIFF_BYTES))
    wanted = [mapping.get(f, f) for f in REQUIRED]
    return all(w in first or (w == "actor" and REPORTED_ACTOR in first) for w in wanted)


def looks_like(path: Path, head: bytes) -> bool:
    """An .xlsx workbook, or a .csv, .tsv or .txt file whose first line (the header) has a delimiter."""
    suffix = path.suffix.lower()
    if suffix in _WORKBOOK_SUFFIXES:
        return head.startswith(_ZIP)
    if suffix not in (".csv", ".tsv", ".txt"):
        return False
    first = _first_line(head)
    if suffix == ".txt" and not all(c in first.lower() for c in REQUIRED):
        return False  # a .txt is data only with the columns this reader needs (a README.txt beside data is not)
    return any(d in first for d in DELIMITERS)


_SLASH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
# date_precision 'month' or 'year' (a snapshot's column): of an ISO day, only its month or year is known
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_KEPT_CHARS = {"month": 7, "year": 4}


def day_first(dates: Iterable[str | None], order: str | None = None) -> bool:
    """Whether a file's D/M/YYYY dates put the day first: as `order` says ('dmy' or 'mdy'), else found from the
    dates themselves: some first part over 12 and no second part over 12 (else month first, as in the US)."""
    if order is not None:
        return order == "dmy"
    first_big = second_big = False
    for d in dates:
        if d and (m := _SLASH_DATE.fullmatch(d)):
            first_big |= int(m[1]) > 12
            second_big |= int(m[2]) > 12
    return first_big and not second_big


def _day_first_to_iso(text: str | None) -> str | None:
    """'16/12/2023' -> '2023-12-16' (a day-first file's dates, before the one date rule reads them)."""
    m = _SLASH_DATE.fullmatch(text) if text else None
    return f"{m[3]}-{m[2]}-{m[1]}" if m else text


def read(paths: list[Path], *, source: str | None, mapping: dict[str, str] | None = None,
         delimiter: str | None = None, encoding: str | None = None, sheet: str | None = None,
         dates: str | None = None) -> Iterator[RawIncident | Rejection]:
    """One RawIncident per row; row numbers are the file's line numbers (the header is line 1), or a
    workbook sheet's row numbers. dates: 'dmy' or 'mdy' for D/M/YYYY dates (default: found per file)."""
    mapping = mapping or {}
    for path in paths:
        yield from _read_file(path, source or DEFAULT_SOURCE, mapping, delimiter, encoding, sheet, dates)


def delimiter_named(text: str) -> str:
    """The delimiter that --delimiter names: one character, or 'tab' (also '\\t'), or ValueError."""
    d = _DELIMITER_NAMES.get(text.lower(), text)
    if len(d) != 1 or d in '"\r\n':
        raise ValueError(f"--delimiter {text!r}: give one character other than a quote or line break, or 'tab'")
    return d


def encoding_named(name: str) -> str:
    """Python's name of the text encoding that --encoding names ('utf-8' for UTF-8 with or without BOM),
    or ValueError."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ValueError(f"--encoding {name!r}: no such encoding (e.g. utf-8, cp1252, latin-1, utf-16)") from None
    if not getattr(info, "_is_text_encoding", True):  # base64, zlib, rot13: codecs of bytes, not text
        raise ValueError(f"--encoding {name!r}: not a text encoding")
    return "utf-8" if info.name in ("utf-8", "utf-8-sig") else info.name


def _options(path: Path, delimiter: str | None, encoding: str | None) -> tuple[str | None, str | None]:
    """The delimiter and encoding given, checked, or UnreadableFile."""
    try:
        return (delimiter_named(delimiter) if delimiter is not None else None,
                encoding_named(encoding) if encoding is not None else None)
    except ValueError as exc:
        raise UnreadableFile(f"{path}: {exc}") from None


@dataclass
class _Text:
    """A CSV file's text as UTF-8 bytes: the file's own (mapped), or transcoded from its encoding."""

    path: Path
    data: bytes | mmap.mmap
    start: int      # where the text starts: after a UTF-8 byte-order mark
    encoding: str   # what the file's bytes were read as
    transcoded: bool

    def open(self) -> IO[str]:
        """The text, read as a file whose lines end where StringIO(newline="")'s do."""
        if not self.transcoded:  # the file itself, without holding its whole text (StringIO keeps 4 bytes a char)
            return open(self.path, encoding="utf-8-sig", newline="")
        return io.TextIOWrapper(io.BytesIO(self.data), encoding="utf-8-sig", newline="")


def _load(path: Path, encoding: str | None) -> _Text:
    """The file's text: in the encoding given, else UTF-16 after its byte-order mark, else UTF-8 when the bytes
    are UTF-8, else Windows-1252 (printable Latin-1 is the same); UnreadableFile when it is none of these."""
    try:
        data = _map(path)
    except OSError as e:
        raise UnreadableFile(f"{path}: cannot be read ({e.strerror})") from e
    if data[:len(_OLE)] == _OLE:
        raise UnreadableFile(f"{path}: an old Excel .xls workbook; save it as .xlsx or CSV")
    codec = encoding or ("utf-16" if data[:2] in _UTF16_BOMS else None)
    if codec in (None, "utf-8"):
        start = len(codecs.BOM_UTF8) if data[:len(codecs.BOM_UTF8)] == codecs.BOM_UTF8 else 0
        if _valid_utf8(data, start):
            return _Text(path, data, start, "utf-8", False)
        if codec or start or data.find(b"\x00") >= 0:  # said to be UTF-8 (or binary, with NULs): not cp1252
            raise UnreadableFile(_not_utf8(path, data) + ("" if codec or start else
                                                          "; name its encoding with --encoding"))
        codec = "cp1252"
    utf8 = _transcode(path, data, codec, fallback=encoding is None)
    start = len(codecs.BOM_UTF8) if utf8[:len(codecs.BOM_UTF8)] == codecs.BOM_UTF8 else 0
    return _Text(path, utf8, start, codec, True)


def _valid_utf8(data: bytes | mmap.mmap, start: int) -> bool:
    try:
        _as_arrow(data, start, pa.large_binary()).cast(pa.large_string())  # validates UTF-8 (no copy)
    except pa.ArrowInvalid:
        return False
    return True


def _not_utf8(path: Path, data: bytes | mmap.mmap) -> str:
    """Where the bytes stop being UTF-8, in Python's words. (Python's decoder refuses what Arrow's does.)"""
    try:
        bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})"
    return f"{path}: not UTF-8 text"


def _transcode(path: Path, data: bytes | mmap.mmap, codec: str, *, fallback: bool) -> bytes:
    """data decoded from codec and encoded as UTF-8, a chunk at a time (the whole text as str takes 4 bytes a
    character); UnreadableFile saying where it is not codec's text."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    out = io.BytesIO()
    try:
        for at in range(0, max(len(data), 1), _TRANSCODE_CHUNK):
            chunk = data[at:at + _TRANSCODE_CHUNK]
            out.write(decoder.decode(chunk, final=at + _TRANSCODE_CHUNK >= len(data)).encode("utf-8"))
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start}: {exc.reason}"
        try:  # again in one piece, for the byte where it fails (the chunks' decoder holds back a few bytes)
            bytes(data).decode(codec)
        except UnicodeDecodeError as whole:
            where = f"byte {whole.start}: {whole.reason}"
        if fallback:  # neither UTF-8 nor cp1252
            raise UnreadableFile(f"{_not_utf8(path, data)}, nor {codec} ({where}); "
                                 "name its encoding with --encoding") from None
        raise UnreadableFile(f"{path}: not {codec} text ({where})") from None
    except UnicodeEncodeError:  # escape codecs can make lone surrogates, which are no text
        raise UnreadableFile(f"{path}: read as {codec}, it holds characters that are not text") from None
    return out.getvalue()


def _sniff(text: _Text) -> str:
    """The delimiter of the header and first records: of those in DELIMITERS that split the header, the one that
    splits every sampled record into as many cells as the header (and the header into most); ',' when none."""
    end = min(len(text.data), text.start + _SNIFF_BYTES)
    sample = bytes(text.data[text.start:end])
    if end < len(text.data) and b"\n" in sample:  # whole lines only: a cut record would look short
        sample = sample[:sample.rindex(b"\n") + 1]
    sample_text = sample.decode("utf-8", errors="ignore")
    best, best_key = ",", None
    for d in DELIMITERS:
        widths = []
        try:
            for cells in itertools.islice(csv.reader(io.StringIO(sample_text, newline=""), delimiter=d),
                                          _SNIFF_RECORDS):
                widths.append(len(cells))
        except csv.Error:
            pass  # judged by the records before
        if not widths or widths[0] < 2:
            continue
        key = (all(w in (0, widths[0]) for w in widths[1:]), widths[0])
        if best_key is None or key > best_key:
            best, best_key = d, key
    return best


def reads_reported_names(header: list[str], mapping: dict[str, str]) -> bool:
    """Whether the actor is read from a snapshot's actor_as_reported column: the names a source reported, joined
    by '; ' (resolver.split_reported), each tried as ingest tried them."""
    return "actor" not in mapping and REPORTED_ACTOR in header


def _where(path: Path, header: list[str], mapping: dict[str, str]) -> list[int]:
    """Each field's column position in COLUMNS order (-1: the file has no such column), or UnreadableFile."""
    columns = {f: mapping.get(f, f) for f in COLUMNS}
    if "sponsor" not in mapping and "sponsor" not in header and REPORTED_SPONSOR in header:
        columns["sponsor"] = REPORTED_SPONSOR  # a snapshot's: the sponsor state the source named
    if reads_reported_names(header, mapping):
        columns["actor"] = REPORTED_ACTOR
        if "sector" in header and "sectors" not in header and "sectors" not in mapping:
            # each row holds one of an incident's sectors: read as incidents, all but one row would be repeats
            raise UnreadableFile(f"{path}: a long-form snapshot (one row per incident and sector); ingest the "
                                 "snapshot's wide form instead (one row per incident: export without --long)")
    missing = [f"{f} (column {c!r})" if c != f else f for f, c in columns.items() if f in REQUIRED and c not in header]
    if missing:
        raise UnreadableFile(f"{path}: no column for {', '.join(missing)}; columns are {', '.join(header)}"
                             " (map others with --map FIELD=COLUMN)")
    unknown = [c for c in mapping.values() if c not in header]
    if unknown:
        raise UnreadableFile(f"{path}: --map names columns the file does not have: {', '.join(unknown)}")
    return [header.index(columns[f]) if columns[f] in header else -1 for f in COLUMNS]


def _csv_rows(path: Path, lines: Iterable[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) per record, the header first, as the csv module reads them; UnreadableFile for
    broken quoting."""
    reader = csv.reader(lines, strict=True, delimiter=delimiter)
    header = True
    try:
        for cells in reader:
            yield reader.line_num, cells
            header = False
    except csv.Error as exc:
        raise UnreadableFile(f"{path}: broken CSV at line {1 if header else reader.line_num} ({exc})") from None


def _csv_file_rows(text: _Text, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    with text.open() as f:
        yield from _csv_rows(text.path, f, delimiter)


def feed_namespace(header: list[str]) -> str:
    """What a CSV's own ids are unique within: its columns (a feed writes the same ones each time), not its file
    name or the --source given, so a renamed file or a new source name adds nothing again."""
    names = "\x1f".join(sorted(h.strip().casefold() for h in header if h.strip()))
    return f"csv-{hashlib.sha1(names.encode()).hexdigest()[:8]}"


DEFAULT_SOURCE = "CSV"  # the source of a file ingested without --source: stable, whatever the file is called


def _records(path: Path, rows: Iterator[tuple[int, list[str]]], mapping: dict[str, str],
             header_out: list | None = None) -> Iterator[tuple[int, list[str | None] | Rejection]]:
    """(line number, the fields' stripped cells in COLUMNS order, None for empty or absent, then the record:
    every cell stripped, as many as the header has, joined by RECORD_SEPARATOR) per record after the header,
    or (line number, Rejection) for a record with more cells than the header."""
    first = next(rows, None)
    header = [h.strip() for h in first[1]] if first else []
    where = _where(path, header, mapping)
    if header_out is not None:
        header_out.extend(header)
    width, name = len(header), str(path)
    for line, cells in rows:
        if len(cells) > width:
            yield line, Rejection(name, f"line {line}", "(row)",
                                  f"{len(cells) - width} cells more than the header's columns")
            continue
        stripped = [_unguarded(c.strip()) for c in cells]
        own_id = stripped[where[0]] if 0 <= where[0] < len(stripped) else ""
        # the record (every cell) gives the id of a row without one of its own (normalise.stable_id)
        record = None if own_id else RECORD_SEPARATOR.join(stripped + [""] * (width - len(cells)))
        yield line, [(stripped[i] or None) if 0 <= i < len(cells) else None for i in where] + [record]


def _read_file(path: Path, source: str, mapping: dict[str, str], delimiter: str | None, encoding: str | None,
               sheet: str | None, dates: str | None = None) -> Iterator[RawIncident | Rejection]:
    name = str(path)
    delimiter, encoding = _options(path, delimiter, encoding)
    with contextlib.ExitStack() as stack:
        if _is_workbook(path):
            _, rows = stack.enter_context(_workbook(path, sheet))
        else:
            text = _load(path, encoding)
            body = bytes(text.data[text.start:]).decode("utf-8", errors="replace")  # (valid: _load checked)
            rows = _csv_rows(path, io.StringIO(body, newline=""), delimiter or _sniff(text))
        header: list[str] = []
        records = list(_records(path, rows, mapping, header))  # all of them: the date order is the file's
    dmy = day_first((c[1] for _, c in records if not isinstance(c, Rejection)), dates)
    reported = reads_reported_names(header, mapping)
    for line, cells in records:
        if isinstance(cells, Rejection):
            yield cells
            continue
        (incident_id, occurred_on, actor, sectors, country, title, summary, url, confidence, tlp, campaign, sponsor,
         precision, row_source, record) = cells
        occurred_on = _day_first_to_iso(occurred_on) if dmy else occurred_on
        if occurred_on and precision and _ISO_DAY.match(occurred_on):
            occurred_on = occurred_on[:_KEPT_CHARS.get(precision.lower(), len(occurred_on))]
        yield RawIncident(
            file=name, locator=f"line {line}", source=row_source or source, source_id=incident_id,
            occurred_on=occurred_on, actors=(split_reported(actor) if reported else [actor]) if actor else [],
            sectors=[sectors] if sectors else [],  # whole cells: Normaliser.split cuts them into values
            countries=[country] if country else [],
            title=title, summary=summary, campaign=campaign, source_url=url, confidence=confidence, tlp=tlp,
            record=record, namespace=feed_namespace(header), sponsor=sponsor)


def _is_workbook(path: Path) -> bool:
    """An .xlsx (or .xlsm) workbook by its name, or any zip file (no CSV starts as one does)."""
    if path.suffix.lower() in _WORKBOOK_SUFFIXES:
        return True
    try:
        with open(path, "rb") as f:
            return f.read(len(_ZIP)) == _ZIP
    except OSError as e:
        raise UnreadableFile(f"{path}: cannot be read ({e.strerror})") from e


@contextlib.contextmanager
def _workbook(path: Path, sheet: str | None) -> Iterator[tuple[str, Iterator[tuple[int, list[str]]]]]:
    """(the sheet's name, its rows as _csv_rows gives a CSV's) of the sheet named, else the first."""
    import openpyxl  # only for workbooks: 0.2 s to import

    try:
        file = open(path, "rb")  # a file, not a path: openpyxl refuses a workbook by its path's suffix
    except OSError as e:
        raise UnreadableFile(f"{path}: cannot be read ({e.strerror})") from e
    try:
        with warnings.catch_warnings():  # openpyxl warns of styles and extensions it ignores: nothing to act on
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as e:  # a damaged zip or XML fails anywhere in openpyxl, as any of many exceptions
        file.close()
        raise UnreadableFile(f"{path}: not a readable .xlsx workbook ({_why(e)})") from None
    try:
        sheets = [s for s in book.worksheets if hasattr(s, "iter_rows")]
        if sheet is not None:
            chosen = [s for s in sheets if s.title == sheet]
            if not chosen:
                raise UnreadableFile(f"{path}: no sheet {sheet!r}; its sheets are "
                                     + ", ".join(repr(s.title) for s in sheets))
        elif not sheets:
            raise UnreadableFile(f"{path}: the workbook has no sheet")
        ws = (chosen if sheet is not None else sheets)[0]
        yield ws.title, _sheet_rows(path, ws)
    finally:
        book.close()
        file.close()


def _sheet_rows(path: Path, ws) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as text up to the last non-empty one) per row that is not empty."""
    ws.reset_dimensions()  # some writers record a wrong size; read every row there is
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # read-only rows come in order, a missing row as an empty one: their count is the sheet's row number
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = [_cell_text(v) for v in values]
                while cells and not cells[-1].strip():
                    cells.pop()
                if cells:  # an empty row in a sheet is layout, not a record
                    yield number, cells
    except Exception as e:  # as in _workbook: a sheet's XML is read (and may fail) row by row
        raise UnreadableFile(f"{path}: not a readable .xlsx workbook ({_why(e)})") from None


def _cell_text(value) -> str:
    """A cell's value as the text Excel shows for it: dates as ISO, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _why(e: Exception) -> str:
    """An exception in a few words on one line."""
    text = " ".join(str(e).split())
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


@dataclass
class CsvTable:
    """A CSV file's records as columns: what `read` yields for it, column-wise."""

    file: str
    source: str
    cells: pa.Table  # 'line' (int64), then one string column per field of COLUMNS: stripped, null when empty,
                     # then 'record' (string): every cell of a row without an incident_id, stripped, joined by
                     # RECORD_SEPARATOR (null for a row with one)
    too_wide: list[Rejection] = field(default_factory=list)  # records with more cells than the header
    encoding: str = "utf-8"   # what the file's bytes were read as
    delimiter: str = ","      # between its cells ('' for a workbook)
    sheet: str | None = None  # the workbook sheet read
    namespace: str = ""       # what its own ids are unique within (feed_namespace)
    day_first: bool = False   # its D/M/YYYY dates put the day first (read as ISO dates: day_first)
    reported_names: bool = False  # its actor cells are a snapshot's names as reported (reads_reported_names)

    @property
    def records(self) -> int:
        return self.cells.num_rows + len(self.too_wide)

    @property
    def notes(self) -> list[str]:
        """How the file was read, when that is not UTF-8 text with commas: for the ingest's summary."""
        dates = ["dates read day first (D/M/YYYY; --dates mdy says otherwise)"] if self.day_first else []
        if self.sheet is not None:
            return [f"read from sheet {self.sheet!r}"] + dates
        how = ([f"as {self.encoding}"] if self.encoding != "utf-8" else []) + \
              ([f"with delimiter {self.delimiter!r}"] if self.delimiter != "," else [])
        return (["read " + ", ".join(how)] if how else []) + dates


def read_table(path: Path, *, source: str | None, mapping: dict[str, str] | None = None,
               delimiter: str | None = None, encoding: str | None = None, sheet: str | None = None,
               dates: str | None = None) -> CsvTable:
    """The file's records as Arrow columns; the same cells, line numbers, rejections and errors as `read`."""
    mapping = mapping or {}
    source = source or DEFAULT_SOURCE
    delimiter, encoding = _options(path, delimiter, encoding)
    if _is_workbook(path):
        with _workbook(path, sheet) as (title, rows):
            out = _slow_table(path, source, mapping, rows)
        out.delimiter, out.sheet = "", title
    else:
        text = _load(path, encoding)
        delimiter = delimiter or _sniff(text)
        out = _csv_table(path, source, mapping, text, delimiter)
        out.encoding, out.delimiter = text.encoding, delimiter
    when = out.cells.column("occurred_on")
    i = out.cells.column_names.index("occurred_on")
    if when.null_count < len(when) and day_first(pc.unique(when).to_pylist(), dates):
        out.day_first = True
        when = pc.replace_substring_regex(when, r"^(\d{1,2})/(\d{1,2})/(\d{4})$", r"\3-\2-\1")
        out.cells = out.cells.set_column(i, "occurred_on", when)
    precision = out.cells.column("date_precision")
    if precision.null_count < len(precision):  # as _read_file: an ISO day cut to its month or year
        iso = pc.fill_null(pc.match_substring_regex(when, "^" + _ISO_DAY.pattern), False)
        lower = pc.utf8_lower(precision)
        for name, chars in _KEPT_CHARS.items():
            cut = pc.and_(iso, pc.fill_null(pc.equal(lower, name), False))
            when = pc.if_else(cut, pc.utf8_slice_codeunits(when, 0, chars), when)
        out.cells = out.cells.set_column(i, "occurred_on", when)
    return out


def _csv_table(path: Path, source: str, mapping: dict[str, str], text: _Text, delimiter: str) -> CsvTable:
    """read_table of a CSV file's UTF-8 text: pyarrow's reading of a plain file, else the csv module's."""
    data, start = text.data, text.start
    slow = functools.partial(_slow_table, path, source, mapping)  # (called positionally: tests wrap it)
    one_line, any_lines = _plain_patterns(delimiter)
    newlines = _plain_lines(data, start, one_line)
    if newlines is not None:
        multiline = False
    elif pc.match_substring_regex(_as_arrow(data, start, pa.large_binary()), any_lines)[0].as_py():
        multiline = True
    else:
        return slow(_csv_file_rows(text, delimiter))
    with text.open() as f:
        header = [h.strip() for h in next(csv.reader(f, delimiter=delimiter), [])]
    where = _where(path, header, mapping)
    namespace = feed_namespace(header)
    names = [f"c{i}" for i in range(len(header))]
    # The csv module refuses a field longer than its limit. When every line is shorter, so is every field of a
    # one-line file; otherwise every cell is measured.
    limit = csv.field_size_limit()
    measure = multiline or not _short_lines(data, start, limit)
    # pyarrow parses blocks in parallel, but may misread a record that does not fit in one block: blocks only
    # when every line (so every record) is much shorter than a block.
    block = max(len(data) - start, 1) if measure else _BLOCK
    if block > _MAX_BLOCK:
        return slow(_csv_file_rows(text, delimiter))

    def parse(columns: list[int]) -> pa.Table:
        return pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)[start:]),
            read_options=pacsv.ReadOptions(column_names=names, block_size=block),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                             escape_char=False, newlines_in_values=multiline,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, check_utf8=False,
                include_columns=[names[i] for i in columns],
                strings_can_be_null=False, quoted_strings_can_be_null=False))

    # Every column is converted when every cell is measured, or when rows may lack an id (their record, every
    # cell, gives it); a file whose rows all carry their own id needs only the columns the fields read.
    every = list(range(len(names)))
    used = sorted({i for i in where if i >= 0})
    include = every if measure or where[0] < 0 else used
    try:
        table = parse(include)
    except pa.ArrowInvalid:  # a record with fewer or more cells than the header
        return slow(_csv_file_rows(text, delimiter))
    if measure and any(pc.max(pc.binary_length(c)).as_py() > limit for c in table.columns if len(c)):
        return slow(_csv_file_rows(text, delimiter))  # let the csv module say which field is too long
    if multiline:
        # A record ends on the line of its last newline plus one; only quoted cells hold newlines.
        breaks = np.zeros(table.num_rows, np.int64)
        for column in table.columns:
            breaks += as_numpy(pc.count_substring(column, "\n"))
        lines = np.cumsum(breaks + 1)
    else:
        if table.num_rows != newlines + (len(data) > start and data[-1:] != b"\n"):
            return slow(_csv_file_rows(text, delimiter))
        lines = np.arange(1, table.num_rows + 1)
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:  # numpy and Arrow work on a column without the GIL
        body = table.slice(1)
        stripped = dict(zip(include, pool.map(lambda i: _strip(body.column(names[i])), include)))
        ids = stripped.get(where[0])
        if ids is not None and not ids.null_count:
            record = pa.chunked_array([pa.nulls(body.num_rows, pa.string())])
        else:
            if include != every:  # some rows lack an id after all: their records need every column
                body = parse(every).slice(1)
                rest = [i for i in every if i not in stripped]
                stripped |= dict(zip(rest, pool.map(lambda i: _strip(body.column(names[i])), rest)))
            record = _joined([stripped[i] for i in every], pool)
            if ids is not None:  # a record only where the row has no id of its own
                record = pc.if_else(pc.is_null(ids), record, pa.scalar(None, pa.string()))
    return CsvTable(str(path), source, _columns(lines[1:], stripped, where, record), namespace=namespace,
                    reported_names=reads_reported_names(header, mapping))


@functools.lru_cache(maxsize=16)
def _plain_patterns(delimiter: str) -> tuple[str, str]:
    """Plain RFC 4180 with this delimiter, as regular expressions over the whole file: a field is unquoted without
    quotes, delimiters, CR or LF, or quoted with doubled quotes inside; records end with LF or CRLF. The first has
    no line break inside quotes."""
    d = f"\\x{{{ord(delimiter):x}}}"  # RE2's escape of any character, in a class or out of one
    field_one_line = rf'(?:[^"{d}\r\n]*|"(?:[^"\r\n]|"")*")'
    any_field = rf'(?:[^"{d}\r\n]*|"(?:[^"\r]|\r\n|"")*")'
    return (rf"\A{field_one_line}(?:(?:{d}|\r?\n){field_one_line})*\z",
            rf"\A{any_field}(?:(?:{d}|\r?\n){any_field})*\z")


_BLOCK = 1 << 23  # pyarrow's bytes per parsing block (each line is shorter than the csv field limit, 128 KiB)
_MAX_BLOCK = (1 << 31) - 1  # pyarrow's largest block
_COUNT_CHUNK = 1 << 24  # bytes compared at a time to count the lines (bounds the temporary array)
_LF = ord("\n")
CONTIGUOUS_BYTES = 1 << 30  # a string column up to this size goes into one chunk (2 GiB is Arrow's limit)
_PARALLEL_MATCH = 1 << 24  # bytes from which the one-line match runs in pieces, one per core
_PARALLEL_JOIN = 1 << 16  # rows from which the records are joined in pieces, one per core


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


def _plain_lines(data: bytes | mmap.mmap, start: int, one_line: str) -> int | None:
    """The number of line breaks in data[start:] when it matches one_line (_plain_patterns), else None. Every line
    break of such a file ends a record, so the file matches exactly when pieces of it cut after line breaks all
    do: pieces are matched, and their line breaks counted, in parallel (RE2 and numpy run without the GIL)."""
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
        if not pc.match_substring_regex(text.slice(i, 1), one_line)[0].as_py():
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
    Python. A cell guarded against spreadsheets ("'=...") reads as its text (_unguarded)."""
    chunks = [column.combine_chunks()] if column.nbytes < CONTIGUOUS_BYTES else column.chunks
    return pa.chunked_array([_unguarded_chunk(_strip_chunk(c)) for c in chunks], pa.string())


# A cell that a CSV writer guarded against spreadsheets: an apostrophe before a character that starts a formula
# (safe.FORMULA_STARTS), as CSV snapshots (safe.neutralise) and other tools write formula-like text. It is read as
# the text itself, so that a snapshot ingested again holds what the database held; the app guards it again wherever
# it leaves for a spreadsheet.
_FORMULA_CLASS = "[" + re.escape("".join(FORMULA_STARTS)) + "]"
_GUARDED = re.compile("'" + _FORMULA_CLASS)


def _unguarded(cell: str) -> str:
    return cell[1:] if _GUARDED.match(cell) else cell


def _unguarded_chunk(arr: pa.Array) -> pa.Array:
    if not pc.any(pc.starts_with(arr, "'")).as_py():
        return arr
    return pc.replace_substring_regex(arr, pattern=f"^'({_FORMULA_CLASS})", replacement=r"\1")


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


def _joined(columns: list[pa.ChunkedArray], pool: ThreadPoolExecutor) -> pa.ChunkedArray:
    """Each row's cells joined by RECORD_SEPARATOR (a null cell as empty): in pieces of at most about
    CONTIGUOUS_BYTES (a string chunk holds at most 2 GiB), one per core for a large file (Arrow joins without
    the GIL, a row at a time: 0.15 s for a million rows of 11 cells on one core)."""
    n = len(columns[0])
    by_size = -(-sum(c.nbytes for c in columns) // max(CONTIGUOUS_BYTES, 1))
    pieces = min(max(by_size, (os.cpu_count() or 1) if n >= _PARALLEL_JOIN else 1), max(n, 1))
    step = max(-(-n // pieces), 1)
    separator = pa.scalar(RECORD_SEPARATOR, pa.string())  # typed: pyarrow imports pandas to type a str
    joined = pool.map(lambda at: pc.binary_join_element_wise(*(c.slice(at, step) for c in columns), separator,
                                                             null_handling="replace", null_replacement=""),
                      range(0, n, step))
    return pa.chunked_array([chunk for j in joined for chunk in j.chunks], pa.string())


def _columns(lines: np.ndarray, by_position: dict[int, pa.ChunkedArray | pa.Array],
             where: list[int], record: pa.ChunkedArray) -> pa.Table:
    n = len(lines)
    nothing = pa.nulls(n, pa.string())
    return pa.table({"line": pa.array(lines, pa.int64())} |
                    {f: by_position.get(i, nothing) if i >= 0 else nothing for f, i in zip(COLUMNS, where)} |
                    {"record": record})


_CELLS_SCHEMA = pa.schema([("line", pa.int64())] + [(c, pa.string()) for c in COLUMNS]
                          + [("record", pa.string())])


def _slow_table(path: Path, source: str, mapping: dict[str, str], rows: Iterator[tuple[int, list[str]]]
                ) -> CsvTable:
    """The records of rows (_csv_rows, _sheet_rows) as `read` takes them, gathered into columns."""
    out = CsvTable(str(path), source, pa.table({}))
    batches, lines, cells = [], [], []

    def flush():
        if lines:
            columns = list(zip(*cells))
            batches.append(pa.record_batch(
                [pa.array(lines, pa.int64())] + [pa.array(c, pa.string()) for c in columns],
                schema=_CELLS_SCHEMA))
            lines.clear()
            cells.clear()

    header: list[str] = []
    for line, record in _records(path, rows, mapping, header):
        if isinstance(record, Rejection):
            out.too_wide.append(record)
            continue
        lines.append(line)
        cells.append(record)
        if len(lines) >= _SLOW_BATCH:
            flush()
    flush()
    out.cells = pa.Table.from_batches(batches, _CELLS_SCHEMA)
    out.namespace = feed_namespace(header)
    out.reported_names = reads_reported_names(header, mapping)
    return out
