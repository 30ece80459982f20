"""Read MISP event JSON (one event, a list of events, an API {"response": [...]}) as raw incidents.

Actors, sectors and countries come from misp-galaxy tags and Galaxy clusters, the TLP from tlp: tags.
A MISP feed's manifest.json summarises events but is not one, so it is not claimed.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .model import RawIncident, Rejection, Skipped, UnreadableFile, read_json

ACTOR_GALAXIES = ("threat-actor", "mitre-intrusion-set")
_TLP_RANK = {"TLP:CLEAR": 0, "TLP:WHITE": 0, "TLP:GREEN": 1, "TLP:AMBER": 2, "TLP:AMBER+STRICT": 3, "TLP:RED": 4}

_EVENT_KEY = re.compile(rb'"Event"\s*:\s*\{')
# Fields only a MISP event or attribute has, for events exported without the {"Event": ...} wrapper.
_BARE_EVENT = re.compile(rb'"(threat_level_id|to_ids)"\s*:')
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_MANIFEST_HEAD = re.compile(rb'\{\s*"' + _UUID.pattern.encode() + rb'"\s*:\s*\{')
_GALAXY_TAG = re.compile(r'misp-galaxy:([\w-]+)="(.*)"')
_JUDGMENT_TAG = re.compile(r'confidence-in-analytic-judgment\s*[=:]\s*"?([\w-]+)"?', re.IGNORECASE)
_MITRE_ID = re.compile(r"\s+-\s+G\d{4}$")


def looks_like(path: Path, head: bytes) -> bool:
    """Whether the first bytes of a file look like MISP event JSON (and not a feed manifest)."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith((b"{", b"[")) or _MANIFEST_HEAD.match(text):
        return False
    return bool(_EVENT_KEY.search(text) or (text.startswith(b"{") and _BARE_EVENT.search(text)))


def read(paths: list[Path], *, source: str | None) -> Iterator[RawIncident | Rejection | Skipped]:
    """One RawIncident per MISP event in these files."""
    for path in paths:
        for n, event in enumerate(_events_of(path), 1):
            if not isinstance(event, dict):
                yield Rejection(path.name, f"event {n}", "Event", "not a MISP event object")
            else:
                try:
                    yield _incident(path.name, f"event {n}", event, source)
                except (TypeError, AttributeError, ValueError):  # a field of the wrong kind inside the event
                    yield Rejection(path.name, f"event {n}", "Event",
                                    "malformed MISP event: a field holds the wrong kind of value")


def _events_of(path: Path) -> list:
    """The events of one file, unwrapped from {"Event": ...}, lists and {"response": [...]}."""
    data = read_json(path)
    if isinstance(data, dict) and isinstance(data.get("response"), list):
        data = data["response"]
    if isinstance(data, list):
        return [item.get("Event", item) if isinstance(item, dict) else item for item in data]
    if isinstance(data, dict) and "Event" in data:
        return [data["Event"]]
    if isinstance(data, dict) and "info" in data:
        return [data]
    if isinstance(data, dict) and data and all(_UUID.fullmatch(k) for k in data):
        raise UnreadableFile(f"{path}: a MISP feed manifest, not an event")
    raise UnreadableFile(f"{path}: not a MISP event (no Event object)")


def _incident(file: str, fallback_locator: str, event: dict, source: str | None) -> RawIncident | Rejection:
    """The raw incident for one event, or why it cannot be taken."""
    uuid = event.get("uuid") or None
    locator = uuid or fallback_locator
    if not event.get("date"):
        return Rejection(file, locator, "occurred_on", "the event has no date")
    found: dict[str, list[str]] = {"actor": [], "sector": [], "country": []}
    tlps, confidence = [], None
    for tag in event.get("Tag") or []:
        name = tag.get("name", "") if isinstance(tag, dict) else ""
        match = _GALAXY_TAG.fullmatch(name)
        judged = _JUDGMENT_TAG.search(name)
        if judged:  # estimative-language:confidence-in-analytic-judgment="high": read as the normaliser reads it
            confidence = f"confidence-in-analytic-judgment:{judged.group(1)}"
        elif match:
            _collect(found, match.group(1), match.group(2))
        elif name.lower().startswith("tlp:") and name.upper() in _TLP_RANK:
            tlps.append(name.upper())
    for galaxy in event.get("Galaxy") or []:
        for cluster in galaxy.get("GalaxyCluster") or []:
            _collect(found, cluster.get("type") or galaxy.get("type"), cluster.get("value"))
    orgc = event.get("Orgc") if isinstance(event.get("Orgc"), dict) else {}
    return RawIncident(
        file=file,
        locator=locator,
        source=source or orgc.get("name") or "MISP",
        source_id=uuid,
        namespace="misp",  # event uuids are unique across MISP instances: not within an organisation's name
        occurred_on=event["date"],
        confidence=confidence,
        actors=found["actor"],
        sectors=found["sector"],
        countries=found["country"],
        title=event.get("info"),
        summary=_summary(event),
        tlp=max(tlps, key=_TLP_RANK.__getitem__) if tlps else None,
    )


def _collect(found: dict[str, list[str]], galaxy: str | None, value: str | None) -> None:
    """Add a galaxy cluster value to the actors, sectors or countries it names, once."""
    if not isinstance(value, str) or not value.strip():
        return
    if galaxy in ACTOR_GALAXIES:
        kind, value = "actor", _MITRE_ID.sub("", value)  # 'APT1 - G0006' -> 'APT1'
    elif galaxy in ("sector", "country"):
        kind = galaxy
    else:
        return
    if value not in found[kind]:
        found[kind].append(value)


def _summary(event: dict) -> str | None:
    """The first comment or text attribute filed as external analysis (how OSINT feeds give an abstract)."""
    for attribute in event.get("Attribute") or []:
        if (isinstance(attribute, dict) and attribute.get("type") in ("comment", "text")
                and attribute.get("category") == "External analysis" and attribute.get("value")):
            return attribute["value"]
    return None
