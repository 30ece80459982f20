"""Data access: the one DuckDB connection, a cursor per query, caching by data version, timings."""
from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import datetime as dt
import functools
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from . import plans, sql
from .build import SCHEMA_VERSION

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
MACROS = ("summarised_incident", "filtered_incident", "period_series", "incident_row", "end_day")
CACHE_ENTRIES = 512


class OutdatedDatabase(RuntimeError):
    """The file was written by an older Threatscape whose tables this one cannot read, or is a DuckDB file that
    Threatscape did not write."""


def schema_version(con: duckdb.DuckDBPyConnection, catalog: str) -> int | None:
    """The schema_version stamped in an attached database (None: no dataset table or row, so not a database that
    Threatscape wrote)."""
    try:
        row = con.execute(f"SELECT max(schema_version) FROM {catalog}.main.dataset").fetchone()  # catalog: ours
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def _check_schema(con: duckdb.DuckDBPyConnection, catalog: str, path: Path) -> None:
    found = schema_version(con, catalog)
    if found is None:
        raise OutdatedDatabase(f"{path} is not a Threatscape database (it has no dataset table)")
    if found != SCHEMA_VERSION:
        raise OutdatedDatabase(f"{path} has schema version {found}; this Threatscape needs "
                               f"{SCHEMA_VERSION}. Rebuild it: python -m threatscape demo --db {path} "
                               "(demo data) or ingest its sources again into a new file.")


def dataset_kind(path: str | os.PathLike) -> str:
    """What a database file holds, 'demo' or 'sources', once its schema is found current (as Store checks it):
    what an ingest needs to know of the file it adds to, without Store's catalog (0.1 s) or a DataFrame."""
    with duckdb.connect(":memory:") as con:
        con.execute("ATTACH $path AS ts (READ_ONLY)", {"path": str(path)})
        _check_schema(con, "ts", Path(path))
        return con.execute("SELECT kind FROM ts.main.dataset").fetchone()[0]


def database_path(explicit: str | os.PathLike | None = None) -> Path:
    """--db if given, else $THREATSCAPE_DB, else data/incidents.duckdb in the project."""
    return Path(explicit or os.environ.get("THREATSCAPE_DB") or DEFAULT_DB)


@dataclass(frozen=True)
class Timing:
    query: str
    ms: float
    rows: int
    cached: bool


@dataclass
class _Snapshot:
    con: duckdb.DuckDBPyConnection
    fingerprint: tuple
    version: str
    one_sector_filters: frozenset  # each sector's rollup_mask (plans.search_path)
    date_bounds: tuple  # (first day, last day) of the data as dates; (None, None) when it holds no incident
    actors: tuple  # (actor_id, name, sponsor state or 'unknown') of every actor, by id (queries/actor_directory.sql)


def _freeze(value):
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(value)
    return value


@functools.lru_cache(maxsize=1)
def _catalog_script() -> str:
    """The views and macros every snapshot's catalog holds, as one script. DuckDB takes Python's lock again
    after each statement it runs, waiting up to 5 ms when another thread is busy in Python, as the page is
    when launch.warm opens the database: beside a busy thread the 79 statements took 1.5 s one by one and
    0.57 s as one script (0.1 s either way alone)."""
    statements = [f"CREATE VIEW {table} AS SELECT * FROM ts.main.{table}" for table in TABLES]  # allow-list
    statements += [sql.text(macro) for macro in MACROS]
    # The variants of the summary macros, one schema per source (threatscape/plans.py). A macro's body
    # names the macros it calls, which must exist when it is created: a full search path is set first.
    statements += [f"CREATE SCHEMA {schema}" for schema in plans.SCHEMAS]  # names: the allow-list plans.SCHEMAS
    statements.append(f"SET search_path = '{plans.search_path({})}'")
    statements += [sql.text(name) for schema in plans.SCHEMAS for name in sql.plan_macros(schema)]
    return "\n;\n".join(statements)  # on a line of its own: a file may end in a -- comment


