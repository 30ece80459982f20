"""Data access: read-only, a new file swapped in is served without a restart, a failed build changes nothing."""
import datetime as dt
import threading
from pathlib import Path

import duckdb
import pytest

from fixture_db import INCIDENTS, write_fixture
from threatscape import data, sql
from threatscape.filters import Filters
from threatscape.schema import SCHEMA_VERSION, OutdatedDatabase
from threatscape.startup import ensure_database
from threatscape.store import Store, database_path

ALL = Filters(since=dt.date(2020, 1, 1), until=dt.date(2024, 12, 31))


def test_a_database_swapped_in_is_served_without_a_restart(tmp_path):
    path = tmp_path / "db.duckdb"
    write_fixture(path, incidents=INCIDENTS[:5])
    s = Store(path)
    v1 = s.version
    assert int(data.kpis(s, ALL)["incidents"]) == 5
    write_fixture(path)  # a new file renamed over the old one, as ingestion will do
    assert s.version != v1
    assert int(data.kpis(s, ALL)["incidents"]) == 10  # not the cached answer for the old data


def test_actor_and_sponsor_filters_name_the_actors_of_the_database_served(tmp_path, monkeypatch):
    """The store answers the actor and sponsor filters from the actors it read when it opened the file (no query
    per filter change): both filters at once allow the actors both allow, a name it does not hold allows none,
    and a new file's actors count as soon as it is swapped in."""
    import fixture_db

    path = tmp_path / "db.duckdb"
    write_fixture(path)
    s = Store(path)
    assert s.actor_ids([], []) is None  # no filter: any actor
    assert s.actor_ids(["MuddyWater", "Kimsuky"], []) == [1, 3]
    assert s.actor_ids([], ["unknown"]) == [4]  # no sponsor known
    assert s.actor_ids(["Kimsuky", "MuddyWater"], ["IR"]) == [3]
    assert s.actor_ids(["No Such Crew"], []) == []  # none, not "any"
    assert int(data.kpis(s, ALL.with_(actors=("No Such Crew",)))["incidents"]) == 0
    monkeypatch.setattr(fixture_db, "ACTORS", fixture_db.ACTORS + [(5, "Sandworm Team", "RU", [])])
    write_fixture(path)
    assert s.actor_ids([], ["RU"]) == [2, 5]


def test_a_failed_build_leaves_the_old_database_byte_for_byte(tmp_path):
    path = tmp_path / "db.duckdb"
    write_fixture(path)
    before = path.read_bytes()
    with pytest.raises(duckdb.ConstraintException):
        write_fixture(path, incidents=INCIDENTS + [INCIDENTS[0]])  # duplicate incident id
    assert path.read_bytes() == before
    # no half-written file left behind (the writers' lock file stays: it holds nothing)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == ["db.duckdb"]


def test_the_app_connection_cannot_write(store):
    cursor = store.snapshot().con.cursor()
    with pytest.raises(duckdb.Error):
        cursor.execute("DELETE FROM ts.main.incident")


def test_queries_run_from_many_threads_at_once(store):
    errors, results = [], []

    def work(i):
        try:
            f = ALL.with_(countries=(["KR", "UA", "US", "TR"][i % 4],))
            results.append((f.countries, int(data.kpis(store, f)["incidents"])))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert dict(results) == {("KR",): 4, ("UA",): 2, ("US",): 2, ("TR",): 1}


