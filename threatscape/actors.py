"""Threat-actor names and aliases from the MISP galaxy (pymispgalaxies)."""
from __future__ import annotations

import functools
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path

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


CLUSTER = ("data", "misp-galaxy", "clusters", "threat-actor.json")  # in the pymispgalaxies package


@functools.lru_cache(maxsize=1)
def galaxy() -> tuple[str, tuple[GalaxyActor, ...]]:
    """The alias-map version and every actor of the MISP galaxy threat-actor cluster.

    The cluster file that pymispgalaxies ships, read as its Cluster class reads it (a repeated value with the
    same uuid replaces the first in place; with another uuid it is an error), without importing the package:
    its import loads jsonschema (0.15 s), and Cluster builds and serialises an object for every value, on the
    thread that ingest has reading the first file meanwhile. tests/test_ingest.py checks that the result is
    the same as through Cluster."""
    spec = importlib.util.find_spec("pymispgalaxies")  # locates the package without importing it
    path = Path(spec.origin).parent.joinpath(*CLUSTER)
    cluster = json.loads(path.read_bytes())
    values: dict[str, dict] = {}
    for value in cluster["values"]:
        key = value["value"].lower()
        if key in values and values[key]["uuid"] != value["uuid"]:
            raise ValueError(f"{path}: duplicate value {value['value']!r} with another uuid")
        values[key] = value
    out = []
    for v in values.values():
        meta = v.get("meta")
        extra = meta or {}
        sponsor = extra.get("country") or countries.to_alpha2(str(extra.get("cfr-suspected-state-sponsor") or ""))
        motivation = extra.get("cfr-type-of-incident") or extra.get("motive")
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
            name=v["value"], uuid=v["uuid"], synonyms=tuple(sorted(set(extra.get("synonyms", [])))) if meta else (),
            sponsor_country=sponsor, motivation=motivation, sectors=tuple(sectors),
            victim_countries=tuple(victims)))
    return f"misp-galaxy threat-actor v{cluster['version']}", tuple(out)
