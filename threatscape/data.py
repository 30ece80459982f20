"""What the pages (and exports) ask of the store: each function builds one query's parameters and runs it."""
from __future__ import annotations

import bisect
import datetime as dt
import heapq
import itertools
import threading
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from . import countries, plans
from .actors import alias_key
from .resolver import UNATTRIBUTED, Actor, Decision, Resolver
from .filters import ORDERS, Filters, View, period_bounds  # noqa: F401 (ORDERS: data.ORDERS for the pages)
from .store import Store

if TYPE_CHECKING:  # results are DuckDB's .df(); without pandas here, a query can start before it is loaded
    import pandas as pd


def _params(store: Store, f: Filters) -> dict:
    """f's query parameters, with a date bound that reaches past the data moved out to its month's edge
    (until on or after the data's last day: the end of until's month; since on or before the first day:
    the start of since's month). The same incidents and the same periods, but whole months, which
    incident_group reads from the monthly summary instead of counting the ragged days from incident."""
    p = f.params()
    first_day, last_day = store.date_bounds()
    if last_day is not None:
        if p["until"] is not None and p["until"] >= last_day:
            p["until"] = period_bounds(p["until"].replace(day=1), "month")[1]
        if p["since"] is not None and p["since"] <= first_day:
            p["since"] = p["since"].replace(day=1)
    return p


def _with_previous(store: Store, f: Filters, compare: str = "previous") -> dict:
    """The query's parameters, and prev_since..prev_until: the period it compares with (Filters.compared)."""
    prev = f.compared(compare)
    return _params(store, f) | {"prev_since": prev.since, "prev_until": prev.until}


def _campaign_window(store: Store, since, until, f: Filters) -> dict:
    """window_since/window_until: the days holding every incident of any campaign that may be active
    between since and until (an empty window when no campaign's span overlaps them). Only spans under a
    confidence, TLP or text filter are counted from incident within it; otherwise it is not needed."""
    if not plans.needs_incident_spans(f.params()):
        return {"window_since": None, "window_until": None}
    import pandas as pd  # loaded already: the query's result is a DataFrame

    w = store.query("campaign_window", {"since": since, "until": until}).iloc[0]
    if pd.isna(w["window_since"]):
        return {"window_since": EMPTY_WINDOW[0], "window_until": EMPTY_WINDOW[1]}
    return {"window_since": w["window_since"].date(), "window_until": w["window_until"].date()}


EMPTY_WINDOW = (dt.date(1, 1, 2), dt.date(1, 1, 1))  # since after until: no day


def kpis(store: Store, f: Filters, compare: str = "previous") -> pd.Series:
    """Incidents, actors, sectors, countries, campaigns in the period and the one it is compared with (prev_*:
    the period before, or the same period a year earlier)."""
    params = _with_previous(store, f, compare)
    return store.query("kpis", params | _campaign_window(store, params["prev_since"], params["until"], f)).iloc[0]


def attribution_note(k) -> str:
    """What share of the period's incidents name an actor, and where the others are counted (kpis' row)."""
    incidents, unattributed = int(k["incidents"]), int(k["unattributed"])
    if not incidents:
        return "No incidents in the period."
    attributed = incidents - unattributed
    note = f"Attributed: {attributed:,} of {incidents:,} incidents ({100 * attributed / incidents:.0f}%) name an actor."
    if unattributed:
        note += (f" The {unattributed:,} unattributed ones count in the totals, sectors and countries, and are left "
                 "out of the actor charts (heatmap, actors over time, sponsor states).")
    return note


def actor_sector(store: Store, f: Filters, v: View) -> pd.DataFrame:
    return store.query("incidents_by_actor_sector", _params(store, f) | {"level": v.level, "top_n": v.top})


