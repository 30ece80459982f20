"""The Threatscape sector taxonomy (two levels) and crosswalks from other vocabularies (MISP galaxy, STIX, OpenCTI,
ISIC/NACE sections, NAICS sectors)."""
from __future__ import annotations

import functools
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


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=65_536)  # a file repeats its terms in cell after cell
def _key(term: str) -> str:
    return _NOT_ALNUM.sub(" ", term.lower()).strip()


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
        "energy": "energy", "energy company": "energy",
        "infrastructure": None,  # critical infrastructure at large, a container like EuRepoC's
        "oil": "oil and gas", "gas": "oil and gas", "petroleum": "oil and gas",
        "mining": "energy",  # most of ISIC section B's divisions extract coal, oil and gas
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
        "industrial": "manufacturing", "engineering": "manufacturing",
        "chemical": "chemicals", "automotive": "automotive",
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
        "gaming": "retail and hospitality",
        "private sector": None, "business": None, "other": None, "individuals": None,
        # STIX 2.1 industry-sector-ov (terms already above are not repeated)
        "communications": "telecommunications",
        "financial-services": "finance",
        "government-national": "government", "government-regional": "government",
        "government-local": "government", "government-public-services": "government",
        "government-emergency-services": "law enforcement", "hospitality-leisure": "retail and hospitality",
        "insurance": "finance", "non-profit": "civil society",
        "utilities": "energy",  # electricity, gas and water: mostly energy, not only electric power
        # OpenCTI sectors
        "culture and entertainment": "media",
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
        "medias and audiovisual": "media",
        "information technologies consulting": "IT services", "engineering consulting": "manufacturing",
        "research": "education and research",
        "non-governmental organizations (ngos)": "civil society", "citizens": "civil society",
        "political parties": "civil society", "filigran": None, "unknown": None,
        # MISP galaxy sector cluster
        "arts": "media", "civil aviation": "aviation", "data broker": "IT services", "development": None,
        "food": "retail and hospitality",
        "game": "retail and hospitality", "higher education": "education and research",
        "hotels": "retail and hospitality", "it": "IT services", "it - hacker": None,
        "it - isp": "telecommunications", "it - security": "IT services", "multi-sector": None,
        "ngo": "civil society", "police - law enforcement": "law enforcement",
        "satellite navigation": "aerospace", "security systems": "IT services",
        "social networks": "media", "steel": "manufacturing", "transport - rail": "transportation",
        "turbine": "electric power", "tourism": "retail and hospitality", "life science": "pharmaceuticals",
        "metal": "manufacturing", "railway": "transportation", "smart meter": "electric power",
        "sport": "media", "restaurant": "retail and hospitality", "semi-conductors": "electronics",
        "shipping": "maritime", "logistic": "transportation",
        "communication equipment": "electronics", "tax firm": "finance",
        "television broadcast": "media", "digital services": "IT services",
        "digital infrastructure": "IT services", "security actors": "IT services",
        "ecommerce": "retail and hospitality", "islamic forums": "civil society",
        "streaming service": "media", "publishing industry": "media", "islamic organisation": "civil society",
        "casino": "retail and hospitality", "online marketplace": "retail and hospitality",
        "dns service provider": "IT services", "veterinary": "healthcare",
        "video sharing": "media", "accounting": "finance", "programming": "software",
        "managed services provider": "IT services",
        "petrochemical": "oil and gas", "immigration": "government",
    }.items()
}

# ISIC Rev.4 / NACE Rev.2 sections, and NACE Rev.2.1 / ISIC Rev.5 ones (the misp-galaxy 'nace' cluster), by
# letter and name. Sections the taxonomy has no sector for are in UNMAPPED_TERMS.
ISIC_SECTIONS: tuple[tuple[str, str, str | None], ...] = (
    # ISIC Rev.4 / NACE Rev.2
    ("B", "Mining and quarrying", "energy"),  # as "mining" above
    ("C", "Manufacturing", "manufacturing"),
    ("D", "Electricity, gas, steam and air conditioning supply", "energy"),
    ("G", "Wholesale and retail trade; repair of motor vehicles and motorcycles", "retail and hospitality"),
    ("H", "Transportation and storage", "transportation"),
    ("I", "Accommodation and food service activities", "retail and hospitality"),
    # Telecoms, broadcasting and publishing have sectors of their own that a section cannot tell apart; its
    # largest divisions (programming, information services, software publishing) are technology.
    ("J", "Information and communication", "technology"),
    ("K", "Financial and insurance activities", "finance"),
    ("O", "Public administration and defence; compulsory social security", "government"),
    ("P", "Education", "education and research"),
    ("Q", "Human health and social work activities", "healthcare"),
    ("R", "Arts, entertainment and recreation", "media"),  # as "arts" and "culture and entertainment" above
    ("T", "Activities of households as employers; undifferentiated goods- and services-producing activities "
          "of households for own use", None),  # individuals, as "individuals" above
    ("U", "Activities of extraterritorial organizations and bodies", "diplomacy"),
    # NACE Rev.2.1 / ISIC Rev.5: the same names under other letters from J on, and J and K divided anew
    ("G", "Wholesale and retail trade", "retail and hospitality"),
    ("J", "Publishing, broadcasting, and content production and distribution activities", "media"),
    ("K", "Telecommunication, computer programming, consulting, computing infrastructure and other "
          "information service activities", "technology"),  # as section J of Rev.4
    ("L", "Financial and insurance activities", "finance"),
    ("P", "Public administration and defence; compulsory social security", "government"),
    ("Q", "Education", "education and research"),
    ("R", "Human health and social work activities", "healthcare"),
    ("S", "Arts, sports and recreation", "media"),
    ("U", "Activities of households as employers and undifferentiated goods - and service-producing "
          "activities of households for own use", None),
    ("V", "Activities of extraterritorial organisations and bodies", "diplomacy"),
    # As written elsewhere (the misp-galaxy sector cluster's NACE codes, short forms)
    ("H", "Transporting and storage", "transportation"),
    ("Q", "Human health and social work", "healthcare"),
    ("O", "Public administration and defence", "government"),
    ("O", "Public administration and defense; compulsory social security", "government"),
    ("U", "Activities of extraterritorial organisations and bodies", "diplomacy"),
)

