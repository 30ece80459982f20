"""The Threatscape sector taxonomy (two levels) and crosswalks from other vocabularies."""
from __future__ import annotations

import re
from dataclasses import dataclass

# (name, parent). The position in this list is the sector's bit in incident.sector_mask,
# so entries may be appended but never reordered or removed.
SECTORS: tuple[tuple[str, str | None], ...] = (
    ("government", None),
    ("diplomacy", "government"),
    ("law enforcement", "government"),
    ("defence", None),
    ("aerospace", "defence"),
    ("technology", None),
    ("software", "technology"),
    ("IT services", "technology"),
    ("electronics", "technology"),
    ("telecommunications", None),
    ("energy", None),
    ("oil and gas", "energy"),
    ("electric power", "energy"),
    ("nuclear", "energy"),
    ("finance", None),
    ("banking", "finance"),
    ("cryptocurrency", "finance"),
    ("healthcare", None),
    ("pharmaceuticals", "healthcare"),
    ("education and research", None),
    ("think tanks", "education and research"),
    ("media", None),
    ("manufacturing", None),
    ("chemicals", "manufacturing"),
    ("automotive", "manufacturing"),
    ("transportation", None),
    ("aviation", "transportation"),
    ("maritime", "transportation"),
    ("civil society", None),
    ("retail and hospitality", None),
)


@dataclass(frozen=True)
class Sector:
    sector_id: int
    name: str
    parent: str | None

    @property
    def top(self) -> str:
        return self.parent or self.name

    @property
    def bit(self) -> int:
        return 1 << self.sector_id


def sectors() -> list[Sector]:
    """Every sector, in bit order."""
    return [Sector(i, name, parent) for i, (name, parent) in enumerate(SECTORS)]


SECTOR_BY_NAME = {s.name.lower(): s for s in sectors()}


def rollup_mask(name: str) -> int:
    """The bits of a sector and of every sector below it ('energy' includes 'oil and gas')."""
    top = SECTOR_BY_NAME[name.lower()]
    mask = 0
    for s in sectors():
        if s.name == top.name or s.parent == top.name:
            mask |= s.bit
    return mask


def mask_of(names) -> int:
    """The bits of exactly these sectors (no roll-up): how an incident's sectors are stored."""
    mask = 0
    for n in names:
        mask |= SECTOR_BY_NAME[n.lower()].bit
    return mask


def names_of(mask: int) -> list[str]:
    """Sector names whose bit is set, in taxonomy order."""
    return [s.name for s in sectors() if mask & s.bit]


def _key(term: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", term.lower()).strip()


# Terms of other vocabularies (MISP galaxy targeted-sector and CFR target category so far) to
# Threatscape sectors. None means the term names no sector ("private sector", "other").
CROSSWALK: dict[str, str | None] = {
    _key(k): v
    for k, v in {
        "government": "government", "government, administration": "government",
        "government administration": "government", "government agencies and services": "government",
        "government institutions": "government", "country": "government", "intelligence": "government",
        "security service": "government", "justice": "law enforcement", "intergovernmental": "diplomacy",
        "diplomacy": "diplomacy", "military": "defence", "defense": "defence", "defence": "defence",
        "defense industrial base": "defence", "defense contractor": "defence",
        "aerospace": "aerospace", "space": "aerospace",
        "technology": "technology", "high tech": "technology", "high-tech": "technology",
        "information technology": "IT services", "services": "IT services", "software": "software",
        "electronic": "electronics", "electronics manufacturers": "electronics",
        "semiconductor industry": "electronics",
        "telecoms": "telecommunications", "telecomms": "telecommunications",
        "telecommunications": "telecommunications",
        "energy": "energy", "energy company": "energy", "infrastructure": "energy",
        "oil": "oil and gas", "gas": "oil and gas", "petroleum": "oil and gas", "mining": "energy",
        "electric": "electric power", "nuclear": "nuclear",
        "finance": "finance", "financial": "finance", "financial services": "finance",
        "investment": "finance", "payment": "finance", "bank": "banking", "cryptocurrency": "cryptocurrency",
        "health": "healthcare", "healthcare": "healthcare", "medical": "healthcare", "biomedical": "healthcare",
        "pharmaceuticals": "pharmaceuticals", "pharmacy": "pharmaceuticals",
        "covid-19 research organizations": "pharmaceuticals",
        "education": "education and research", "academia - university": "education and research",
        "universities": "education and research", "research - innovation": "education and research",
        "scientific research": "education and research", "think tanks": "think tanks",
        "news - media": "media", "media": "media", "journalist": "media", "journalists": "media",
        "media and entertainment": "media", "entertainment": "media",
        "manufacturing": "manufacturing", "critical manufacturing": "manufacturing",
        "industrial": "manufacturing", "engineering": "manufacturing", "construction": "manufacturing",
        "civil engineering": "manufacturing", "chemical": "chemicals", "automotive": "automotive",
        "transportation": "transportation", "transportation systems": "transportation",
        "logistics": "transportation", "rail": "transportation", "aviation": "aviation",
        "maritime": "maritime",
        "activists": "civil society", "dissidents": "civil society", "dissident": "civil society",
        "civil society": "civil society", "ngos": "civil society", "non-profit organisation": "civil society",
        "political party": "civil society", "opposition": "civil society", "separatists": "civil society",
        "religious organization": "civil society", "religious organizations": "civil society",
        "pro-democracy and human rights political organizations": "civil society",
        "retail": "retail and hospitality", "hospitality": "retail and hospitality",
        "travel": "retail and hospitality", "trade": "retail and hospitality",
        "gambling companies": "retail and hospitality", "gambling websites": "retail and hospitality",
        "gaming": "retail and hospitality", "food and agriculture": "retail and hospitality",
        "private sector": None, "business": None, "other": None, "individuals": None,
    }.items()
}


def crosswalk(term: str) -> str | None:
    """The Threatscape sector for a term of another vocabulary; KeyError when it is not mapped."""
    key = _key(term)
    if key in SECTOR_BY_NAME:
        return SECTOR_BY_NAME[key].name
    return CROSSWALK[key]
