"""TLP clearance is enforced in the data layer (issue 22, item 3): the leakage-test matrix.

The property, for every query of queries/*.sql that the app or the command line reads, and for every clearance
below RED: adding incidents marked above a reader's clearance changes nothing that reader can see, count or
download.

Databases are built with the project's own ingest (a CSV): A holds a base set of incidents at every marking; for
each clearance c, B_c holds A's incidents plus the extra incidents marked above c (B_CLEAR those at GREEN, AMBER,
AMBER+STRICT and RED). At each of those markings the extra incidents deliberately move everything they could
move: new actors (directory actors no base incident names), unresolved names only they report, names the team's
decisions are about, new victim countries, new sectors, new campaigns, dates before and after A's range,
partial dates, higher confidence, a search word in the title, a sponsor state other than the directory's, and
incidents of A's actors, campaigns, countries and sectors inside and outside A's range (longer spans, more
counts). The same decisions about names are recorded in both.

A reader cleared to c must then get the same answer from A and from B_c for every query and every parameter set;
the RED (uncleared) store of B_CLEAR must not (so the test can fail).
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import math
import random
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from threatscape import data, export, names
from threatscape.filters import TLPS, Filters, View
from threatscape.ingest.run import ingest
from threatscape.resolver import Decision
from threatscape.store import MACROS, Store, get_store

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"
CLEARANCES = TLPS[:-1]  # CLEAR, GREEN, AMBER, AMBER+STRICT: every reader below RED
RANK = {t: i for i, t in enumerate(TLPS)}
D = dt.date

# ------------------------------------------------------------------------------------------------------------------
# The data
# ------------------------------------------------------------------------------------------------------------------

HEADER = ["incident_id", "occurred_on", "actor", "sectors", "victim_country", "title", "summary", "source_url",
          "confidence", "tlp", "campaign", "sponsor"]
WORD = "zephyr"  # the text filter's word: in a few base titles, and in every extra incident's title

BASE_ACTORS = ["Kimsuky", "Thallium", "Kimusky", "APT28", "Fancy Bear", "Lazarus Group", "MuddyWater", "APT29",
               "Grey Heron Crew", "?", "unknown", "Hacktivist Crowd"]
BASE_SECTORS = ["government", "diplomacy", "software", "energy", "oil and gas", "finance", "banking",
                "telecommunications", "defence"]
BASE_COUNTRIES = ["KR", "US", "UA", "DE", "JP", "GB", "PL", "FR"]
BASE_CAMPAIGNS = ["Op Alpha", "Op Beta", "Op Gamma", "Op Delta"]
BASE_FIRST, BASE_LAST = D(2021, 1, 1), D(2023, 12, 31)

# What only the extra incidents of each marking bring (B only): an actor of the directory no base incident names,
# an unresolved name, a victim country, sectors and a campaign.
EXTRA = {
    "GREEN": dict(actor="APT41", unresolved="Zzyzx Spider", country="BR", sectors=["healthcare"],
                  campaign="Op Green Only"),
    "AMBER": dict(actor="Turla", unresolved="Quartz Mantle", country="ZA", sectors=["maritime", "pharmaceuticals"],
                  campaign="Op Amber Only"),
    "AMBER+STRICT": dict(actor="OilRig", unresolved="Velvet Gannet", country="AU", sectors=["nuclear", "media"],
                         campaign="Op Strict Only"),
    "RED": dict(actor="Sandworm", unresolved="Obsidian Pike", country="IN", sectors=["cryptocurrency", "aviation"],
                campaign="Op Red Only"),
}
NEW_ACTOR = "Nightjar Collective"   # a 'new' decision about a name only AMBER+STRICT and RED extras report
MAPPED_HIGH = "Vermilion Otter"     # a 'map' decision (to APT28) about a name only RED extras report
PLACEHOLDER_HIGH = "Crowd Of Skids"  # a 'placeholder' decision about a name only AMBER extras report
DECISIONS = [  # the same decisions in both databases, recorded by the same ingest call (ids, times and all)
    Decision("Kimusky", "map", "Kimsuky", "typo", "tester", "2026-01-01T00:00:00Z"),
    Decision("Hacktivist Crowd", "placeholder", None, "not an actor", "tester", "2026-01-01T00:00:00Z"),
    Decision(NEW_ACTOR, "new", NEW_ACTOR, "a crew of its own", "tester", "2026-01-01T00:00:00Z"),
    Decision(MAPPED_HIGH, "map", "APT28", "vendor name", "tester", "2026-01-01T00:00:00Z"),
    Decision(PLACEHOLDER_HIGH, "placeholder", None, "not an actor", "tester", "2026-01-01T00:00:00Z"),
]


def _date_cell(day: dt.date, precision: str) -> str:
    return {"day": day.isoformat(), "month": f"{day:%Y-%m}", "year": f"{day:%Y}"}[precision]


def base_rows() -> list[dict]:
    """A's incidents: 240 at every marking, 2021-2023, base actors, sectors, countries and campaigns."""
    rng = random.Random(22)
    rows = []
    span = (BASE_LAST - BASE_FIRST).days
    for n in range(240):
        tlp = TLPS[n % 5] if n < 20 else rng.choice(TLPS)  # every marking several times
        day = BASE_FIRST + dt.timedelta(days=rng.randrange(span + 1))
        precision = rng.choices(["day", "month", "year"], [85, 10, 5])[0]
        if n in (0, 1):  # the range's ends are incidents A holds, at CLEAR and GREEN
            day, precision = (BASE_FIRST, BASE_LAST)[n], "day"
        actor = BASE_ACTORS[n % len(BASE_ACTORS)] if n < 2 * len(BASE_ACTORS) else rng.choice(BASE_ACTORS)
        sectors = rng.sample(BASE_SECTORS, rng.choice([1, 1, 2, 3]))
        country = rng.choice(BASE_COUNTRIES)
        campaign = rng.choice(BASE_CAMPAIGNS) if rng.random() < 0.5 and actor not in ("?", "unknown") else ""
        confidence = "" if rng.random() < 0.1 else str(rng.randrange(10, 86))
        title = f"{rng.choice(['Phishing wave', 'Wiper attack', 'Espionage', 'Data theft'])} in {country}"
        if n in (3, 4, 5, 7):  # the search word, at CLEAR, AMBER, AMBER+STRICT and GREEN
            title += f" ({WORD} campaign)"
        sponsor = "CN" if actor == "Kimsuky" and n % 3 == 0 else ""
        rows.append(dict(incident_id=f"b{n:03d}", occurred_on=_date_cell(day, precision), actor=actor,
                         sectors="; ".join(sectors), victim_country=country, title=title,
                         summary=f"Base incident {n}", source_url=f"https://base.example/{n}" if n % 4 else "",
                         confidence=confidence, tlp=tlp, campaign=campaign, sponsor=sponsor))
    return rows


