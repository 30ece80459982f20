"""The benchmark command runs and reports every number it promises (no timing is asserted)."""
from threatscape import bench

KEYS = {"incidents", "interaction_ms_median", "interaction_ms_p95", "slowest_query", "peak_rss_mb", "db_mb",
        "explorer_page_ms_max", "explorer_count_ms_max", "interaction_all_cold_ms_median",
        "export_mb_per_s", "ingest_rows_per_s", "baseline_interaction_ms_median", "speedup_vs_baseline"}


def test_bench_measures_one_database(fixture_path, monkeypatch):
    monkeypatch.setattr(bench, "REPEAT", 1)
    result = bench.measure(fixture_path, baseline=True)
    assert KEYS <= set(result)
    assert result["incidents"] == 10 and result["export_rows"] == 10
    assert len(result["interactions"]) == len(bench._interactions(bench.Store(fixture_path)))


def test_bench_measures_the_app_process(fixture_path, monkeypatch):
    """The app under AppTest: cold start, reruns, filter changes, chart payloads and its peak memory."""
    import time

    monkeypatch.setattr(bench, "REPEAT", 1)
    monkeypatch.setenv("THREATSCAPE_DB", str(fixture_path))  # bench.app sets it; restored afterwards
    result = bench.app(fixture_path, time.time())
    assert {"cold_start_s", "apptest_rerun_ms_median", "apptest_filter_change_ms_median",
            "apptest_filter_change_ms_p95", "chart_payload_kb_max", "app_peak_rss_mb"} <= set(result)
    assert 0 < result["chart_payload_kb_max"] < 1024 and result["app_peak_rss_mb"] > 0
