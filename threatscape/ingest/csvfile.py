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
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
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
    # Each field's column position (-1: the file has no such column), in COLUMNS order.
    where = [header.index(columns[f]) if columns[f] in header else -1 for f in COLUMNS]
    width, name = len(header), str(path)
    try:
        for cells in reader:
            if len(cells) > width:
                yield Rejection(name, f"line {reader.line_num}", "(row)",
                                f"{len(cells) - width} cells more than the header's columns")
                continue
            (incident_id, occurred_on, actor, sectors, country, title, summary, url, confidence, tlp,
             campaign) = [(cells[i].strip() or None) if 0 <= i < len(cells) else None for i in where]
            yield RawIncident(
                file=name, locator=f"line {reader.line_num}", source=source, source_id=incident_id,
                occurred_on=occurred_on, actors=[actor] if actor else [],
                sectors=sectors.split(LIST_SEPARATOR) if sectors else [],
                countries=country.split(LIST_SEPARATOR) if country else [],
                title=title, summary=summary, campaign=campaign, source_url=url, confidence=confidence, tlp=tlp)
    except csv.Error as exc:
        raise UnreadableFile(f"{path}: broken CSV at line {reader.line_num} ({exc})") from None
