"""The benchmark command runs and reports every number it promises (no timing is asserted)."""
from threatscape import bench

KEYS = {"incidents", "interaction_ms_median", "interaction_ms_p95", "slowest_query", "peak_rss_mb", "db_mb",
        "export_mb_per_s", "ingest_rows_per_s", "baseline_interaction_ms_median", "speedup_vs_baseline"}


def test_bench_measures_one_database(fixture_path, monkeypatch):
    monkeypatch.setattr(bench, "REPEAT", 1)
    result = bench.measure(fixture_path, baseline=True)
    assert KEYS <= set(result)
    assert result["incidents"] == 10 and result["export_rows"] == 10
    assert len(result["interactions"]) == len(bench._interactions(bench.Store(fixture_path)))
