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
import pyarrow as pa

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
CONFIDENCES = np.array([30, 50, 65, 80, 90, 95], dtype=np.uint8)


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


class _Profiles:
    """Every owner's (values, probabilities) table in one flat array, so one vectorised draw serves all owners."""

    def __init__(self, tables: list[tuple[np.ndarray, np.ndarray]], lookup: dict):
        self.values = np.array([lookup[v] for values, _ in tables for v in values], dtype=np.int32)
        # owner k's cumulative probabilities shifted up by k, ending at exactly k + 1: one ascending
        # array in which k + u (0 <= u < 1) always lands in owner k's part
        self.cdf = np.concatenate([k + np.r_[np.minimum(np.cumsum(p), 1.0)[:-1], 1.0]
                                   for k, (_, p) in enumerate(tables)])

    def draw(self, rng: np.random.Generator, owner: np.ndarray) -> np.ndarray:
        """For each row, one value from its owner's table."""
        return self.values[np.searchsorted(self.cdf, owner + rng.random(len(owner)), side="right")]


def _growth_days(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Day offsets in [lo, hi] with density growing exponentially over time."""
    g = GROWTH / 365.25
    u = rng.random(len(lo))
    lo, hi = lo.astype(float), np.maximum(hi, lo + 1).astype(float)
    t = lo + np.log1p(u * np.expm1(g * (hi - lo))) / g
    return np.minimum(t.astype(np.int64), hi.astype(np.int64))


def _first_days(horizon: int) -> np.ndarray:
    """Rows day, month, year; column d: day offset d truncated to the first day of its day, month, year."""
    d = np.datetime64(START, "D") + np.arange(horizon + 1)
    first = np.stack([d, d.astype("datetime64[M]").astype("datetime64[D]"),
                      d.astype("datetime64[Y]").astype("datetime64[D]")])
    return (first - np.datetime64(START, "D")).astype(np.int32)


def _numbered(key: np.ndarray) -> np.ndarray:
    """1 for the first row of each key value, 2 for the second, ... (in row order)."""
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    run_start = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
    k = np.arange(len(key)) - np.repeat(run_start, np.diff(np.r_[run_start, len(key)]))
    out = np.empty(len(key), dtype=np.int32)
    out[order] = k + 1
    return out


def generate(con, *, incidents: int, seed: int, until: dt.date, write=None) -> None:
    """Insert demo actors, aliases and incidents into an empty database (schema and sectors present); with
    `write`, a function of con, the incidents are not inserted: write reads them from the view demo_rows (a lake).

    Incidents are drawn as integer columns here, put in date order, numbered (seq, and the id derived
    from it), and turned into text by queries/demo_insert_incident.sql as they stream into the table,
    so the table is stored in seq order and finish() has no seq to assign.
    """
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
    sector_profiles = _Profiles([_profile(_sectors(a), expand_children=a.name not in TRELLIX_2023)
                                 for a in actors], sector_ix)
    country_profiles = _Profiles([_profile(_victims(a), expand_children=False) for a in actors], country_ix)

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
    c_country = country_profiles.draw(rng, c_actor)
    c_sector = sector_profiles.draw(rng, c_actor)
    c_size = rng.pareto(2.0, n_campaigns) + 1.0
    c_adjective = rng.integers(0, len(ADJECTIVES), n_campaigns).astype(np.int8)
    c_noun = rng.integers(0, len(NOUNS), n_campaigns).astype(np.int8)
    # 'Operation Silent Lotus', then 'Operation Silent Lotus 2' for the next campaign drawing that name
    c_number = _numbered(c_adjective.astype(np.int32) * len(NOUNS) + c_noun)

    # Seven in ten incidents belong to a campaign, each campaign getting a share in proportion to its
    # size. Rows are in no meaningful order until the date sort below, so campaign rows come first.
    n_in = int(rng.binomial(incidents, 0.7))
    campaign = np.full(incidents, -1, dtype=np.int32)
    campaign[:n_in] = np.repeat(np.arange(n_campaigns, dtype=np.int32),
                                rng.multinomial(n_in, c_size / c_size.sum()))
    cid = campaign[:n_in]
    actor = np.empty(incidents, dtype=np.int32)
    actor[:n_in] = c_actor[cid]
    actor[n_in:] = rng.choice(n_actors, size=incidents - n_in, p=activity)
    day = np.empty(incidents, dtype=np.int64)
    # A campaign still running at the horizon has its incidents spread over the days it has run so far
    # (clipping them to the last day would pile a burst onto it).
    ran = np.minimum(c_duration, horizon - c_start + 1)
    day[:n_in] = np.minimum(c_start[cid] + (rng.random(n_in) * ran[cid]).astype(np.int64), horizon)
    day[n_in:] = _growth_days(rng, first_day[actor[n_in:]], np.full(incidents - n_in, horizon))
    precision = rng.choice(3, size=incidents, p=[0.85, 0.11, 0.04]).astype(np.int8)  # day, month, year
    occurred = _first_days(horizon)[precision, day]  # the first day of the day, month or year
    del day, cid

    # Date order, ties in random order. One sort of 64-bit keys (date, random bits, row), all distinct,
    # so any sort algorithm gives the same order. seq numbers the rows in this order and the id is made
    # from seq, so (occurred_on, incident_id) order is seq order.
    row_bits = max(1, (incidents - 1).bit_length())
    random_bits = 64 - 16 - row_bits
    if horizon >= 1 << 16 or random_bits < 0:
        raise ValueError("demo too large or too long to sort by one 64-bit key")
    key = occurred.astype(np.uint64) << np.uint64(64 - 16)
    if random_bits:
        key |= rng.integers(0, 1 << random_bits, incidents, dtype=np.uint64) << np.uint64(row_bits)
    key |= np.arange(incidents, dtype=np.uint64)
    key.sort()
    by_date = (key & np.uint64((1 << row_bits) - 1)).astype(np.int64)
    occurred = (key >> np.uint64(64 - 16)).astype(np.int32)
    del key
    actor, campaign, precision = actor[by_date], campaign[by_date], precision[by_date]
    del by_date

    # Everything else is drawn in date order. Nine in ten campaign incidents hit the campaign's country
    # and sector; the rest follow the actor's profile.
    has_campaign = campaign >= 0
    cid = np.where(has_campaign, campaign, 0)
    own = ~has_campaign | (rng.random(incidents) >= 0.9)
    country = c_country[cid].astype(np.int16)
    country[own] = country_profiles.draw(rng, actor[own])
    own = ~has_campaign | (rng.random(incidents) >= 0.9)
    primary = c_sector[cid].astype(np.int8)
    primary[own] = sector_profiles.draw(rng, actor[own])
    del own
    mask = np.left_shift(np.uint64(1), primary.astype(np.uint64))
    for p_extra in (0.35, 0.1):  # some incidents hit a second and a third sector
        hit = np.flatnonzero(rng.random(incidents) < p_extra)
        mask[hit] |= np.left_shift(np.uint64(1), sector_profiles.draw(rng, actor[hit]).astype(np.uint64))
    del hit

    # Seven in ten reports use the canonical name, the rest any of the actor's aliases.
    alias_rows = pd.DataFrame(
        [(i + 1, alias) for i, a in enumerate(actors) for alias in dict.fromkeys((a.name,) + a.synonyms)],
        columns=["actor_id", "alias"])
    alias_rows["alias_key"] = alias_rows["alias"].map(actors_mod.alias_key)
    alias_rows = (alias_rows.drop_duplicates(["actor_id", "alias_key"])
                  .sort_values(["actor_id", "alias_key"], kind="stable").reset_index(drop=True))
    alias_start = np.searchsorted(alias_rows["actor_id"].to_numpy(), np.arange(1, n_actors + 2))
    names = list(alias_rows["alias"])
    canonical = np.array([names.index(a.name, alias_start[i], alias_start[i + 1]) for i, a in enumerate(actors)],
                         dtype=np.int32)
    reported = canonical[actor]
    other = np.flatnonzero(rng.random(incidents) >= 0.7)
    lo, hi = alias_start[actor[other]], alias_start[actor[other] + 1]
    reported[other] = lo + (rng.random(len(other)) * (hi - lo)).astype(np.int64)
    del other, lo, hi

    gen = pa.table({
        "seq": np.arange(1, incidents + 1, dtype=np.int64),
        "occurred": occurred,
        "precision_ix": precision,
        "actor_id": actor + 1,
        "reported_ix": reported,
        "sector_mask": mask,
        "country_ix": country,
        "primary_sector": primary,
        "campaign_adjective": np.where(has_campaign, c_adjective[cid], -1).astype(np.int8),
        "campaign_noun": c_noun[cid],
        "campaign_number": c_number[cid],
        "confidence": CONFIDENCES[rng.choice(len(CONFIDENCES), size=incidents,
                                             p=[0.08, 0.2, 0.25, 0.25, 0.15, 0.07])],
        "tlp_ix": rng.choice(len(TLPS), size=incidents, p=TLP_P).astype(np.int8),
        "technique_ix": rng.integers(0, len(TECHNIQUES), incidents).astype(np.int8),
    })
    del occurred, precision, actor, reported, mask, country, primary, campaign, has_campaign, cid
    # Batches of one row group each, so DuckDB scans them in parallel (and keeps their order).
    gen = pa.Table.from_batches(gen.to_batches(max_chunksize=122_880))

    actor_rows = pd.DataFrame({
        "actor_id": np.arange(1, n_actors + 1, dtype=np.int32),
        "name": [a.name for a in actors],
        "sponsor_country": [a.sponsor_country for a in actors],
        "motivation": [a.motivation for a in actors],
        "galaxy_uuid": [a.uuid for a in actors],
    })
    sector_names = [None] * (max(sector_ix.values()) + 1)
    for name, i in sector_ix.items():
        sector_names[i] = name

    con.register("demo_gen", gen)
    con.register("demo_actor", actor_rows)
    con.register("demo_alias", alias_rows)
    params = dict(start=START, seed=seed, alias_source=alias_source, techniques=TECHNIQUES,
                  adjectives=ADJECTIVES, nouns=NOUNS, tlps=TLPS, id_width=max(8, len(str(incidents))),
                  reported_names=names, country_codes=country_codes,
                  country_names=[countries_mod.name(c) for c in country_codes], sector_names=sector_names)
    for name in ("demo_insert_actor", "demo_insert_actor_alias"):
        con.execute(sql.text(name), {k: v for k, v in params.items() if k in sql.params(name)})
    con.register("demo_rows", con.sql(sql.text("demo_incident_rows"), params={
        k: v for k, v in params.items() if k in sql.params("demo_incident_rows")}))
    (write or _insert)(con)
    for view in ("demo_rows", "demo_gen", "demo_actor", "demo_alias"):
        con.unregister(view)


def _insert(con) -> None:
    con.execute(sql.text("demo_insert_incident"))


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
