"""build --engine spark: the same serving database as build --engine duckdb from the same lake.

On the 1M-incident demo lake: every table (incidents, directory and every summary) row for row, every query in
tests/reference under many filter sets, and the content version. Spark needs pyspark and Java 17 (.ci/run
installs both); without them these tests skip, or fail under CI.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT
from threatscape import lake, spark
from threatscape.store import TABLES, Store

UNTIL = dt.date(2026, 11, 28)


def _need_spark() -> None:
    missing = []
    try:
        import pyspark  # noqa: F401
        import sqlglot  # noqa: F401
    except ImportError:
        missing.append("pyspark/sqlglot (pip install -r requirements-test.txt)")
    if not shutil.which("java"):
        missing.append("Java 17 (apt-get install openjdk-17-jre-headless)")
    if missing:
        (pytest.fail if os.environ.get("CI") else pytest.skip)("missing: " + ", ".join(missing))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The 1M demo as a lake, and the database built from it by each engine."""
    _need_spark()
    root = tmp_path_factory.mktemp("spark")
    lake.write_demo(root / "lake", incidents=1_000_000, seed=7, until=UNTIL)
    lake.build_database(root / "lake", root / "duckdb.duckdb")
    spark.build_database(root / "lake", root / "spark.duckdb")
    return root


def _read(db, query: str) -> list[tuple]:
    """A query of a database file, read as the store reads it (attached read-only to an in-memory database: DuckDB
    2.0's dictionary cache has failed when one process also opened the file directly)."""
    with duckdb.connect() as con:
        con.execute("ATTACH $path AS db (READ_ONLY)", {"path": str(db)})
        con.execute("USE db")
        return con.execute(query).fetchall()


def _rows(db, table: str) -> list[tuple]:
    return _read(db, f"SELECT * FROM {table} ORDER BY ALL")  # names from TABLES (allow-list)


@pytest.mark.parametrize("table", [t for t in TABLES if t not in ("dataset", "ingest_log")])
def test_both_engines_write_the_same_table(built, table):
    a, b = _rows(built / "duckdb.duckdb", table), _rows(built / "spark.duckdb", table)
    assert len(a) == len(b), f"{table}: {len(a)} rows from DuckDB, {len(b)} from Spark"
    assert a == b, f"{table}: first difference {next((x, y) for x, y in zip(a, b) if x != y)}"


def test_both_engines_give_the_same_content_version_and_dataset(built):
    query = "SELECT * EXCLUDE (built_at) FROM dataset"
    assert _read(built / "duckdb.duckdb", query) == _read(built / "spark.duckdb", query)


def _filter_sets(store: Store) -> list:
    from threatscape import data
    from threatscape.filters import Filters

    opts = data.filter_options(store)
    actors, country = tuple(opts.actors[:2]), opts.countries[0]
    base = Filters(since=dt.date(2025, 12, 1), until=UNTIL)
    return [Filters(), base, base.with_(since=dt.date(2024, 1, 17)), base.with_(actors=actors),
            base.with_(sponsors=("RU",)), base.with_(sectors=("energy",)), base.with_(countries=(country,)),
            base.with_(min_confidence=70), base.with_(tlps=("RED", "AMBER")), base.with_(clearance="GREEN"),
            base.with_(text="bank"), base.with_(actors=actors[:1], sectors=("energy", "government")),
            base.with_(since=dt.date(2026, 1, 9), until=dt.date(2026, 1, 20))]


def test_every_reference_query_answers_the_same(built):
    """tests/reference/*.sql (the straightforward queries, which read the incidents and the directory) and the
    app's own queries (which read the summaries), under many filter sets."""
    from test_optimised import REFERENCE, reference

    paths = [built / "duckdb.duckdb", built / "spark.duckdb"]
    stores = [Store(p) for p in paths]
    sets = _filter_sets(stores[0])

    def ask(i: int, name: str, params: dict):
        """DuckDB 2.0's dictionary cache fails now and then on a raw cursor (store.Store retries its own queries
        the same way): once more on a newly opened store."""
        try:
            return reference(stores[i], name, params)
        except duckdb.InternalException:
            stores[i] = Store(paths[i])
            return reference(stores[i], name, params)

    names = sorted(p.stem for p in REFERENCE.glob("*.sql") if p.stem != "filtered_incident")
    assert len(names) >= 15
    for f in sets:
        params = f.params() | {"actor": "Kimsuky", "limit": 15, "order_by": "newest", "cursor": None,
                               "backward": False, "page_size": 50, "grain": "month", "level": "top", "top_n": 8,
                               "seq_lo": None, "seq_hi": None}
        if f.since and f.until:
            prev = f.previous_period()
            params |= {"prev_since": prev.since, "prev_until": prev.until}
        for name in names:
            if "prev_since" in (REFERENCE / f"{name}.sql").read_text() and "prev_since" not in params:
                continue
            a, b = ask(0, name, params), ask(1, name, params)
            if "ORDER BY" not in (REFERENCE / f"{name}.sql").read_text().upper():  # rows in no set order
                a, b = (x.sort_values(list(x.columns)).reset_index(drop=True) for x in (a, b))
            assert a.equals(b), f"reference {name} differs under {f}"
        for name, extra in (("kpis", {}), ("incidents_by_actor_sector", {"level": "top", "top_n": 8}),
                            ("incidents_by_period", {"grain": "month", "top_n": 5}), ("incident_facets", {"limit": 8}),
                            ("incident_count", {}), ("concurrent_campaigns_by_period", {"grain": "month"})):
            if name in ("kpis", "concurrent_campaigns_by_period") and "prev_since" not in params:
                continue
            a, b = (s.query(name, params | extra) for s in stores)
            assert a.equals(b), f"{name} differs under {f}"


