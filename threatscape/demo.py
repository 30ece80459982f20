"""A deterministic, realistic demo database shaped by the MISP galaxy's actor profiles.

Shape: heavy-tailed actor activity, growth over time since 2010, campaigns as bursts of related
incidents against one country and sector, each actor hitting its profile's sectors and countries.
The 2023 picture from public reporting (Trellix) is reproduced: Gamaredon, Kimsuky, Mustang Panda
and MuddyWater rank among the most active groups against South Korea, hitting software companies,
energy and oil and gas. Same seed and same end date give byte-identical query answers.
"""
from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pandas as pd

from . import actors as actors_mod
from . import build, sql, taxonomy
from . import countries as countries_mod

START = dt.date(2010, 1, 1)
GROWTH = 0.16  # per year: incident volume roughly doubles every four and a half years

# Most active first; the rest of the galaxy's state-linked actors follow in seeded random order.
HEADLINERS = [
    "Kimsuky", "Gamaredon Group", "MUSTANG PANDA", "MuddyWater", "Lazarus Group", "APT28",
    "APT29", "Sandworm", "APT41", "Turla", "OilRig", "Charming Kitten", "APT10", "APT37",
    "APT33", "Andariel", "APT40", "Ke3chang", "Naikon", "APT32",
]

# Trellix 2023: these groups hit South Korea, with software, energy and oil and gas prominent.
TRELLIX_2023 = {
    "Kimsuky": (["government", "software", "energy", "oil and gas", "think tanks", "defence", "media"],
                ["KR", "US", "JP"]),
    "Gamaredon Group": (["government", "software", "energy", "oil and gas", "defence", "law enforcement"],
                        ["UA", "KR", "PL", "LT"]),
    "MUSTANG PANDA": (["government", "oil and gas", "software", "energy", "diplomacy", "telecommunications"],
                      ["KR", "VN", "MN", "MM", "PH", "TW"]),
    "MuddyWater": (["energy", "oil and gas", "government", "telecommunications", "software"],
                   ["KR", "TR", "IL", "SA", "AE", "IQ"]),
}

DEFAULT_SECTORS = {
    "CN": ["government", "technology", "telecommunications", "defence", "manufacturing", "healthcare"],
    "RU": ["government", "defence", "energy", "media", "diplomacy", "civil society"],
    "IR": ["government", "oil and gas", "telecommunications", "finance", "aviation", "civil society"],
    "KP": ["cryptocurrency", "finance", "defence", "government", "education and research", "media"],
}
DEFAULT_VICTIMS = {
    "CN": ["TW", "US", "VN", "IN", "JP", "PH", "HK", "KR", "MN", "MY", "TH", "ID", "GB", "DE"],
    "RU": ["UA", "US", "GB", "DE", "PL", "FR", "GE", "LT", "EE", "LV", "MD", "NO", "NL"],
    "IR": ["IL", "SA", "AE", "US", "IQ", "TR", "KW", "LB", "GB", "BH", "JO"],
    "KP": ["KR", "US", "JP", "VN", "IN", "DE", "RU"],
}
FALLBACK_VICTIMS = ["US", "GB", "DE", "FR", "IN", "JP", "AU", "CA", "IL", "SA"]
FALLBACK_SECTORS = ["government", "finance", "telecommunications", "media", "civil society"]

TECHNIQUES = [
    "Spear-phishing", "Watering-hole compromise", "Supply-chain intrusion", "Credential harvesting",
    "VPN appliance exploitation", "Malicious document lure", "Data exfiltration", "Wiper attack",
    "Ransomware deployment", "Web server compromise", "Social-engineering lure", "Cloud account takeover",
]
ADJECTIVES = [
    "Silent", "Crimson", "Hidden", "Iron", "Golden", "Frozen", "Shadow", "Velvet", "Broken", "Quiet",
    "Scarlet", "Hollow", "Amber", "Cobalt", "Jade", "Midnight", "Pale", "Rusty", "Sapphire", "Stone",
    "Thunder", "Wandering", "Winter", "Ghost", "Emerald", "Copper", "Obsidian", "Silver", "Black", "Dusty",
]
NOUNS = [
    "Lotus", "Harbor", "Falcon", "Lantern", "Tide", "Compass", "Orchid", "Anvil", "Bridge", "Cedar",
    "Dragon", "Ember", "Fjord", "Glacier", "Heron", "Island", "Juniper", "Kite", "Lynx", "Meadow",
    "Needle", "Otter", "Pagoda", "Quarry", "Raven", "Sparrow", "Thistle", "Viper", "Willow", "Zephyr",
]
TLPS = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
TLP_P = [0.33, 0.37, 0.22, 0.05, 0.03]
CONFIDENCES = np.array([30, 50, 65, 80, 90, 95])


