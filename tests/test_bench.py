"""The benchmark command runs and reports every number it promises (no timing is asserted)."""
from threatscape import bench

KEYS = {"incidents", "interaction_ms_median", "interaction_ms_p95", "slowest_query", "peak_rss_mb", "db_mb",
        "explorer_page_ms_max", "explorer_count_ms_max", "explorer_page_kind_ms_max", "interaction_all_cold_ms_median",
        "export_mb_per_s", "ingest_rows_per_s", "baseline_interaction_ms_median", "speedup_vs_baseline", "speed_check_s"}


def test_bench_measures_one_database(fixture_path, monkeypatch):
    monkeypatch.setattr(bench, "REPEAT", 1)
    monkeypatch.setattr(bench, "LOOP_ADDITIONS", 200_000)
    result = bench.measure(fixture_path, baseline=True)
    assert KEYS <= set(result)
    # The machine's speed around the measurements, so that a run on a slow VM can be told from a slow change
    assert len(result["speed_check_s"]) == 2 and all(0 < s < 60 for s in result["speed_check_s"])
    assert result["incidents"] == 10 and result["export_rows"] == 10
    assert len(result["ingest_rows_per_s_runs"]) == bench.INGESTS  # the first in this process, then by the CLI
    assert result["ingest_rows_per_s"] == sorted(result["ingest_rows_per_s_runs"])[bench.INGESTS // 2] > 0
    assert len(result["interactions"]) == len(bench._interactions(bench.Store(fixture_path)))
    # Every order's first page, and a page deep down read both ways: "any page of results" is a target.
    assert len(result["explorer_pages"]) == 9 and result["explorer_page_kind_ms_max"] <= result["explorer_page_ms_max"]


def test_bench_measures_the_app_process(fixture_path, monkeypatch):
    """The app under AppTest: cold start, reruns, filter changes, chart payloads and its peak memory."""
    import time

    monkeypatch.setattr(bench, "REPEAT", 1)
    monkeypatch.setenv("THREATSCAPE_DB", str(fixture_path))  # bench.app sets it; restored afterwards
    result = bench.app(fixture_path, time.time())
    assert {"cold_start_s", "apptest_rerun_ms_median", "apptest_filter_change_ms_median",
            "apptest_filter_change_ms_p95", "chart_payload_kb_max", "app_peak_rss_mb"} <= set(result)
    assert 0 < result["chart_payload_kb_max"] < 1024 and result["app_peak_rss_mb"] > 0


def test_bench_reports_the_median_of_several_cold_starts(fixture_path, monkeypatch):
    """Each cold start is a new app process; the first also measures the rest (reruns, payloads, memory)."""
    monkeypatch.setattr(bench, "COLD_STARTS", 3)
    result = bench._app_process(fixture_path)
    runs = result["cold_start_s_runs"]
    assert len(runs) == 3 and all(r > 0 for r in runs)
    assert result["cold_start_s"] == sorted(runs)[1]
    assert "apptest_filter_change_ms_median" in result and result["app_peak_rss_mb"] > 0


def test_bench_says_which_python_ran_it(monkeypatch):
    """A Python built without optimisations starts the app slower: the report names the interpreter."""
    monkeypatch.setattr(bench.sys, "base_prefix", "/usr")
    monkeypatch.setattr(bench.sys, "prefix", "/srv/threatscape/.venv")
    assert bench.interpreter()["base"] == "/usr" and bench.interpreter()["venv"] == "/srv/threatscape/.venv"
    monkeypatch.setattr(bench.sys, "prefix", "/usr")
    assert bench.interpreter()["venv"] is None