# NAICS 2022 sectors (the North American Industry Classification System's two-digit level), by code and title:
# the industries of US incident data such as the CISSM Cyber Attacks Database. Sectors the taxonomy has no sector
# for are in UNMAPPED_NAICS.
NAICS_SECTORS: tuple[tuple[str, str, str], ...] = (
    ("21", "Mining, Quarrying, and Oil and Gas Extraction", "energy"),  # as ISIC's mining
    ("22", "Utilities", "energy"),  # as "utilities" above
    ("31-33", "Manufacturing", "manufacturing"),
    ("42", "Wholesale Trade", "retail and hospitality"),
    ("44-45", "Retail Trade", "retail and hospitality"),
    ("48-49", "Transportation and Warehousing", "transportation"),
    ("51", "Information", "technology"),  # as ISIC Rev.4 section J: publishing, telecoms, data processing
    ("52", "Finance and Insurance", "finance"),
    ("61", "Educational Services", "education and research"),
    ("62", "Health Care and Social Assistance", "healthcare"),
    ("71", "Arts, Entertainment, and Recreation", "media"),  # as ISIC's section R
    ("72", "Accommodation and Food Services", "retail and hospitality"),
    ("92", "Public Administration", "government"),
)
UNMAPPED_NAICS: tuple[tuple[str, str], ...] = (
    ("11", "Agriculture, Forestry, Fishing and Hunting"), ("23", "Construction"),
    ("53", "Real Estate and Rental and Leasing"), ("54", "Professional, Scientific, and Technical Services"),
    ("55", "Management of Companies and Enterprises"),
    ("56", "Administrative and Support and Waste Management and Remediation Services"),
    ("81", "Other Services (except Public Administration)"),
)

# Terms of known vocabularies naming a sector the taxonomy does not have: counted as unmapped (never mapped to
# a sector they are not), and kept whole when a cell is split at its commas or semicolons.
UNMAPPED_SECTIONS: tuple[tuple[str, str], ...] = (
    ("A", "Agriculture, forestry and fishing"),
    ("E", "Water supply; sewerage, waste management and remediation activities"),
    ("E", "Water supply; sewerage; waste managment and remediation activities"),  # the misp-galaxy's spelling
    ("F", "Construction"), ("L", "Real estate activities"),
    ("M", "Professional, scientific and technical activities"),
    ("N", "Administrative and support service activities"), ("S", "Other service activities"),
    ("S", "Other services activities"),
    # NACE Rev.2.1 / ISIC Rev.5
    ("M", "Real estate activities"), ("N", "Professional, scientific and technical activities"),
    ("O", "Administrative and support service activities"), ("T", "Other service activities"),
)
UNMAPPED_TERMS = frozenset(_key(t) for t in (
    "agriculture", "food and agriculture", "agriculture and agribusiness", "water",
    "water distribution and supply", "dams", "construction", "civil engineering", "legal", "lawyers",
    "legal consulting", "consulting", "employment", "environment", "marketing", "advertising",
    *(f"{prefix}{letter} {name}" for letter, name in UNMAPPED_SECTIONS for prefix in ("", "section ")),
    *(name for _, name in UNMAPPED_SECTIONS),
    *(term for code, name in UNMAPPED_NAICS for term in (name, f"{code} {name}")),
))
CROSSWALK.update({_key(term): sector for letter, name, sector in ISIC_SECTIONS
                  for term in (name, f"{letter} {name}", f"section {letter} {name}")})
CROSSWALK.update({_key(term): sector for code, name, sector in NAICS_SECTORS for term in (name, f"{code} {name}")})


def crosswalk(term: str) -> str | None:
    """The Threatscape sector for a term of another vocabulary; KeyError when it is not mapped."""
    key = _key(term)
    if key in SECTOR_BY_NAME:
        return SECTOR_BY_NAME[key].name
    return CROSSWALK[key]


KNOWN_KEYS = frozenset(SECTOR_BY_NAME) | frozenset(CROSSWALK) | UNMAPPED_TERMS


def is_term(term: str) -> bool:
    """Whether a term is one known term, mapped or not ('Agriculture, forestry and fishing' is one, unmapped)."""
    return _key(term) in KNOWN_KEYS


def term_key(term: str) -> str:
    """A term as the crosswalk compares it: lower case, punctuation and spacing ignored."""
    return _key(term)