def test_a_question_several_threads_ask_at_once_runs_once(fixture_path):
    """A page starts its queries on the query threads and then asks for them itself (data.prefetch_*):
    each must run once, and every asker gets its answer, or its error."""
    import time

    s = Store(fixture_path)
    f = ALL.with_(countries=("KR",))
    s.query("date_bounds"), s.actor_ids([], [])
    start = threading.Barrier(6)
    answers, errors = [], []

    def ask():
        start.wait()
        try:
            answers.append(int(data.kpis(s, f)["incidents"]))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    def run_in_threads():
        threads = [threading.Thread(target=ask) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    run_slowly = s._run
    s._run = lambda *a: (time.sleep(0.2), run_slowly(*a))[1]  # long enough for all six to ask meanwhile
    run_in_threads()
    assert answers == [4] * 6 and not errors
    assert len([t for t in s.timings if t.query == "kpis" and not t.cached]) == 1

    def fail(*a):
        time.sleep(0.2)
        raise duckdb.IOException("disk went away")

    s.clear_cache()
    answers.clear()
    s._run = fail
    run_in_threads()
    assert not answers and len(errors) == 6 and all("disk went away" in str(e) for e in errors)
    s._run = run_slowly  # a failure is not cached: asked again, the question runs again
    assert int(data.kpis(s, f)["incidents"]) == 4


@pytest.mark.perf
def test_while_one_at_a_time_is_held_queries_execute_in_turn_and_answer_the_same(fixture_path):
    """launch.warm starts a dozen queries while the first page imports pandas; Store.one_at_a_time has DuckDB run
    them one after another (on one core), so that they leave the other core to the import."""
    import time

    s = Store(fixture_path)
    s.query("date_bounds"), s.actor_ids([], [])
    snap = s.snapshot()
    running, most = [0], [0]
    lock = threading.Lock()

    class Cursor:  # counts the queries inside DuckDB at any moment
        def __init__(self, cursor):
            self.cursor = cursor

        def execute(self, query, params=None):
            if query.startswith("SET "):
                return self.cursor.execute(query, params)
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.05)
            try:
                return self.cursor.execute(query, params)
            finally:
                with lock:
                    running[0] -= 1

        def close(self):
            self.cursor.close()

    class Connection:
        def __init__(self, con):
            self.con = con

        def cursor(self):
            return Cursor(self.con.cursor())

    real = snap.con
    snap.con = Connection(real)
    countries = ["KR", "UA", "US", "TR"]

    def ask_all():
        s.clear_cache()
        answers = {}
        threads = [threading.Thread(target=lambda c=c: answers.__setitem__(
            c, int(data.kpis(s, ALL.with_(countries=(c,)))["incidents"]))) for c in countries]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return answers

    try:
        assert ask_all() == {"KR": 4, "UA": 2, "US": 2, "TR": 1}
        assert most[0] > 1  # without it, they run at once
        most[0] = 0
        with s.one_at_a_time():
            assert ask_all() == {"KR": 4, "UA": 2, "US": 2, "TR": 1}
        assert most[0] == 1
    finally:
        snap.con = real


def test_repeated_questions_are_answered_from_the_cache(store):
    store.clear_cache()
    data.kpis(store, ALL)
    data.kpis(store, ALL)
    mine = [t for t in store.timings if t.query == "kpis"][-2:]
    assert [t.cached for t in mine] == [False, True]


def test_the_overview_time_series_are_one_query(store):
    """The actor and the sponsor series over time come from one run of one query, and asking again for the same
    series gives the same frame (so a rerun that changed nothing finds its chart already built)."""
    from threatscape.filters import View

    store.clear_cache()
    mark = len(store.timings)
    actors, sponsors = data.actor_period(store, ALL, View()), data.sponsor_period(store, ALL, View())
    ran = [t.query for t in list(store.timings)[mark:] if not t.cached]
    assert ran == ["incidents_by_period"] and not actors.empty and not sponsors.empty
    assert data.actor_period(store, ALL, View()) is actors and data.sponsor_period(store, ALL, View()) is sponsors


def test_a_query_missing_a_parameter_names_it(store):
    with pytest.raises(KeyError, match="grain"):
        store.query("incidents_by_period", ALL.params() | {"top_n": 5})
    with pytest.raises(KeyError, match=r"\['until'\]"):  # not the date bounds the store works out from it
        store.query("incident_count", {k: v for k, v in ALL.params().items() if k != "until"})


