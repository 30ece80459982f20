"""A lake: the incidents as Parquet files partitioned by year and month, for data that lands in a data lake
rather than in one database file, and the serving database built from it.

Layout of a lake folder:

    lake.json                      what it is: kind, description, alias-map version, schema version, incidents
    incidents/year=2024/month=3/   the incidents of that month, Parquet (any number of files), with the canonical
                                   columns (docs/ingest.md) as stored: incident_id, occurred_on, date_precision,
                                   actor_id and actor (its name), actor_as_reported, actor_match, sector_mask and
                                   sectors (their names, '; '), victim_country, campaign, title, summary,
                                   confidence, tlp, source, source_url, sponsor_as_reported
    actor.parquet                  the actor directory the actor ids refer to (the actor table)
    actor_alias.parquet            its aliases (the actor_alias table)
    sector.parquet                 the sector taxonomy the sector masks' bits refer to (the sector table)
    alias_decision.parquet         the team's decisions about names, and ingest_log.parquet, what each ingest
                                   brought (empty for the demo)

`python -m threatscape demo --lake DIR` writes the demo's incidents this way (the same incidents as the demo
database for the same seed and last day), and `python -m threatscape ingest FILES --lake DIR` writes what an
ingest leaves in the database; `python -m threatscape build --from DIR --db OUT` builds the serving database from a
lake: the incident table and every summary, as an ingest or the demo build does. It reads the month folders in
date order, a run of them at a time, and numbers the incidents as it stores them, so an incident must be in the
folder of the month it occurred in (the build stops, naming the file, when one is not).
"""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import duckdb

from . import build, sql
from .schema import SCHEMA_VERSION

FORMAT = "threatscape-lake"
MANIFEST = "lake.json"
INCIDENTS = "incidents"
RUN_BYTES = 64 * 2**20  # building from a lake, the incidents are read and sorted in runs of months of this size
# Tables written beside the incidents, one Parquet file each (names from store.TABLES).
DIRECTORY = ("actor", "actor_alias", "sector", "alias_decision", "ingest_log")


class LakeError(ValueError):
    """A lake folder that cannot be read or built; the message names the file and what is wrong."""


def write_demo(folder: str | os.PathLike, *, incidents: int, seed: int = 7, until: dt.date | None = None) -> dict:
    """Write the demo data as a lake in `folder` (created; an existing lake there is replaced); returns its
    manifest. The generator draws every incident's codes in NumPy (about 75 bytes an incident: 7.5 GB at 100
    million); their text is made as each month's file is written, never all held as a table."""
    from . import actors as actors_mod
    from .demo import START, generate

    folder = Path(folder)
    until = until or dt.date.today()
    alias_source, _ = actors_mod.galaxy()
    con = duckdb.connect()  # in memory: the schema, sectors, actors and aliases (small), and the generator
    try:
        build.init_schema(con)

        def write(c: duckdb.DuckDBPyConnection) -> None:
            _reset(folder)
            _write_incidents(c, c.table("demo_rows"), folder)
            _write_directory(c, folder)

        generate(con, incidents=incidents, seed=seed, until=until, write=write)
    finally:
        con.close()
    manifest = {"format": FORMAT, "kind": "demo", "incidents": incidents, "schema_version": SCHEMA_VERSION,
                "alias_map_version": alias_source, "written_at": dt.datetime.now(dt.timezone.utc).isoformat(),
                "description": f"Demo data: {incidents:,} synthetic incidents (seed {seed}, {START.isoformat()} to "
                               f"{until.isoformat()}), shaped by the MISP galaxy's actor profiles. Not real threat "
                               "intelligence."}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def write_database(db: str | os.PathLike, folder: str | os.PathLike) -> dict:
    """Write a database's incidents, directory, decisions and ingest log as a lake in `folder` (an existing lake
    there is replaced); returns its manifest. `build --from` the lake gives the same database back."""
    folder = Path(folder)
    with duckdb.connect() as con:
        con.execute("ATTACH $path AS source (READ_ONLY)", {"path": str(db)})
        con.execute("USE source")
        kind, description, alias_map_version, incidents = con.execute(sql.text("lake_dataset")).fetchall()[0]
        _reset(folder)
        _write_incidents(con, con.table("incident"), folder)
        _write_directory(con, folder)
    manifest = {"format": FORMAT, "kind": kind, "incidents": incidents, "schema_version": SCHEMA_VERSION,
                "alias_map_version": alias_map_version, "description": description,
                "written_at": dt.datetime.now(dt.timezone.utc).isoformat()}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _reset(folder: Path) -> None:
    """An empty lake folder: what an earlier lake wrote there is removed (nothing else is touched)."""
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(folder / INCIDENTS, ignore_errors=True)
    for name in (MANIFEST, *(f"{t}.parquet" for t in DIRECTORY)):
        (folder / name).unlink(missing_ok=True)