class Store:
    """Read-only access to one database file; reopens it when ingestion swaps in a new file."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None
        self._cache: collections.OrderedDict = collections.OrderedDict()
        self._running: dict[tuple, concurrent.futures.Future] = {}  # key -> a result a thread is computing
        self._one_at_a_time: threading.Lock | None = None  # held by the query executing now (one_at_a_time)
        self.timings: collections.deque[Timing] = collections.deque(maxlen=2000)

    def _fingerprint(self) -> tuple:
        st = os.stat(self.path)
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _open(self, fingerprint: tuple) -> _Snapshot:
        # An in-memory catalog with views over the attached file: the filter macro lives there,
        # and every cursor (a connection sharing this database instance) sees both.
        con = duckdb.connect(":memory:")
        con.execute("ATTACH $path AS ts (READ_ONLY)", {"path": str(self.path)})
        try:
            _check_schema(con, "ts", self.path)
        except OutdatedDatabase:
            con.close()
            raise
        _checked[self.path.resolve()] = fingerprint  # up to date: outdated_demo need not open it again
        con.execute(_catalog_script())
        version = con.execute("SELECT content_version FROM dataset").fetchone()[0]
        masks = frozenset(m for (m,) in con.execute("SELECT rollup_mask FROM sector").fetchall())
        bounds = con.execute(sql.text("date_bounds")).fetchone()
        actors = tuple(con.execute(sql.text("actor_directory")).fetchall())
        return _Snapshot(con, fingerprint, version, masks, tuple(bounds), actors)

    def snapshot(self) -> _Snapshot:
        """The open database, reopened first if the file was replaced since."""
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
        return self.snapshot().date_bounds

    def query(self, name: str, params: dict | None = None) -> pd.DataFrame:
        """Run queries/<name>.sql with the $parameters it uses; cached by data version. Do not mutate.
        A query that another thread is already running (data.prefetch) is waited for, not run twice."""
        bound = self._bind(name, params or {})
        snap = self.snapshot()
        key = (snap.version, name, tuple((k, _freeze(v)) for k, v in bound.items()))
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
            self.timings.append(Timing(name, (time.perf_counter() - t0) * 1000, len(hit), True))
            return hit
        try:
            frame = self._run(snap, name, bound)
        except BaseException as exc:
            with self._lock:
                del self._running[key]
            running.set_exception(exc)
            raise
        frame.attrs["query"] = name  # so a download of this frame can say which query made it
        self.timings.append(Timing(name, (time.perf_counter() - t0) * 1000, len(frame), False))
        with self._lock:
            self._cache[key] = frame
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
            del self._running[key]
        running.set_result(frame)
        return frame

    def _run(self, snap: _Snapshot, name: str, bound: dict) -> pd.DataFrame:
        for attempt in (1, 2):
            cursor = snap.con.cursor()
            try:
                self._choose_plan(cursor, snap, bound)
                with self._one_at_a_time or contextlib.nullcontext():
                    result = cursor.execute(sql.text(name), _as_text(bound, sql.cast_params(name)))
                return result.df()  # DuckDB has run the query; this only converts its result
            except (duckdb.FatalException, duckdb.InternalException):
                # DuckDB invalidates the whole database instance after an internal error (2.0 has one in
                # its dictionary cache that is rare and timing-dependent): open a fresh instance over the
                # same file and run the query once more, rather than fail every later query too.
                if attempt == 2:
                    raise
                log.exception("query %s hit a DuckDB internal error; reopening %s and retrying", name, self.path)
                snap = self._reopen(snap)
            finally:
                cursor.close()
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

    @staticmethod
    def _choose_plan(cursor: duckdb.DuckDBPyConnection, snap: _Snapshot, bound: dict) -> None:
        """Set the cursor's search path to the macro variants that answer these parameters (plans.py)."""
        path = plans.search_path(bound, snap.one_sector_filters)
        cursor.execute(f"SET search_path = '{path}'")  # schema names from plans.SCHEMAS

    def _reopen(self, broken: _Snapshot) -> _Snapshot:
        with self._lock:
            if self._snapshot is broken:
                self._snapshot = self._open(self._fingerprint())
            return self._snapshot

    @contextlib.contextmanager
    def stream(self, name: str, params: dict, batch_rows: int = 65_536):
        """Run a query uncached and yield an Arrow RecordBatchReader over its rows (for large exports)."""
        bound = self._bind(name, params)
        snap = self.snapshot()
        cursor = snap.con.cursor()
        t0 = time.perf_counter()
        try:
            self._choose_plan(cursor, snap, bound)
            yield cursor.sql(sql.text(name), params=bound).to_arrow_reader(batch_rows)
        finally:
            cursor.close()
            self.timings.append(Timing(name, (time.perf_counter() - t0) * 1000, -1, False))

    def _bind(self, name: str, params: dict) -> dict:
        wanted = sql.params(name)
        if "actor_ids" in wanted and "actor_ids" not in params:
            # Actor and sponsor filters are names; the filter macro takes the actor ids they allow, so
            # that it needs no join (queries/filtered_incident.sql). Resolved here, from the actor directory.
            params = params | {"actor_ids": self.actor_ids(params.get("actors", []), params.get("sponsors", []))}
        for prefix in ("", "prev_"):
            if (f"{prefix}month_from" in wanted and f"{prefix}month_from" not in params
                    and {f"{prefix}since", f"{prefix}until"} <= params.keys()):
                # The summary macros read a date range as its days and its whole months, worked out here
                # rather than in SQL, where DuckDB spent a fifth of the overview's planning on them.
                bounds = plans.date_range(params.get(f"{prefix}since"), params.get(f"{prefix}until"))
                params = params | {prefix + k: v for k, v in bounds.items()}
        missing = wanted - params.keys()
        for prefix in ("", "prev_"):  # the date bounds come from since and until: name those
            derived = {f"{prefix}{k}" for k in ("day_from", "day_to", "month_from", "month_to")}
            if missing & derived:
                missing = (missing - derived) | ({f"{prefix}since", f"{prefix}until"} - params.keys())
        if missing:
            raise KeyError(f"query {name} needs parameters {sorted(missing)}")
        return {k: params[k] for k in sorted(wanted)}

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


