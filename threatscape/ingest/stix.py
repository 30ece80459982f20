"""Read STIX 2.0 and 2.1 JSON (bundles or one bare object per file) as raw incidents.

Campaigns, incidents and reports become incidents; intrusion sets, threat actors, identities, locations,
relationships and marking definitions only supply their actors, victims and TLP. Objects refer to each other
across files (MITRE's cti repository keeps each object in its own file), so every file is loaded before any
incident is built.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from .model import RawIncident, Rejection, Skipped, UnreadableFile, read_json

INCIDENT_TYPES = ("campaign", "incident", "report")
ACTOR_TYPES = ("intrusion-set", "threat-actor")
# Types read only as context for incidents: never reported as skipped.
CONTEXT_TYPES = frozenset({*ACTOR_TYPES, "identity", "location", "relationship", "marking-definition"})

# The standard TLP marking definitions: TLP 1.0 (STIX 2.0 and 2.1) and TLP 2.0 (STIX 2.1 extension).
TLP_MARKINGS = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "TLP:WHITE",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "TLP:GREEN",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "TLP:AMBER",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "TLP:RED",
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "TLP:CLEAR",
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "TLP:GREEN",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "TLP:AMBER",
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": "TLP:AMBER+STRICT",
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": "TLP:RED",
}
_TLP_RANK = {"TLP:CLEAR": 0, "TLP:WHITE": 0, "TLP:GREEN": 1, "TLP:AMBER": 2, "TLP:AMBER+STRICT": 3, "TLP:RED": 4}

_BUNDLE = re.compile(rb'"type"\s*:\s*"bundle"')
_STIX_ID = re.compile(
    rb'"id"\s*:\s*"[a-z][a-z0-9-]*--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"')


def looks_like(path: Path, head: bytes) -> bool:
    """Whether the first bytes of a file look like a STIX bundle or a single STIX object."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"{") and bool(_BUNDLE.search(text) or _STIX_ID.search(text))


def read(paths: list[Path], *, source: str | None) -> Iterator[RawIncident | Rejection | Skipped]:
    """One RawIncident per campaign, incident and report in these files, read together."""
    objects: dict[str, tuple[str, dict]] = {}
    malformed: list[Rejection] = []
    for path in paths:
        for n, obj in enumerate(_objects_of(path), 1):
            if not (isinstance(obj, dict) and isinstance(obj.get("type"), str) and isinstance(obj.get("id"), str)):
                malformed.append(Rejection(path.name, f"object {n}", "type", "not a STIX object (no type or id)"))
                continue
            # The same object can come in several files (MITRE repeats ICS campaigns in enterprise); keep the newest.
            seen = objects.get(obj["id"])
            if seen is None or str(obj.get("modified", "")) > str(seen[1].get("modified", "")):
                objects[obj["id"]] = (path.name, obj)
    yield from malformed

    graph = _Graph({oid: obj for oid, (_, obj) in objects.items()})
    for file, obj in objects.values():
        kind = obj["type"]
        if kind in INCIDENT_TYPES:
            if obj.get("revoked") is True:
                yield Skipped(file, f"revoked {kind}")
            elif obj.get("x_mitre_deprecated") is True:
                yield Skipped(file, f"deprecated {kind}")
            else:
                yield graph.incident(file, obj, source or "STIX")
        elif kind not in CONTEXT_TYPES:
            yield Skipped(file, kind)


def _objects_of(path: Path) -> list:
    """The objects of one file: a bundle's objects, or the bare object itself."""
    data = read_json(path)
    if isinstance(data, dict) and data.get("type") == "bundle":
        objects = data.get("objects", [])
        if not isinstance(objects, list):
            raise UnreadableFile(f"{path}: not STIX (the bundle's objects is not a list)")
        return objects
    if isinstance(data, dict) and isinstance(data.get("type"), str) and isinstance(data.get("id"), str):
        return [data]
    raise UnreadableFile(f"{path}: not STIX (neither a bundle nor a STIX object)")


class _Graph:
    """All loaded objects and their relationships, to look up an incident's actors, victims and TLP."""

    def __init__(self, objects: dict[str, dict]):
        self.objects = objects
        self.links: dict[tuple[str, str], list[str]] = defaultdict(list)
        for obj in objects.values():
            if obj["type"] != "relationship" or obj.get("revoked") is True or obj.get("x_mitre_deprecated") is True:
                continue
            source_ref, target_ref = obj.get("source_ref"), obj.get("target_ref")
            if isinstance(source_ref, str) and isinstance(target_ref, str):
                self.links[(source_ref, obj.get("relationship_type"))].append(target_ref)
        # Identities that an actor is attributed to are the attackers themselves (APT1's personas), not victims.
        self.attacker_identities = {
            ref for (_, rel), refs in self.links.items() if rel == "attributed-to" for ref in refs
        }

    def incident(self, file: str, obj: dict, source: str) -> RawIncident | Rejection:
        """The raw incident for a campaign, incident or report, or why it cannot be taken."""
        oid, kind = obj["id"], obj["type"]
        occurred_on = obj.get("first_seen") or obj.get("published") or obj.get("created")
        if not occurred_on:
            return Rejection(file, oid, "occurred_on", "no first_seen, published or created date")
        if kind == "report":
            refs = obj.get("object_refs") or []
            actor_refs = refs
            victim_refs = [r for r in refs if r != obj.get("created_by_ref") and r not in self.attacker_identities]
        else:
            actor_refs = self.links[(oid, "attributed-to")]
            victim_refs = self.links[(oid, "targets")]
        # Intrusion sets before threat actors: the set is the group, threat actors are often its people or sponsors.
        actors = sorted(self._of_type(actor_refs, ACTOR_TYPES), key=lambda o: ACTOR_TYPES.index(o["type"]))
        sectors = [s for o in self._of_type(victim_refs, ("identity",)) for s in o.get("sectors") or []]
        countries = [o.get("country") or o.get("name") for o in self._of_type(victim_refs, ("location",))]
        urls = [r.get("url") for r in obj.get("external_references") or [] if isinstance(r, dict) and r.get("url")]
        return RawIncident(
            file=file,
            locator=oid,
            source=source,
            source_id=oid,
            occurred_on=occurred_on,
            actors=_unique(o.get("name") for o in actors),
            actor_hints=_unique([a for o in actors for a in o.get("aliases") or []] +
                                [r.get("external_id") for o in actors for r in o.get("external_references") or []
                                 if isinstance(r, dict) and r.get("source_name") == "mitre-attack"]),
            sectors=_unique(sectors),
            countries=_unique(countries),
            title=obj.get("name"),
            summary=obj.get("description"),
            campaign=obj.get("name") if kind == "campaign" else None,
            source_url=urls[0] if urls else None,
            confidence=obj.get("confidence"),
            tlp=self._tlp(obj),
        )

    def _of_type(self, refs: list, types: tuple[str, ...]) -> list[dict]:
        """The loaded objects among refs whose type is one of types, in order, each once."""
        found = [self.objects[r] for r in dict.fromkeys(refs) if isinstance(r, str) and r in self.objects]
        return [o for o in found if o["type"] in types]

    def _tlp(self, obj: dict) -> str | None:
        """The strictest TLP among the object's markings."""
        levels = []
        for ref in obj.get("object_marking_refs") or []:
            marking = self.objects.get(ref) or {}
            definition = marking.get("definition") if isinstance(marking.get("definition"), dict) else {}
            name = str(marking.get("name") or "")
            if ref in TLP_MARKINGS:
                levels.append(TLP_MARKINGS[ref])
            elif definition.get("tlp"):
                levels.append("TLP:" + str(definition["tlp"]).upper())
            elif name.upper().startswith("TLP:"):
                levels.append(name.upper())
        return max(levels, key=lambda t: _TLP_RANK.get(t, -1)) if levels else None


def _unique(values) -> list[str]:
    """The non-empty values, each once, in order."""
    return list(dict.fromkeys(v for v in values if isinstance(v, str) and v.strip()))
