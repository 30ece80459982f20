"""Read STIX 2.0 and 2.1 JSON (bundles or one bare object per file) as raw incidents.

Campaigns and incidents become incidents. A report that refers to campaigns or incidents is a source of
them: its publication date, link, name and victims are carried into each, and it is not counted again. A
report about an actor whose campaigns are in the same bundle is skipped for the same reason; any other report
is an incident of its own. Intrusion sets, threat actors, identities, locations, relationships and marking
definitions only supply actors, victims and TLP. Objects refer to each other across files (MITRE's cti
repository keeps each object in its own file), so every file is loaded before any incident is built.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

from .model import RawIncident, Rejection, Skipped, UnreadableFile, read_json

INCIDENT_TYPES = ("campaign", "incident", "report")
DESCRIBED_TYPES = ("campaign", "incident")  # what a report can be a source of
ACTOR_TYPES = ("intrusion-set", "threat-actor")
# Types read only as context for incidents: never reported as skipped.
CONTEXT_TYPES = frozenset({*ACTOR_TYPES, "identity", "location", "relationship", "marking-definition"})
# Custom identity properties vendors put the victim's country in (CTA, OpenCTI, others): a code or a name.
COUNTRY_PROPERTIES = ("x_cta_country", "x_opencti_location", "country")
DEFAULT_SOURCE = "STIX"

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
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?=$|[T ])")


def looks_like(path: Path, head: bytes) -> bool:
    """Whether the first bytes of a file look like a STIX bundle or a single STIX object."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"{") and bool(_BUNDLE.search(text) or _STIX_ID.search(text))


def read(paths: list[Path], *, source: str | None) -> Iterator[RawIncident | Rejection | Skipped]:
    """One RawIncident per campaign and incident in these files, read together, and per report that describes
    none of them. source overrides the name of the bundle's creator as the incidents' source."""
    objects: dict[str, tuple[str, dict]] = {}
    creators: dict[str, Counter] = defaultdict(Counter)
    malformed: list[Rejection] = []
    for path in paths:
        for n, obj in enumerate(_objects_of(path), 1):
            if not (isinstance(obj, dict) and isinstance(obj.get("type"), str) and isinstance(obj.get("id"), str)):
                malformed.append(Rejection(path.name, f"object {n}", "type", "not a STIX object (no type or id)"))
                continue
            if isinstance(obj.get("created_by_ref"), str):
                creators[path.name][obj["created_by_ref"]] += 1
            # The same object can come in several files (MITRE repeats ICS campaigns in enterprise); keep the newest.
            seen = objects.get(obj["id"])
            if seen is None or str(obj.get("modified", "")) > str(seen[1].get("modified", "")):
                objects[obj["id"]] = (path.name, obj)
    yield from malformed

    graph = _Graph({oid: obj for oid, (_, obj) in objects.items()})
    roles = graph.read_reports(objects)
    for file, obj in objects.values():
        kind = obj["type"]
        if kind in INCIDENT_TYPES:
            if obj.get("revoked") is True:
                yield Skipped(file, f"revoked {kind}")
            elif obj.get("x_mitre_deprecated") is True:
                yield Skipped(file, f"deprecated {kind}")
            elif obj["id"] in roles:
                yield roles[obj["id"]]
            else:
                yield graph.incident(file, obj, source or graph.creator(obj, creators[file]) or DEFAULT_SOURCE)
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


def _live(obj: dict) -> bool:
    """Neither revoked nor deprecated: withdrawn objects describe nothing any more."""
    return obj.get("revoked") is not True and obj.get("x_mitre_deprecated") is not True


def _list(value) -> list:
    """A list property as written, or none when a producer wrote something other than a list."""
    return value if isinstance(value, list) else []


def _refs(obj: dict) -> list:
    """A report's object_refs: the ids among them (a malformed entry refers to nothing)."""
    return [r for r in _list(obj.get("object_refs")) if isinstance(r, str)]


def _strings(value) -> list:
    """A property that vendors write either as one string or as a list of strings."""
    return [value] if isinstance(value, str) else value if isinstance(value, list) else []


def _day(published: str) -> str:
    """The day of a publication timestamp; a report is published on a day, whatever its time of day says."""
    return m[0] if (m := _ISO_DAY.match(published)) else published


class _Graph:
    """All loaded objects and their relationships, to look up an incident's actors, victims, reports and TLP."""

    def __init__(self, objects: dict[str, dict]):
        self.objects = objects
        self.links: dict[tuple[str, str], list[str]] = defaultdict(list)
        for obj in objects.values():
            if obj["type"] != "relationship" or not _live(obj):
                continue
            source_ref, target_ref, kind = obj.get("source_ref"), obj.get("target_ref"), obj.get("relationship_type")
            if isinstance(source_ref, str) and isinstance(target_ref, str) and isinstance(kind, str):
                self.links[(source_ref, kind)].append(target_ref)
        # Identities that an actor is attributed to are the attackers themselves (APT1's personas), not victims.
        self.attacker_identities = {
            ref for (_, rel), refs in self.links.items() if rel == "attributed-to" for ref in refs
        }
        # Where an actor comes from is not where its victims are, though reports list both.
        self.attacker_locations = {
            ref for (_, rel), refs in self.links.items() if rel == "originates-from" for ref in refs
        }
        self.reports_of: dict[str, list[dict]] = defaultdict(list)

    def read_reports(self, objects: dict[str, tuple[str, dict]]) -> dict[str, Skipped | Rejection]:
        """Fold each report that describes campaigns or incidents into them; what to yield for such reports."""
        actors_with_campaigns: dict[str, set[str]] = defaultdict(set)  # file -> actors with a campaign in it
        for file, obj in objects.values():
            if obj["type"] in DESCRIBED_TYPES and _live(obj):
                actors_with_campaigns[file].update(self.links[(obj["id"], "attributed-to")])
        roles: dict[str, Skipped | Rejection] = {}
        for file, obj in objects.values():
            if obj["type"] != "report" or not _live(obj):
                continue
            described = self._of_type(_refs(obj), DESCRIBED_TYPES)
            if not described:
                if actors_with_campaigns[file].intersection(_refs(obj)):
                    roles[obj["id"]] = Skipped(file, "report describing an actor's campaigns")
                continue
            published = obj.get("published")
            if published is not None and not (isinstance(published, str) and _ISO_DAY.match(published)):
                roles[obj["id"]] = Rejection(file, obj["id"], "published", f"{published!r} is not an ISO date")
                continue
            kind = "campaign" if any(o["type"] == "campaign" for o in described) else "incident"
            roles[obj["id"]] = Skipped(file, f"report describing {'a' if kind == 'campaign' else 'an'} {kind}")
            for target in described:
                if _live(target):
                    self.reports_of[target["id"]].append(obj)
        for reports in self.reports_of.values():
            reports.sort(key=lambda r: (_day(r.get("published") or "9999"), str(r.get("name") or "")))
        return roles

    def creator(self, obj: dict, file_creators: Counter) -> str | None:
        """The name of who made the object, else of who made most of its bundle's objects."""
        for ref in [obj.get("created_by_ref")] + [ref for ref, _ in file_creators.most_common()]:
            identity = self.objects.get(ref) if isinstance(ref, str) else None
            if identity and identity["type"] == "identity" and isinstance(identity.get("name"), str) \
                    and identity["name"].strip():
                return identity["name"].strip()
        return None

    def incident(self, file: str, obj: dict, source: str) -> RawIncident | Rejection:
        """The raw incident for a campaign, an incident or a report that describes neither, or why it cannot be
        taken."""
        oid, kind = obj["id"], obj["type"]
        reports = self.reports_of.get(oid, [])
        published = _unique(_day(r["published"]) for r in reports if isinstance(r.get("published"), str))
        # A campaign began at first_seen; the reports about it came out later (often more than a year later).
        occurred_on = obj.get("first_seen") or obj.get("published") or min(published, default=None) \
            or obj.get("created")
        if not occurred_on:
            return Rejection(file, oid, "occurred_on", "no first_seen, published or created date")
        if kind == "report":
            actor_refs = _refs(obj)
            victims = [self._victims(self._report_victims(obj))]
        else:
            actor_refs = self.links[(oid, "attributed-to")]
            # What the campaign targets first, then what each report about it names.
            victims = [self._victims(self.links[(oid, "targets")])] + [
                self._victims(self._report_victims(r)) for r in reports]
        # Intrusion sets before threat actors: the set is the group, threat actors are often its people or sponsors.
        actors = sorted(self._of_type(actor_refs, ACTOR_TYPES), key=lambda o: ACTOR_TYPES.index(o["type"]))
        urls = [r.get("url") for o in [obj, *reports] for r in _list(o.get("external_references"))
                if isinstance(r, dict) and isinstance(r.get("url"), str) and r["url"].strip()]
        summary = obj.get("description") or _reported_in(reports)
        return RawIncident(
            file=file,
            locator=oid,
            source=source,
            source_id=oid,
            occurred_on=occurred_on,
            actors=_unique(o.get("name") for o in actors),
            actor_hints=_unique([a for o in actors for a in _strings(o.get("aliases"))] +
                                [r.get("external_id") for o in actors for r in _list(o.get("external_references"))
                                 if isinstance(r, dict) and r.get("source_name") == "mitre-attack"]),
            sectors=_unique(s for sectors, _ in victims for s in sectors),
            countries=_unique(c for _, countries in victims for c in countries),
            title=obj.get("name"),
            summary=summary,
            campaign=obj.get("name") if kind == "campaign" else None,
            source_url=urls[0] if urls else None,
            confidence=obj.get("confidence"),
            tlp=self._tlp([obj, *reports]),
            published=sorted(published),
        )

    def _report_victims(self, report: dict) -> list:
        """The refs of a report that can be victims: not its author, not the actors' own personas or homes."""
        return [r for r in _refs(report) if r != report.get("created_by_ref")
                and r not in self.attacker_identities and r not in self.attacker_locations]

    def _victims(self, refs: list) -> tuple[list, list]:
        """(sectors, countries) of the victim identities and locations among refs: the locations themselves
        first, then the identities' own country properties and the locations they are located-at."""
        identities = self._of_type(refs, ("identity",))
        located = self._of_type([ref for o in identities for ref in self.links[(o["id"], "located-at")]], ("location",))
        # OpenCTI models a sector as a class identity named after it, without a sectors property.
        sectors = [s for o in identities for s in _strings(o.get("sectors")) or (
            [o.get("name")] if o.get("identity_class") == "class" else [])]
        countries = [o.get("country") or o.get("name") for o in self._of_type(refs, ("location",))]
        countries += [c for o in identities for prop in COUNTRY_PROPERTIES for c in _strings(o.get(prop))]
        countries += [o.get("country") or o.get("name") for o in located]
        return sectors, countries

    def _of_type(self, refs: list, types: tuple[str, ...]) -> list[dict]:
        """The loaded objects among refs whose type is one of types, in order, each once."""
        found = [self.objects[r] for r in dict.fromkeys(r for r in refs if isinstance(r, str)) if r in self.objects]
        return [o for o in found if o["type"] in types]

    def _tlp(self, objs: list[dict]) -> str | None:
        """The strictest TLP among the objects' markings (an incident carries what its reports said)."""
        levels = []
        for ref in (ref for obj in objs for ref in _strings(obj.get("object_marking_refs"))):
            if not isinstance(ref, str):
                continue
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


def _reported_in(reports: list[dict]) -> str | None:
    """'Reported in: NAME (published DAY); ...' for an incident that has no description of its own."""
    named = [f"{r['name'].strip()} (published {_day(r['published'])})" if isinstance(r.get("published"), str)
             else r["name"].strip() for r in reports if isinstance(r.get("name"), str) and r["name"].strip()]
    return "Reported in: " + "; ".join(named) if named else None


def _unique(values) -> list[str]:
    """The non-empty values, each once, in order."""
    return list(dict.fromkeys(v for v in values if isinstance(v, str) and v.strip()))
