"""What an actor name means: the one set of rules that ingest, the filters, the URL, the `actor` command and the
export use to turn a name as a source wrote it into a canonical actor, "unattributed", or nothing known.

The directory is the whole reference, not what a file happens to hold: every actor of the MISP galaxy's
threat-actor cluster, the MITRE ATT&CK groups (the galaxy's `mitre-intrusion-set` cluster, with their G ids),
and the team's own decisions (a name mapped to an actor, marked a placeholder, or made a new actor). Each
alias keeps its provenance. Every match names the rule that made it, so it can be audited:

  placeholder  the name means "unknown attacker" ('?', 'n/a', 'Multiple threat actors', ...): unattributed
  local        a decision of the team's (`--aliases FILE`, or the app's Names page)
  exact        the name or an alias, ignoring case, spaces and punctuation (a canonical name wins over
               another actor's alias)
  affix        the same without a leading 'The', a trailing 'Group', 'Team', 'Gang', 'APT group', or a
               vendor's trailing 'New'
  operation    "Operation X" reported as "X", or the other way round
  compound     'X AKA Y', 'X (Y)', 'X / Y', 'X, Y', 'X or Y': every part that resolves names the same actor
  mention      a phrase ('believed to be the work of APT 28', 'suspected Lazarus') in which the aliases that
               occur as whole words all name one actor
  generic      only a kind of attacker ('Iranian hackers', 'Chinese APT'): unattributed
Near misses (typos) are only suggested (`suggest`), never merged.
"""
from __future__ import annotations

import collections
import csv
import difflib
import functools
import hashlib
import importlib.util
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .actors import alias_key, galaxy

UNATTRIBUTED = "Unattributed"   # the actor of incidents whose source names no actor (actor_id 0)
UNATTRIBUTED_ID = 0

# Names that mean "no known actor". Compared by alias_key, so '?' and '-' (key '') are covered by `not key`.
PLACEHOLDERS = (
    "?", "-", "n/a", "na", "null", "none", "nil", "unknown", "unknown actor", "unknown actors",
    "unknown threat actor", "unknown threat actors", "not disclosed", "undisclosed", "unknown attacker", "unknown hackers", "unattributed", "not attributed",
    "no attribution", "unidentified", "tbd", "undetermined", "various", "multiple", "multiple actors",
    "multiple threat actors", "multiple groups", "several actors", "other", "others",
)
_PLACEHOLDER_KEYS = frozenset(alias_key(p) for p in PLACEHOLDERS)


def is_placeholder(name: str | None) -> bool:
    """Whether a name means "unknown" by the built-in placeholders (the resolver also counts a team's decisions):
    an actor's name, or a sponsor state's ('Undetermined', 'Not attributed')."""
    key = alias_key(name or "")
    return not key or key in _PLACEHOLDER_KEYS


_AFFIX_BEFORE = ("the",)
_AFFIX_AFTER = ("group", "team", "gang", "crew", "new", "actor", "actors", "hackers")
_AFFIX_AFTER_TWO = {("apt", "group"), ("threat", "group"), ("threat", "actor"), ("hacker", "group"),
                    ("hacking", "group"), ("cyber", "group")}
