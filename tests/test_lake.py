"""A lake (Parquet by year and month) and the serving database built from it: the same database as the demo build
for the same seed, every table and every summary; a folder that is not a lake is one line and changes nothing."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import duckdb
import pytest

from conftest import ROOT
from threatscape import lake
from threatscape.build import DERIVED, FIRST
from threatscape.store import TABLES

UNTIL = dt.date(2026, 11, 28)  # the day the session's demo database (conftest.demo_path) ends


def cli(*args) -> subprocess.CompletedProcess:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "threatscape", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def demo_lake(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lake") / "demo"
    manifest = lake.write_demo(folder, incidents=20_000, seed=7, until=UNTIL)
    return folder, manifest


@pytest.fixture(scope="module")
def from_lake(demo_lake, tmp_path_factory):
    db = tmp_path_factory.mktemp("fromlake") / "fromlake.duckdb"
    lake.build_database(demo_lake[0], db)
    return db


def _rows(db, table: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()  # table names from TABLES (allow-list)


def test_the_lake_is_partitioned_by_year_and_month(demo_lake):
    folder, manifest = demo_lake
    files = sorted((folder / "incidents").glob("year=*/month=*/*.parquet"))
    assert files and manifest["incidents"] == 20_000
    with duckdb.connect() as con:
        rows = con.execute("SELECT count(*), count(*) FILTER (WHERE year(occurred_on) <> year "
                           "OR month(occurred_on) <> month) FROM read_parquet($f, hive_partitioning = true)",
                           {"f": str(folder / "incidents" / "*" / "*" / "*.parquet")}).fetchone()
        columns = {c for (c,) in con.execute("SELECT name FROM parquet_schema($f)", {"f": str(files[0])}).fetchall()}
    assert rows == (20_000, 0)  # every incident once, each in the folder of its own year and month
    assert {"incident_id", "occurred_on", "date_precision", "actor_id", "actor", "sector_mask", "sectors",
            "victim_country", "title", "confidence", "tlp", "source", "source_url"} <= columns


def test_the_database_built_from_the_lake_is_the_demo_database(demo_path, from_lake):
    """Every table, the summaries included, row for row; the dataset row but for the time it was built."""
    summaries = {name.removeprefix("derive_") for name in FIRST + tuple(n for chain in DERIVED for n in chain)}
    compared = [t for t in TABLES if t not in ("dataset", "ingest_log")]
    assert summaries <= set(compared)
    for table in compared:
        a, b = _rows(demo_path, table), _rows(from_lake, table)
        assert a == b, f"{table}: {len(a)} rows from the demo build, {len(b)} from the lake, or the same count differing"
    with duckdb.connect(str(demo_path), read_only=True) as a, duckdb.connect(str(from_lake), read_only=True) as b:
        query = "SELECT * EXCLUDE (built_at) FROM dataset"
        assert a.execute(query).fetchall() == b.execute(query).fetchall()


def test_another_seed_gives_another_database(tmp_path, from_lake):
    """(So that the comparison above can fail.)"""
    lake.write_demo(tmp_path / "other", incidents=20_000, seed=8, until=UNTIL)
    lake.build_database(tmp_path / "other", tmp_path / "other.duckdb")
    assert _rows(tmp_path / "other.duckdb", "actor_month") != _rows(from_lake, "actor_month")


def test_build_from_the_command_line_and_a_bad_lake_is_one_line(demo_lake, tmp_path):
    folder = demo_lake[0]
    db = tmp_path / "incidents.duckdb"
    done = cli("build", "--from", folder, "--db", db)
    assert done.returncode == 0, done.stderr
    assert "built from" in done.stdout
    before = db.read_bytes()

    not_a_lake = tmp_path / "empty"
    not_a_lake.mkdir()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "lake.json").write_text("{not json")
    for bad, says in ((tmp_path / "missing", "no such folder"), (not_a_lake, "lake.json: missing"),
                      (broken, "not readable as JSON")):
        out = cli("build", "--from", bad, "--db", db)
        assert out.returncode == 1 and says in out.stderr, out.stderr
        assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert db.read_bytes() == before  # nothing replaced


def test_a_damaged_parquet_file_is_one_line_naming_it(demo_lake, tmp_path):
    import shutil

    folder = tmp_path / "damaged"
    shutil.copytree(demo_lake[0], folder)
    victim = sorted((folder / "incidents").glob("year=*/month=*/*.parquet"))[0]
    victim.write_bytes(b"not parquet")
    out = cli("build", "--from", folder, "--db", tmp_path / "x.duckdb")
    assert out.returncode != 0 and victim.name in out.stderr and str(victim.parent.name) in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert not (tmp_path / "x.duckdb").exists() and not list(tmp_path.glob(".x.duckdb*"))


def test_an_incident_in_another_months_folder_is_one_line_naming_its_file(demo_lake, tmp_path):
    """The build numbers the incidents month by month, in folder order: a file in the wrong month's folder would
    put its incidents out of date order, so it stops the build instead, naming the file and the incident."""
    import shutil

    folder = tmp_path / "misfiled"
    shutil.copytree(demo_lake[0], folder)
    months = sorted((folder / "incidents").glob("year=*/month=*"))
    wrong = months[0] / "from-elsewhere.parquet"
    shutil.copy(next(months[-1].glob("*.parquet")), wrong)
    out = cli("build", "--from", folder, "--db", tmp_path / "x.duckdb")
    assert out.returncode != 0 and "from-elsewhere.parquet" in out.stderr and "not in the month of its folder" \
        in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert not (tmp_path / "x.duckdb").exists() and not list(tmp_path.glob(".x.duckdb*"))


def test_an_ingest_writes_its_database_as_a_lake_that_builds_it_again(tmp_path):
    feed = tmp_path / "feed.csv"
    feed.write_text("incident_id,occurred_on,actor,sectors,victim_country,title\n"
                    "f-1,2024-03-02,Kimsuky,energy;government,KR,One\n"
                    "f-2,2025-11-20,Fancy Bear,finance,PL,Two\n"
                    "f-3,2025-11,Some Unknown Crew,,DE,Three\n")
    out = cli("ingest", feed, "--db", tmp_path / "ingested.duckdb", "--lake", tmp_path / "lake")
    assert out.returncode == 0, out.stderr
    assert "3 incidents as a lake" in out.stdout
    assert lake.read_manifest(tmp_path / "lake")["kind"] == "sources"
    lake.build_database(tmp_path / "lake", tmp_path / "rebuilt.duckdb")
    for table in [t for t in TABLES if t not in ("dataset", "ingest_log")]:
        assert _rows(tmp_path / "ingested.duckdb", table) == _rows(tmp_path / "rebuilt.duckdb", table), table
    log = "SELECT * REPLACE (ingested_at::VARCHAR AS ingested_at) FROM ingest_log ORDER BY ALL"
    dataset = "SELECT * EXCLUDE (built_at) FROM dataset"
    for query in (log, dataset):
        with duckdb.connect(str(tmp_path / "ingested.duckdb"), read_only=True) as a, \
                duckdb.connect(str(tmp_path / "rebuilt.duckdb"), read_only=True) as b:
            assert a.execute(query).fetchall() == b.execute(query).fetchall()