def extra_rows() -> list[dict]:
    """B's extra incidents: at each marking above CLEAR, incidents that move what a reader below it could see."""
    rows = []
    for k, tlp in enumerate(TLPS[1:], start=1):
        e = EXTRA[tlp]
        specs = [
            # new actor, new sectors, new country, new campaign; before and after A's range; top confidence
            (e["actor"], D(2018, k, 3), "day", e["sectors"], e["country"], e["campaign"], 99, ""),
            (e["actor"], D(2025, k, 20), "day", e["sectors"] + ["government"], e["country"], e["campaign"], 97, ""),
            (e["actor"], D(2022, 6, 10 + k), "day", ["energy"], "KR", "Op Beta", 95, "RU"),
            # an unresolved name only they report
            (e["unresolved"], D(2019, k, 1), "month", e["sectors"], "US", "", 60, ""),
            (e["unresolved"], D(2022, 3, k), "day", ["software"], e["country"], "", 96, ""),
            # A's actors and campaigns: longer spans, more counts, another sponsor state, new countries and sectors
            ("Kimsuky", D(2017, 12, k), "day", ["government"], "KR", "Op Alpha", 98, "CN"),
            ("Thallium", D(2025, 6, k), "day", e["sectors"], e["country"], "Op Alpha", 100, "RU"),
            ("APT28", D(2022, 6, 15), "day", ["defence"], "DE", "Op Gamma", 90, ""),
            ("APT28", D(2023, 12, 31), "day", ["oil and gas"], "UA", "Op Delta", 94, ""),
            ("Lazarus Group", D(2021, 1, 1), "day", ["banking"], "JP", "Op Delta", 93, ""),
            ("MuddyWater", D(2016, 1, 1), "year", ["telecommunications"], "FR", e["campaign"], 91, ""),
            ("Kimusky", D(2026, 2, 1), "month", ["diplomacy"], "KR", "Op Beta", 92, ""),
            # unattributed, and the names the team decided about
            ("?", D(2024, 5, k), "day", e["sectors"], e["country"], "", 99, ""),
            ("n/a", D(2020, 7, k), "day", ["finance"], "PL", "", 98, ""),
            ("Hacktivist Crowd", D(2022, 9, k), "day", ["government"], "GB", "", 97, ""),
        ]
        if tlp in ("AMBER+STRICT", "RED"):
            specs.append((NEW_ACTOR, D(2022, 2, 2), "day", ["energy"], "UA", "Op Nightjar", 99, ""))
            specs.append((NEW_ACTOR, D(2025, 9, 9), "day", e["sectors"], e["country"], "Op Nightjar", 99, ""))
        if tlp == "RED":
            specs.append((MAPPED_HIGH, D(2022, 4, 4), "day", ["government"], "US", "Op Otter", 99, "BY"))
        if tlp == "AMBER":
            specs.append((PLACEHOLDER_HIGH, D(2023, 1, 5), "day", ["media"], "FR", "", 99, ""))
        for j, (actor, day, precision, sectors, country, campaign, confidence, sponsor) in enumerate(specs):
            rows.append(dict(incident_id=f"x{k}{j:02d}", occurred_on=_date_cell(day, precision), actor=actor,
                             sectors="; ".join(sectors), victim_country=country,
                             title=f"{WORD.capitalize()} intrusion {k}.{j}", summary=f"Extra incident at {tlp}",
                             source_url=f"https://extra.example/{k}/{j}", confidence=str(confidence), tlp=tlp,
                             campaign=campaign, sponsor=sponsor))
    return rows


