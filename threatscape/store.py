"""Data access: the one DuckDB connection, a cursor per thread, caching by data version, timings."""
from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import functools
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from . import filters, plans, schema, sql
from .schema import OutdatedDatabase

if TYPE_CHECKING:  # pandas is loaded by DuckDB's .df() when a query runs; ingest never needs it
    import pandas as pd

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DB = REPO / "data" / "incidents.duckdb"
TABLES = ("dataset", "sector", "actor", "actor_alias", "incident", "incident_sector",  # allow-list
          "alias_decision", "ingest_log",
          # summaries (build.FIRST and build.DERIVED)
          "campaign", "campaign_part", "shared_campaign_part", "campaign_change", "campaign_country_change",
          "campaign_actor_change",
          "actor_summary", "victim_country_summary", "sector_mask_name", "sector_mask_filter",
          "incident_month", "actor_month", "country_month", "incident_day", "actor_day", "country_day",
          "incident_month_mask")
MACROS = ("match_date", "match_actor", "match_sector", "match_country", "match_tlp", "filtered_incident",
          "period_series", "incident_row", "end_day")
# The filter structs a query may read, each from the flat filter parameters (Filters.params) and the range it
# covers: 'filters' the query's own since..until, 'previous' the period before (prev_since..prev_until), 'span'
# from the previous period's start to the end of this one (kpis: campaigns active in either period).
# A query reads them as session variables, getvariable('filters'), which the store sets on the query's cursor
# (SET VARIABLE filters = $value::JSON::filters) before running it. As a $parameter, the struct was cast and
# folded again at each of its uses, dozens per query once the macros are expanded: at 10M incidents the
# overview's six queries took 107 ms to plan that way and 75 ms as variables (68 ms with a scalar $parameter
# per filter); DuckDB binds a variable once, as a constant. Preparing the queries once would not save the planning:
# DuckDB 2.0 binds and plans a prepared statement that reads a table again at each EXECUTE (at 1M incidents the
# overview's queries took as long through PREPARE/EXECUTE, with variables or with $parameters, as run directly).
# "What changed" also reads 'lookback', the twelve months before the period (back_since..back_until), and
# 'earlier', everything before it (open_since: None).
STRUCTS = {"filters": ("since", "until"), "previous": ("prev_since", "prev_until"), "span": ("prev_since", "until"),
           "lookback": ("back_since", "back_until"), "earlier": ("open_since", "back_until")}
CACHE_ENTRIES = 512
# How long one query may run before DuckDB is told to stop it (QueryTimeout): a page's queries take well under a
# second at 10M incidents, so this only ends the runaway ones, which would hold a query thread every other session
# shares. An export's queries (Store.stream) get longer. THREATSCAPE_QUERY_SECONDS sets the first.
QUERY_SECONDS = float(os.environ.get("THREATSCAPE_QUERY_SECONDS") or 30)
STREAM_SECONDS = 600


class QueryTimeout(RuntimeError):
    """A query ran past its time limit and was stopped; the message says so in plain words."""


def database_path(explicit: str | os.PathLike | None = None) -> Path:
    """--db if given, else $THREATSCAPE_DB, else data/incidents.duckdb in the project."""
    return Path(explicit or os.environ.get("THREATSCAPE_DB") or DEFAULT_DB)


@dataclass(frozen=True)
class Timing:
    """One query asked of the store: how long it took, from when (time.perf_counter() at the start), and which
    plan answered it (the macro variants it ran, plans.py; '' for a cached answer or a query with no variants)."""
    query: str
    ms: float
    rows: int
    cached: bool
    started: float = 0.0
    plan: str = ""


@dataclass
class _Snapshot:
    con: duckdb.DuckDBPyConnection
    fingerprint: tuple
    version: str
    one_sector_filters: frozenset  # each sector's rollup_mask (plans.search_path)
    date_bounds: tuple  # (first day, last day) of the data as dates; (None, None) when it holds no incident
    actors: tuple  # (actor_id, name, sponsor state or 'unknown') of every actor, by id (queries/actor_directory.sql)
    reader_bounds: dict = dataclasses.field(default_factory=dict)  # a reader's level -> its date_bounds, once ready
    reader_lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)  # making a level ready


