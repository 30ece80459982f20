"""Reader for the EuRepoC Global Database CSV (release 1.1): one raw incident per row.

EuRepoC writes multi-valued cells as Python-literal lists in strings, nested once per receiver
country ("[['Government / ministries', 'Military'], [...]]"). Attributed initiators are plain text:
attributions joined by '; ', an actor's aliases by '/' ("Fancy Bear/APT28/Sofacy/..."), a subgroup's
parent after '<' ("APT41/... < Winnti Umbrella/G0044"), an indicted person's group after '-->', and
notes in parentheses ("G0010 (FSB, 16th / 18th Center)"), which may themselves hold '/' or ';'.
"""
from __future__ import annotations

import ast
import csv
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import csvfile
from .model import RawIncident, Rejection, Skipped, UnreadableFile

HEADER_START = b"ID,name,description,start_date,end_date,"
COLUMNS = ("ID", "name", "description", "start_date", "receiver_country", "receiver_category",
           "receiver_category_subcode", "initiator_name", "attributed_initiator", "sources_url")

# Cell values that say nothing (compared case-insensitively).
_BLANK = {"", "not available", "unknown", "none"}

_ATTRIBUTION_SEP = re.compile(r";")
# Between names of one initiator: aliases ('/', ', aka'), parent group ('<'), a person's group ('-->').
_NAME_SEP = re.compile(r"-->|<|/|,|\b(?:aka|a\.k\.a\.)(?=\s)", re.IGNORECASE)

# Every receiver_category and receiver_category_subcode of release 1.1 -> Threatscape sector (None: no sector).
RECEIVER_CATEGORIES: dict[str, str | None] = {
    # receiver_category
    "State institutions / political system": "government",
    "Critical infrastructure": None,  # a container: the subcode names the sector
    # Companies outside critical infrastructure, sector not given (like "private sector" in CROSSWALK).
    "Corporate Targets (corporate targets only coded if the respective company is not part of the "
    "critical infrastructure definition)": None,
    "Social groups": "civil society",
    "Media": "media",
    "Science": "education and research",
    "End user(s) / specially protected groups": None,  # individuals, like "individuals" in CROSSWALK
    "International / supranational organization": "diplomacy",  # as "intergovernmental" in CROSSWALK
    "Other": None,
    "Unknown": None,
    "Not available": None,
    # receiver_category_subcode under "State institutions / political system"
    "Government / ministries": "government",
    "Civil service / administration": "government",
    "Legislative": "government",
    "Election infrastructure / related systems": "government",
    "Intelligence agencies": "government",
    "Military": "defence",
    "Police": "law enforcement",
    "Judiciary": "law enforcement",  # as "justice" in CROSSWALK; the taxonomy has no courts sector
    "Political parties": "civil society",  # as "political party" in CROSSWALK, though coded as a state institution
    # Used in 1.1 mostly for central banks, also for embassies: state institutions either way.
    "Other (e.g., embassies)": "government",
    # receiver_category_subcode under "Critical infrastructure"
    "Energy": "energy",
    "Telecommunications": "telecommunications",
    "Defence industry": "defence",
    "Finance": "finance",
    "Transportation": "transportation",
    "Health": "healthcare",
    "Chemicals": "chemicals",
    "Critical Manufacturing": "manufacturing",
    "Space": "aerospace",
    "Food": None,  # food production and supply: the taxonomy has no food or agriculture sector (as "Water")
    "Water": None,  # the taxonomy has no water or utilities sector
    # receiver_category_subcode under "Social groups"
    "Advocacy / activists (e.g. human rights organizations)": "civil society",
    "Political opposition / dissidents / expats": "civil society",
    "Religious": "civil society",
    "Ethnic": "civil society",
    "Other social groups": "civil society",
    "Hacktivist": None,  # hacker groups attacked in return, not civil society
    "Criminal": None,
    "Terrorist": None,
}


def looks_like(path: Path, head: bytes) -> bool:
    """True when the first line is the EuRepoC Global Database header (of a CSV, or of a workbook's first sheet)."""
    if path.suffix.lower() == ".xlsx" and head.startswith(b"PK"):
        try:
            with csvfile._workbook(path, None) as (_, rows):
                first = next(rows, (0, []))[1]
        except UnreadableFile:
            return False
        return not [c for c in COLUMNS if c not in first]
    first = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    return first.startswith(HEADER_START) and b"receiver_category" in first and b"attributed_initiator" in first


def read(paths: list[Path], *, source: str | None) -> Iterator[RawIncident | Rejection | Skipped]:
    """One RawIncident per row, or a Rejection for a row without start_date.

    The locator is f"row {n}" where n is the physical line number (1 = header) on which the row starts:
    descriptions hold line breaks, so it can be larger than the count of data rows.
    """
    for path in paths:
        yield from _read_file(Path(path), source or "EuRepoC")


