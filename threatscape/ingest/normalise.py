"""Normalisation of what sources report: dates with their precision, actor aliases, sectors, countries, TLP.

Auditable, never silent: every value that does not map is counted by the Normaliser, and a record
whose date, confidence or TLP cannot be read becomes a Rejection naming the field.
"""
from __future__ import annotations

import collections
import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass, field

from .. import countries, taxonomy
from ..actors import GalaxyActor, alias_key, galaxy
from .model import RawIncident, Rejection

TLP_NAMES = {"CLEAR": "CLEAR", "WHITE": "CLEAR", "GREEN": "GREEN", "AMBER": "AMBER",
             "AMBER+STRICT": "AMBER+STRICT", "RED": "RED"}
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?")
_US_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_YEAR = re.compile(r"(\d{4})")
_THIS_YEAR = dt.date.today().year
NO_ACTOR = "no actor: Threatscape holds attributed incidents"
DIGEST_CHARS = 20  # hex characters of the SHA-1 in a content-derived incident id
TITLE_JOIN = " incident on "  # between the actor and the day in the title of a record without one


@functools.lru_cache(maxsize=65_536)  # a feed repeats its dates: parse each once
def parse_date(text: str) -> tuple[dt.date, str]:
    """(first day of the period, precision) for '2019-08-14', '2019-08-14T10:00:00Z', '8/14/2019',
    '2019-08' or '2019'; ValueError saying why otherwise."""
    t = (text or "").strip()
    if m := _ISO_DAY.fullmatch(t):
        y, mo, d, precision = int(m[1]), int(m[2]), int(m[3]), "day"
    elif m := _US_DAY.fullmatch(t):
        y, mo, d, precision = int(m[3]), int(m[1]), int(m[2]), "day"
    elif m := _MONTH.fullmatch(t):
        y, mo, d, precision = int(m[1]), int(m[2]), 1, "month"
    elif m := _YEAR.fullmatch(t):
        y, mo, d, precision = int(m[1]), 1, 1, "year"
    else:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD, M/D/YYYY, YYYY-MM or YYYY)")
    try:
        day = dt.date(y, mo, d)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date ({exc})") from None
    if not 1980 <= y <= _THIS_YEAR + 1:
        raise ValueError(f"{text!r} is outside 1980 to next year")
    return day, precision


@dataclass(frozen=True)
class Resolution:
    name: str                    # canonical name, or the name as reported when not resolved
    galaxy: GalaxyActor | None   # None: unresolved or ambiguous
    status: str                  # 'resolved', 'ambiguous' or 'unresolved'
    matched: str = ""            # the galaxy name or synonym that matched


class AliasMap:
    """Any actor name or alias -> one canonical MISP galaxy actor, ignoring case, spaces and punctuation."""

    def __init__(self):
        self.version, actors = galaxy()
        self._by_key: dict[str, list[tuple[GalaxyActor, str]]] = collections.defaultdict(list)
        # "Operation Stolen Pencil" is often reported as "Stolen Pencil": a weaker match, tried last.
        self._without_operation: dict[str, list[tuple[GalaxyActor, str]]] = collections.defaultdict(list)
        for a in actors:
            for name in (a.name,) + a.synonyms:
                key = alias_key(name)
                for index, k in ((self._by_key, key),
                                 (self._without_operation, key.removeprefix("operation") if key.startswith(
                                     "operation") else None)):
                    if k and all(e[0].uuid != a.uuid for e in index[k]):
                        index[k].append((a, name))
        self._cache: dict[str, Resolution] = {}

    def resolve(self, reported: str) -> Resolution:
        if reported in self._cache:
            return self._cache[reported]
        key = alias_key(reported)
        entries = self._by_key.get(key) or self._without_operation.get(key, [])
        own = [e for e in entries if alias_key(e[0].name) == key]  # a canonical name wins over synonyms
        if len({e[0].uuid for e in own}) == 1:
            r = Resolution(own[0][0].name, own[0][0], "resolved", own[0][1])
        elif len({e[0].uuid for e in entries}) == 1:
            r = Resolution(entries[0][0].name, entries[0][0], "resolved", entries[0][1])
        elif entries:
            r = Resolution(reported.strip(), None, "ambiguous")
        else:
            r = Resolution(reported.strip(), None, "unresolved")
        self._cache[reported] = r
        return r


