"""`bench --build`: how long a database takes to build from a lake, and the memory it takes, per engine and size.

For each size, the demo is written as a lake (`demo --lake`), then `build --from` runs once per engine in a
process of its own, whose peak memory is sampled with every process it starts (Spark's JVM included).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .bench import speed_check

SAMPLE_S = 0.2


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next((int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:")), 0)
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


def _run(args: list[str]) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "threatscape", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(SAMPLE_S)
    out, err = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"{' '.join(args[:1])}: {err.strip().splitlines()[-1] if err.strip() else 'failed'}")
    return {"seconds": round(time.perf_counter() - t0, 1), "peak_rss_mb": round(peak / 2**20)}


def run(sizes: list[int], engines: list[str], *, work: str | None = None) -> dict:
    figures = {"speed_check_s": speed_check(), "builds": []}
    with tempfile.TemporaryDirectory(prefix="threatscape-buildbench-", dir=work) as tmp:
        for n in sizes:
            folder = Path(tmp) / f"lake-{n}"
            written = _run(["demo", "--lake", str(folder), "--incidents", str(n)])
            figures["builds"].append({"incidents": n, "engine": "lake (demo --lake)", **written})
            for engine in engines:
                db = Path(tmp) / f"{engine}-{n}.duckdb"
                built = _run(["build", "--from", str(folder), "--db", str(db), "--engine", engine])
                figures["builds"].append({"incidents": n, "engine": engine, **built,
                                          "file_mb": round(db.stat().st_size / 2**20)})
                db.unlink()
    return figures


def report(figures: dict) -> str:
    lines = [f"{'incidents':>12}  {'engine':<20} {'time':>9} {'peak memory':>12}"]
    for b in figures["builds"]:
        lines.append(f"{b['incidents']:>12,}  {b['engine']:<20} {b['seconds']:>7.1f} s {b['peak_rss_mb']:>9,} MB")
    lines.append(f"speed check {figures['speed_check_s']:.2f} s (lower is faster)")
    return "\n".join(lines)