def test_a_spark_build_from_the_command_line_and_its_failures_are_one_line(tmp_path):
    _need_spark()
    env = os.environ | {"PYTHONPATH": str(ROOT)}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "threatscape", *map(str, args)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=600)

    lake.write_demo(tmp_path / "lake", incidents=5_000, seed=3, until=UNTIL)
    done = cli("build", "--engine", "spark", "--from", tmp_path / "lake", "--db", tmp_path / "s.duckdb")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "with spark" in done.stdout
    lake.build_database(tmp_path / "lake", tmp_path / "d.duckdb")
    assert _rows(tmp_path / "s.duckdb", "actor_month") == _rows(tmp_path / "d.duckdb", "actor_month")

    bad = cli("build", "--engine", "spark", "--from", tmp_path / "lake", "--db", tmp_path / "x.duckdb",
              "--master", "nowhere://at-all")  # not a master Spark knows
    assert bad.returncode == 1 and bad.stderr.startswith("build: "), bad.stderr[-2000:]
    assert len(bad.stderr.strip().splitlines()) == 1 and "Spark's log" in bad.stderr, bad.stderr[-2000:]
    assert not (tmp_path / "x.duckdb").exists()

    victim = sorted((tmp_path / "lake" / "incidents").glob("year=*/month=*/*.parquet"))[0]
    victim.write_bytes(b"not parquet")
    damaged = cli("build", "--engine", "spark", "--from", tmp_path / "lake", "--db", tmp_path / "s.duckdb")
    assert damaged.returncode == 1 and len(damaged.stderr.strip().splitlines()) == 1, damaged.stderr[-2000:]
    assert f"{victim.parent.name}/{victim.name}" in damaged.stderr  # the file at fault
    assert _rows(tmp_path / "s.duckdb", "actor_month") == _rows(tmp_path / "d.duckdb", "actor_month")  # kept


def test_a_lake_of_ingested_feed_rows_builds_the_same_on_both_engines(tmp_path):
    """What real feeds hold and the demo seldom does: a month of an actor with no victim country named at all, dates
    known to the month or year, placeholders, markings and shared campaigns. Every table the same, row for row."""
    _need_spark()
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "incident_id,occurred_on,actor,sectors,victim_country,title,tlp,campaign\n"
        "f-1,2024-03-02,Kimsuky,energy;government,KR,One,TLP:GREEN,Op Alpha\n"
        "f-2,2024-03-09,Kimsuky,energy,,Two,TLP:AMBER,Op Alpha\n"
        "f-3,2024-04-11,Fancy Bear,finance,,Three,,Op Beta\n"  # its month names no country at all
        "f-4,2024-04,Fancy Bear,finance,,Four,TLP:RED,Op Beta\n"
        "f-5,2023,unknown,,DE,Five,,\n"
        "f-6,2024-05-01,Sandworm,energy,UA,Six,TLP:CLEAR,Op Alpha\n"
        "f-7,2024-05-02,Some Unknown Crew,,,Seven,,\n")
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "threatscape", "ingest", str(feed), "--db",
                           str(tmp_path / "ingested.duckdb"), "--lake", str(tmp_path / "lake")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lake.build_database(tmp_path / "lake", tmp_path / "d.duckdb")
    spark.build_database(tmp_path / "lake", tmp_path / "s.duckdb", work_dir=tmp_path)
    assert _read(tmp_path / "d.duckdb", "SELECT count(*) FROM actor_month WHERE country_bits IS NULL") != [(0,)]
    for table in [t for t in TABLES if t not in ("dataset", "ingest_log")]:
        assert _rows(tmp_path / "s.duckdb", table) == _rows(tmp_path / "d.duckdb", table), table
    log = "SELECT * REPLACE (ingested_at::VARCHAR AS ingested_at) FROM ingest_log ORDER BY ALL"
    assert _read(tmp_path / "s.duckdb", log) == _read(tmp_path / "d.duckdb", log)