_COMPOUND = re.compile(r"\s+(?:aka|a\.k\.a\.?|alias|also known as|or|and)\s+|[()\[\]/,;|]|\s+-\s+", re.IGNORECASE)
_MENTION_CUES = re.compile(
    r"\b(?:believed to be|(?:likely|probably|possibly|reportedly|allegedly)?\s*(?:linked|attributed|tied|"
    r"connected|related)\s+to|the work of|suspected|likely|probably|possibly|presumably|reportedly|allegedly|"
    r"associated with|behind)\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MENTION_MAX_WORDS = 6   # the longest alias, in words, looked for inside a phrase
# Words that may stand beside an alias in a name without an attribution phrase ('APT Patchwork', 'Tunisian Fallaga
# Team'): generic words and nationalities. Any other word ('Praying Mantis') makes it another group's name.
_FILLER = frozenset("""
apt group team crew gang cyber army hackers hacker hacking unit the of state sponsored linked based pro
operators operator actors actor campaign activity cluster collective ransomware
russian chinese iranian korean north south turkish tunisian pakistani indian bangladeshi belarusian ukrainian
vietnamese israeli palestinian syrian lebanese moroccan algerian egyptian saudi emirati american british french
german brazilian indonesian malaysian filipino arab islamic azerbaijani armenian georgian kazakh serbian albanian
nigerian libyan iraqi yemeni qatari kuwaiti jordanian afghan sudanese
""".split())
# Aliases too common as English words to count as a mention outside an attribution phrase.
_COMMON_WORDS = frozenset({
    "equation", "play", "chimera", "sharpshooter", "frankenstein", "windigo", "confucius", "dust", "storm",
    "hive", "mars", "leo", "ghost", "cobalt", "silence", "turbine", "carbon", "sandman", "moses", "ember",
    "axiom", "poseidon", "pawn", "gold", "agent", "clever", "scarlet", "sofacy", "operation", "group",
})


# A name made only of these words, with at least one of _CATEGORY or a cue, describes a kind of attacker, not an
# actor: 'Iranian hackers', 'Chinese APT', 'Unknown (likely China)', 'Pro-Russian hacktivists' are unattributed
# (rule 'generic'). A name with any other word ('Iranian Cyber Army', 'Cuba Ransomware', 'Government of El
# Salvador') is kept for review.
_CATEGORY = frozenset("""
hackers hacker hacktivists hacktivist actor actors apt apts group groups gang gangs criminals cybercriminals
cybercriminal operators state sponsored backed nation affiliated affiliates unknown unidentified multiple various
several threat threats attackers attacker
""".split())
_GENERIC_GLUE = frozenset("the of a an and or by to be believed likely possibly probably suspected s pro linked "
                          "attributed based from in".split())


@functools.lru_cache(maxsize=1)
def _country_words() -> frozenset[str]:
    """Every word of a country's name (pycountry's, and the common ones countries.py knows) and the
    nationalities of _FILLER."""
    import pycountry

    from .countries import _VARIANTS

    words = set()
    for c in pycountry.countries:
        for n in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)):
            words.update(w.casefold() for w in _WORD.findall(n or ""))
    for n in _VARIANTS:
        words.update(_WORD.findall(n))
    return frozenset(words | {w for w in _FILLER if w.endswith(("an", "ese", "ish", "i"))})


def _generic(text: str) -> bool:
    """Whether a name only describes a kind of attacker (see _CATEGORY)."""
    words = [w.casefold() for w in _WORD.findall(text)]
    if not words or not all(w in _CATEGORY | _GENERIC_GLUE | _country_words() for w in words):
        return False
    return any(w in _CATEGORY for w in words) or bool(_MENTION_CUES.search(text))


@dataclass(frozen=True)
class Actor:
    """A canonical actor of the directory."""

    name: str
    sponsor_country: str | None = None
    motivation: str | None = None
    galaxy_uuid: str | None = None
    attack_id: str | None = None              # MITRE ATT&CK group id (G0047)
    aliases: tuple[tuple[str, str], ...] = ()  # (alias, provenance), the name itself included
    notes: tuple[str, ...] = ()               # where the galaxy and ATT&CK disagree


@dataclass(frozen=True)
class Resolution:
    name: str                    # canonical name; the name as reported when not resolved; UNATTRIBUTED
    actor: Actor | None          # None: unresolved, ambiguous or unattributed
    status: str                  # 'resolved', 'ambiguous', 'unresolved' or 'unattributed'
    matched: str = ""            # the alias that matched
    rule: str = ""               # which rule matched (module docstring)
    candidates: tuple[str, ...] = ()  # the actors an ambiguous name could be

    @property
    def match(self) -> str | None:
        """What incident.actor_match stores: the alias and the rule, e.g. 'Fancy Bear [exact]'."""
        if not self.rule:
            return None
        return f"{self.matched} [{self.rule}]" if self.matched else f"[{self.rule}]"


