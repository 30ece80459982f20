"""Normalisation of what sources report: dates with their precision, actor aliases, sectors, countries,
confidence, TLP.

Auditable, never silent: every value that does not map is counted by the Normaliser. A record whose date
cannot be read becomes a Rejection naming the field; one whose confidence cannot be read is kept without a
confidence, and one whose TLP marking cannot be read is kept as RED, each counted.
"""
from __future__ import annotations

import collections
import csv
import datetime as dt
import functools
import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from .. import countries, taxonomy
from ..resolver import UNATTRIBUTED, Resolution, Resolver, choose, is_placeholder
from .model import RawIncident, Rejection, UnreadableFile

# A marking's words, once 'TLP' and punctuation are set aside ('tlp:amber+strict', 'TLP_AMBER STRICT').
TLP_NAMES = {"CLEAR": "CLEAR", "WHITE": "CLEAR", "GREEN": "GREEN", "AMBER": "AMBER",
             "AMBER STRICT": "AMBER+STRICT", "RED": "RED"}
UNREADABLE_TLP = "RED"  # the most restrictive: an unreadable marking must never share more than it allowed
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?")
_US_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_YEAR = re.compile(r"(\d{4})")
_THIS_YEAR = dt.date.today().year
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


def tlp_name(text: str) -> str | None:
    """The TLP name of a marking as written ('TLP:AMBER', 'tlp-amber', 'Amber Strict', 'white'); None if none."""
    words = re.sub(r"[^A-Z0-9]+", " ", text.upper()).split()
    if words[:1] == ["TLP"]:
        words = words[1:]
    return TLP_NAMES.get(" ".join(words))


# Words of confidence -> 0-100, per the conversion tables of STIX 2.1 appendix A, keyed as _confidence_key
# gives them. A word of several scales takes the first scale's number: 'improbable' is Admiralty's 5 (10), not
# DNI's 30; 'almost certain' is WEP's 90, not DNI's 95. None: the value says there is no number.
_SCALES: tuple[dict[str, int | None], ...] = (
    {"none": 0, "low": 15, "med": 50, "medium": 50, "high": 85},
    {  # Admiralty credibility, with its digit or without
        "1 confirmed by other sources": 90, "2 probably true": 70, "3 possibly true": 50, "4 doubtful": 30,
        "5 improbable": 10, "6 truth cannot be judged": None,
        "confirmed by other sources": 90, "probably true": 70, "possibly true": 50, "doubtful": 30,
        "improbable": 10, "truth cannot be judged": None,
    },
    {  # WEP, each label whole or each of its alternatives
        "impossible": 0, "highly unlikely almost certainly not": 10, "highly unlikely": 10,
        "almost certainly not": 10, "unlikely probably not": 30, "unlikely": 30, "probably not": 30,
        "even chance": 50, "likely probable": 70, "likely": 70, "probable": 70,
        "highly likely almost certain": 90, "highly likely": 90, "almost certain": 90, "certain": 100,
    },
    {  # DNI (ICD 203); 'change' as the stix2 library spells its label
        "almost no chance remote": 5, "almost no chance": 5, "remote": 5,
        "very unlikely highly improbable": 15, "very unlikely": 15, "highly improbable": 15,
        "unlikely improbable": 30, "roughly even chance roughly even odds": 50,
        "roughly even change roughly even odds": 50, "roughly even chance": 50, "roughly even odds": 50,
        "very likely highly probable": 85, "very likely": 85, "highly probable": 85,
        "almost certain nearly certain": 95, "nearly certain": 95,
    },
)
_DNI = {"almost no chance": 5, "very unlikely": 15, "unlikely": 30, "roughly even chance": 50, "likely": 70,
        "very likely": 85, "almost certain": 95}