def _profile(names: list[str], *, expand_children: bool) -> tuple[np.ndarray, np.ndarray]:
    """(ids, probabilities) for a ranked list: earlier entries are targeted more often."""
    weights: dict[str, float] = {}
    for rank, name in enumerate(names):
        w = 1.0 / (rank + 1) ** 0.8
        children = [s.name for s in taxonomy.sectors() if s.parent == name] if expand_children else []
        if children:
            weights[name] = weights.get(name, 0) + 0.4 * w
            for c in children:
                weights[c] = weights.get(c, 0) + 0.6 * w / len(children)
        else:
            weights[name] = weights.get(name, 0) + w
    keys = list(weights)
    p = np.array([weights[k] for k in keys])
    return np.array(keys, dtype=object), p / p.sum()


class _Groups:
    """Row indices grouped by owner (an actor index), computed once and shared by every draw."""

    def __init__(self, owner: np.ndarray, n_owners: int):
        self.order = np.argsort(owner, kind="stable")
        self.bounds = np.searchsorted(owner[self.order], np.arange(n_owners + 1))

    def rows(self, k: int) -> np.ndarray:
        return self.order[self.bounds[k]:self.bounds[k + 1]]


def _pick(rng: np.random.Generator, groups: _Groups, tables: list[tuple[np.ndarray, np.ndarray]],
          lookup: dict) -> np.ndarray:
    """For each row, draw one value from its owner's (values, probabilities) table, vectorised per owner."""
    out = np.empty(len(groups.order), dtype=np.int32)
    u = rng.random(len(groups.order))
    for k, (values, p) in enumerate(tables):
        rows = groups.rows(k)
        if len(rows):
            idx = np.minimum(np.searchsorted(np.cumsum(p), u[rows], side="right"), len(p) - 1)
            out[rows] = np.array([lookup[v] for v in values], dtype=np.int32)[idx]
    return out