def _write_csv(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=HEADER)
        w.writeheader()
        w.writerows(rows)
    return path


@dataclasses.dataclass(frozen=True)
class Databases:
    a: Path          # the base incidents
    b: dict          # clearance -> A + the extra incidents marked above it
    base: tuple      # the rows of A's CSV
    extra: tuple     # the extra rows, at GREEN, AMBER, AMBER+STRICT and RED

    @property
    def every(self) -> Path:
        """A + every extra incident (those above CLEAR)."""
        return self.b["CLEAR"]


@pytest.fixture(scope="module")
def dbs(tmp_path_factory) -> Databases:
    root = tmp_path_factory.mktemp("clearance")
    base, extra = base_rows(), extra_rows()
    a = root / "a.duckdb"
    ingest([_write_csv(root / "a.csv", base)], a, decide=DECISIONS, who="tester")
    b = {}
    for c in CLEARANCES:
        b[c] = root / f"b-{c}.duckdb"
        above = [r for r in extra if RANK[r["tlp"]] > RANK[c]]
        ingest([_write_csv(root / f"b-{c}.csv", base + above)], b[c], decide=DECISIONS, who="tester")
    return Databases(a, b, tuple(base), tuple(extra))


# ------------------------------------------------------------------------------------------------------------------
# The queries and their parameters
# ------------------------------------------------------------------------------------------------------------------

WIDE = dict(since=D(2015, 1, 1), until=D(2026, 12, 31))  # every incident of A and B
FILTER_SETS = {
    "wide": Filters(**WIDE),
    "A's last half": Filters(since=D(2023, 7, 1), until=D(2023, 12, 31)),  # ends on A's last day: B's goes on
    "actors": Filters(**WIDE, actors=("Kimsuky", "Sandworm", "APT41", "Unattributed")),
    "sectors energy+healthcare": Filters(**WIDE, sectors=("energy", "healthcare")),
    "countries KR+IN+BR": Filters(**WIDE, countries=("KR", "IN", "BR")),
    "sponsors KP+unknown": Filters(**WIDE, sponsors=("KP", "unknown")),
    "tlp AMBER+RED": Filters(**WIDE, tlps=("AMBER", "RED")),
    "clearance RED": Filters(**WIDE, clearance="RED"),
    "text": Filters(**WIDE, text=WORD),
    "confidence 90": Filters(**WIDE, min_confidence=90),
    "combined": Filters(since=D(2021, 6, 1), until=D(2023, 12, 31), actors=("Kimsuky", "APT28", NEW_ACTOR),
                        sectors=("government",), min_confidence=20, tlps=("CLEAR", "GREEN", "RED")),
}
NO_DATES = {"no dates": Filters()}  # for the queries that take an open range (the KPIs and countries compare
ALL_SETS = FILTER_SETS | NO_DATES   # with the period before, which needs both ends)
VIEWS = [View(grain="month", level="top", top=8), View(grain="year", level="detail", top=3),
         View(grain="quarter", level="top", top=15)]
