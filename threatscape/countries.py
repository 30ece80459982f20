"""Country names and codes, normalised to ISO 3166-1 alpha-2 with pycountry."""
from __future__ import annotations

import functools

import pycountry

# Names in common use that pycountry's lookup does not know.
_VARIANTS = {
    "rok": "KR", "republic of korea": "KR", "korea": "KR", "dprk": "KP", "russia": "RU",
    "uk": "GB", "great britain": "GB", "england": "GB", "turkey": "TR", "palestine": "PS",
    "macau": "MO", "brunei": "BN", "cape verde": "CV", "ivory coast": "CI", "kosovo": "XK",
    "vatican": "VA", "the netherlands": "NL", "holland": "NL", "burma": "MM", "uae": "AE",
    "czech republic": "CZ", "swaziland": "SZ", "east timor": "TL", "micronesia": "FM",
}


@functools.lru_cache(maxsize=4096)
def to_alpha2(text: str) -> str | None:
    """ISO alpha-2 code for a country name, alpha-2 or alpha-3 code, or common variant; None if unknown."""
    key = " ".join(text.strip().split()).lower()
    if not key:
        return None
    if key in _VARIANTS:
        return _VARIANTS[key]
    try:
        return pycountry.countries.lookup(key).alpha_2
    except LookupError:
        return None


# Shorter names for codes whose ISO name reads oddly on a chart.
_SHORT = {"RU": "Russia", "PS": "Palestine", "XK": "Kosovo", "CD": "DR Congo", "CG": "Congo", "VA": "Vatican",
          "FM": "Micronesia", "GB": "United Kingdom", "US": "United States"}


@functools.lru_cache(maxsize=512)
def name(alpha2: str | None) -> str:
    """A readable country name for an alpha-2 code ('KR' -> 'South Korea')."""
    if not alpha2:
        return "Unknown"
    if alpha2 in _SHORT:
        return _SHORT[alpha2]
    c = pycountry.countries.get(alpha_2=alpha2)
    if c is None:
        return alpha2
    return getattr(c, "common_name", None) or c.name
