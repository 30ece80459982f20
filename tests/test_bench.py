"""The benchmark command as a user runs it: what it prints and the JSON it writes (no timing is asserted)."""
import datetime as dt
import json
import platform
import re
import subprocess
import sys
from pathlib import Path

import pytest

from threatscape import bench, plans
from threatscape.store import Store

ROOT = Path(__file__).resolve().parent.parent
QUERIES = {p.stem for p in (ROOT / "queries").glob("*.sql")}
STEPS = ["open the overview", "change the date range", "pick two actors", "pick a sector",
         "drill into a heatmap cell", "open the explorer", "page deep into the explorer", "open an actor profile"]
# What each database holds, and the rows the explorer shows after Last, then Previous, over all its incidents.
DATABASES = {"fixture": (10, "Rows 1–10 of 10"), "demo": (150, "Rows 51–100 of 150")}


def bench_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "threatscape", "bench", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module", params=sorted(DATABASES))
def run(request, fixture_path, tmp_path_factory):
    """`bench --db PATH --repeat 1 --baseline --json FILE` on a small database: (name, stdout, the JSON's entry)."""
    if request.param == "fixture":
        db = fixture_path
    else:  # 150 incidents: three explorer pages, so that paging deep has a page to go to
        from threatscape.demo import build_demo

        db = tmp_path_factory.mktemp("bench") / "demo-150.duckdb"
        build_demo(db, incidents=150, seed=7, until=dt.date(2026, 11, 28))
    out = tmp_path_factory.mktemp("bench-json") / "bench.json"
    done = bench_cli("--db", str(db), "--repeat", "1", "--baseline", "--json", str(out))
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text())
    assert len(results) == 1  # one database, one entry
    return request.param, db, done.stdout, results[0]


def test_bench_prints_a_median_and_a_p95_for_every_step(run):
    _, _, stdout, result = run
    for name in STEPS:
        lines = [line for line in stdout.splitlines() if line.strip().startswith(name + " ")]
        assert len(lines) == 1, (name, stdout)
        shown = re.fullmatch(r"\s*(.+?)\s+median\s+([\d.]+) ms\s+p95\s+([\d.]+) ms\s+"
                             r"page run median\s+([\d.]+) ms\s+p95\s+([\d.]+) ms", lines[0])
        assert shown, lines[0]
        figures = result["interactions"][name]
        assert [float(x) for x in shown.groups()[1:]] == [
            figures["median_ms"], figures["p95_ms"], figures["page_run_ms_median"], figures["page_run_ms_p95"]]


def test_bench_writes_every_step_of_the_script_to_the_json_file(run):
    _, db, _, result = run
    assert list(result["interactions"]) == STEPS
    assert [name for name, _, _ in bench._interactions(Store(db))] == STEPS
    assert {"interaction_ms_median", "interaction_ms_p95", "interaction_all_cold_ms_median",
            "interaction_all_cold_ms_p95", "page_run_ms_median", "page_run_ms_p95", "slowest_query",
            "slowest_query_ms", "explorer_page_ms_max", "explorer_count_ms_max", "explorer_page_kind_ms_max",
            "export_mb_per_s", "ingest_rows_per_s", "baseline_interaction_ms_median", "speedup_vs_baseline",
            "cold_start_s", "apptest_filter_change_ms_median", "chart_payload_kb_max", "app_peak_rss_mb",
            "peak_rss_mb", "speed_check_s"} <= set(result)
    assert result["interaction_ms_from"] in ("queries", "page_run")
    # Every order's first page, and a page deep down read both ways.
    assert len(result["explorer_pages"]) == 9
    # --repeat 1: one cold start and one ingest, which the report lists.
    assert len(result["cold_start_s_runs"]) == 1 and len(result["ingest_rows_per_s_runs"]) == 1
    assert 0 < result["chart_payload_kb_max"] < 1024


def test_bench_names_the_queries_the_pages_ran_and_the_plans_that_answered(run):
    _, _, stdout, result = run
    queries = result["queries"]
    assert set(queries) <= QUERIES and result["slowest_query"] in queries
    # The overview's, the explorer's and the actor profile's own queries: the real pages ran.
    assert {"kpis", "incidents_by_actor_sector", "incident_page", "incident_count", "incident_facets",
            "actor_profile", "actor_aliases"} <= set(queries)
    for name, q in queries.items():
        assert q["plans"] and all(count >= 1 for count in q["plans"].values()), name
        for plan in q["plans"]:  # the macro variants' schemas (or none named)
            assert set(re.findall(r"\w+", plan)) <= set(plans.SCHEMAS) | {"main"}, (name, plan)
        line = next(line for line in stdout.splitlines() if line.strip().startswith(name + " "))
        assert all(f"x{count}" in line for count in q["plans"].values()), line


def test_bench_counts_match_the_database(run):
    param, db, stdout, result = run
    incidents, _ = DATABASES[param]
    assert result["incidents"] == incidents
    assert result["export_rows"] == incidents  # the CSV snapshot holds every incident
    assert f"== {incidents:,} incidents (database {result['db_mb']} MB)" in stdout
    assert result["db_mb"] == round(db.stat().st_size / 2**20, 1)
    assert f"export {incidents:,} rows" in stdout


def test_bench_pages_deep_into_the_explorer_with_its_buttons(run):
    param, _, stdout, result = run
    _, rows = DATABASES[param]
    assert result["explorer_deep_rows"] == rows
    assert f"the deep page showed {rows}" in stdout


def test_bench_says_which_python_ran_it(run):
    _, _, stdout, result = run
    assert stdout.splitlines()[0].startswith(f"Python {platform.python_version()} from {sys.base_prefix}")
    assert result["python"]["version"] == platform.python_version()


@pytest.mark.parametrize("kind", ["text file", "DuckDB file of another program", "missing file"])
def test_bench_refuses_a_path_that_is_not_a_database_in_one_line(tmp_path, kind):
    path = tmp_path / "incidents.duckdb"
    if kind == "text file":
        path.write_text("id,title\n1,phishing\n")
    elif kind == "DuckDB file of another program":
        import duckdb

        with duckdb.connect(str(path)) as con:
            con.execute("CREATE TABLE t (x INTEGER)")
    done = bench_cli("--db", str(path), "--repeat", "1")
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(path) in lines[0], done.stderr


def test_bench_takes_a_database_or_demo_sizes_not_both(fixture_path):
    done = bench_cli("--db", str(fixture_path), "--incidents", "1000")
    assert done.returncode == 2 and "--db or --incidents" in done.stderr and "Traceback" not in done.stderr


def test_bench_build_times_a_lake_and_its_database(tmp_path):
    out = tmp_path / "build.json"
    done = bench_cli("--build", "duckdb", "--incidents", "5000", "--json", str(out))
    assert done.returncode == 0, done.stderr
    figures = json.loads(out.read_text())
    kinds = [b["engine"] for b in figures["builds"]]
    assert kinds == ["lake (demo --lake)", "duckdb"]
    built = figures["builds"][1]
    assert built["incidents"] == 5000 and built["seconds"] > 0 and built["peak_rss_mb"] > 50 and built["file_mb"] > 0
    assert "5,000  duckdb" in done.stdout