ACTOR_NAMES = ["Kimsuky", "APT28", "Grey Heron Crew", "Unattributed", NEW_ACTOR, MAPPED_HIGH] + \
    [e["actor"] for e in EXTRA.values()] + [e["unresolved"] for e in EXTRA.values()]
REPORTED_NAMES = ["Kimusky", "Grey Heron Crew", "?", "n/a", "Hacktivist Crowd", NEW_ACTOR, MAPPED_HIGH,
                  PLACEHOLDER_HIGH] + [e["unresolved"] for e in EXTRA.values()]


def _frame(x) -> pd.DataFrame:
    return x.to_frame().T.reset_index(drop=True) if isinstance(x, pd.Series) else x


# Each entry of QUERIES maps a store to {parameter set's label: a thunk that asks the query}, lazily, so that the
# sanity check can stop at the first parameter set that differs.

def _filtered(fn, sets=FILTER_SETS):
    return lambda store: {label: (lambda f=f: fn(store, f)) for label, f in sets.items()}


def _with_views(fn):
    """Each filter set with one of the views in turn (grains, sector levels, numbers of actors)."""
    return lambda store: {f"{label} / {VIEWS[i % len(VIEWS)]}": (lambda f=f, v=VIEWS[i % len(VIEWS)]: fn(store, f, v))
                          for i, (label, f) in enumerate(ALL_SETS.items())}


# Paging keys: sort_key is the incident's rank among all incidents (seq, and confidence), the explorer's keyset cursor,
# kept on the server in the session's state; it is never shown (tables.incident_table) nor exported (CSV_COLUMNS),
# and a hidden incident moves it. Everything else a page row holds must be equal.
PAGING_KEYS = ("sort_key",)


def _page(store, f, **kwargs):
    return data.incident_page(store, f, **kwargs).drop(columns=list(PAGING_KEYS))


def _pages(store: Store) -> dict:
    out = {f"{label} / every row": (lambda f=f: _page(store, f, page_size=None))
           for label, f in ALL_SETS.items()}
    for label in ("wide", "text"):
        f = ALL_SETS[label]
        for order in data.ORDERS:
            out[f"{label} / {order} / first page"] = lambda f=f, o=order: _page(store, f, order_by=o, page_size=7)
            out[f"{label} / {order} / last page"] = lambda f=f, o=order: _page(
                store, f, order_by=o, page_size=7, backward=True)
    return out


def test_the_paging_keys_never_reach_the_reader(dbs):
    from threatscape import tables

    rows = data.incident_page(get_store(dbs.a).cleared("GREEN"), ALL_SETS["wide"])
    assert set(PAGING_KEYS) <= set(rows.columns)
    shown = tables.incident_table(rows)
    assert not set(PAGING_KEYS) & set(shown.columns) and not set(PAGING_KEYS) & set(export.CSV_COLUMNS)


def _facets(store: Store) -> dict:
    def ask(f):
        return pd.concat([df.assign(facet=k) for k, df in data.facets(store, f).items()])
    return {label: (lambda f=f: ask(f)) for label, f in ALL_SETS.items()}


def _raw(name: str, params_of):
    """A query asked through store.query with the parameters params_of(store, f) for each filter set."""
    return lambda store: {label: (lambda f=f: store.query(name, params_of(store, f))) for label, f in ALL_SETS.items()}


def _each(name: str, key: str, values, extra: dict | None = None):
    return lambda store: {f"{key}={v!r}": (lambda v=v: store.query(name, {key: v} | (extra or {}))) for v in values}


def _plain(name: str, drop: tuple = ()):
    return lambda store: {"": lambda: store.query(name).drop(columns=list(drop))}


def _changes(part: str):
    """One of the three answers behind "what changed", for each filter set, against either period."""
    return lambda store: {f"{label} / {compare}": (lambda f=f, c=compare: data.what_changed(store, f, c)[part])
                          for label, f in FILTER_SETS.items() for compare in ("previous", "year")}


def _dates(f: Filters) -> dict:
    return {"since": f.since, "until": f.until}


