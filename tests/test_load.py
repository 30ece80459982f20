"""The load benchmark as a user runs it (`bench --sessions N --think S`): real sessions over Streamlit's websocket
protocol against a server it starts; what it prints and the JSON it writes (no speed is asserted)."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "threatscape", "bench", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_sessions_drive_the_real_server_and_report_rerun_times(demo_path, tmp_path):
    out = tmp_path / "load.json"
    done = bench("--db", str(demo_path), "--sessions", "3", "--think", "0.3", "--duration", "8", "--json", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(out.read_text())
    assert figures["sessions"] == 3 and figures["errors"] == 0, figures["error_examples"]
    assert figures["reruns"] >= 6 and figures["reruns_per_s"] > 0
    assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]
    assert sum(a["n"] for a in figures["by_action"].values()) == figures["reruns"]
    assert set(figures["by_action"]) <= {"overview filter", "explorer page", "actor profile"}
    assert figures["server_rss_mb"] > 50 and figures["server_cpu_percent"] > 0
    assert "reruns" in done.stdout and "p95" in done.stdout and "peak RSS" in done.stdout


def test_a_session_that_cannot_connect_is_an_error_and_a_failed_run(demo_path, tmp_path):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = bench("--db", str(demo_path), "--sessions", "2", "--think", "0.2", "--duration", "1",
                 "--url", f"http://127.0.0.1:{port}", "--json", str(tmp_path / "f.json"))
    assert done.returncode == 1
    figures = json.loads((tmp_path / "f.json").read_text())
    assert figures["errors"] == 2 and figures["reruns"] == 0
    assert "error: session" in done.stdout and "Traceback" not in done.stderr


def test_with_workers_the_sessions_go_through_nginx_to_every_worker(demo_path, tmp_path):
    import os
    import shutil

    import pytest

    if shutil.which("nginx") is None and not os.access("/usr/sbin/nginx", os.X_OK):
        (pytest.fail if os.environ.get("CI") else pytest.skip)("nginx missing (apt-get install nginx)")
    out = tmp_path / "load.json"
    done = bench("--db", str(demo_path), "--sessions", "6", "--think", "0.3", "--duration", "8", "--workers", "2",
                 "--json", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(out.read_text())
    assert figures["workers"] == 2 and figures["errors"] == 0 and figures["reruns"] >= 6
    assert len(figures["worker_cpu_percent"]) == 2 and min(figures["worker_cpu_percent"]) > 0
    assert "2 workers" in done.stdout
