"""What the code that writes database files (build, ingest) and the code that reads them (store) agree on: the
schema version, the check a file passes before it is read, and what kind of data a file holds."""
from __future__ import annotations

import os
from pathlib import Path

import duckdb

SCHEMA_VERSION = 7  # 2: the summary tables (build.FIRST and build.DERIVED); incident_sector became a view
                    # 3: summaries per one-sector filter (sector_mask_filter), by actor, by day
                    # 4: campaign_country_change
                    # 5: alias_decision; the whole actor directory; actor 0 'Unattributed'
                    # 6: the TLP marking as a dimension of the summaries (the TLP and clearance filters)
                    # 7: actor_summary and victim_country_summary per TLP level (a reader's clearance)


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


def check(con: duckdb.DuckDBPyConnection, catalog: str, path: Path) -> None:
    """Raise OutdatedDatabase, saying what to do, unless the database attached as `catalog` has this schema."""
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
        check(con, "ts", Path(path))
        return con.execute("SELECT kind FROM ts.main.dataset").fetchone()[0]


def fingerprint(path: str | os.PathLike) -> tuple:
    """What changes when a file is replaced or written: its inode, modification time and size."""
    st = os.stat(path)
    return (st.st_ino, st.st_mtime_ns, st.st_size)


_current: dict[Path, tuple] = {}  # resolved database path -> the fingerprint of the file last found current


def remember_current(path: str | os.PathLike, found: tuple) -> None:
    """Note that the file at `path`, with fingerprint `found`, passed check: no one need open it to ask again."""
    _current[Path(path).resolve()] = found


def known_current(path: str | os.PathLike, found: tuple) -> bool:
    """Whether the file at `path` was found current while it had fingerprint `found`."""
    return _current.get(Path(path).resolve()) == found