def _write_incidents(con: duckdb.DuckDBPyConnection, rows: duckdb.DuckDBPyRelation, folder: Path) -> None:
    """The incidents of `rows` (the incident table's columns) as the lake's Parquet files, a month at a time, so that
    memory holds one month's incidents whatever the lake's size (100 million included)."""
    con.register("lake_rows", rows)
    try:
        for (month,) in con.execute(sql.text("lake_months")).fetchall():
            following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            where = folder / INCIDENTS / f"year={month.year}" / f"month={month.month}"
            where.mkdir(parents=True)
            con.execute(sql.text("lake_write_incidents"),
                        {"since": month, "until": following, "path": str(where / "data_0.parquet")})
    finally:
        con.unregister("lake_rows")


def _write_directory(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    for table in DIRECTORY:
        con.table(table).order(con.table(table).columns[0]).write_parquet(str(folder / f"{table}.parquet"))


def read_manifest(folder: str | os.PathLike) -> dict:
    """The lake's manifest, checked: one clear line (LakeError) when the folder is not a lake this version reads."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not folder.is_dir():
        raise LakeError(f"{folder}: no such folder")
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise LakeError(f"{path}: missing; a lake folder holds lake.json (python -m threatscape demo --lake "
                        "writes one)") from None
    except (OSError, ValueError) as exc:
        raise LakeError(f"{path}: not readable as JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise LakeError(f"{path}: not a Threatscape lake (format is not {FORMAT!r})")
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise LakeError(f"{path}: written for schema version {manifest.get('schema_version')}, this version reads "
                        f"{SCHEMA_VERSION}; write the lake again")
    for key in ("kind", "description", "alias_map_version"):
        if not isinstance(manifest.get(key), str):
            raise LakeError(f"{path}: field {key!r} is missing or not text")
    missing = [f"{t}.parquet" for t in DIRECTORY if not (folder / f"{t}.parquet").is_file()]
    if missing:
        raise LakeError(f"{folder}: missing {', '.join(missing)}")
    if not any((folder / INCIDENTS).glob("year=*/month=*/*.parquet")):
        raise LakeError(f"{folder / INCIDENTS}: no Parquet files under year=*/month=*/")
    return manifest


def build_database(folder: str | os.PathLike, db: str | os.PathLike) -> str:
    """Build the serving database `db` from the lake in `folder` (atomically, as every writer does); returns its
    content version. DuckDB reads the Parquet files and derives every summary (build.finish)."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    with build.new_database(db) as con:
        load_tables(con, folder)
        return build.finish(con, kind=manifest["kind"], description=manifest["description"],
                            alias_map_version=manifest["alias_map_version"])


def load_tables(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """The lake's actors, aliases and incidents into a new database (schema and sectors present), after checking
    that the lake's sector taxonomy is this version's."""
    sectors = str(folder / "sector.parquet")
    differ = con.execute(sql.text("lake_sector_differences"), {"path": sectors}).fetchall()
    if differ:
        raise LakeError(f"{sectors}: the lake's sector taxonomy differs from this version's, e.g. sector "
                        f"{differ[0][0]} ({differ[0][1]!r}); write the lake again with this version")
    con.execute(sql.text("lake_read_actors"), {"path": str(folder / "actor.parquet")})
    con.execute(sql.text("lake_read_aliases"), {"path": str(folder / "actor_alias.parquet")})
    con.execute(sql.text("lake_read_decisions"), {"path": str(folder / "alias_decision.parquet")})
    con.execute(sql.text("lake_read_ingest_log"), {"path": str(folder / "ingest_log.parquet")})
    before = 0
    for files in _runs_of_months(folder):
        try:
            (added,) = con.execute(sql.text("lake_read_incidents"), {"files": files, "before": before}).fetchone()
        except duckdb.InvalidInputException as exc:  # error() in the query: an incident in the wrong month's folder
            raise LakeError(str(exc).removeprefix("Invalid Input Error: ")) from None
        before += added


def _runs_of_months(folder: Path) -> list[list[str]]:
    """The lake's Parquet files as runs of consecutive months, in date order, each run about RUN_BYTES of Parquet or
    one month: large enough that both cores sort it, small enough that memory holds it (about 12 times its Parquet
    size) whatever the lake's size."""
    runs, size = [[]], 0
    for files in _month_folders(folder):
        if size >= RUN_BYTES:
            runs.append([])
            size = 0
        runs[-1] += map(str, files)
        size += sum(f.stat().st_size for f in files)
    return [run for run in runs if run]


def _month_folders(folder: Path) -> list[list[Path]]:
    """The Parquet files of each of the lake's month folders that holds any, the months in date order."""
    found = []
    for where in (folder / INCIDENTS).glob("year=*/month=*"):
        year, month = where.parent.name.removeprefix("year="), where.name.removeprefix("month=")
        if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12 and 1 <= int(year) <= 9999):
            raise LakeError(f"{where}: not a month folder (year=YYYY/month=M)")
        files = sorted(where.glob("*.parquet"))
        if files:
            found.append((int(year), int(month), files))
    return [files for *_, files in sorted(found)]