@functools.lru_cache(maxsize=1024)
def _id_prefix(source: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", source.lower()).strip("-") or "source"


def stable_id(source: str, raw: RawIncident, day: dt.date, actor: str) -> str:
    """The source's own id when it has one, else a digest of what identifies the incident
    (columnar.py computes the same digest for a whole CSV file at once)."""
    prefix = _id_prefix(source)
    if raw.source_id:
        return f"{prefix}:{raw.source_id.strip()}"
    content = "|".join([day.isoformat(), alias_key(actor), (raw.title or "").strip(),
                        ";".join(sorted(raw.countries)), ";".join(sorted(raw.sectors))])
    return f"{prefix}:sha1:{hashlib.sha1(content.encode()).hexdigest()[:DIGEST_CHARS]}"


def default_title(actor: str, day: dt.date) -> str:
    """The title of a record that has none."""
    return f"{actor}{TITLE_JOIN}{day.isoformat()}"


@dataclass
class Normaliser:
    """Turns RawIncidents into store rows, counting everything it could not map."""

    aliases: AliasMap = field(default_factory=AliasMap)
    default_tlp: str = "AMBER"
    extra_sectors: dict[str, str | None] = field(default_factory=dict)  # a format's own crosswalk
    unmapped_sectors: collections.Counter = field(default_factory=collections.Counter)
    unmapped_countries: collections.Counter = field(default_factory=collections.Counter)
    actor_status: collections.Counter = field(default_factory=collections.Counter)
    unresolved_actors: collections.Counter = field(default_factory=collections.Counter)
    ambiguous_actors: collections.Counter = field(default_factory=collections.Counter)
    several_actors: int = 0
    several_countries: int = 0

    def use_format(self, *, default_tlp: str, extra_sectors: dict[str, str | None]) -> None:
        """Settings of the format being read next (its TLP default and its own sector crosswalk)."""
        self.default_tlp, self.extra_sectors, self._sector_memo = default_tlp, extra_sectors, {}

    def _sector_lookup(self, term: str) -> tuple[int, bool]:
        """(bit, unmapped) for a term, memoised per format."""
        memo = self.__dict__.setdefault("_sector_memo", {})
        if term not in memo:
            key = term.strip()
            try:
                name = self.extra_sectors[key] if key in self.extra_sectors else taxonomy.crosswalk(key)
                memo[term] = (taxonomy.SECTOR_BY_NAME[name.lower()].bit if name else 0, False)
            except KeyError:
                memo[term] = (0, True)
        return memo[term]

    def sectors(self, terms: list[str]) -> tuple[int, list[str]]:
        """(sector mask, the unmapped terms as counted, once per occurrence) of a record's sector terms;
        counts nothing itself."""
        mask, unmapped = 0, []
        for term in terms:
            if term and term.strip():
                bit, missing = self._sector_lookup(term)
                mask |= bit
                if missing:
                    unmapped.append(term.strip())
        return mask, unmapped

    @staticmethod
    def countries(places: list[str]) -> tuple[list[str], list[str]]:
        """(distinct alpha-2 codes in order, the places that are no country, as counted) of a record's
        victim countries; counts nothing itself."""
        codes, unmapped = [], []
        for place in places:
            if not place or not place.strip():
                continue
            code = countries.to_alpha2(place)
            if code is None:
                unmapped.append(place.strip())
            elif code not in codes:
                codes.append(code)
        return codes, unmapped

    @staticmethod
    def confidence(value) -> int | None:
        """0-100 from a number or numeric text (None when absent); ValueError saying why otherwise."""
        if value in (None, ""):
            return None
        try:
            confidence = int(float(str(value).strip()))
        except (ValueError, OverflowError):  # OverflowError: 'inf'
            raise ValueError(f"{value!r} is not a number") from None
        if not 0 <= confidence <= 100:
            raise ValueError(f"{confidence} is outside 0-100")
        return confidence

    def tlp(self, value: str | None) -> str:
        """The TLP name of a marking (the format's default when absent); ValueError saying why otherwise."""
        if not value:
            return self.default_tlp
        tlp = TLP_NAMES.get(value.strip().upper().removeprefix("TLP:").replace(" ", ""))
        if tlp is None:
            raise ValueError(f"{value!r} is not a TLP marking (CLEAR, GREEN, AMBER, AMBER+STRICT, RED)")
        return tlp

    def count_actor(self, chosen: Resolution, n: int = 1) -> None:
        """Count n records whose chosen actor is `chosen`."""
        self.actor_status[chosen.status] += n
        if chosen.status == "unresolved":
            self.unresolved_actors[chosen.name] += n
        elif chosen.status == "ambiguous":
            self.ambiguous_actors[chosen.name] += n

    def row(self, raw: RawIncident) -> dict | Rejection:
        """The store row for a raw incident, or why it cannot be one."""
        def reject(field_name: str, reason: str) -> Rejection:
            return Rejection(raw.file, raw.locator, field_name, reason)

        if not raw.occurred_on:
            return reject("occurred_on", "no date")
        try:
            day, precision = parse_date(str(raw.occurred_on))
        except ValueError as exc:
            return reject("occurred_on", str(exc))
        try:
            confidence = self.confidence(raw.confidence)
        except ValueError as exc:
            return reject("confidence", str(exc))
        try:
            tlp = self.tlp(raw.tlp)
        except ValueError as exc:
            return reject("tlp", str(exc))

        names = [n.strip() for n in raw.actors if n and n.strip()]
        if not names:
            return reject("actor", NO_ACTOR)
        resolutions = [self.aliases.resolve(n) for n in names]
        hints = [self.aliases.resolve(h) for h in raw.actor_hints if h and h.strip()]
        chosen = next((r for r in resolutions + hints if r.status == "resolved"), resolutions[0])
        self.several_actors += len({r.name for r in resolutions}) > 1
        self.count_actor(chosen)

        mask, unmapped = self.sectors(raw.sectors)
        self.unmapped_sectors.update(unmapped)
        codes, unmapped = self.countries(raw.countries)
        self.unmapped_countries.update(unmapped)
        self.several_countries += len(codes) > 1
        title = (raw.title or "").strip() or default_title(chosen.name, day)
        return {
            "incident_id": stable_id(raw.source, raw, day, chosen.name),
            "occurred_on": day, "date_precision": precision,
            "actor": chosen.name, "actor_resolved": chosen.status == "resolved", "galaxy": chosen.galaxy,
            "actor_as_reported": "; ".join(dict.fromkeys(names)), "actor_match": chosen.matched or None,
            "sector_mask": mask, "victim_country": codes[0] if codes else None,
            "campaign": (raw.campaign or "").strip() or None, "title": title,
            "summary": (raw.summary or "").strip() or None, "confidence": confidence, "tlp": tlp,
            "source": raw.source, "source_url": (raw.source_url or "").strip() or None,
            "file": raw.file,
        }