def test_an_interrupted_spark_build_says_so_in_one_line_and_resumes(tmp_path):
    """Ctrl-C part-way through a long build: one line saying what is kept, and the same command again computes only
    the rest and gives the same database (a build killed outright, a machine restarted, resumes the same way)."""
    _need_spark()
    lake.write_demo(tmp_path / "lake", incidents=20_000, seed=5, until=UNTIL)
    command = [sys.executable, "-m", "threatscape", "build", "--engine", "spark", "--from", str(tmp_path / "lake"),
               "--db", str(tmp_path / "s.duckdb"), "--work", str(tmp_path / "work")]
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while not list((tmp_path / "work").glob("*/*/_SUCCESS")):
            assert first.poll() is None and time.monotonic() < deadline, "no summary finished before the build ended"
            time.sleep(0.05)
        os.killpg(first.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the whole process group
        _out, err = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
    assert first.returncode == 130, err[-2000:]
    assert len(err.strip().splitlines()) == 1 and err.startswith("build: interrupted; the "), err[-2000:]
    assert "summaries Spark finished are kept in" in err
    assert not (tmp_path / "s.duckdb").exists()

    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "Resuming an interrupted build" in again.stderr and "summaries kept from" in again.stderr
    lake.build_database(tmp_path / "lake", tmp_path / "d.duckdb")
    for table in ("campaign_change", "actor_month", "incident_day"):
        assert _rows(tmp_path / "s.duckdb", table) == _rows(tmp_path / "d.duckdb", table), table
    assert list((tmp_path / "work").iterdir()) == []  # a finished build leaves nothing behind


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int, process: subprocess.Popen, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
        time.sleep(0.5)


def _jvm(args: list[str], log: Path) -> subprocess.Popen:
    """A Spark process from the pyspark package's own scripts (bin/spark-class, bin/spark-submit), as a cluster's
    machines run it."""
    import pyspark

    home = Path(pyspark.__file__).parent
    with open(log, "w") as out:
        return subprocess.Popen([str(home / "bin" / args[0]), *args[1:]], stdout=out, stderr=subprocess.STDOUT,
                                env=os.environ | {"SPARK_HOME": str(home)}, start_new_session=True)


def test_a_standalone_cluster_and_spark_connect_build_the_same_database(tmp_path):
    """--master spark://host:port (a standalone master with one worker, each its own process) and sc://host:port (a
    Spark Connect server) build the same database as DuckDB: nothing but --master changes."""
    _need_spark()
    lake.write_demo(tmp_path / "lake", incidents=5_000, seed=11, until=UNTIL)
    lake.build_database(tmp_path / "lake", tmp_path / "d.duckdb")
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    master_port, connect_port = _free_port(), _free_port()
    master = _jvm(["spark-class", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                   str(master_port), "--webui-port", str(_free_port())], tmp_path / "master.log")
    worker = connect = None
    try:
        _listening(master_port, master, tmp_path / "master.log")
        worker = _jvm(["spark-class", "org.apache.spark.deploy.worker.Worker", "--cores", "2", "--memory", "2g",
                       "--webui-port", str(_free_port()), "--work-dir", str(tmp_path / "worker"),
                       f"spark://127.0.0.1:{master_port}"], tmp_path / "worker.log")
        connect = _jvm(["spark-submit", "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
                        "--master", "local[2]", "--conf", f"spark.connect.grpc.binding.port={connect_port}",
                        "--conf", "spark.ui.enabled=false", "spark-internal"], tmp_path / "connect.log")
        _listening(connect_port, connect, tmp_path / "connect.log")
        for url in (f"spark://127.0.0.1:{master_port}", f"sc://127.0.0.1:{connect_port}"):
            db = tmp_path / f"{url.split(':')[0]}.duckdb"
            done = subprocess.run([sys.executable, "-m", "threatscape", "build", "--engine", "spark", "--master", url,
                                   "--from", str(tmp_path / "lake"), "--db", str(db)], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=900)
            assert done.returncode == 0, (url, done.stderr[-2000:])
            for table in ("campaign_change", "actor_month", "country_day", "incident"):
                assert _rows(db, table) == _rows(tmp_path / "d.duckdb", table), (url, table)
            assert (_read(db, "SELECT content_version FROM dataset")
                    == _read(tmp_path / "d.duckdb", "SELECT content_version FROM dataset")), url
    finally:
        for process in (connect, worker, master):
            if process is not None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
