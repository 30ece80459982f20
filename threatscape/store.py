"""Data access: the one DuckDB connection, a cursor per query, caching by data version, timings."""
from __future__ import annotations

import collections
import contextlib
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from . import sql

if TYPE_CHECKING:  # pandas is loaded by DuckDB's .df() when a query runs; ingest never needs it
    import pandas as pd

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DB = REPO / "data" / "incidents.duckdb"
TABLES = ("dataset", "sector", "actor", "actor_alias", "incident", "incident_sector")  # allow-list
MACROS = ("filtered_incident", "period_series", "incident_row")  # in dependency order
CACHE_ENTRIES = 512


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


def _freeze(value):
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(value)
    return value


class Store:
    """Read-only access to one database file; reopens it when ingestion swaps in a new file."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None
        self._cache: collections.OrderedDict = collections.OrderedDict()
        self.timings: collections.deque[Timing] = collections.deque(maxlen=2000)

    def _fingerprint(self) -> tuple:
        st = os.stat(self.path)
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _open(self, fingerprint: tuple) -> _Snapshot:
        # An in-memory catalog with views over the attached file: the filter macro lives there,
        # and every cursor (a connection sharing this database instance) sees both.
        con = duckdb.connect(":memory:")
        con.execute("ATTACH $path AS ts (READ_ONLY)", {"path": str(self.path)})
        for table in TABLES:
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM ts.main.{table}")
        for macro in MACROS:
            con.execute(sql.text(macro))
        version = con.execute("SELECT content_version FROM dataset").fetchone()[0]
        return _Snapshot(con, fingerprint, version)

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

    def query(self, name: str, params: dict | None = None) -> pd.DataFrame:
        """Run queries/<name>.sql with the $parameters it uses; cached by data version. Do not mutate."""
        bound = self._bind(name, params or {})
        snap = self.snapshot()
        key = (snap.version, name, tuple((k, _freeze(v)) for k, v in bound.items()))
        t0 = time.perf_counter()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
        if hit is not None:
            self.timings.append(Timing(name, (time.perf_counter() - t0) * 1000, len(hit), True))
            return hit
        cursor = snap.con.cursor()
        try:
            frame = cursor.execute(sql.text(name), bound).df()
        finally:
            cursor.close()
        frame.attrs["query"] = name  # so a download of this frame can say which query made it
        self.timings.append(Timing(name, (time.perf_counter() - t0) * 1000, len(frame), False))
        with self._lock:
            self._cache[key] = frame
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return frame

    @contextlib.contextmanager
    def stream(self, name: str, params: dict, batch_rows: int = 65_536):
        """Run a query uncached and yield an Arrow RecordBatchReader over its rows (for large exports)."""
        bound = self._bind(name, params)
        cursor = self.snapshot().con.cursor()
        t0 = time.perf_counter()
        try:
            yield cursor.sql(sql.text(name), params=bound).to_arrow_reader(batch_rows)
        finally:
            cursor.close()
            self.timings.append(Timing(name, (time.perf_counter() - t0) * 1000, -1, False))

    def _bind(self, name: str, params: dict) -> dict:
        wanted = sql.params(name)
        missing = wanted - params.keys()
        if missing:
            raise KeyError(f"query {name} needs parameters {sorted(missing)}")
        return {k: params[k] for k in sorted(wanted)}

    def dataset(self) -> dict:
        """The dataset row: kind, description, built_at, content_version, ..."""
        return self.query("dataset_info").iloc[0].to_dict()

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()


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
    if p.exists():
        return p, False
    with _build_lock:
        if p.exists():
            return p, False
        from .demo import build_demo

        build_demo(p)
        return p, True