def test_every_query_file_is_described_and_not_a_template_and_every_plan_variant_defines_its_own_macro():
    from threatscape import plans

    variants = [name for schema in plans.SCHEMAS for name in sql.plan_macros(schema)]
    assert len(variants) >= len(plans.SCHEMAS)
    for name in variants:  # queries/plans/<schema>/<macro>.sql defines <schema>.<macro>, nothing else
        schema, macro = name.split("/")[1:]
        assert f"CREATE MACRO {schema}.{macro}(" in sql.text(name), name
    for name in sql.names() + variants:
        text = sql.text(name)
        assert text.lstrip().startswith("--"), f"{name}.sql should start with a one-line description"
        assert "{" not in text.replace("{'", "").replace("'}", ""), f"{name}.sql looks like a template"


def test_database_path_prefers_flag_then_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("THREATSCAPE_DB", str(tmp_path / "env.duckdb"))
    assert database_path() == tmp_path / "env.duckdb"
    assert database_path(tmp_path / "flag.duckdb") == tmp_path / "flag.duckdb"
    monkeypatch.delenv("THREATSCAPE_DB")
    assert database_path().parts[-2:] == ("data", "incidents.duckdb")


def test_a_missing_database_is_built_from_the_demo(tmp_path):
    path, built = ensure_database(tmp_path / "new" / "incidents.duckdb")
    assert built and path.exists()
    assert Store(path).dataset()["kind"] == "demo"
    assert ensure_database(path) == (path, False)


def test_incident_sector_agrees_with_the_sector_mask(fixture_path):
    con = duckdb.connect(str(fixture_path), read_only=True)
    from_table = con.execute("SELECT incident_id, bit_or(1::UBIGINT << sector_id) FROM incident_sector "
                             "GROUP BY 1 ORDER BY 1").fetchall()
    from_mask = con.execute("SELECT incident_id, sector_mask FROM incident ORDER BY 1").fetchall()
    assert from_table == from_mask
    assert con.execute("SELECT count(*) FROM incident_sector").fetchone()[0] == 15


def test_content_version_depends_on_content_only(tmp_path):
    a = write_fixture(tmp_path / "a.duckdb")
    b = write_fixture(tmp_path / "b.duckdb")
    changed = list(INCIDENTS)
    changed[0] = changed[0][:7] + ("C-Other",)
    c = write_fixture(tmp_path / "c.duckdb", incidents=changed)
    assert a == b != c


def test_a_duckdb_internal_error_reopens_the_database_and_the_query_still_answers(fixture_path):
    """DuckDB invalidates its instance after an internal error; the store must not stay broken."""
    import duckdb

    from threatscape.filters import Filters

    store = Store(fixture_path)
    want = int(store.query("incident_count", Filters().params()).iloc[0, 0])
    store.clear_cache()
    broken = store.snapshot()

    class Failing:
        def cursor(self):
            class Cursor:
                def execute(self, *a, **k):
                    raise duckdb.InternalException("INTERNAL Error: simulated")

                def close(self):
                    pass
            return Cursor()

    broken.con = Failing()
    store._drop_cursor()  # this thread's cursor on the snapshot: the next query takes a new one from Failing
    assert int(store.query("incident_count", Filters().params()).iloc[0, 0]) == want
    assert store.snapshot() is not broken


def test_a_database_from_an_older_schema_is_rebuilt_if_demo_and_named_if_not(tmp_path, monkeypatch):
    """Upgrading the app: the old demo file is rebuilt on start; an ingested one is never touched, and
    opening it says what to do instead of failing on a missing table."""
    def age(path):
        with duckdb.connect(str(path)) as con:
            con.execute("UPDATE dataset SET schema_version = schema_version - 1")

    demo = tmp_path / "demo.duckdb"
    write_fixture(demo, kind="demo")
    age(demo)
    monkeypatch.setattr("threatscape.demo.build_demo", lambda p: write_fixture(p, kind="demo"))
    path, built = ensure_database(demo)
    assert built and Store(path).dataset()["schema_version"] == SCHEMA_VERSION

    ingested = tmp_path / "ingested.duckdb"
    write_fixture(ingested)
    age(ingested)
    before = ingested.read_bytes()
    assert ensure_database(ingested) == (ingested, False)
    with pytest.raises(OutdatedDatabase, match="schema version"):
        Store(ingested).dataset()
    assert ingested.read_bytes() == before