# MISP tags, with their namespace or without: analytic confidence high/moderate/low as STIX High/Med/Low
# (85/50/15, the scale of the same three levels); likelihood in ICD 203 words, the DNI scale's numbers.
_TAGS: dict[str, int | None] = {
    **{f"{ns}confidence in analytic judgment {word}": n for ns in ("", "estimative language ")
       for word, n in (("high", 85), ("moderate", 50), ("low", 15))},
    **{f"{ns}likelihood probability {word}": n for ns in ("", "estimative language ") for word, n in _DNI.items()},
    **{f"admiralty scale information credibility {digit}": n
       for digit, n in zip("123456", (90, 70, 50, 30, 10, None))},
    "moderate": 50, "high confidence": 85, "moderate confidence": 50, "medium confidence": 50,
    "low confidence": 15,
}
CONFIDENCE_WORDS: dict[str, int | None] = {}
for _scale in (*_SCALES, _TAGS):
    for _word, _number in _scale.items():
        CONFIDENCE_WORDS.setdefault(_word, _number)
del _scale, _word, _number
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _confidence_key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def read_confidence(value) -> int | None:
    """0-100 from what a source writes: 85, '85', '85%', '0.85' (a fraction has a decimal point: '1.0' is 100,
    '1' is 1), or a word of the STIX 2.1 confidence scales or of MISP's tags ('High', '2 - Probably True',
    'Almost certain'); None when absent or when the value says there is none. ValueError saying why otherwise."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    number, percent = text.removesuffix("%").rstrip(), text.endswith("%")
    if _NUMBER.fullmatch(number):
        n = Decimal(number)
        if not percent and "." in number and 0 <= n <= 1:
            n *= 100
        if not 0 <= n <= 100:
            raise ValueError(f"{text!r} is outside 0-100")
        return int(n.quantize(Decimal(1), ROUND_HALF_UP))
    key = _confidence_key(text)
    if key in CONFIDENCE_WORDS:
        return CONFIDENCE_WORDS[key]
    raise ValueError(f"{text!r} is not a confidence (0-100, a fraction, a percentage or a STIX 2.1 scale's word)")


# Multi-valued cells (CSV): where a cell is cut into values unless --split FIELD=SEPARATORS says otherwise.
SPLIT_FIELDS = ("sectors", "victim_country")
DEFAULT_SEPARATORS = ";,|/\n"
_MOST_PARTS = 8  # the most pieces of a cut cell joined back into one known term ('Congo, The ... of the': 2)


@functools.lru_cache(maxsize=64)
def _cutter(separators: str) -> re.Pattern:
    """Cuts text at any of the separators, keeping each (re.split gives pieces and separators alternately)."""
    return re.compile(f"([{re.escape(separators)}])")


def read_sector_terms(path: str | Path) -> dict[str, str | None]:
    """A team's own sector crosswalk: a CSV file of 'term,sector' (sector a Threatscape sector's name, or empty
    for a term that names no sector), keyed as taxonomy.term_key. UnreadableFile naming the file, line and field."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise UnreadableFile(f"{path}: cannot be read ({e.strerror})") from e
    except UnicodeDecodeError as e:
        raise UnreadableFile(f"{path}: not UTF-8 text (byte {e.start}: {e.reason})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    terms: dict[str, str | None] = {}
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        if header != ["term", "sector"]:
            raise UnreadableFile(f"{path}, line 1: the header must be 'term,sector', not {','.join(header)!r}")
        for cells in reader:
            where = f"{path}, line {reader.line_num}"
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != 2:
                raise UnreadableFile(f"{where}: {len(cells)} cells, expected 2 (term,sector)")
            term, sector = (c.strip() for c in cells)
            key = taxonomy.term_key(term)
            if not key:
                raise UnreadableFile(f"{where}, field term: empty")
            if sector and sector.lower() not in taxonomy.SECTOR_BY_NAME:
                raise UnreadableFile(f"{where}, field sector: {sector!r} is not a Threatscape sector "
                                     f"({', '.join(s for s, _ in taxonomy.SECTORS)}; or empty for none)")
            name = taxonomy.SECTOR_BY_NAME[sector.lower()].name if sector else None
            if terms.get(key, name) != name:
                raise UnreadableFile(f"{where}, field term: {term!r} has another sector on an earlier line")
            terms[key] = name
    except csv.Error as e:
        raise UnreadableFile(f"{path}: broken CSV at line {reader.line_num} ({e})") from None
    return terms


def AliasMap(decisions=()) -> Resolver:
    """The resolver that ingest uses: the reference directory and the team's decisions (threatscape/resolver.py)."""
    return Resolver.reference(list(decisions))


# Ids that are global already: a STIX id, or one that Threatscape wrote (a snapshot ingested again)
GLOBAL_ID = r"^(?:[a-z][a-z0-9-]*--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[a-z][a-z0-9-]*:\S.*)$"
_GLOBAL_ID = re.compile(GLOBAL_ID)


@functools.lru_cache(maxsize=1024)
def _id_prefix(namespace: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", namespace.lower()).strip("-") or "source"


def own_id(namespace: str, source_id: str) -> str:
    """The id of a record that carries one: a STIX id as it is (STIX ids are global), any other id within the
    namespace of the feed that wrote it (a CSV's columns, a format), never within a file or --source name."""
    source_id = source_id.strip()
    if _GLOBAL_ID.match(source_id):
        return source_id
    return f"{_id_prefix(namespace)}:{source_id}"


def content_id(record: str) -> str:
    """The id of a record without one: a digest of the whole record as read, so two records that differ in any
    field are two incidents and an exact repeat is one (columnar.py computes the same digest in DuckDB)."""
    return f"sha1:{hashlib.sha1(record.encode()).hexdigest()[:DIGEST_CHARS]}"


def stable_id(namespace: str, raw: RawIncident) -> str:
    """The source's own id when it has one, else a digest of the record's content."""
    if raw.source_id and raw.source_id.strip():
        return own_id(namespace, raw.source_id)
    record = raw.record if raw.record is not None else "\x1f".join(
        [raw.occurred_on or "", "; ".join(raw.actors), raw.title or "", raw.summary or "", ";".join(raw.countries),
         ";".join(raw.sectors), raw.campaign or "", raw.source_url or "", str(raw.confidence or ""), raw.tlp or ""])
    return content_id(record)


def default_title(actor: str, day: dt.date) -> str:
    """The title of a record that has none."""
    return f"{actor}{TITLE_JOIN}{day.isoformat()}"


@dataclass
class Normaliser:
    """Turns RawIncidents into store rows, counting everything it could not map."""

    aliases: Resolver = field(default_factory=AliasMap)
    default_tlp: str = "AMBER"
    extra_sectors: dict[str, str | None] = field(default_factory=dict)  # a format's own crosswalk
    unmapped_sectors: collections.Counter = field(default_factory=collections.Counter)
    unmapped_countries: collections.Counter = field(default_factory=collections.Counter)
    actor_status: collections.Counter = field(default_factory=collections.Counter)
    unresolved_actors: collections.Counter = field(default_factory=collections.Counter)
    placeholder_names: collections.Counter = field(default_factory=collections.Counter)
    match_rules: collections.Counter = field(default_factory=collections.Counter)
    ambiguous_actors: collections.Counter = field(default_factory=collections.Counter)
    several_actors: int = 0
    several_countries: int = 0
    unmapped_sponsors: collections.Counter = field(default_factory=collections.Counter)
    team_sectors: dict[str, str | None] = field(default_factory=dict)  # --sectors FILE, by taxonomy.term_key
    separators: dict[str, str] = field(default_factory=dict)  # --split FIELD=SEPARATORS (else DEFAULT_SEPARATORS)
    split_cells: bool = False  # the format writes several values in one cell (CSV): Normaliser.split them
    unreadable_confidence: collections.Counter = field(default_factory=collections.Counter)
    unreadable_tlp: collections.Counter = field(default_factory=collections.Counter)

    def use_format(self, *, default_tlp: str, extra_sectors: dict[str, str | None], split_cells: bool = False
                   ) -> None:
        """Settings of the format being read next (its TLP default, its own sector crosswalk, whether its cells
        hold several values)."""
        self.default_tlp, self.extra_sectors, self._sector_memo = default_tlp, extra_sectors, {}
        self.split_cells = split_cells

    def _sector_lookup(self, term: str) -> tuple[int, bool, bool]:
        """(bit, unmapped, a known term) for a term, memoised per format; the team's file comes first."""
        memo = self.__dict__.setdefault("_sector_memo", {})
        if term not in memo:
            key = term.strip()
            team_key = taxonomy.term_key(key)
            try:
                if team_key in self.team_sectors:
                    name = self.team_sectors[team_key]
                else:
                    name = self.extra_sectors[key] if key in self.extra_sectors else taxonomy.crosswalk(key)
                memo[term] = (taxonomy.SECTOR_BY_NAME[name.lower()].bit if name else 0, False, True)
            except KeyError:
                memo[term] = (0, True, taxonomy.is_term(key))
        return memo[term]

    def split(self, field_name: str, cell: str) -> list[str]:
        """The values of a multi-valued cell (sectors, victim_country): the cell itself when it is one known term
        ('Korea, Republic of'), else its pieces between separators, adjacent pieces joined back where together
        they are one known term ('Government; Electricity, gas, steam and air conditioning supply')."""
        text = cell.strip()
        separators = self.separators.get(field_name, DEFAULT_SEPARATORS)
        if not text or not separators or self._known(field_name, text):
            return [text] if text else []
        # Pieces and the separators between them, alternately: joined back as written.
        pieces = _cutter(separators).split(text)
        parts = [p.strip() for p in pieces[0::2]]
        # A sector term's key is its pieces' keys joined by spaces (the separators are punctuation): only a piece
        # that starts a longer known term is tried with the next ones (a big file holds thousands of cells).
        keys = starts = None
        if field_name == "sectors" and not re.search(r"\w", separators):
            keys, starts = [taxonomy.term_key(p) for p in parts], self._sector_keys()[1]
        values, i = [], 0
        while i < len(parts):
            end = i + 1
            if parts[i] and (keys is None or keys[i] in starts):
                end = next((j for j in range(min(len(parts), i + _MOST_PARTS), i + 1, -1)
                            if parts[j - 1] and self._known(field_name, "".join(pieces[2 * i:2 * j - 1]).strip())),
                           end)
            if value := "".join(pieces[2 * i:2 * end - 1]).strip():
                values.append(value)
            i = end
        return values

    def _known(self, field_name: str, text: str) -> bool:
        """Whether text is one known value of the field: a term of the sector lookup, or a country."""
        if field_name == "sectors":
            return taxonomy.term_key(text) in self._sector_keys()[0] and self._sector_lookup(text)[2]
        return countries.to_alpha2(text) is not None

    def _sector_keys(self) -> tuple[frozenset[str], frozenset[str]]:
        """(the keys, as taxonomy.term_key, of every term the sector lookup knows for the format being read,
        the word-prefixes of those of several words)."""
        made_for = self.__dict__.get("_sector_keys_for", (None, None))
        if made_for[0] is not self.extra_sectors or made_for[1] is not self.team_sectors:  # once per format
            known = frozenset(taxonomy.KNOWN_KEYS | set(self.team_sectors)
                              | {taxonomy.term_key(k) for k in self.extra_sectors})
            starts = frozenset(" ".join(words[:n]) for words in map(str.split, known) for n in range(1, len(words)))
            self._sector_keys_for, self._sector_keys_known = (self.extra_sectors, self.team_sectors), (known, starts)
        return self._sector_keys_known

    def sectors(self, terms: list[str]) -> tuple[int, list[str]]:
        """(sector mask, the unmapped terms as counted, once per occurrence) of a record's sector terms;
        counts nothing itself."""
        mask, unmapped = 0, []
        for term in terms:
            if term and term.strip():
                bit, missing, _ = self._sector_lookup(term)
                mask |= bit
                if missing:
                    unmapped.append(term.strip())
        return mask, unmapped

    @staticmethod
    def sponsor(place: str | None) -> tuple[str | None, str | None]:
        """(alpha-2 code, the text when it names no country) of a sponsor state as a source names it."""
        if not place or is_placeholder(place):  # 'Undetermined', 'Not attributed': no state named
            return None, None
        code = countries.to_alpha2(place)
        return code, None if code else place.strip()

    @staticmethod
    def countries(places: list[str]) -> tuple[list[str], list[str]]:
        """(distinct alpha-2 codes in order, the places that are no country, as counted) of a record's
        victim countries, a place that is no country's name read for the one country its text names;
        counts nothing itself."""
        codes, unmapped = [], []
        for place in places:
            if not place or not place.strip():
                continue
            code = countries.to_alpha2(place) or countries.named_in(place)
            if code is None:
                unmapped.append(place.strip())
            elif code not in codes:
                codes.append(code)
        return codes, unmapped

    @staticmethod
    def confidence(value) -> int | None:
        """0-100 as read_confidence reads it (None when absent); ValueError saying why otherwise."""
        return read_confidence(value)

    def tlp(self, value: str | None) -> str:
        """The TLP name of a marking (the format's default when absent); ValueError saying why otherwise."""
        if value is None or not str(value).strip():
            return self.default_tlp
        tlp = tlp_name(str(value))
        if tlp is None:
            raise ValueError(f"{value!r} is not a TLP marking (CLEAR, GREEN, AMBER, AMBER+STRICT, RED)")
        return tlp

    def count_unreadable(self, confidence, tlp, n: int = 1) -> None:
        """Count n stored records whose confidence (left empty) or TLP (stored as RED) could not be read."""
        if confidence is not None:
            self.unreadable_confidence[str(confidence).strip()] += n
        if tlp is not None:
            self.unreadable_tlp[str(tlp).strip()] += n

    def count_actor(self, chosen: Resolution, n: int = 1) -> None:
        """Count n records whose chosen actor is `chosen`."""
        self.actor_status[chosen.status] += n
        if chosen.rule:
            self.match_rules[chosen.rule] += n
        if chosen.status == "unattributed" and chosen.matched:
            self.placeholder_names[chosen.matched] += n
        elif chosen.status == "unresolved":
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
        # An optional value that cannot be read rejects nothing: confidence left empty, TLP the most restrictive.
        unreadable_confidence = unreadable_tlp = None
        try:
            confidence = self.confidence(raw.confidence)
        except ValueError:
            confidence, unreadable_confidence = None, raw.confidence
        try:
            tlp = self.tlp(raw.tlp)
        except ValueError:
            tlp, unreadable_tlp = UNREADABLE_TLP, raw.tlp
        self.count_unreadable(unreadable_confidence, unreadable_tlp)

        names = [n.strip() for n in raw.actors if n and n.strip()]
        resolutions = [self.aliases.resolve(n) for n in names]
        hints = [self.aliases.resolve(h) for h in raw.actor_hints if h and h.strip()]
        chosen = choose(resolutions, hints)
        self.several_actors += len({r.name for r in resolutions if r.status != "unattributed"}) > 1
        self.count_actor(chosen)

        sectors, places = raw.sectors, raw.countries
        if self.split_cells:
            sectors = [v for cell in sectors if cell for v in self.split("sectors", cell)]
            places = [v for cell in places if cell for v in self.split("victim_country", cell)]
        mask, unmapped = self.sectors(sectors)
        self.unmapped_sectors.update(unmapped)
        codes, unmapped = self.countries(places)
        self.unmapped_countries.update(unmapped)
        self.several_countries += len(codes) > 1
        title = (raw.title or "").strip() or default_title(chosen.name, day)
        sponsor, unmapped = self.sponsor(raw.sponsor)
        if unmapped:
            self.unmapped_sponsors[unmapped] += 1
        return {
            "incident_id": stable_id(raw.namespace or raw.source, raw),
            "occurred_on": day, "date_precision": precision,
            "actor": chosen.name, "actor_resolved": chosen.status == "resolved", "galaxy": chosen.actor,
            "actor_as_reported": "; ".join(dict.fromkeys(names)) or UNATTRIBUTED, "actor_match": chosen.match,
            "sector_mask": mask, "victim_country": codes[0] if codes else None,
            "campaign": (raw.campaign or "").strip() or None, "title": title,
            "summary": (raw.summary or "").strip() or None, "confidence": confidence, "tlp": tlp,
            "source": raw.source, "source_url": (raw.source_url or "").strip() or None,
            "sponsor_as_reported": sponsor, "file": raw.file,
        }
