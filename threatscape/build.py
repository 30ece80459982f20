"""Write a new database file atomically: build beside the target, close, rename over it."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from . import __version__, sql, taxonomy, writelock
from .schema import SCHEMA_VERSION

CHECKPOINT_THRESHOLD = "1MB"


@dataclass
class Fresh:
    """A new database file beside its target, with the schema and the sectors, not yet in place."""
    target: Path
    tmp: Path
    con: duckdb.DuckDBPyConnection

    def discard(self) -> None:
        self.con.close()
        self.tmp.unlink(missing_ok=True)
        Path(f"{self.tmp}.wal").unlink(missing_ok=True)


def create(path: str | os.PathLike) -> Fresh:
    """Start a new database for `path` (new_database puts it in place). It takes a new DuckDB instance and the
    schema, about 0.07 s: ingest starts it on a thread while it reads its files."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.unlink(missing_ok=True)
    # A small checkpoint threshold: each commit of the build writes its tables to the file as it goes, beside the
    # statements still running, rather than leaving them to the final checkpoint, which runs alone.
    fresh = Fresh(path, tmp, duckdb.connect(str(tmp), config={"checkpoint_threshold": CHECKPOINT_THRESHOLD}))
    try:
        fresh.con.begin()  # one commit for all of it
        init_schema(fresh.con)
        fresh.con.commit()
    except BaseException:
        fresh.discard()
        raise
    return fresh


def init_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The schema and the sector taxonomy, in an empty database."""
    sectors = taxonomy.sectors()
    con.execute(sql.text("schema"))
    con.execute(sql.text("insert_sectors"), {
        "sector_ids": [s.sector_id for s in sectors], "names": [s.name for s in sectors],
        "parents": [s.parent for s in sectors], "tops": [s.top for s in sectors],
        "rollup_masks": [taxonomy.rollup_mask(s.name) for s in sectors]})


@contextlib.contextmanager
def new_database(path: str | os.PathLike, fresh: Fresh | None = None):
    """Yield a connection to a fresh database (`fresh`, from create(path), or one made now) that replaces
    `path` only if the block succeeds; otherwise the new file is deleted.

    It holds the database's write lock (writelock.hold) from before the new file is made until it is in place, so
    that no other writer replaces `path` meanwhile; a writer that reads `path` before (an ingest) holds it already,
    from before that read."""
    with writelock.hold(path, what="build"):
        fresh = fresh or create(path)
        try:
            yield fresh.con
            fresh.con.execute("CHECKPOINT")
            fresh.con.close()
            os.replace(fresh.tmp, fresh.target)  # atomic on POSIX: readers see the old file or the new one
        except BaseException:
            fresh.discard()
            raise


# Derived from incident on every write: the summary tables. FIRST in order, then the chains of DERIVED at
# once (each chain in order, on its own cursor): small writes spend most of their time in steps that do not
# use both cores, so two chains at once take little more than the longer one.
FIRST = ("derive_sector_mask_name", "derive_sector_mask_filter")
DERIVED = (
    ("derive_campaign_part", "derive_campaign", "derive_shared_campaign_part", "derive_campaign_change",
     "derive_campaign_country_change", "derive_campaign_actor_change", "derive_actor_summary",
     "derive_victim_country_summary"),
    ("derive_incident_month", "derive_actor_month", "derive_country_month", "derive_incident_day", "derive_actor_day",
     "derive_country_day", "derive_incident_month_mask"),
)


def _derive(con: duckdb.DuckDBPyConnection, *, facts=None, alongside=None):
    """The summaries: FIRST, then the chains of DERIVED at once, each on its own cursor; returns what
    `alongside` returns.

    facts (an Arrow table of the columns the summaries read) stands in for the incident table, and `alongside`
    (a function of con: the incident table's write, and what follows it) runs on con meanwhile: a sorted write
    of a few hundred thousand rows uses one core, the summaries the other. (A 10-million-row demo build keeps
    both cores busy either way: it derives after its parallel write.)"""
    cursors = [con.cursor() for _ in DERIVED]  # before con is busy with `alongside`
    try:
        if facts is not None:
            for cursor in cursors:
                cursor.register("incident", facts)  # shadows the table for this cursor's statements only
        with ThreadPoolExecutor(len(DERIVED) + 1) as pool:
            jobs = [pool.submit(alongside, con)] if alongside is not None else []
            jobs.append(pool.submit(_chain, cursors[0], FIRST))  # sector_mask_filter, before the chains read it
            jobs[-1].result()
            jobs += [pool.submit(_chain, cursor, names) for cursor, names in zip(cursors, DERIVED)]
            for job in jobs:
                job.result()  # the first error, if any, fails the write (after every job has ended)
            return jobs[0].result() if alongside is not None else None
    finally:
        for cursor in cursors:
            cursor.close()


def _chain(cursor: duckdb.DuckDBPyConnection, names) -> None:
    for name in names:
        cursor.execute(sql.text(name))


def _check_and_version(con: duckdb.DuckDBPyConnection) -> str:
    """Check that the incident ids are unique and every incident is numbered (numbering those that are not), and
    return the content version of the incidents, actors and sectors (none of them a summary)."""
    # Sorting 64-bit hashes of the ids is much cheaper than grouping the ids; only equal hashes
    # (a duplicate, or in rare cases a collision) need the exact count.
    hashes = con.execute(sql.text("incident_id_hashes")).fetchnumpy()["h"]
    hashes.sort()
    if (hashes[1:] == hashes[:-1]).any():
        duplicates = con.execute(sql.text("duplicate_incident_ids")).fetchall()
        if duplicates:
            raise duckdb.ConstraintException(
                "duplicate incident ids: " + ", ".join(f"{i} ({n} copies)" for i, n in duplicates))
    del hashes
    if con.execute("SELECT count(*) FROM incident WHERE seq IS NULL").fetchone()[0]:
        con.execute(sql.text("assign_seq"))
    return con.execute(sql.text("content_version")).fetchone()[0]


def finish(con: duckdb.DuckDBPyConnection, *, kind: str, description: str, alias_map_version: str,
           insert: str | None = None, facts=None, derive=None) -> str:
    """Check ids, derive the summaries, stamp the dataset row with a content version; return that version.

    insert: a statement that writes the incident table, with facts the columns the summaries read of the rows
    it writes (an Arrow table, any order): the summaries are then derived while it runs, and the checks and the
    content version follow it on its thread, beside the summaries still running. Without it, the incident table
    is already written. derive (a function of con) writes the summary tables instead of deriving them here: the
    Spark build loads those it computed (threatscape/spark.py)."""
    if insert is not None:
        def write_and_check(c: duckdb.DuckDBPyConnection) -> str:
            c.execute(insert)
            return _check_and_version(c)

        version = _derive(con, facts=facts, alongside=write_and_check)
    else:
        version = _check_and_version(con)
        (derive or _derive)(con)
    con.execute(
        "INSERT INTO dataset VALUES ($kind, $description, $built_at, $content_version, "
        "$alias_map_version, $schema_version, $app_version)",
        dict(kind=kind, description=description, built_at=dt.datetime.now(dt.timezone.utc),
             content_version=version, alias_map_version=alias_map_version,
             schema_version=SCHEMA_VERSION, app_version=__version__))
    return version