# Every query the app or the command line reads, and how it is asked. The ignored columns: dataset_info's
# content_version and built_at (the file's own version and build time), source_summary's last_ingest (the ingest log).
QUERIES = {
    # what the filters select
    "kpis": _filtered(data.kpis),
    "incidents_by_actor_sector": _with_views(data.actor_sector),
    "incidents_by_period": _with_views(data.period_series),
    "incidents_by_sector_period": _with_views(data.sector_period),
    "incidents_by_victim_country": _filtered(data.victim_countries),
    "concurrent_campaigns_by_period": _with_views(data.campaign_concurrency),
    "campaigns": _filtered(data.campaigns, ALL_SETS),
    "campaign_window": _raw("campaign_window", lambda s, f: _dates(f)),
    "incident_count": _filtered(data.incident_count, ALL_SETS),
    "incident_page": _pages,
    "incident_facets": _facets,
    "confidence_range": _raw("confidence_range", lambda s, f: data._params(s, f)),
    "seq_bounds": _raw("seq_bounds", lambda s, f: _dates(f)),
    "highest_tlp": _raw("highest_tlp", lambda s, f: f.params()),  # as export.highest_tlp asks it
    "changes_counts": _changes("counts"),
    "changes_pairs": _changes("pairs"),
    # the directory, the filter options and the names
    "actor_options": _plain("actor_options"),
    "actor_alias_list": _plain("actor_alias_list"),
    "actor_aliases": _each("actor_aliases", "actor", ACTOR_NAMES),
    "actor_profile": _each("actor_profile", "actor", ACTOR_NAMES),
    "reported_sponsors": _each("reported_sponsors", "actor", ACTOR_NAMES),
    "actor_directory": _plain("actor_directory"),
    "sector_options": _plain("sector_options"),
    "sponsor_options": _plain("sponsor_options"),
    "victim_country_options": _plain("victim_country_options"),
    "unattributed_names": _each("unattributed_names", "limit", [100, 2]),
    "unresolved_names": _each("unresolved_names", "limit", [100, 2]),
    "name_examples": _each("name_examples", "name", REPORTED_NAMES, {"limit": 5}),
    "attribution_counts": _plain("attribution_counts"),
    "active_decisions": _plain("active_decisions"),
    "decision_history": _plain("decision_history"),
    # the dataset
    "date_bounds": _plain("date_bounds"),
    "dataset_info": _plain("dataset_info", drop=("content_version", "built_at")),
    "content_version": _plain("content_version"),
    "source_summary": _plain("source_summary", drop=("last_ingest",)),
    # asked by the writer (build.finish) only, never by the app or the command line; here all the same
    "duplicate_incident_ids": _plain("duplicate_incident_ids"),
    "incident_id_hashes": _plain("incident_id_hashes"),
}
# The queries whose answer the extra incidents do not change even for the uncleared store (the sanity check
# below expects every other one to change): the taxonomy, the dataset's kind and versions, the decisions (the
# same in both), the duplicate ids (none).
UNMOVED = {"sector_options", "dataset_info", "active_decisions", "decision_history", "duplicate_incident_ids"}
EXCLUDED_PREFIXES = ("derive_", "ingest_", "demo_", "insert_", "match_", "lake_")
EXCLUDED = {"schema", "assign_seq", *MACROS}


def test_the_matrix_covers_every_query_the_app_reads():
    files = {p.stem for p in QUERY_DIR.glob("*.sql")}
    readable = {n for n in files if not n.startswith(EXCLUDED_PREFIXES) and n not in EXCLUDED}
    assert readable == set(QUERIES), (f"queries/*.sql not in the matrix: {sorted(readable - set(QUERIES))}; "
                                      f"in the matrix but no file: {sorted(set(QUERIES) - readable)}")


# ------------------------------------------------------------------------------------------------------------------
# Comparing results
# ------------------------------------------------------------------------------------------------------------------

def _cell(v):
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if hasattr(v, "tolist"):  # numpy scalars and arrays
        return _cell(v.tolist()) if not isinstance(v.tolist(), list) else tuple(_cell(x) for x in v.tolist())
    if isinstance(v, (list, tuple)):
        return tuple(_cell(x) for x in v)
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _rows(x) -> tuple[tuple, list]:
    """A result as (columns, rows sorted): comparable whatever order ties came back in."""
    if isinstance(x, (int, float, str)) or x is None:
        return ("value",), [(x,)]
    df = _frame(x)
    rows = [tuple(_cell(v) for v in r) for r in df.itertuples(index=False, name=None)]
    return tuple(df.columns), sorted(rows, key=repr)