def _read_file(path: Path, source: str) -> Iterator[RawIncident | Rejection]:
    """The records of one file."""
    if path.suffix.lower() == ".xlsx":  # the same database as a workbook: the same columns, one row per line
        with csvfile._workbook(path, None) as (_, rows):
            header = next(rows, (0, []))[1]
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise UnreadableFile(f"{path}: not a EuRepoC Global Database sheet (no {', '.join(missing)}) at row 1")
            for line, cells in rows:
                yield _record(dict(zip(header, cells + [""] * (len(header) - len(cells)))), path.name, f"row {line}",
                              source)
        return
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        # Decoding up front gives the exact line, which decoding chunk by chunk would not.
        line = data.count(b"\n", 0, e.start) + 1
        raise UnreadableFile(f"{path}: undecodable bytes ({e.reason}) at line {line}") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        missing = [c for c in COLUMNS if c not in (header or [])]
        if missing:
            raise UnreadableFile(f"{path}: not a EuRepoC Global Database CSV (no {', '.join(missing)}) at line 1")
        line = reader.line_num + 1
        for cells in reader:
            if any(cells):
                if len(cells) != len(header):
                    raise UnreadableFile(f"{path}: {len(cells)} fields instead of {len(header)} at line {line}")
                yield _record(dict(zip(header, cells)), path.name, f"row {line}", source)
            line = reader.line_num + 1
    except csv.Error as e:
        raise UnreadableFile(f"{path}: {e} at line {reader.line_num}") from None


def _record(row: dict[str, str], file: str, locator: str, source: str) -> RawIncident | Rejection:
    """The incident of one row."""
    start = row["start_date"].strip()
    if not start:
        return Rejection(file, locator, "start_date", "empty")
    urls = [u for u in _values(row["sources_url"]) if u.lower().startswith(("http://", "https://"))]
    return RawIncident(
        file=file,
        locator=locator,
        source=source,
        source_id=row["ID"].strip() or None,
        namespace="eurepoc",  # EuRepoC's own numbering, whatever --source says
        occurred_on=start,
        actors=_actors(row["attributed_initiator"], row["initiator_name"]),
        sectors=_sectors(row["receiver_category"], row["receiver_category_subcode"]),
        countries=_values(row["receiver_country"]),
        title=_clean(row["name"]) or None,
        summary=row["description"].strip() or None,
        source_url=urls[0] if urls else None,
    )


def _actors(attributed: str, initiator_name: str) -> list[str]:
    """The first name of every attributed initiator, then their other names; initiator_name if none."""
    initiators = [_names(a) for a in _split(attributed, _ATTRIBUTION_SEP)]
    if not any(initiators):
        initiators = [_names(a) for v in _values(initiator_name) for a in _split(v, _ATTRIBUTION_SEP)]
    initiators = [names for names in initiators if names]
    return _unique([names[0] for names in initiators] + [n for names in initiators for n in names[1:]])


def _names(initiator: str) -> list[str]:
    """The names in one initiator's text ('Fancy Bear/APT28/... (GRU, ...)' -> 'Fancy Bear', 'APT28', ...)."""
    return _unique(_split(initiator, _NAME_SEP))


def _sectors(categories: str, subcodes: str) -> list[str]:
    """Each receiver's category subcode, or its category when it has none (EuRepoC's own terms)."""
    cats = list(_flatten(_literal(categories)))
    subs = list(_flatten(_literal(subcodes)))
    if len(cats) == len(subs):
        return _unique(s if _clean(s) else c for c, s in zip(cats, subs))
    # Subcodes not aligned with categories (in 1.1: an empty subcode cell): take both.
    return _unique(cats + subs)


def _values(cell: str) -> list[str]:
    """The strings of a list cell ("['a', ['b']]"), flattened, without blanks or duplicates."""
    return _unique(_flatten(_literal(cell)))


def _literal(cell: str) -> object:
    """A list cell parsed as a Python literal (never evaluated), or the text itself when it is not one."""
    text = cell.strip()
    if not text.startswith("["):
        return text
    try:
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return text


def _flatten(value: object) -> Iterator[str]:
    """The strings in a value, at any depth of nesting."""
    if isinstance(value, (list, tuple, set)):
        for v in value:
            yield from _flatten(v)
    elif value is not None:
        yield str(value)


def _split(text: str, sep: re.Pattern[str]) -> list[str]:
    """text cut at sep, except inside parentheses ('G0010 (FSB, 16th / 18th Center)' stays whole)."""
    parts, start = [], 0
    for m in sep.finditer(text):
        if text.count("(", 0, m.start()) <= text.count(")", 0, m.start()):
            parts.append(text[start:m.start()])
            start = m.end()
    parts.append(text[start:])
    return parts


def _clean(text: str) -> str:
    """Text with runs of whitespace (including no-break spaces) made one space, trimmed."""
    return " ".join(text.split())


def _unique(values: Iterable[str]) -> list[str]:
    """Cleaned values in order, without blanks and without repeats (ignoring case)."""
    seen, out = set(), []
    for v in values:
        v = _clean(v)
        key = v.casefold()
        if key not in _BLANK and key not in seen:
            seen.add(key)
            out.append(v)
    return out
