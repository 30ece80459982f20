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
        # STIX 2.1 industry-sector-ov (terms already above are not repeated)
        "agriculture": "retail and hospitality", "communications": "telecommunications",
        "financial-services": "finance",
        "government-national": "government", "government-regional": "government",
        "government-local": "government", "government-public-services": "government",
        "government-emergency-services": "law enforcement", "hospitality-leisure": "retail and hospitality",
        "dams": "electric power", "water": "electric power", "insurance": "finance",
        "non-profit": "civil society", "utilities": "electric power",
        # OpenCTI sectors
        "agriculture and agribusiness": "retail and hospitality", "culture and entertainment": "media",
        "culture": "media", "sports": "media", "entertainment industry": "media",
        "gambling": "retail and hospitality", "schools": "education and research", "electricity": "electric power",
        "nuclear power (civilian use)": "nuclear", "renewable energies": "electric power",
        "transport": "transportation", "air transport": "aviation", "rail transport": "transportation",
        "maritime transport": "maritime", "road transport": "transportation",
        "defense ministries (including the military)": "defence", "defense industry": "defence",
        "defense research and development": "defence", "banking institutions": "banking",
        "financial organizations": "finance", "insurance services": "finance",
        "market infrastructures": "finance", "ministries of foreign affairs": "diplomacy",
        "international organizations": "diplomacy", "government and administrations": "government",
        "central administration and government": "government", "local administrations": "government",
        "legislative branch (parliamentary chambers)": "government", "healthcare services": "healthcare", "pharmacy and drugs manufacturing": "pharmaceuticals",
        "healthcare research": "pharmaceuticals", "lodging industry": "retail and hospitality",
        "food and drinks businesses": "retail and hospitality",
        "travel and tourism industry": "retail and hospitality", "technologies": "technology",
        "judicial power (justice)": "law enforcement", "heavy industries": "manufacturing",
        "retail (distribution)": "retail and hospitality", "digital infrastructures": "IT services",
        "hosting service providers": "IT services", "internet service providers": "telecommunications",
        "medias and audiovisual": "media", "consulting": "IT services", "legal consulting": "civil society",
        "information technologies consulting": "IT services", "engineering consulting": "manufacturing",
        "research": "education and research", "water distribution and supply": "electric power",
        "non-governmental organizations (ngos)": "civil society", "citizens": "civil society",
        "political parties": "civil society", "filigran": None, "unknown": None,
        # MISP galaxy sector cluster
        "arts": "media", "civil aviation": "aviation", "data broker": "IT services", "development": None,
        "employment": None, "environment": None, "food": "retail and hospitality",
        "game": "retail and hospitality", "higher education": "education and research",
        "hotels": "retail and hospitality", "it": "IT services", "it - hacker": None,
        "it - isp": "telecommunications", "it - security": "IT services", "multi-sector": None,
        "ngo": "civil society", "police - law enforcement": "law enforcement",
        "satellite navigation": "aerospace", "security systems": "IT services",
        "social networks": "media", "steel": "manufacturing", "transport - rail": "transportation",
        "turbine": "electric power", "tourism": "retail and hospitality", "life science": "pharmaceuticals",
        "metal": "manufacturing", "railway": "transportation", "smart meter": "electric power",
        "sport": "media", "restaurant": "retail and hospitality", "semi-conductors": "electronics",
        "legal": "civil society", "shipping": "maritime", "logistic": "transportation",
        "communication equipment": "electronics", "tax firm": "finance",
        "television broadcast": "media", "digital services": "IT services",
        "digital infrastructure": "IT services", "security actors": "IT services",
        "ecommerce": "retail and hospitality", "islamic forums": "civil society",
        "streaming service": "media", "publishing industry": "media", "islamic organisation": "civil society",
        "casino": "retail and hospitality", "online marketplace": "retail and hospitality",
        "dns service provider": "IT services", "veterinary": "healthcare", "marketing": None,
        "video sharing": "media", "advertising": None, "accounting": "finance", "programming": "software",
        "managed services provider": "IT services", "lawyers": "civil society",
        "petrochemical": "oil and gas", "immigration": "government",
    }.items()
}


def crosswalk(term: str) -> str | None:
    """The Threatscape sector for a term of another vocabulary; KeyError when it is not mapped."""
    key = _key(term)
    if key in SECTOR_BY_NAME:
        return SECTOR_BY_NAME[key].name
    return CROSSWALK[key]