def _difference(label: str, a, b) -> str | None:
    """What differs between two answers to the same parameter set, or None."""
    (ca, ra), (cb, rb) = _rows(a), _rows(b)
    if ca != cb:
        return f"[{label}] columns {ca} != {cb}"
    if ra == rb:
        return None
    only_a = [r for r in ra if r not in rb]
    only_b = [r for r in rb if r not in ra]
    if len(ra) == len(rb):  # the columns that alone make the difference, if any
        alone = [c for i, c in enumerate(ca) if sorted((r[:i] + r[i + 1:] for r in ra), key=repr)
                 == sorted((r[:i] + r[i + 1:] for r in rb), key=repr)]
        if alone:
            return (f"[{label}] the same {len(ra)} rows but for column {alone[0]!r}: A "
                    f"{[r[ca.index(alone[0])] for r in only_a[:6]]} | B {[r[ca.index(alone[0])] for r in only_b[:6]]}")
    return (f"[{label}] ({', '.join(ca)}): {len(ra)} rows vs {len(rb)}; A only {only_a[:3]}"
            f"{' ...' if len(only_a) > 3 else ''} | B only {only_b[:3]}{' ...' if len(only_b) > 3 else ''}")


def _differences(a: dict, b: dict, *, first: bool = False) -> list[str]:
    """What differs between two {label: thunk} answers, one line per parameter set (first: stop at the first)."""
    out = []
    for label in a:
        d = _difference(label, a[label](), b[label]())
        if d:
            out.append(d)
            if first:
                break
    return out


# ------------------------------------------------------------------------------------------------------------------
# The matrix: every query, every clearance below RED
# ------------------------------------------------------------------------------------------------------------------

# Queries that work on positions among all incidents, or that only the uncleared store asks, and why no reader sees
# their answer: seq_bounds gives the export its slices of seq (the rows written are checked, equal, below);
# actor_directory is read when the file is opened, by the uncleared store, to turn actor names into ids;
# content_version is computed by the writer (build.finish). Each of these numbers moves with a hidden incident.
NOT_FOR_READERS = {"seq_bounds", "actor_directory", "content_version"}


@pytest.mark.parametrize("clearance", CLEARANCES)
@pytest.mark.parametrize("query", sorted(set(QUERIES) - NOT_FOR_READERS))
def test_incidents_above_a_clearance_change_nothing_the_reader_sees(dbs, query, clearance):
    a = QUERIES[query](get_store(dbs.a).cleared(clearance))
    b = QUERIES[query](get_store(dbs.b[clearance]).cleared(clearance))
    diffs = _differences(a, b)
    assert not diffs, (f"{query} leaks to a reader cleared to {clearance}: {len(diffs)} of {len(a)} parameter sets "
                       f"differ between A and A + incidents above {clearance}:\n" + "\n".join(diffs[:12]))


@pytest.mark.parametrize("query", sorted(set(QUERIES) - UNMOVED))
def test_the_uncleared_store_does_see_the_extra_incidents(dbs, query):
    """The other way: to the RED store (every incident) B answers otherwise, so the matrix above can fail."""
    a, b = QUERIES[query](get_store(dbs.a)), QUERIES[query](get_store(dbs.every))
    assert _differences(a, b, first=True), f"{query}: the extra incidents change nothing even uncleared: proves nothing"


@pytest.mark.parametrize("query", sorted(UNMOVED))
def test_the_queries_the_extra_incidents_cannot_move_are_equal_uncleared_too(dbs, query):
    a, b = QUERIES[query](get_store(dbs.a)), QUERIES[query](get_store(dbs.every))
    assert not _differences(a, b)


def test_the_extra_incidents_are_in_b_uncleared(dbs):
    every = Filters()
    a, b = get_store(dbs.a), get_store(dbs.every)
    assert data.incident_count(b, every) == data.incident_count(a, every) + len(dbs.extra)
    assert b.date_bounds()[0] < a.date_bounds()[0] and b.date_bounds()[1] > a.date_bounds()[1]
    assert {e["actor"] for e in EXTRA.values()} <= set(data.filter_options(b).actors)
    assert {e["country"] for e in EXTRA.values()} <= set(data.filter_options(b).countries)
    assert not {e["country"] for e in EXTRA.values()} & set(data.filter_options(a).countries)


