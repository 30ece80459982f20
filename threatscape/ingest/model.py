"""What format readers hand to the ingester: raw incidents as the source gave them, rejections, skips."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


class UnreadableFile(Exception):
    """A file that cannot be read at all (wrong format, truncated JSON, broken quoting, undecodable bytes).
    The message is one line naming the file and the problem."""


def read_json(path: Path):
    """A JSON file's content, or UnreadableFile saying in one line why it cannot be read."""
    try:
        return json.loads(path.read_bytes())
    except OSError as e:
        raise UnreadableFile(f"{path}: cannot be read ({e.strerror})") from e
    except UnicodeDecodeError as e:
        raise UnreadableFile(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from e
    except json.JSONDecodeError as e:
        raise UnreadableFile(f"{path}: not valid JSON ({e.msg} at line {e.lineno})") from e
    except RecursionError as e:
        raise UnreadableFile(f"{path}: JSON nested too deeply to read") from e


@dataclass
class RawIncident:
    """One incident as a source reported it; normalisation (dates, actors, sectors, countries) happens later.

    file/locator say where it came from ('events.csv', 'row 12' or 'campaign--1a2b...').
    source_id is the source's own stable id (a UUID, an ID column), used for the incident's stable id.
    """

    file: str
    locator: str
    source: str
    source_id: str | None = None
    namespace: str | None = None         # what source_id is unique within (a feed's columns, a format); default
                                         # the source name. Not the file's name: a renamed file is the same feed
    occurred_on: str | None = None       # text: ISO date or datetime, M/D/YYYY, YYYY-MM, YYYY
    actors: list[str] = field(default_factory=list)     # names as reported, most important first
    actor_hints: list[str] = field(default_factory=list)  # other names of the same actors (STIX aliases,
                                                          # ATT&CK ids): tried when no reported name resolves
    sectors: list[str] = field(default_factory=list)    # terms of any vocabulary (STIX, MISP, EuRepoC, ...)
    countries: list[str] = field(default_factory=list)  # victim countries: names or ISO codes
    title: str | None = None
    summary: str | None = None
    campaign: str | None = None
    source_url: str | None = None
    confidence: str | int | None = None  # 0-100
    tlp: str | None = None               # CLEAR/WHITE, GREEN, AMBER, AMBER+STRICT, RED, with or without 'TLP:'
    record: str | None = None            # the whole record as read (every cell or field): the id of a record
                                         # without source_id is derived from it, so distinct records never collide
    sponsor: str | None = None           # the sponsor state the source names for the actor (name or ISO code)
    published: list[str] = field(default_factory=list)  # publication dates of the reports that describe it


@dataclass(frozen=True)
class Rejection:
    """A record that could not be taken, and why (file, row or object id, field, reason)."""

    file: str
    locator: str
    field: str
    reason: str


@dataclass(frozen=True)
class Skipped:
    """An object the format holds but that is not an incident (e.g. a STIX malware object): counted, not read."""

    file: str
    kind: str
