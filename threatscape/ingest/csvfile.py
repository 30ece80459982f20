"""CSV in Threatscape's documented columns, or any CSV through --map FIELD=COLUMN."""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterator

from .model import RawIncident, Rejection, UnreadableFile

COLUMNS = ("incident_id", "occurred_on", "actor", "sectors", "victim_country", "title", "summary",
           "source_url", "confidence", "tlp", "campaign")
REQUIRED = ("occurred_on", "actor")
LIST_SEPARATOR = ";"


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


def _read_file(path: Path, source: str, mapping: dict[str, str]) -> Iterator[RawIncident | Rejection]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise UnreadableFile(f"{path}: broken CSV at line 1 ({exc})") from None
    columns = {f: mapping.get(f, f) for f in COLUMNS}
    missing = [f"{f} (column {c!r})" if c != f else f for f, c in columns.items() if f in REQUIRED and c not in header]
    if missing:
        raise UnreadableFile(f"{path}: no column for {', '.join(missing)}; columns are {', '.join(header)}"
                             " (map others with --map FIELD=COLUMN)")
    unknown = [c for c in mapping.values() if c not in header]
    if unknown:
        raise UnreadableFile(f"{path}: --map names columns the file does not have: {', '.join(unknown)}")
    try:
        for row in reader:
            line = f"line {reader.line_num}"
            if None in row:  # more cells than the header has columns
                yield Rejection(str(path), line, "(row)", f"{len(row[None])} cells more than the header's columns")
                continue
            get = lambda f: (row.get(columns[f]) or "").strip() or None  # noqa: E731
            yield RawIncident(
                file=str(path), locator=line, source=source, source_id=get("incident_id"),
                occurred_on=get("occurred_on"), actors=[get("actor")] if get("actor") else [],
                sectors=[s for s in (get("sectors") or "").split(LIST_SEPARATOR) if s.strip()],
                countries=[c for c in (get("victim_country") or "").split(LIST_SEPARATOR) if c.strip()],
                title=get("title"), summary=get("summary"), campaign=get("campaign"),
                source_url=get("source_url"), confidence=get("confidence"), tlp=get("tlp"))
    except csv.Error as exc:
        raise UnreadableFile(f"{path}: broken CSV at line {reader.line_num} ({exc})") from None