# ------------------------------------------------------------------------------------------------------------------
# What the pages and the exports build from the queries
# ------------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("clearance", CLEARANCES)
def test_filter_options_date_bounds_and_resolver_are_the_same(dbs, clearance):
    a, b = get_store(dbs.a).cleared(clearance), get_store(dbs.b[clearance]).cleared(clearance)
    assert data.filter_options(a) == data.filter_options(b)
    assert a.date_bounds() == b.date_bounds()
    for name in ["Emerald Sleet", "Grey Heron Crew", NEW_ACTOR, MAPPED_HIGH, EXTRA["RED"]["unresolved"]]:
        assert data.resolve_actors(a, [name]) == data.resolve_actors(b, [name]), name
    assert data.unattributed_names(a, 50).equals(data.unattributed_names(b, 50))


@pytest.mark.parametrize("clearance", CLEARANCES)
def test_the_names_review_is_the_same(dbs, clearance):
    a, b = get_store(dbs.a).cleared(clearance), get_store(dbs.b[clearance]).cleared(clearance)
    ra, rb = names.review(a), names.review(b)
    assert ra == rb
    for name in REPORTED_NAMES:
        assert _difference(name, names.examples(a, name), names.examples(b, name)) is None


def _csv_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


EXPORTS = [  # (label, filters, order, long form)
    ("everything", Filters(), "newest", False), ("everything", Filters(), "oldest", True),
    ("everything", Filters(), "confidence", False),
    ("A's last half", FILTER_SETS["A's last half"], "newest", False),
    ("actors", FILTER_SETS["actors"], "oldest", False),
    ("countries", FILTER_SETS["countries KR+IN+BR"], "newest", True),
    ("tlp AMBER+RED", FILTER_SETS["tlp AMBER+RED"], "newest", False),
    ("clearance RED", FILTER_SETS["clearance RED"], "confidence", False),
    ("text", FILTER_SETS["text"], "newest", False),
    ("combined", FILTER_SETS["combined"], "confidence", True),
]


def _manifest(path_or_text) -> dict:
    """A snapshot's manifest less what is the file's own (its version and build time) and the time of writing."""
    doc = json.loads(path_or_text.read_text() if isinstance(path_or_text, Path) else path_or_text)
    doc.pop("generated_at", None)
    for key in ("content_version", "built_at"):
        doc["dataset"].pop(key, None)
    return doc


@pytest.mark.parametrize("clearance", CLEARANCES)
def test_a_snapshot_is_the_same_and_holds_nothing_above_the_clearance(dbs, clearance, tmp_path):
    a, b = get_store(dbs.a).cleared(clearance), get_store(dbs.b[clearance]).cleared(clearance)
    for i, (label, f, order, long) in enumerate(EXPORTS):
        name = f"snapshot-{i}"
        csv_a, man_a = export.write_incidents(a, f, tmp_path / "a", name=name, order_by=order, long=long)
        csv_b, man_b = export.write_incidents(b, f, tmp_path / "b", name=name, order_by=order, long=long)
        assert csv_a.read_bytes() == csv_b.read_bytes(), f"{label}, {order}, long={long}"
        rows = _csv_rows(csv_b)
        above = [r["incident_id"] for r in rows if RANK[r["tlp"]] > RANK[clearance]]
        assert not above, f"{label}: the snapshot holds incidents above {clearance}: {above[:5]}"
        assert _manifest(man_a) == _manifest(man_b), f"{label}, {order}, long={long}"
        assert _manifest(man_b)["csv"]["rows"] == len(rows)


@pytest.mark.parametrize("clearance", CLEARANCES)
def test_a_chart_download_is_the_same(dbs, clearance):
    a, b = get_store(dbs.a).cleared(clearance), get_store(dbs.b[clearance]).cleared(clearance)
    f, v = FILTER_SETS["wide"], VIEWS[0]
    for label, ask in {"heatmap": lambda s: data.actor_sector(s, f, v),
                       "actors over time": lambda s: data.actor_period(s, f, v),
                       "sponsors over time": lambda s: data.sponsor_period(s, f, v),
                       "countries": lambda s: data.victim_countries(s, f),
                       "campaigns at once": lambda s: data.campaign_concurrency(s, f, v)}.items():
        zips = []
        for store in (a, b):
            z = zipfile.ZipFile(io.BytesIO(export.chart_snapshot_zip(store, ask(store), name="chart", filters=f,
                                                                    view=v, page="")))
            zips.append((z.read("chart.csv"), _manifest(z.read("chart.manifest.json"))))
        assert zips[0][0] == zips[1][0], label
        assert zips[0][1] == zips[1][1], label


