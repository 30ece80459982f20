"""Start-up policy: the app (and the benchmark) starts from demo data when it has no database yet, or when the one
it has is demo data written for an older schema. Ingested data is never rebuilt."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb

from . import schema, writelock
from .store import database_path

_build_lock = threading.Lock()


def ensure_database(path: str | os.PathLike | None = None) -> tuple[Path, bool]:
    """Build the demo database if the file is missing or outdated demo data; return (path, whether it was built
    now). The check is made again holding the database's write lock: an ingest that was under way meanwhile (its
    database in place when it ends) is never replaced by demo data."""
    p = database_path(path)
    if p.exists() and not outdated_demo(p):
        return p, False
    with _build_lock, writelock.hold(p, what="demo build"):
        if p.exists() and not outdated_demo(p):
            return p, False
        from .demo import build_demo  # pandas and numpy: only when a build is needed

        build_demo(p)
        return p, True


def outdated_demo(p: Path) -> bool:
    """True for a demo database written by an older schema (rebuilt on start; ingested data never is)."""
    found = schema.fingerprint(p)
    if schema.known_current(p, found):  # a Store opened it, or this asked before: no need to open it again
        return False
    with duckdb.connect(":memory:") as con:
        con.execute("ATTACH $path AS old (READ_ONLY)", {"path": str(p)})
        version = schema.schema_version(con, "old")  # None: not Threatscape's, which Store then says
        if version == schema.SCHEMA_VERSION:
            schema.remember_current(p, found)
            return False
        return version is not None and con.execute("SELECT max(kind) FROM old.main.dataset").fetchone()[0] == "demo"