@dataclass(frozen=True)
class Decision:
    """A team's decision about a name: map it to an actor, mark it a placeholder, or make it a new actor."""

    name: str
    decision: str                # 'map', 'placeholder' or 'new'
    actor: str | None = None     # the actor for 'map' (any name or alias); the new actor's name for 'new'
    reason: str = ""
    decided_by: str = ""
    decided_at: str = ""

    def __post_init__(self):
        if self.decision not in ("map", "placeholder", "new"):
            raise ValueError(f"decision {self.decision!r} is not map, placeholder or new")
        if self.decision == "map" and not (self.actor or "").strip():
            raise ValueError(f"mapping {self.name!r} needs an actor")
        if not alias_key(self.name) and self.decision != "placeholder":
            raise ValueError(f"{self.name!r} has no letters or digits to match on")


DECISION_COLUMNS = ("name", "decision", "actor", "reason", "decided_by", "decided_at")


def read_decisions(path: str | Path) -> list[Decision]:
    """The decisions of an aliases file (CSV with DECISION_COLUMNS; actor, reason, decided_by and decided_at
    optional); ValueError naming the file, line and field of the first bad line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("name", "decision") if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"{path}: no column {', '.join(missing)} (columns: {', '.join(DECISION_COLUMNS)})")
    out = []
    for row in reader:
        try:
            out.append(Decision(**{c: (row.get(c) or "").strip() for c in DECISION_COLUMNS}))
        except ValueError as exc:
            raise ValueError(f"{path}: line {reader.line_num}: {exc}") from None
    return out


def write_decisions(decisions: list[Decision]) -> str:
    """Decisions as the CSV that read_decisions reads."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(DECISION_COLUMNS)
    for d in decisions:
        w.writerow([d.name, d.decision, d.actor or "", d.reason, d.decided_by, d.decided_at])
    return out.getvalue()


def _cluster(name: str) -> dict:
    spec = importlib.util.find_spec("pymispgalaxies")  # locates the package without importing it (actors.galaxy)
    return json.loads(Path(spec.origin).parent.joinpath("data", "misp-galaxy", "clusters", name).read_bytes())


@functools.lru_cache(maxsize=1)
def reference() -> tuple[str, tuple[Actor, ...]]:
    """(version, actors) of the reference directory: the galaxy's threat actors with ATT&CK's groups merged in.

    An ATT&CK group joins the galaxy actor the galaxy relates it to ('similar'), else the one actor that its
    name or aliases name; an ATT&CK alias that the galaxy gives to another actor is not added but noted on both;
    a group that names no galaxy actor is an actor of its own."""
    version, galaxy_actors = galaxy()
    mitre = _cluster("mitre-intrusion-set.json")
    by_uuid = {a.uuid: a for a in galaxy_actors}
    owner: dict[str, set[str]] = collections.defaultdict(set)  # alias key -> galaxy actor names
    for a in galaxy_actors:
        for n in (a.name,) + a.synonyms:
            owner[alias_key(n)].add(a.name)
    similar: dict[str, str] = {}
    threat_actor = _cluster("threat-actor.json")
    for v in threat_actor["values"]:
        for r in v.get("related", []) or []:
            if r.get("type") == "similar" and v["uuid"] in by_uuid:
                similar.setdefault(r.get("dest-uuid"), by_uuid[v["uuid"]].name)
    extra: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    notes: dict[str, list[str]] = collections.defaultdict(list)
    attack_of: dict[str, str] = {}
    own_actors = []
    for v in sorted(mitre["values"], key=lambda v: v["value"]):
        name = v["value"].split(" - G")[0].strip()
        meta = v.get("meta") or {}
        gid = meta.get("external_id")
        names = list(dict.fromkeys([name, *(meta.get("synonyms") or [])] + ([gid] if gid else [])))
        provenance = f"MITRE ATT&CK {gid}" if gid else "MITRE ATT&CK"
        target = similar.get(v["uuid"])
        if target is None:
            hits = set().union(*(owner.get(alias_key(n), set()) for n in names))
            if len(hits) == 1:
                target = next(iter(hits))
            elif len(hits) > 1:
                target = next(iter(owner.get(alias_key(name), set()) & hits), None) if len(
                    owner.get(alias_key(name), set()) & hits) == 1 else None
                note = f"MITRE ATT&CK {gid} ({name}) names several galaxy actors: {', '.join(sorted(hits))}"
                for h in sorted(hits):
                    notes[h].append(note)
        if target is None:
            own_actors.append(Actor(name=name, attack_id=gid, aliases=tuple((n, provenance) for n in names)))
            continue
        attack_of.setdefault(target, gid)
        for n in names:
            others = owner.get(alias_key(n), set()) - {target}
            if others:
                notes[target].append(f"MITRE ATT&CK {gid} lists {n!r}, which the galaxy gives to "
                                     f"{', '.join(sorted(others))}")
                for o in sorted(others):
                    notes[o].append(f"MITRE ATT&CK {gid} gives {n!r} to {target}")
            else:
                extra[target].append((n, provenance))
    out = []
    for a in galaxy_actors:
        aliases = [(n, version) for n in (a.name,) + a.synonyms] + extra.get(a.name, [])
        out.append(Actor(name=a.name, sponsor_country=a.sponsor_country, motivation=a.motivation,
                         galaxy_uuid=a.uuid, attack_id=attack_of.get(a.name), aliases=_unique(aliases),
                         notes=tuple(dict.fromkeys(notes.get(a.name, [])))))
    names = {a.name.casefold() for a in out}
    out += [a for a in own_actors if a.name.casefold() not in names]
    return f"{version} + MITRE ATT&CK {mitre['version']}", tuple(out)