# ------------------------------------------------------------------------------------------------------------------
# The reader's clearance wins over the filters, and readers share the connection but not their answers
# ------------------------------------------------------------------------------------------------------------------

def test_a_green_reader_asking_for_red_gets_nothing(dbs):
    green = get_store(dbs.every).cleared("GREEN")
    f = Filters(**WIDE, tlps=("RED",))
    assert data.incident_count(green, f) == 0
    assert data.incident_page(green, f, page_size=None).empty
    k = data.kpis(green, f)
    assert int(k["incidents"]) == 0 and int(k["actors"]) == 0
    assert data.actor_sector(green, f, VIEWS[0]).empty
    assert data.campaigns(green, f).empty
    assert all(df.empty for df in data.facets(green, f).values())
    assert int(data.victim_countries(green, f)["incident_count"].sum()) == 0
    assert int(data.period_series(green, f, VIEWS[0])["incident_count"].sum()) == 0
    assert pd.isna(green.query("confidence_range", data._params(green, f)).iloc[0]["highest"])
    # so does the clearance filter of RED: the reader's clearance caps it
    assert data.incident_count(green, Filters(clearance="RED")) == data.incident_count(green, Filters())
    assert data.incident_count(green, Filters(tlps=("AMBER", "AMBER+STRICT", "RED"))) == 0


def _expected(dbs: Databases, clearance: str, in_b: bool = True) -> int:
    rows = dbs.base + (dbs.extra if in_b else ())
    return sum(RANK[r["tlp"]] <= RANK[clearance] for r in rows)


def test_readers_share_the_connection_but_not_their_answers(dbs):
    root = Store(dbs.every)  # a store of its own: its cache holds only what this test asks
    green, amber = root.cleared("GREEN"), root.cleared("AMBER")
    assert root.cleared("GREEN") is green and root.cleared("RED") is root and root.cleared(None) is root
    assert green.snapshot() is amber.snapshot() is root.snapshot()  # one DuckDB connection for every reader
    assert green.snapshot().con is root.snapshot().con
    every = Filters()
    n_green, n_amber, n_green_again = (data.incident_count(green, every), data.incident_count(amber, every),
                                       data.incident_count(green, every))
    assert (n_green, n_amber, n_green_again) == (_expected(dbs, "GREEN"), _expected(dbs, "AMBER"),
                                                 _expected(dbs, "GREEN"))
    assert n_green < n_amber < data.incident_count(root, every) == len(dbs.base) + len(dbs.extra)
    counts = [t for t in root.timings if t.query == "incident_count"]
    assert [t.cached for t in counts] == [False, False, True, False]  # GREEN's answer served again to GREEN only
    # and the other way round, AMBER first
    other = Store(dbs.every)
    assert data.incident_count(other.cleared("AMBER"), every) == _expected(dbs, "AMBER")
    assert data.incident_count(other.cleared("GREEN"), every) == _expected(dbs, "GREEN")
    assert data.incident_count(other.cleared("AMBER"), every) == _expected(dbs, "AMBER")
    assert data.incident_count(other, every) == len(dbs.base) + len(dbs.extra)
    # the same for a frame: the pages of GREEN and AMBER differ, each served from its own cache entry
    assert set(data.incident_page(green, every, page_size=None)["tlp"]) == {"CLEAR", "GREEN"}
    assert len(data.incident_page(amber, every, page_size=None)) == _expected(dbs, "AMBER")
    assert set(data.incident_page(amber, every, page_size=None)["tlp"]) == {"CLEAR", "GREEN", "AMBER"}


@pytest.mark.parametrize("clearance", CLEARANCES)
def test_the_reader_sees_exactly_the_incidents_of_its_clearance(dbs, clearance):
    """Not only the same in A and B: what a reader lists is every incident marked at most its clearance."""
    b = get_store(dbs.every).cleared(clearance)
    listed = data.incident_page(b, Filters(), page_size=None)
    assert len(listed) == _expected(dbs, clearance)
    assert {RANK[t] for t in listed["tlp"]} <= set(range(RANK[clearance] + 1))