def period_series(store: Store, f: Filters, v: View) -> pd.DataFrame:
    """The overview's two time series, by actor and by sponsor state, from one query: it groups the matching
    incidents by period and actor once for both (as two queries they took about 20 ms more CPU per overview at
    10M incidents, a tenth of it). actor_period and sponsor_period each give their own rows of it."""
    return store.query("incidents_by_period", _params(store, f) | {"grain": v.grain, "top_n": v.top})


def actor_period(store: Store, f: Filters, v: View) -> pd.DataFrame:
    """(period, actor, series_rank, incident_count): the top v.top actors and 'Other actors'."""
    return _series(period_series(store, f, v), "actor")


def sponsor_period(store: Store, f: Filters, v: View) -> pd.DataFrame:
    """(period, sponsor_country, series_rank, incident_count): the top 6 sponsor states, 'other', 'unknown'."""
    return _series(period_series(store, f, v), "sponsor")


_SERIES_COLUMN = {"actor": "actor", "sponsor": "sponsor_country"}
_series_parts: dict[tuple[int, str], tuple[pd.DataFrame, pd.DataFrame]] = {}
_series_lock = threading.Lock()


def _series(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The rows of one kind of incidents_by_period, as a frame of their own. The same frame from the store's cache
    gives the same part, so a rerun that changed nothing finds its chart built (app.figure keys on the frame)."""
    key = (id(frame), kind)
    with _series_lock:
        hit = _series_parts.get(key)
        if hit is not None and hit[0] is frame:
            return hit[1]
    part = (frame[frame["kind"] == kind].drop(columns="kind")
            .rename(columns={"series": _SERIES_COLUMN[kind]}).reset_index(drop=True))
    part.attrs = {"query": f"{frame.attrs.get('query', 'incidents_by_period')} (its rows of kind '{kind}')",
                  "plan": frame.attrs.get("plan", "")}
    with _series_lock:
        _series_parts[key] = (frame, part)  # holding frame keeps its id from being reused by another frame
        while len(_series_parts) > 64:
            del _series_parts[next(iter(_series_parts))]
    return part


def victim_countries(store: Store, f: Filters, limit: int | None = None, compare: str = "previous") -> pd.DataFrame:
    """Incidents per victim country, most first, with the period compared with: every country (the map), of which
    the bar chart shows the first few."""
    return store.query("incidents_by_victim_country", _with_previous(store, f, compare) | {"limit": limit})


def campaign_concurrency(store: Store, f: Filters, v: View) -> pd.DataFrame:
    return store.query("concurrent_campaigns_by_period",
                       _params(store, f) | {"grain": v.grain} | _campaign_window(store, f.since, f.until, f))


def _changes_params(store: Store, f: Filters, compare: str) -> dict:
    """The parameters of the changes_* queries: the period, the one compared with, the twelve months before the
    period (lookback) and everything before it (earlier)."""
    prev = f.compared(compare)
    month = f.since.year * 12 + f.since.month - 1 - 12
    back_since = f.since.replace(year=month // 12, month=month % 12 + 1, day=min(f.since.day, 28))
    return _params(store, f) | {"prev_since": prev.since, "prev_until": prev.until, "back_since": back_since,
                                "back_until": f.since - dt.timedelta(days=1), "open_since": None}


CHANGES = ("counts", "pairs")


def what_changed(store: Store, f: Filters, compare: str = "previous") -> dict[str, pd.DataFrame]:
    """The numbers behind "what changed" (changes.py words them): 'counts', per actor, top-level sector and victim
    country, the incidents in the period and in the one compared with; 'pairs', the emerging actor-sector and
    actor-country pairs (none in the twelve months before); 'actors', the actors new to the data (none before the
    period) and gone quiet (none in it after some in the period compared with). The victim countries' counts are
    the victim-country chart's own query; the new and quiet actors come from the actors' counts."""
    import pandas as pd  # loaded already: the queries' results are DataFrames

    params = _changes_params(store, f, compare)
    counts, pairs = (store.query(f"changes_{part}", params) for part in CHANGES)
    places = victim_countries(store, f, compare=compare)
    actors = counts[counts["kind"] == "actor"]
    new = actors[(actors["now_count"] > 0) & ~actors["seen_before"].astype(bool)]
    quiet = actors[(actors["then_count"] > 0) & (actors["now_count"] == 0)]
    found = pd.concat([
        pd.DataFrame({"kind": "new", "actor": new["name"], "count": new["now_count"], "month": new["first_month"]}),
        pd.DataFrame({"kind": "quiet", "actor": quiet["name"], "count": quiet["then_count"],
                      "month": quiet["last_month"]})], ignore_index=True)
    counts = pd.concat([counts[["kind", "name", "now_count", "then_count"]],
                        pd.DataFrame({"kind": "country", "name": places["victim_country"],
                                      "now_count": places["incident_count"],
                                      "then_count": places["prev_incident_count"]})], ignore_index=True)
    return {"counts": counts, "pairs": pairs, "actors": found}


def date_precision(store: Store, f: Filters, compare: str = "previous") -> dict[str, int]:
    """Matching incidents by how precisely their date is known: {'day': n, 'month': n, 'year': n} (from the
    kpis row, which the overview has already asked for, with its comparison)."""
    k = kpis(store, f, compare)
    month, year = int(k["month_dated"]), int(k["year_dated"])
    return {"day": int(k["incidents"]) - month - year, "month": month, "year": year}


# Two query threads: DuckDB plans each query on one core, and a page's queries are many small ones, so a
# page that starts them all at once (prefetch) finishes them on both cores. Their results go to the store's
# cache, where the page's own calls, in drawing order, find them or wait for them (Store.query runs none
# twice). Three threads measured no faster on two cores.
_threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="threatscape-query")


def prefetch(*calls, threads: Executor = _threads) -> list[Future]:
    """Start these data calls (functools.partial of the page's own calls) on the query threads, slowest
    first, and return at once. An error is not lost: the page's own call of the same function raises it."""
    return [threads.submit(call) for call in calls]


def prefetch_overview(store: Store, f: Filters, v: View, *, threads: Executor = _threads) -> list[Future]:
    # The two longest (kpis, the time series) first, one on each thread: started fourth and fifth, the time
    # series' query ended the step on its own (at 10M, 10 ms later per overview step, measured alternately).
    return prefetch(partial(kpis, store, f, v.compare), partial(period_series, store, f, v),
                    partial(actor_sector, store, f, v), partial(campaign_concurrency, store, f, v),
                    partial(victim_countries, store, f, compare=v.compare),
                    *[partial(store.query, f"changes_{part}", _changes_params(store, f, v.compare))
                      for part in CHANGES if f.since and f.until], threads=threads)


def prefetch_explorer(store: Store, f: Filters, *, order_by: str, cursor: int | None, backward: bool) -> list[Future]:
    """The rows of the page on screen, alone while the sidebar is drawn: beside the facets, that query took up
    to twice as long (81 ms at 10M). The count and the facets start once the rows are read (prefetch_totals)."""
    return prefetch(partial(incident_page, store, f, order_by=order_by, cursor=cursor, backward=backward))


def prefetch_totals(store: Store, f: Filters) -> list[Future]:
    """The explorer's count and facets, together, once its rows are read."""
    return prefetch(partial(incident_count, store, f), partial(facets, store, f))


def prefetch_actor(store: Store, f: Filters, v: View) -> list[Future]:
    return prefetch(partial(campaigns, store, f), partial(victim_countries, store, f),
                    partial(sector_period, store, f, v), partial(incident_page, store, f, page_size=10))


def actor_colours_source(store: Store) -> pd.DataFrame:
    return store.query("actor_options")


ALIAS_ARROW = " → "


@dataclass(frozen=True)
class FilterOptions:
    actors: list[str]             # canonical names (most active first), then "alias → actor" entries
    actor_of: dict[str, str]      # each entry of `actors` -> its canonical name
    sectors: list[str]
    countries: list[str]
    sponsors: list[str]
    parents: dict[str, str | None]

    def sector_label(self, name: str) -> str:
        return sector_label(name, self.parents)


def sector_label(name: str, parents: dict[str, str | None]) -> str:
    """How the sector filter shows a sector: a child sector indented under its parent."""
    return f"↳ {name}" if parents.get(name) else name


_options: dict[tuple, FilterOptions] = {}  # (database path, content version, reader's level) -> its options
_options_lock = threading.Lock()


def _keep_version(cache: dict, key: tuple) -> None:
    """Drop the entries of other data versions than key's (a new ingest replaces them); readers' levels stay."""
    for old in [k for k in cache if k[:2] != key[:2]]:
        del cache[old]


def filter_options(store: Store) -> FilterOptions:
    """The values each sidebar filter offers (_filter_options), built once per data version and reader's level."""
    key = (store.path, store.version, store.level)
    with _options_lock:  # the page's call waits for launch.warm's rather than building them again
        options = _options.get(key)
        if options is None:
            options = _filter_options(store)
            _keep_version(_options, key)
            _options[key] = options
    return options


OPTION_QUERIES = ("sector_options", "actor_options", "actor_alias_list", "victim_country_options", "sponsor_options")


def _typed_first(entry: str) -> tuple:
    """The order of the actor filter's entries, by the name each is typed as (an alias, or the canonical name):
    shortest first, then alphabetical. The filter matches what is typed anywhere in an entry, and Enter takes the
    first match; the name that IS what was typed is mostly the shortest that contains it, so 'APT3' + Enter takes
    APT3, not APT30 or APT37, and 'Thallium' takes 'Thallium → Kimsuky'. exact_first then moves each entry before
    those that hold its name: 'Kimsuky' before 'APT43 → Kimsuky'."""
    typed = entry.split(ALIAS_ARROW, 1)[0]
    return len(typed), typed.casefold(), entry


def exact_first(entries: list[str], names, label) -> list[str]:
    """`entries` reordered so that Enter on a name picks the entry that IS that name. The filters match what is
    typed anywhere in an entry's label and Enter takes the first match, so an entry goes before every entry whose
    label contains one of its names: Iran (names 'IR', 'Iran') before 'Iraq (IQ)', the United States ('US') before
    'Australia (AU)', Niger before Nigeria. Two entries that each hold the other's name ('VulzSecTeam' and
    'VulzSec → VulzSecTeam') go longest name first. Otherwise the order stays as given (most frequent first, or
    the taxonomy's); entries in a longer cycle, which no order can satisfy, keep theirs."""
    labels = [label(e).casefold().replace("\n", " ") for e in entries]
    typed = [[n.casefold() for n in names(e) if n and "\n" not in n] for e in entries]
    joined, starts = "\n".join(labels), list(itertools.accumulate((len(t) + 1 for t in labels[:-1]), initial=0))
    after: list[set[int]] = [set() for _ in entries]
    for i, own in enumerate(typed):  # every label holding one of entry i's names (str.find: thousands of actors)
        for n in own:
            at = joined.find(n)
            while at != -1:
                j = bisect.bisect_right(starts, at) - 1
                if j != i and (not any(m in labels[i] for m in typed[j]) or len(n) > max(map(len, typed[j]))):
                    after[i].add(j)
                at = joined.find(n, at + 1)
    waiting = [0] * len(entries)
    for later in after:
        for j in later:
            waiting[j] += 1
    ready = [i for i, w in enumerate(waiting) if w == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for j in after[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(ready, j)
    placed = set(order)
    return [entries[i] for i in order] + [e for i, e in enumerate(entries) if i not in placed]


def _filter_options(store: Store) -> FilterOptions:
    """The values each sidebar filter offers, most frequent first (sectors in taxonomy order).

    Every alias is an entry of its own ("Thallium → Kimsuky"), so typing any alias finds the actor
    and shows which alias matched.
    """
    sectors = store.query("sector_options")
    canonical = store.query("actor_options")["actor"].tolist()
    actor_of = {name: name for name in canonical}
    for row in store.query("actor_alias_list").itertuples(index=False):
        if row.alias_key != alias_key(row.actor) and row.actor in actor_of:
            actor_of.setdefault(f"{row.alias}{ALIAS_ARROW}{row.actor}", row.actor)
    parents = {name: parent if isinstance(parent, str) else None
               for name, parent in zip(sectors["sector"], sectors["parent"])}
    return FilterOptions(
        actors=exact_first(sorted(actor_of, key=_typed_first), lambda e: [e.split(ALIAS_ARROW, 1)[0]], str),
        actor_of=actor_of,
        sectors=exact_first(sectors["sector"].tolist(), lambda s: [s], lambda s: sector_label(s, parents)),
        countries=country_entries(store.query("victim_country_options")["victim_country"].tolist()),
        sponsors=country_entries(store.query("sponsor_options")["sponsor_country"].tolist()), parents=parents)


# A country is typed as its name or its code. A name entry ("Iran (IR)") cannot be the first match for a typed code:
# no order puts 'Angola (AO)' first for "AO" and 'Laos (LA)' first for "LA" (each name holds the other's code). So
# each code has an entry of its own, shown as the bare code ("IR") and placed before every entry that holds it.
CODE_ENTRY = "code:"


def country_entries(codes: list[str]) -> list[str]:
    """The entries of a country filter: each code's entry, then each country's name entry (the widget shows them
    with entry_label and means entry_value)."""
    entries = [CODE_ENTRY + c for c in codes if c != "unknown"] + codes
    return exact_first(entries, lambda e: [entry_label(e)] if e.startswith(CODE_ENTRY) else [countries.name(e)]
                       if e != "unknown" else [entry_label(e)], entry_label)


def entry_label(entry: str) -> str:
    return entry.removeprefix(CODE_ENTRY) if entry.startswith(CODE_ENTRY) else countries.label(entry)


def entry_value(entry: str) -> str:
    return entry.removeprefix(CODE_ENTRY)


_resolvers: dict[tuple, Resolver] = {}  # (database path, content version, reader's level) -> its resolver
_resolvers_lock = threading.Lock()


def resolver(store: Store) -> Resolver:
    """The resolver over this database's actor directory (every actor and alias it holds, the team's mappings
    among them, and its placeholder decisions): the same rules as ingest (threatscape/resolver.py)."""
    key = (store.path, store.version, store.level)
    with _resolvers_lock:
        found = _resolvers.get(key)
        if found is None:
            aliases = store.query("actor_alias_list")
            by_actor: dict[str, list] = {}
            for row in aliases.itertuples(index=False):
                by_actor.setdefault(row.actor, []).append((row.alias, row.source))
            actors = tuple(Actor(name=name, aliases=tuple(al)) for name, al in by_actor.items())
            placeholders = [Decision(r.name, "placeholder") for r in
                            store.query("active_decisions").itertuples(index=False) if r.decision == "placeholder"]
            found = Resolver(actors, placeholders, version=str(store.dataset().get("alias_map_version", "")))
            _keep_version(_resolvers, key)
            _resolvers[key] = found
    return found


def resolve_actors(store: Store, names) -> tuple[list[str], list[str]]:
    """Canonical names for names or aliases, and problems for those not resolved to exactly one actor, by the
    rules ingest uses (threatscape/resolver.py). A placeholder ('?', 'unknown') or 'Unattributed' selects the
    incidents that name no actor."""
    r = resolver(store)
    resolved, problems = [], []
    for name in names:
        found = r.resolve(str(name))
        if found.status == "resolved":
            resolved.append(found.name)
        elif found.status == "unattributed":
            resolved.append(UNATTRIBUTED)
        elif found.status == "ambiguous":
            problems.append(f"actor={name!r} is an alias of several actors ({', '.join(found.candidates)}); ignored")
        else:
            close = r.suggest(str(name))
            hint = f" (did you mean: {', '.join(close)}?)" if close else ""
            problems.append(f"actor={name!r} is not a known actor or alias{hint}; ignored")
    return list(dict.fromkeys(resolved)), problems


def resolve_actor_filter(store: Store, f: Filters) -> tuple[Filters, list[str]]:
    """The filters with every actor name or alias replaced by its canonical name."""
    if not f.actors:
        return f, []
    resolved, problems = resolve_actors(store, f.actors)
    return f.with_(actors=tuple(resolved)), problems


PAGE_SIZE = 50


def incident_count(store: Store, f: Filters) -> int:
    return int(store.query("incident_count", _params(store, f)).iloc[0, 0])


def incident_page(store: Store, f: Filters, *, order_by: str = "newest", cursor: int | None = None,
                  backward: bool = False, page_size: int | None = PAGE_SIZE) -> pd.DataFrame:
    """One page of matching incidents after (or, backward, before) a keyset cursor, in display order."""
    params = _params(store, f) | {"order_by": order_by, "cursor": cursor, "backward": backward,
                                  "page_size": page_size, "seq_lo": None, "seq_hi": None, "level": None}
    df = None
    if order_by == "confidence" and page_size is not None:
        # First within one confidence level, by date alone: the cursor's level, or the highest (lowest, going
        # backward from the end) there is. When that level fills the page, it is the page; only otherwise is the
        # whole order asked for, which reads every matching row (twice as slow at 10M, or worse).
        if cursor is not None:
            level = (cursor >> 40) - 1  # sort_key = (confidence + 1) * 2^40 + seq (pk_conf_desc)
        else:
            import pandas as pd  # loaded already: the store's results are DataFrames

            bounds = store.query("confidence_range", _params(store, f)).iloc[0]
            level = None if pd.isna(bounds["highest"]) else int(bounds["lowest" if backward else "highest"])
        if level is not None:
            df = store.query("incident_page", params | {"level": level})
            if len(df) < page_size:
                df = None
    if df is None:
        df = store.query("incident_page", params)
    return df.iloc[::-1].reset_index(drop=True) if backward else df


def facets(store: Store, f: Filters, limit: int = 8) -> dict[str, pd.DataFrame]:
    """Top actors, sectors and countries among the matching incidents: {'actor': df, ...}."""
    df = store.query("incident_facets", _params(store, f) | {"limit": limit})
    return {name: df.loc[df["facet"] == name, ["value", "incident_count"]].reset_index(drop=True)
            for name in ("actor", "sector", "country")}


def actor_profile(store: Store, actor: str) -> pd.Series | None:
    """Canonical facts and whole-history counts of one actor (canonical name); None if there is none."""
    df = store.query("actor_profile", {"actor": actor})
    return None if df.empty else df.iloc[0]


def unattributed_names(store: Store, limit: int = 10) -> pd.DataFrame:
    """The names as reported behind the unattributed incidents ('?', 'unknown', ...), most first."""
    return store.query("unattributed_names", {"limit": limit})


def reported_sponsors(store: Store, actor: str) -> pd.DataFrame:
    """The sponsor states sources named for an actor where they differ from the directory's, with counts."""
    return store.query("reported_sponsors", {"actor": actor})


def actor_aliases(store: Store, actor: str) -> pd.DataFrame:
    return store.query("actor_aliases", {"actor": actor})


def sector_period(store: Store, f: Filters, v: View) -> pd.DataFrame:
    return store.query("incidents_by_sector_period", _params(store, f) | {"grain": v.grain})


def campaigns(store: Store, f: Filters, limit: int = 50) -> pd.DataFrame:
    """The campaigns active in the period (kpis counts them), most recently active first, with whole spans."""
    return store.query("campaigns", _params(store, f) | {"limit": limit}
                       | _campaign_window(store, f.since, f.until, f))