@pytest.mark.perf
def test_a_query_does_not_wait_for_a_pandas_import_in_progress(fixture_path):
    """The warm start runs the first overview's queries while the page imports pandas (launch.py). DuckDB's
    client waits for that import before converting a date or a list parameter; the store passes those as text
    where the query casts them, so the query answers while pandas is still loading."""
    import subprocess
    import sys

    code = f"""
import datetime as dt, sys, threading
from threatscape.store import Store
from threatscape.filters import Filters
store = Store({str(fixture_path)!r})
snap = store.snapshot()  # opened before the import starts
executed_while_importing = []

class Cursor:  # notes, as each query returns from DuckDB, whether pandas is still being imported
    def __init__(self, cursor):
        self.cursor = cursor
    def execute(self, query, params=None):
        result = self.cursor.execute(query, params)
        if params:
            executed_while_importing.append(getattr(sys.modules["pandas"].__spec__, "_initializing", False))
        return result
    def close(self):
        self.cursor.close()

class Connection:
    def __init__(self, con):
        self.con = con
    def cursor(self):
        return Cursor(self.con.cursor())

snap.con = Connection(snap.con)
def ask():
    while "pandas" not in sys.modules:
        pass
    f = Filters(since=dt.date(2020, 1, 1), until=dt.date(2030, 12, 31))  # as launch.warm asks
    store.query("incident_count", f.params() | {{"actor_ids": [1, 2]}})
thread = threading.Thread(target=ask)
thread.start()
import pandas
thread.join()
print(executed_while_importing)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-1] == "[True]", "the query waited for pandas to finish importing"


def test_dates_and_integer_lists_sent_as_text_give_the_same_answers(store, monkeypatch):
    """Where a query casts a parameter, the store sends dates and integer lists as text (see above): the
    overview's and explorer's queries answer exactly as with the values themselves."""
    from threatscape import store as store_mod
    from threatscape.filters import View

    actors = list(store.query("actor_options")["actor"][:2])
    f = Filters(since=dt.date(2023, 1, 1), until=dt.date(2025, 6, 30), actors=tuple(actors))
    assert store.actor_ids(f.actors, []), "the filter should send a list of actor ids"
    asks = [lambda: data.kpis(store, f), lambda: data.actor_sector(store, f, View()),
            lambda: data.actor_period(store, f, View()), lambda: data.incident_count(store, f),
            lambda: data.incident_page(store, f, page_size=20)]

    def answers():
        store.clear_cache()
        return [ask() for ask in asks]

    as_text = answers()
    monkeypatch.setattr(store_mod, "_as_text", lambda bound, cast: dict(bound))
    assert as_text[3] > 0
    for mine, theirs in zip(as_text, answers()):
        assert mine.equals(theirs) if hasattr(mine, "equals") else mine == theirs


@pytest.mark.perf
def test_a_file_the_store_found_current_is_not_opened_again_to_ask_whether_it_is_an_outdated_demo(tmp_path,
                                                                                                  monkeypatch):
    """Every page run asks startup.ensure_database whether the file needs a rebuild; once a Store has opened the
    file (and checked its schema), that costs no second DuckDB instance, until the file is replaced."""
    from threatscape import startup

    path = tmp_path / "db.duckdb"
    write_fixture(path, kind="demo")
    Store(path).version
    opened = []  # each time startup opens the file to read its schema version
    read_version = startup.schema.schema_version
    monkeypatch.setattr(startup.schema, "schema_version", lambda *a: opened.append(a) or read_version(*a))
    assert ensure_database(path) == (path, False) and opened == []
    write_fixture(path, kind="demo")  # replaced: asked again, it is opened once, then known
    assert ensure_database(path) == (path, False) and ensure_database(path) == (path, False)
    assert len(opened) == 1
