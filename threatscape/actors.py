"""Threat-actor names and aliases from the MISP galaxy (pymispgalaxies)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from . import countries, taxonomy


def alias_key(name: str) -> str:
    """Compare names ignoring case, spaces and punctuation: 'APT 28' and 'apt-28' -> 'apt28'."""
    return re.sub(r"[\W_]+", "", name.casefold())


@dataclass(frozen=True)
class GalaxyActor:
    name: str
    uuid: str
    synonyms: tuple[str, ...]
    sponsor_country: str | None
    motivation: str | None
    sectors: tuple[str, ...]          # Threatscape sector names from the galaxy's targeting notes
    victim_countries: tuple[str, ...]  # ISO alpha-2 codes from the galaxy's suspected victims


@functools.lru_cache(maxsize=1)
def galaxy() -> tuple[str, tuple[GalaxyActor, ...]]:
    """The alias-map version and every actor of the MISP galaxy threat-actor cluster."""
    from pymispgalaxies import Cluster  # here, not at import: the dashboard only needs alias_key

    cluster = Cluster("threat-actor")
    out = []
    for v in cluster.values():
        meta = v.meta
        extra = meta.additional_properties if meta else {}
        sponsor = (meta.country if meta else None) or countries.to_alpha2(
            str(extra.get("cfr-suspected-state-sponsor") or ""))
        motivation = extra.get("cfr-type-of-incident") or (meta.motive if meta else None)
        if isinstance(motivation, list):
            motivation = ", ".join(motivation)
        sectors = []
        for term in list(extra.get("targeted-sector", [])) + list(extra.get("cfr-target-category", [])):
            try:
                s = taxonomy.crosswalk(term)
            except KeyError:
                continue
            if s and s not in sectors:
                sectors.append(s)
        victims = []
        for place in extra.get("cfr-suspected-victims", []):
            code = countries.to_alpha2(place)
            if code and code not in victims:
                victims.append(code)
        out.append(GalaxyActor(
            name=v.value, uuid=v.uuid, synonyms=tuple(sorted(meta.synonyms)) if meta else (),
            sponsor_country=sponsor, motivation=motivation, sectors=tuple(sectors),
            victim_countries=tuple(victims)))
    return f"misp-galaxy threat-actor v{cluster.version}", tuple(out)