def _freeze(value):
    if isinstance(value, dict):
        return tuple((k, _freeze(v)) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(value)
    return value


_FILTER_FIELDS = tuple(e.sql for e in filters.REGISTRY if e.sql not in ("since", "until", "actors", "sponsors"))


def filter_struct(params: dict, since: dt.date | None, until: dt.date | None) -> dict:
    """The filter struct (filters.sql_struct_type) for the range since..until: the range also as the summary
    macros read it (plans.date_range: worked out here rather than in SQL, where DuckDB spent a fifth of the
    overview's planning on it), the campaign window (window_since/window_until, None when not given), the actor
    ids, and each registry filter's parameter (missing ones: any)."""
    out = {"since": since, "until": until, **plans.date_range(since, until),
           "window_since": params.get("window_since"), "window_until": params.get("window_until"),
           "actor_ids": params.get("actor_ids")}
    for field in _FILTER_FIELDS:
        entry = filters.BY_SQL[field]
        out[field] = params.get(field, entry.to_sql(entry.empty))
    level = filters.tlp_max(out["tlps"], out["clearance"])  # the summaries' TLP level, if one answers
    out["tlp_max"] = None if level is None else filters.TLPS.index(level)  # stored as its marking's rank
    return out


@functools.lru_cache(maxsize=None)
def _variant_text(schema: str) -> str:
    return "\n".join(sql.text(name) for name in sql.plan_macros(schema))


@functools.lru_cache(maxsize=1)
def _catalog_script() -> str:
    """The views and macros every snapshot's catalog holds, as one script. DuckDB takes Python's lock again
    after each statement it runs, waiting up to 5 ms when another thread is busy in Python, as the page is
    when launch.warm opens the database: beside a busy thread the 79 statements took 1.5 s one by one and
    0.57 s as one script (0.1 s either way alone)."""
    statements = [f"CREATE VIEW {table} AS SELECT * FROM ts.main.{table}" for table in TABLES  # allow-list
                  if table not in BY_LEVEL]
    statements += [f"CREATE VIEW {table} AS SELECT * EXCLUDE (tlp_max) FROM ts.main.{table} WHERE tlp_max = 4"
                   for table in BY_LEVEL]
    statements.append("CREATE VIEW reader_level AS SELECT 4::UTINYINT AS tlp_max")
    statements += _reader_views()
    statements.append(f"CREATE TYPE filters AS {filters.sql_struct_type()}")  # from the filter registry
    statements += [sql.text(macro) for macro in MACROS]
    # The variants of the summary macros, one schema per source (threatscape/plans.py). A macro's body
    # names the macros it calls, which must exist when it is created: a full search path is set first.
    statements += [f"CREATE SCHEMA {schema}" for schema in plans.SCHEMAS]  # names: the allow-list plans.SCHEMAS
    statements.append(f"SET search_path = '{plans.search_path({})}'")
    statements += [sql.text(name) for schema in plans.SCHEMAS for name in sql.plan_macros(schema)]
    return "\n;\n".join(statements)  # on a line of its own: a file may end in a -- comment


# What a reader cleared to a TLP level may read (the level as its marking's rank, 0 CLEAR .. 3 AMBER+STRICT; 4, RED,
# is everything). Each level below RED has a schema of its own, reader_<level>, with a view of every table that
# holds incidents or counts them, over only the rows of the incidents marked at most that TLP; a cleared Store puts
# it first on every query's search path. So a query, a macro or a summary read by a reader finds no incident above
# the reader's clearance, whatever its filters, and a query written later needs to know nothing about it.
# (The summaries' rows are kept per cumulative level, tlp_max: queries/schema.sql, tlp_level.)
LEVELED = ("campaign", "campaign_part", "shared_campaign_part", "campaign_change", "campaign_country_change",
           "campaign_actor_change", "incident_month", "actor_month", "country_month", "incident_day", "actor_day",
           "country_day", "incident_month_mask")  # rows per level, tlp_max: a level's rows and those below it
BY_LEVEL = ("actor_summary", "victim_country_summary")  # one level's rows answer: that level's, as if it were all
READER_LEVELS = range(len(filters.TLPS) - 1)


def _reader_views() -> list[str]:
    """The statements that create each reader_<level> schema (see READER_LEVELS). Every name is from the allow-lists
    above; the markings are filters.TLPS."""
    out = []
    for level in READER_LEVELS:
        schema = f"reader_{level}"
        marks = ", ".join(f"'{t}'" for t in filters.TLPS[:level + 1])
        out += [f"CREATE SCHEMA {schema}",
                f"CREATE VIEW {schema}.incident AS SELECT * FROM ts.main.incident WHERE tlp IN ({marks})",
                f"CREATE VIEW {schema}.incident_sector AS SELECT i.incident_id, s.sector_id "
                f"FROM {schema}.incident AS i JOIN main.sector AS s ON i.sector_mask & (1::UBIGINT << s.sector_id) <> 0",
                f"CREATE VIEW {schema}.reader_level AS SELECT {level}::UTINYINT AS tlp_max"]
        out += [f"CREATE VIEW {schema}.{t} AS SELECT * FROM ts.main.{t} WHERE tlp_max <= {level}" for t in LEVELED]
        out += [f"CREATE VIEW {schema}.{t} AS SELECT * EXCLUDE (tlp_max) FROM ts.main.{t} WHERE tlp_max = {level}"
                for t in BY_LEVEL]
        # The actor directory less the names that only incidents above the level report (an unresolved name is an
        # actor of its own), their aliases, and the decisions about names those incidents alone report.
        out += [f"CREATE VIEW {schema}.actor AS SELECT * FROM ts.main.actor WHERE resolved OR actor_id = 0 "
                f"OR actor_id IN (SELECT actor_id FROM {schema}.actor_summary)",
                f"CREATE VIEW {schema}.actor_alias AS SELECT * FROM ts.main.actor_alias "
                f"WHERE actor_id IN (SELECT actor_id FROM {schema}.actor)",
                f"CREATE VIEW {schema}.alias_decision AS SELECT * FROM ts.main.alias_decision "
                f"WHERE name IN (SELECT actor_as_reported FROM {schema}.incident)"]
    return out


class Store:
    """Read-only access to one database file; reopens it when ingestion swaps in a new file.

    A Store reads every incident; `cleared(tlp)` gives the same store as a reader cleared to that TLP sees it
    (READER_LEVELS): the pages and exports of a signed-in user get only that one."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.clearance: str | None = None  # None: every incident (RED)
        self._level = len(filters.TLPS) - 1
        self._root = self
        self._readers: dict[str, Store] = {}
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None
        self._cache: collections.OrderedDict = collections.OrderedDict()
        self._running: dict[tuple, concurrent.futures.Future] = {}  # key -> a result a thread is computing
        self._one_at_a_time: threading.Lock | None = None  # held by the query executing now (one_at_a_time)
        self._local = threading.local()  # this thread's cursor on the snapshot, and what is set on it (_cursor)
        self.timings: collections.deque[Timing] = collections.deque(maxlen=2000)

    def cleared(self, clearance: str | None) -> Store:
        """This store as a reader cleared to `clearance` (a TLP marking; None: every incident) sees it: every query,
        export and date bound of it reads only the incidents marked at most that TLP. It shares the root store's
        connection, cursors and cache (its results are cached under its level)."""
        root = self._root
        if clearance is None or clearance == filters.TLPS[-1]:
            return root
        if clearance not in filters.TLPS:
            raise ValueError(f"unknown TLP clearance {clearance!r}")
        with root._lock:
            reader = root._readers.get(clearance)
            if reader is None:
                reader = object.__new__(Store)
                reader.__dict__.update(root.__dict__)  # the same lock, cache, cursors and timings
                reader.clearance, reader._level, reader._root = clearance, filters.TLPS.index(clearance), root
                root._readers[clearance] = reader
        return reader

    def _ready(self, snap: _Snapshot) -> None:
        """Make the reader's level ready on this snapshot, once: its date bounds, and its views of the actor
        directory and the name decisions without a lookup in every query. The catalog's views of them (_reader_views)
        find what to leave out by reading the summaries and the incidents at every use; here that is found once,
        into two small tables, and the views read those (or, when nothing is left out, are the tables themselves:
        at 10M incidents the lookup cost a page about 10% of its queries' time)."""
        with snap.reader_lock:
            if self._level in snap.reader_bounds:
                return
            schema = self._schema()  # a name from READER_LEVELS; the rest of every statement is fixed text
            cursor = snap.con.cursor()
            try:
                cursor.execute(f"SET search_path = '{schema},main'")
                cursor.execute(f"CREATE OR REPLACE TABLE {schema}.hidden_actor AS SELECT actor_id FROM ts.main.actor "
                               f"WHERE actor_id NOT IN (SELECT actor_id FROM {schema}.actor)")
                cursor.execute(f"CREATE OR REPLACE TABLE {schema}.hidden_name AS SELECT DISTINCT name "
                               f"FROM ts.main.alias_decision WHERE name NOT IN (SELECT name FROM {schema}.alias_decision)")
                actors, names = (cursor.execute(f"SELECT count(*) FROM {schema}.{t}").fetchone()[0]
                                 for t in ("hidden_actor", "hidden_name"))
                cursor.execute(f"CREATE OR REPLACE VIEW {schema}.actor AS SELECT * FROM ts.main.actor" + (
                    f" WHERE actor_id NOT IN (SELECT actor_id FROM {schema}.hidden_actor)" if actors else ""))
                cursor.execute(f"CREATE OR REPLACE VIEW {schema}.actor_alias AS SELECT * FROM ts.main.actor_alias" + (
                    f" WHERE actor_id NOT IN (SELECT actor_id FROM {schema}.hidden_actor)" if actors else ""))
                cursor.execute(f"CREATE OR REPLACE VIEW {schema}.alias_decision AS SELECT * FROM ts.main.alias_decision"
                               + (f" WHERE name NOT IN (SELECT name FROM {schema}.hidden_name)" if names else ""))
                snap.reader_bounds[self._level] = tuple(cursor.execute(sql.text("date_bounds")).fetchone())
            finally:
                cursor.close()

    @property
    def level(self) -> int:
        """The reader's TLP level, its clearance's rank (0 CLEAR .. 4 RED: every incident)."""
        return self._level

    def _schema(self) -> str:
        """The schema of the reader's views (READER_LEVELS), first on every search path; '' for every incident."""
        return "" if self._root is self else f"reader_{self._level}"

    def _fingerprint(self) -> tuple:
        st = os.stat(self.path)
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _open(self, fingerprint: tuple) -> _Snapshot:
        # An in-memory catalog with views over the attached file: the filter macro lives there,
        # and every cursor (a connection sharing this database instance) sees both.
        con = duckdb.connect(":memory:")
        con.execute("ATTACH $path AS ts (READ_ONLY)", {"path": str(self.path)})
        try:
            schema.check(con, "ts", self.path)
        except OutdatedDatabase:
            con.close()
            raise
        schema.remember_current(self.path, fingerprint)  # startup.outdated_demo need not open it again
        con.execute(_catalog_script())
        version = con.execute("SELECT content_version FROM dataset").fetchone()[0]
        masks = frozenset(m for (m,) in con.execute("SELECT rollup_mask FROM sector").fetchall())
        bounds = con.execute(sql.text("date_bounds")).fetchone()
        actors = tuple(con.execute(sql.text("actor_directory")).fetchall())
        return _Snapshot(con, fingerprint, version, masks, tuple(bounds), actors)

    def snapshot(self) -> _Snapshot:
        """The open database, reopened first if the file was replaced since (and, for a reader, its level ready)."""
        if self._root is not self:
            snap = self._root.snapshot()
            if self._level not in snap.reader_bounds:
                self._ready(snap)
            return snap
        fingerprint = self._fingerprint()
        snap = self._snapshot
        if snap is None or snap.fingerprint != fingerprint:
            with self._lock:
                snap = self._snapshot
                if snap is None or snap.fingerprint != fingerprint:
                    if snap is not None:
                        log.info("database %s changed on disk; reopening", self.path)
                    snap = self._open(fingerprint)
                    self._snapshot = snap
        return snap

    @property
    def version(self) -> str:
        """The content version of the data now being served."""
        return self.snapshot().version

    def date_bounds(self) -> tuple[dt.date | None, dt.date | None]:
        """The first and last day of the data being served (queries/date_bounds.sql, read at open, as
        Python dates: every page and most queries' parameters need them, before pandas is loaded)."""
        snap = self.snapshot()
        return snap.date_bounds if self._root is self else snap.reader_bounds[self._level]

    def query(self, name: str, params: dict | None = None) -> pd.DataFrame:
        """Run queries/<name>.sql with the $parameters it uses; cached by data version. Do not mutate.
        A query that another thread is already running (data.prefetch) is waited for, not run twice."""
        snap = self.snapshot()
        bound, plan = self._bind(name, params or {}, snap)
        key = (snap.version, self._level, name, tuple((k, _freeze(v)) for k, v in bound.items()))
        t0 = time.perf_counter()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
            else:
                running = self._running.get(key)
                owner = running is None
                if owner:
                    running = self._running[key] = concurrent.futures.Future()
        if hit is None and not owner:
            hit = running.result()  # or the error it raised
        if hit is not None:
            self.timings.append(Timing(name, (time.perf_counter() - t0) * 1000, len(hit), True, t0,
                                       hit.attrs.get("plan", "")))
            return hit
        try:
            frame = self._run(snap, name, bound, plan)
        except BaseException as exc:
            with self._lock:
                del self._running[key]
            running.set_exception(exc)
            raise
        answered = plans.answered_by(sql.text(name), plan, _variant_text)
        frame.attrs["query"], frame.attrs["plan"] = name, answered  # a download of it says what made it
        self.timings.append(Timing(name, (time.perf_counter() - t0) * 1000, len(frame), False, t0, answered))
        with self._lock:
            self._cache[key] = frame
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
            del self._running[key]
        running.set_result(frame)
        return frame

    def _run(self, snap: _Snapshot, name: str, bound: dict, plan: str) -> pd.DataFrame:
        for attempt in (1, 2):
            cursor, state = self._cursor(snap)
            try:
                _prepare(cursor, plan, bound, state)
                with self._root._one_at_a_time or contextlib.nullcontext(), _time_limit(cursor, name, QUERY_SECONDS):
                    result = cursor.execute(sql.text(name), _as_text(_params_of(bound), sql.cast_params(name)))
                return result.df()  # DuckDB has run the query; this only converts its result
            except (duckdb.FatalException, duckdb.InternalException):
                # DuckDB invalidates the whole database instance after an internal error (2.0 has one in
                # its dictionary cache that is rare and timing-dependent): open a fresh instance over the
                # same file and run the query once more, rather than fail every later query too.
                self._drop_cursor()
                if attempt == 2:
                    raise
                log.exception("query %s hit a DuckDB internal error; reopening %s and retrying", name, self.path)
                snap = self._reopen(snap)
            except BaseException:
                self._drop_cursor()  # whatever state the failure left it in, the next query starts afresh
                raise
        raise AssertionError("unreachable")

    @contextlib.contextmanager
    def one_at_a_time(self):
        """While this is held, queries execute in DuckDB one after another, whatever the number of threads
        asking; turning each result into a DataFrame is not held back. launch.warm holds it while the first page
        imports pandas. A dozen small queries at once kept both cores busy and slowed that import, which the page
        waits for, by about 0.2 s at 10M incidents; one after another they take about 0.35 s of one core,
        opening the database included, and leave the other to the import."""
        self._one_at_a_time = threading.Lock()
        try:
            yield
        finally:
            self._one_at_a_time = None

    def _cursor(self, snap: _Snapshot) -> tuple[duckdb.DuckDBPyConnection, dict]:
        """This thread's cursor on the snapshot, and the search path and variables last set on it. A page asks its
        queries with the same filters, most on the same two query threads: a cursor kept per thread sets them
        only when they change. Set for every query on a new cursor, they took 1-2 ms of each (0.3 ms for the
        search path, 0.6 ms for each filter struct)."""
        local = self._local
        if getattr(local, "snap", None) is not snap:
            self._drop_cursor()
            local.cursor, local.snap, local.state = snap.con.cursor(), snap, {}
        return local.cursor, local.state

    def _drop_cursor(self) -> None:
        cursor = getattr(self._local, "cursor", None)
        self._local.cursor = self._local.snap = None
        if cursor is not None:
            with contextlib.suppress(duckdb.Error):
                cursor.close()

    def _reopen(self, broken: _Snapshot) -> _Snapshot:
        if self._root is not self:
            return self._root._reopen(broken)
        with self._lock:
            if self._snapshot is broken:
                self._snapshot = self._open(self._fingerprint())
            return self._snapshot

    @contextlib.contextmanager
    def stream(self, name: str, params: dict, batch_rows: int = 65_536):
        """Run a query uncached and yield an Arrow RecordBatchReader over its rows (for large exports)."""
        snap = self.snapshot()
        bound, plan = self._bind(name, params, snap)
        cursor = snap.con.cursor()
        t0 = time.perf_counter()
        try:
            _prepare(cursor, plan, bound, {})
            with _time_limit(cursor, name, STREAM_SECONDS):
                yield cursor.sql(sql.text(name), params=_as_text(_params_of(bound), sql.cast_params(name))
                                 ).to_arrow_reader(batch_rows)
        finally:
            cursor.close()
            self.timings.append(Timing(name, (time.perf_counter() - t0) * 1000, -1, False, t0,
                                       plans.answered_by(sql.text(name), plan, _variant_text)))

    def _bind(self, name: str, params: dict, snap: _Snapshot) -> tuple[dict, str]:
        """The query's $parameters, with each filter struct it takes (STRUCTS) built from the flat filter
        parameters, and the search path of the macro variants that answer them (plans.py)."""
        wanted = sql.params(name) | sql.variables(name)
        if "actor_ids" not in params and ("actors" in params or "sponsors" in params):
            # Actor and sponsor filters are names; the filters take the actor ids they allow, so that no join
            # is needed (queries/match_actor.sql). Resolved here, from the actor directory.
            params = params | {"actor_ids": self.actor_ids(params.get("actors", []), params.get("sponsors", []))}
        if self._root is not self:  # a reader: its clearance in every filter struct, as well as in its views
            cleared = filters.TLPS[:self._level + 1]
            asked = params.get("clearance")
            params = params | {"clearance": cleared if asked is None else [t for t in asked if t in cleared]}
        bound, missing = {}, set()
        for key in wanted:
            if key in STRUCTS:
                lo, hi = STRUCTS[key]
                missing |= {lo, hi} - params.keys()
                bound[key] = filter_struct(params, params.get(lo), params.get(hi))
            elif key in params:
                bound[key] = params[key]
            else:
                missing.add(key)
        if missing:
            raise KeyError(f"query {name} needs parameters {sorted(missing)}")
        plan = plans.search_path(params, snap.one_sector_filters) if wanted & STRUCTS.keys() else "main"
        if self._root is not self:
            plan = f"{self._schema()},{plan}"
        return dict(sorted(bound.items())), plan

    def plan(self, name: str, params: dict) -> str:
        """The macro variants that answer query `name` with these parameters (as its Timing records them)."""
        snap = self.snapshot()
        return plans.answered_by(sql.text(name), self._bind(name, params, snap)[1], _variant_text)

    def actor_ids(self, actors, sponsors) -> list[int] | None:
        """The ids of the actors both filters allow (canonical names; sponsor states or 'unknown'), in id order;
        None when neither filter is set, an empty list when no actor passes. Answered from the actor directory
        read at open: a filter change that names actors runs no query for them first (at 10M incidents that
        query took 7 ms, alone, before the page's others could start)."""
        if not actors and not sponsors:
            return None
        names, states = set(actors), set(sponsors)
        return [actor_id for actor_id, name, sponsor in self.snapshot().actors
                if (not names or name in names) and (not states or sponsor in states)]

    def dataset(self) -> dict:
        """The dataset row: kind, description, built_at, content_version, ..."""
        return self.query("dataset_info").iloc[0].to_dict()

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()


@contextlib.contextmanager
def _time_limit(cursor: duckdb.DuckDBPyConnection, name: str, seconds: float):
    """Interrupt what the cursor runs once `seconds` have passed; DuckDB's interruption becomes QueryTimeout."""
    timer = threading.Timer(seconds, cursor.interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    except duckdb.InterruptException as exc:
        log.warning("query %s stopped after %.0f s", name, seconds)
        raise QueryTimeout(f"This view took longer than {seconds:.0f} s to compute and was stopped; narrow the "
                           "filters (a shorter period, fewer actors, no text search) and try again.") from exc
    finally:
        timer.cancel()


def _as_text(bound: dict, cast: frozenset[str]) -> dict:
    """The parameters, with dates and integer lists as text where the query casts them ($since::DATE,
    $actor_ids::INTEGER[]), which reads the text as it would the value. DuckDB's Python client consults pandas
    before it converts a date or a list, and while another thread is importing pandas (the page, during
    launch.warm) that waits for the import to end, 0.5-0.9 s; text, numbers and None it converts at once.
    Lists of text stay lists: a cast from text would read their quotes and commas."""
    out = dict(bound)
    for k in cast & bound.keys():
        out[k] = _text(bound[k])
    return out


def _prepare(cursor: duckdb.DuckDBPyConnection, plan: str, bound: dict, state: dict) -> None:
    """Set the cursor's search path to the plan's variants and its session variables to the filter structs, where
    they differ from what `state` says is set on it (and note them there)."""
    if state.get("search_path") != plan:
        cursor.execute(f"SET search_path = '{plan}'")  # schema names from plans.SCHEMAS
        state["search_path"] = plan
    for key in sorted(STRUCTS.keys() & bound.keys()):  # names from STRUCTS; the value is a parameter
        value = _text(bound[key])
        if state.get(key) != value:
            cursor.execute(f"SET VARIABLE {key} = $value::JSON::filters", {"value": value})
            state[key] = value


def _params_of(bound: dict) -> dict:
    """The query's $parameters: its bound values less the filter structs, which it reads as variables."""
    return {k: v for k, v in bound.items() if k not in STRUCTS}


def _text(v):
    if isinstance(v, dict):  # a filter struct, as JSON text ($filters::JSON::filters): DuckDB's client waits for
        # the pandas import before it converts a dict, however plain its values
        return json.dumps({k: x.isoformat() if isinstance(x, dt.date) else x for k, x in v.items()})
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, (list, tuple)) and v and all(type(x) is int for x in v):
        return "[" + ", ".join(map(str, v)) + "]"
    return v


_stores: dict[Path, Store] = {}
_stores_lock = threading.Lock()


def get_store(path: str | os.PathLike | None = None) -> Store:
    """The process-wide Store for a database path (one connection per process and file)."""
    p = database_path(path).resolve()
    with _stores_lock:
        if p not in _stores:
            _stores[p] = Store(p)
        return _stores[p]