def _unique(aliases: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    seen, out = set(), []
    for alias, source in aliases:
        if alias_key(alias) and alias_key(alias) not in seen:
            seen.add(alias_key(alias))
            out.append((alias, source))
    return tuple(out)


def _strip_affixes(words: list[str]) -> list[str]:
    """Lower-case words without a leading 'the' and trailing 'group', 'team', 'apt group', 'new', ... (whole
    words only, and never all of them)."""
    words = list(words)
    while len(words) > 1 and words[0] in _AFFIX_BEFORE:
        words = words[1:]
    while len(words) > 1:
        if len(words) > 2 and tuple(words[-2:]) in _AFFIX_AFTER_TWO:
            words = words[:-2]
        elif words[-1] in _AFFIX_AFTER:
            words = words[:-1]
        else:
            break
    return words


def _stem(name: str) -> str:
    """alias_key of a name without its affixes: 'The Lazarus Group' -> 'lazarus'."""
    return "".join(_strip_affixes([w.casefold() for w in _WORD.findall(name)]))


class Resolver:
    """Names -> actors by the rules above, over a directory of actors and the team's decisions."""

    def __init__(self, actors: tuple[Actor, ...], decisions: list[Decision] = (), *, version: str = "",
                 placeholders: tuple[str, ...] = PLACEHOLDERS):
        self.decisions = list(decisions)
        self.placeholder_keys = {alias_key(p) for p in placeholders}
        by_name = {a.name: a for a in actors}
        local_new = []
        for d in self.decisions:
            if d.decision == "placeholder":
                self.placeholder_keys.add(alias_key(d.name))
            elif d.decision == "new":
                name = (d.actor or d.name).strip()
                if name not in by_name:
                    by_name[name] = Actor(name=name, aliases=((name, "local"),))
                    local_new.append(name)
        self.actors = by_name
        self._by_key: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)  # key -> [(actor, alias)]
        # the same without affixes ('Lazarus Group' -> 'lazarus'), for names reported without them
        self._by_stem: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
        for a in by_name.values():
            for alias, _ in a.aliases or ((a.name, ""),):
                self._index(self._by_key, alias_key(alias), a.name, alias)
                self._index(self._by_stem, _stem(alias), a.name, alias)
        self._local: dict[str, tuple[str, str]] = {}
        for d in self.decisions:
            key = alias_key(d.name)
            if d.decision == "map":
                target = self._exact(alias_key(d.actor))
                if target is None:
                    raise ValueError(f"decision for {d.name!r}: {d.actor!r} is not one known actor")
                self._local[key] = (target, d.name)
            elif d.decision == "new":
                self._local[key] = ((d.actor or d.name).strip(), d.name)
        self._mention_keys = {k for k in (*self._by_key, *self._by_stem) if len(k) >= 4
                              and k not in _COMMON_WORDS | _FILLER | _CATEGORY}
        digest = hashlib.sha1(write_decisions(self.decisions).encode()).hexdigest()[:8]
        self.version = version + (f" + local {len(self.decisions)} ({digest})" if self.decisions else "")
        self._cache: dict[str, Resolution] = {}

    @classmethod
    def reference(cls, decisions: list[Decision] = ()) -> "Resolver":
        """The reference directory with these decisions; without any, one shared resolver (and its cache)."""
        if not decisions:
            return _plain_reference()
        version, actors = reference()
        return cls(actors, decisions, version=version)

    @staticmethod
    def _index(index: dict, key: str, actor: str, alias: str) -> None:
        if key and all(e[0] != actor for e in index[key]):
            index[key].append((actor, alias))

    def _exact(self, key: str, index: dict | None = None) -> str | None:
        """The one actor a key names (a canonical name wins over another actor's alias), else None."""
        entries = (self._by_key if index is None else index).get(key, [])
        own = [e for e in entries if alias_key(e[0]) == key or _stem(e[0]) == key]
        if len(own) == 1:
            return own[0][0]
        return entries[0][0] if len({e[0] for e in entries}) == 1 else None

    def _by_rules(self, text: str) -> Resolution | None:
        """The key-based rules (local, exact, affix, operation) for one name; None when none matches."""
        key = alias_key(text)
        if key in self._local:
            actor, alias = self._local[key]
            return self._resolved(actor, alias, "local")
        stem = _stem(text)
        forms = [(key, "exact", self._by_key), (stem, "affix", self._by_key), (stem, "affix", self._by_stem)]
        forms += [(k.removeprefix("operation"), "operation", self._by_key)
                  for k in (key, stem) if k.startswith("operation")]
        forms += [("operation" + key, "operation", self._by_key)]
        for k, rule, index in forms:
            if not k:
                continue
            entries = index.get(k)
            if not entries:
                continue
            actor = self._exact(k, index)
            if actor is None:
                return Resolution(text.strip(), None, "ambiguous", rule=rule,
                                  candidates=tuple(sorted({e[0] for e in entries})))
            alias = next(e[1] for e in entries if e[0] == actor)
            return self._resolved(actor, alias, rule)
        return None

    def _resolved(self, actor: str, alias: str, rule: str) -> Resolution:
        return Resolution(actor, self.actors.get(actor), "resolved", alias, rule)

    def resolve(self, reported: str | None) -> Resolution:
        """What a name as reported means."""
        reported = reported or ""
        if reported in self._cache:
            return self._cache[reported]
        r = self._resolve(reported)
        if len(self._cache) < 200_000:
            self._cache[reported] = r
        return r

    def _resolve(self, reported: str) -> Resolution:
        text = " ".join(reported.split())
        key = alias_key(text)
        if not key or key in self.placeholder_keys:
            return Resolution(UNATTRIBUTED, None, "unattributed", text, "placeholder")
        if (r := self._by_rules(text)) is not None:
            return r
        parts = [p.strip() for p in _COMPOUND.split(text) if p and alias_key(p)]
        if len(parts) > 1:
            found = [self._by_rules(p) for p in parts if alias_key(p) not in self.placeholder_keys]
            names = {f.name for f in found if f is not None and f.status == "resolved"}
            unsure = [f for f in found if f is not None and f.status == "ambiguous"]
            if len(names) == 1 and not unsure:
                first = next(f for f in found if f is not None and f.status == "resolved")
                return self._resolved(first.name, first.matched, "compound")
            if len(names) > 1 or unsure:
                return Resolution(text, None, "ambiguous", rule="compound",
                                  candidates=tuple(sorted(names | {c for u in unsure for c in u.candidates})))
            if found and all(f is None for f in found) and not any(alias_key(p) not in self.placeholder_keys
                                                                   for p in parts):
                return Resolution(UNATTRIBUTED, None, "unattributed", text, "placeholder")
        mentioned = self.mentions(text)
        if mentioned:
            cue = bool(_MENTION_CUES.search(text))
            if not cue and not self._only_filler_besides(text):
                mentioned = []
            actors = {a for a, _, common in mentioned if cue or not common}
            if len(actors) == 1:
                actor = next(iter(actors))
                return self._resolved(actor, next(al for a, al, _ in mentioned if a == actor), "mention")
            if len(actors) > 1:
                return Resolution(text, None, "ambiguous", rule="mention", candidates=tuple(sorted(actors)))
        if _generic(text):
            return Resolution(UNATTRIBUTED, None, "unattributed", text, "generic")
        return Resolution(text, None, "unresolved")

    def mentions(self, text: str) -> list[tuple[str, str, bool]]:
        """(actor, alias, whether the alias is a common word) for each alias occurring as whole words in text;
        an alias inside a longer one that matched ('APT 28' in 'APT 28 Group') is not counted again."""
        words = [w.casefold() for w in _WORD.findall(text)]
        found, covered = [], set()
        for size in range(min(MENTION_MAX_WORDS, len(words)), 0, -1):
            for i in range(len(words) - size + 1):
                span = set(range(i, i + size))
                if span & covered:
                    continue
                k = "".join(words[i:i + size])
                # an alias, or one without its affixes ('Lazarus' of 'Lazarus Group')
                index = self._by_key if k in self._by_key else self._by_stem if k in self._by_stem else None
                if index is None or k in self.placeholder_keys or not (k in self._mention_keys or size > 1):
                    continue
                actor = self._exact(k, index)
                if actor is None:
                    continue
                covered |= span
                found.append((actor, index[k][0][1], size == 1 and k in _COMMON_WORDS))
        return found

    def _only_filler_besides(self, text: str) -> bool:
        """Whether every word of text that no mentioned alias covers is a generic word, a nationality or a number."""
        words = [w.casefold() for w in _WORD.findall(text)]
        covered = set()
        for size in range(min(MENTION_MAX_WORDS, len(words)), 0, -1):
            for i in range(len(words) - size + 1):
                k = "".join(words[i:i + size])
                if (k in self._by_key or k in self._by_stem) and not covered & set(range(i, i + size)):
                    covered |= set(range(i, i + size))
        return all(i in covered or w in _FILLER or w.isdigit() for i, w in enumerate(words))

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Actors whose names or aliases are close to name (a typo): suggestions only, never applied."""
        key = alias_key(name)
        if not key:
            return []
        close = difflib.get_close_matches(key, list(self._by_key), n=n * 3, cutoff=0.75)
        out = []
        for k in close:
            for actor, _ in self._by_key[k]:
                if actor not in out:
                    out.append(actor)
        return out[:n]

    def aliases(self) -> list[tuple[str, str, str]]:
        """(actor, alias, provenance) of every alias, the team's mappings included."""
        out = [(a.name, alias, source) for a in self.actors.values() for alias, source in a.aliases]
        for d in self.decisions:
            if d.decision == "map":
                out.append((self._local[alias_key(d.name)][0], d.name, _provenance(d)))
        return out