def _as_text(bound: dict, cast: frozenset[str]) -> dict:
    """The parameters, with dates and integer lists as text where the query casts them ($since::DATE,
    $actor_ids::INTEGER[]), which reads the text as it would the value. DuckDB's Python client consults pandas
    before it converts a date or a list, and while another thread is importing pandas (the page, during
    launch.warm) that waits for the import to end, 0.5-0.9 s; text, numbers and None it converts at once.
    Lists of text stay lists: a cast from text would read their quotes and commas."""
    out = dict(bound)
    for k in cast & bound.keys():
        v = bound[k]
        if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            out[k] = v.isoformat()
        elif isinstance(v, (list, tuple)) and all(type(x) is int for x in v):
            out[k] = "[" + ", ".join(map(str, v)) + "]"
    return out


_stores: dict[Path, Store] = {}
_stores_lock = threading.Lock()


def get_store(path: str | os.PathLike | None = None) -> Store:
    """The process-wide Store for a database path (one connection per process and file)."""
    p = database_path(path).resolve()
    with _stores_lock:
        if p not in _stores:
            _stores[p] = Store(p)
        return _stores[p]


_build_lock = threading.Lock()


def ensure_database(path: str | os.PathLike | None = None) -> tuple[Path, bool]:
    """Build the demo database if the file is missing; return (path, whether it was built now)."""
    p = database_path(path)
    if p.exists() and not outdated_demo(p):
        return p, False
    with _build_lock:
        if p.exists() and not outdated_demo(p):
            return p, False
        from .demo import build_demo

        build_demo(p)
        return p, True


_checked: dict[Path, tuple] = {}  # resolved database path -> the file fingerprint last found up to date


def outdated_demo(p: Path) -> bool:
    """True for a demo database written by an older schema (rebuilt on start; ingested data never is)."""
    st = os.stat(p)
    fingerprint = (st.st_ino, st.st_mtime_ns, st.st_size)
    p = p.resolve()
    if _checked.get(p) == fingerprint:
        return False
    with duckdb.connect(":memory:") as con:
        con.execute("ATTACH $path AS old (READ_ONLY)", {"path": str(p)})
        version = schema_version(con, "old")  # None: not Threatscape's, which Store then says
        outdated = version not in (None, SCHEMA_VERSION) and con.execute(
            "SELECT max(kind) FROM old.main.dataset").fetchone()[0] == "demo"
    if not outdated:
        _checked[p] = fingerprint
    return outdated