def _growth_days(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Day offsets in [lo, hi] with density growing exponentially over time."""
    g = GROWTH / 365.25
    u = rng.random(len(lo))
    lo, hi = lo.astype(float), np.maximum(hi, lo + 1).astype(float)
    t = lo + np.log1p(u * np.expm1(g * (hi - lo))) / g
    return np.minimum(t.astype(np.int64), hi.astype(np.int64))


def generate(con, *, incidents: int, seed: int, until: dt.date) -> None:
    """Insert demo actors, aliases and incidents into an empty database (schema and sectors present)."""
    rng = np.random.default_rng(seed)
    alias_source, galaxy = actors_mod.galaxy()
    by_name = {a.name: a for a in galaxy}
    rest = sorted(a.name for a in galaxy if a.sponsor_country and a.name not in HEADLINERS)
    order = [n for n in HEADLINERS if n in by_name] + list(rng.permutation(rest))
    actors = [by_name[n] for n in order]
    n_actors = len(actors)
    activity = 1.0 / np.arange(1, n_actors + 1) ** 0.95  # heavy tail: Zipf-like by rank
    activity /= activity.sum()

    country_codes = sorted({c for a in actors for c in _victims(a)} | set(FALLBACK_VICTIMS))
    country_ix = {c: i for i, c in enumerate(country_codes)}
    sector_ix = {s.name: s.sector_id for s in taxonomy.sectors()}
    sector_tables = [_profile(_sectors(a), expand_children=a.name not in TRELLIX_2023) for a in actors]
    country_tables = [_profile(_victims(a), expand_children=False) for a in actors]

    horizon = (until - START).days
    # Headliners were active from the start; the others appear at a random point.
    first_day = np.where(np.arange(n_actors) < len(HEADLINERS), 0,
                         rng.integers(0, int(horizon * 0.85), n_actors))

    # Campaigns: bursts of related incidents by one actor against one country and sector.
    n_campaigns = max(1, incidents // 8)
    c_actor = rng.choice(n_actors, size=n_campaigns, p=activity)
    c_duration = np.clip(rng.lognormal(np.log(90), 0.8, n_campaigns), 7, 720).astype(np.int64)
    # The groups of the 2023 reporting run long, overlapping operations.
    long_running = np.isin(c_actor, [i for i, a in enumerate(actors) if a.name in TRELLIX_2023])
    c_duration[long_running] = np.minimum(c_duration[long_running] * 2, 720)
    c_start = _growth_days(rng, first_day[c_actor], np.full(n_campaigns, horizon) - c_duration // 3)
    by_campaign_actor = _Groups(c_actor, n_actors)
    c_country = _pick(rng, by_campaign_actor, country_tables, country_ix)
    c_sector = _pick(rng, by_campaign_actor, sector_tables, sector_ix)
    c_size = rng.pareto(2.0, n_campaigns) + 1.0

    in_campaign = rng.random(incidents) < 0.7
    n_in = int(in_campaign.sum())
    campaign = np.full(incidents, -1, dtype=np.int64)
    campaign[in_campaign] = rng.choice(n_campaigns, size=n_in, p=c_size / c_size.sum())
    actor = rng.choice(n_actors, size=incidents, p=activity)
    cid = campaign[in_campaign]
    actor[in_campaign] = c_actor[cid]

    day = _growth_days(rng, first_day[actor], np.full(incidents, horizon))
    day[in_campaign] = np.minimum(c_start[cid] + (rng.random(n_in) * c_duration[cid]).astype(np.int64), horizon)

    by_actor = _Groups(actor, n_actors)
    country = _pick(rng, by_actor, country_tables, country_ix)
    keep = in_campaign & (rng.random(incidents) < 0.9)
    country[keep] = c_country[campaign[keep]]
    primary = _pick(rng, by_actor, sector_tables, sector_ix)
    keep = in_campaign & (rng.random(incidents) < 0.9)
    primary[keep] = c_sector[campaign[keep]]
    mask = np.left_shift(np.uint64(1), primary.astype(np.uint64))
    for p_extra in (0.35, 0.1):  # some incidents hit a second and a third sector
        extra = _pick(rng, by_actor, sector_tables, sector_ix)
        hit = rng.random(incidents) < p_extra
        mask[hit] |= np.left_shift(np.uint64(1), extra[hit].astype(np.uint64))

    precision = rng.choice(3, size=incidents, p=[0.85, 0.11, 0.04])  # day, month, year
    gen = pd.DataFrame({
        "n": np.arange(1, incidents + 1, dtype=np.int64),
        "actor_id": (actor + 1).astype(np.int32),
        "day": day,
        "precision": precision.astype(np.int8),
        "country": country,
        "primary_sector": primary.astype(np.int8),
        "sector_mask": mask,
        "campaign": campaign,
        "confidence": CONFIDENCES[rng.choice(len(CONFIDENCES), size=incidents,
                                             p=[0.08, 0.2, 0.25, 0.25, 0.15, 0.07])].astype(np.int16),
        "tlp": rng.choice(len(TLPS), size=incidents, p=TLP_P).astype(np.int8),
        "technique": rng.integers(0, len(TECHNIQUES), incidents).astype(np.int16),
        "alias_u": rng.random(incidents),
    })
    actor_rows = pd.DataFrame({
        "actor_id": np.arange(1, n_actors + 1, dtype=np.int32),
        "name": [a.name for a in actors],
        "sponsor_country": [a.sponsor_country for a in actors],
        "motivation": [a.motivation for a in actors],
        "galaxy_uuid": [a.uuid for a in actors],
    })
    alias_rows = pd.DataFrame(
        [(i + 1, alias) for i, a in enumerate(actors) for alias in dict.fromkeys((a.name,) + a.synonyms)],
        columns=["actor_id", "alias"])
    alias_rows["alias_key"] = alias_rows["alias"].map(actors_mod.alias_key)
    alias_rows = alias_rows.drop_duplicates(["actor_id", "alias_key"])
    campaign_rows = pd.DataFrame({
        "campaign": np.arange(n_campaigns, dtype=np.int64),
        "adjective": rng.integers(0, len(ADJECTIVES), n_campaigns).astype(np.int16),
        "noun": rng.integers(0, len(NOUNS), n_campaigns).astype(np.int16),
    })
    countries = pd.DataFrame({"country": np.arange(len(country_codes), dtype=np.int32), "code": country_codes,
                              "name": [countries_mod.name(c) for c in country_codes]})

    con.register("demo_gen", gen)
    con.register("demo_actor", actor_rows)
    con.register("demo_alias", alias_rows)
    con.register("demo_campaign", campaign_rows)
    con.register("demo_country", countries)
    params = dict(start=START, seed=seed, alias_source=alias_source, techniques=TECHNIQUES,
                  adjectives=ADJECTIVES, nouns=NOUNS, tlps=TLPS)
    for name in ("demo_insert_actor", "demo_insert_actor_alias", "demo_insert_incident"):
        q = sql.text(name)
        con.execute(q, {k: v for k, v in params.items() if k in sql.params(name)})
    for view in ("demo_gen", "demo_actor", "demo_alias", "demo_campaign", "demo_country"):
        con.unregister(view)


def _sectors(a: actors_mod.GalaxyActor) -> list[str]:
    if a.name in TRELLIX_2023:
        return TRELLIX_2023[a.name][0]
    return list(a.sectors) or DEFAULT_SECTORS.get(a.sponsor_country, FALLBACK_SECTORS)


def _victims(a: actors_mod.GalaxyActor) -> list[str]:
    if a.name in TRELLIX_2023:
        return TRELLIX_2023[a.name][1]
    own = [c for c in a.victim_countries if c != a.sponsor_country]
    regional = DEFAULT_VICTIMS.get(a.sponsor_country, FALLBACK_VICTIMS)
    return list(dict.fromkeys(own + regional))[:12]


def build_demo(path: str | os.PathLike, *, incidents: int = 20_000, seed: int = 7,
               until: dt.date | None = None) -> str:
    """Build the demo database at `path` (atomically); return its content version."""
    until = until or dt.date.today()
    alias_source, _ = actors_mod.galaxy()
    with build.new_database(path) as con:
        generate(con, incidents=incidents, seed=seed, until=until)
        return build.finish(
            con, kind="demo", alias_map_version=alias_source,
            description=f"Demo data: {incidents:,} synthetic incidents (seed {seed}, "
                        f"{START.isoformat()} to {until.isoformat()}), shaped by the MISP galaxy's actor profiles. "
                        "Not real threat intelligence.")
