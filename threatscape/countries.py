"""Country names and codes, normalised to ISO 3166-1 alpha-2 with pycountry."""
from __future__ import annotations

import functools
import re

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
        pass
    # "Korea (Democratic People's Republic of)", as ISO's names are often written: "Korea, Democratic ..."
    if m := re.fullmatch(r"(.+?)\s*\((.+)\)", key):
        try:
            return pycountry.countries.lookup(f"{m[1]}, {m[2]}").alpha_2
        except LookupError:
            return None
    return None


# Places whose names hold a country's name but are not that country: matched in free text, then ignored.
_NOT_COUNTRIES = ("South China Sea", "East China Sea", "New Mexico", "New Jersey", "New Guinea", "Gulf of Guinea")
# Names in common use, beyond pycountry's and _VARIANTS, looked for in free text.
_TEXT_NAMES = {"democratic republic of the congo": "CD", "republic of korea": "KR", "united states": "US"}
# Abbreviations looked for in free text only as written in capitals ('us' is a word).
_ACRONYMS = {"UK": "GB", "U.K.": "GB", "USA": "US", "US": "US", "U.S.": "US", "UAE": "AE", "DPRK": "KP",
             "ROK": "KR", "DRC": "CD"}


@functools.cache
def _text_pattern() -> tuple[re.Pattern, dict[str, str | None]]:
    """A regular expression for every country name as a whole word (longest first), and name -> code."""
    by_name: dict[str, str | None] = {}
    for c in pycountry.countries:
        for n in (c.name, getattr(c, "official_name", None), getattr(c, "common_name", None)):
            if n:
                by_name.setdefault(n.casefold(), c.alpha_2)
    for key, code in _VARIANTS.items():
        if key.upper() not in _ACRONYMS:
            by_name.setdefault(key, code)
    for key, code in (_TEXT_NAMES | {n.casefold(): code for code, n in _SHORT.items()}).items():
        by_name.setdefault(key, code)
    # 'Bolivia' of 'Bolivia, Plurinational State of'; a short name two countries share ('Virgin Islands')
    # names neither.
    short: dict[str, set[str]] = {}
    for c in pycountry.countries:
        for n in (c.name, getattr(c, "official_name", None)):
            head = re.split(r",| \(", n or "", maxsplit=1)[0].casefold()
            if head and head != (n or "").casefold():
                short.setdefault(head, set()).add(c.alpha_2)
    for head, codes in short.items():
        by_name.setdefault(head, codes.pop() if len(codes) == 1 else None)
    for place in _NOT_COUNTRIES:
        by_name[place.casefold()] = None
    by_name.update(_ACRONYMS)
    names = sorted((n for n in by_name if n not in _ACRONYMS), key=len, reverse=True)
    acronyms = sorted(_ACRONYMS, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:(?i:" + "|".join(map(re.escape, names)) + ")|"
                         + "|".join(map(re.escape, acronyms)) + r")(?!\w)")
    return pattern, by_name


@functools.lru_cache(maxsize=4096)
def named_in(text: str) -> str | None:
    """The one country whose name appears as a whole word in free text ('Ministry of Defence of Ukraine' -> 'UA');
    None when it names none or several."""
    pattern, by_name = _text_pattern()
    found = set()
    for m in pattern.finditer(" ".join(text.split())):
        word = m.group(0)
        code = by_name[word] if word in _ACRONYMS else by_name.get(word.casefold())
        if code:
            found.add(code)
    return found.pop() if len(found) == 1 else None


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


def label(alpha2: str) -> str:
    """How a filter shows a country: "Iran (IR)"; a sponsor state the sources did not name: "Unknown sponsor"."""
    return "Unknown sponsor" if alpha2 == "unknown" else f"{name(alpha2)} ({alpha2})"


@functools.lru_cache(maxsize=512)
def alpha3(alpha2: str) -> str | None:
    """The country's ISO 3166-1 alpha-3 code, the id a world map draws it under ('KR' -> 'KOR'); None if none."""
    c = pycountry.countries.get(alpha_2=alpha2)
    return c.alpha_3 if c is not None else None