@functools.lru_cache(maxsize=1)
def _plain_reference() -> Resolver:
    version, actors = reference()
    return Resolver(actors, version=version)


def _provenance(d: Decision) -> str:
    who = f" by {d.decided_by}" if d.decided_by else ""
    when = f" on {d.decided_at[:10]}" if d.decided_at else ""
    return f"local{who}{when}"


NO_NAME = Resolution(UNATTRIBUTED, None, "unattributed", "", "placeholder")  # a record that names no actor


def split_reported(actor_as_reported: str) -> list[str]:
    """The names an incident's actor_as_reported joins (ingest joins several with '; '); a '; ' inside brackets is
    part of a name ('Ministry of Intelligence and Security (MOIS; Iran)')."""
    names, depth, start, text = [], 0, 0, actor_as_reported or ""
    for i, c in enumerate(text):
        depth += (c in "([") - (c in ")]")
        if depth <= 0 and text.startswith("; ", i):
            names.append(text[start:i])
            start, depth = i + 2, 0
    names.append(text[start:])
    return [n for n in names if n.strip()]


def choose(resolutions: list[Resolution], hints: list[Resolution] = ()) -> Resolution:
    """An incident's actor from the resolutions of the names it reports (most important first) and of their
    hints: the first resolved one; else unattributed when every name is a placeholder; else the first name."""
    named = [r for r in resolutions if r.status != "unattributed"]
    for r in named + list(hints):
        if r.status == "resolved":
            return r
    if not named:
        return resolutions[0] if resolutions else NO_NAME
    return named[0]
