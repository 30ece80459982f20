"""The load benchmark: many people using one server at once (`bench --sessions N --think S`).

It starts the real server (`streamlit run dashboard.py`, or `--url` of one already running), then drives N sessions
over Streamlit's own websocket protocol (/_stcore/stream: protobuf BackMsg and ForwardMsg, what the browser
speaks), with no browser. Each session opens the overview, then, after a think time drawn evenly from 0.5 to 1.5
times the mean, does what a person does: changes a filter on the overview (dates, an actor, a sector, a country),
opens the explorer and pages to the end of the matches, or opens an actor's profile. A step sends the page and its
URL as the browser does on a link or a Back (a rerun of that page with that query string; the app reads the
filters from the URL) and ends when the server says the run finished. It reports, over a fixed duration, the
rerun times (p50, p95, max), reruns per second, errors (a run that raised, did not finish, or a dropped
connection), and the server's peak memory (RSS) and CPU share, read from /proc.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
START_S = 120  # the server answering its health check
STEP_TIMEOUT_S = 60  # a step that has not finished by then is an error
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    times: list[float] = field(default_factory=list)  # seconds per step (the first load of each session left out)
    by_action: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    first_loads: list[float] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """`streamlit run dashboard.py` on a free port of 127.0.0.1, serving db; waits for its health check."""
    port = _free_port()
    env = os.environ | {"THREATSCAPE_DB": str(db)}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited at start:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return server, url
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError(f"the server did not answer within {START_S} s")


def _proc(pid: int) -> tuple[float, int]:
    """(CPU seconds used, resident bytes) of a process and its children, from /proc."""
    cpu, rss = 0.0, 0
    pids = [pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
            rss += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
    return cpu, rss


class Plan:
    """What the sessions do: the steps and the values they pick, from the database's own actors, sectors and
    countries, the last year of its data."""

    def __init__(self, db: Path, seed: int):
        from .store import Store

        store = Store(db)
        first, last = store.date_bounds()
        self.last = last
        self.first = max(first, dt.date(last.year - 5, 1, 1))
        self.actors = store.query("actor_options")["actor"].head(40).tolist()
        self.sectors = store.query("sector_options")["sector"].tolist()
        self.countries = [c for c in store.query("victim_country_options")["victim_country"].head(40).tolist() if c]
        self.rng = random.Random(seed)

    def _dates(self) -> dict:
        span = (self.last - self.first).days
        start = self.first + dt.timedelta(days=self.rng.randrange(max(span - 90, 1)))
        end = min(self.last, start + dt.timedelta(days=self.rng.choice([90, 182, 365, 730])))
        return {"since": start.isoformat(), "until": end.isoformat()}

    def step(self) -> tuple[str, str, str]:
        """(action, page, query string) of the next step."""
        r = self.rng.random()
        if r < 0.55:  # a filter change on the overview
            q = self._dates()
            pick = self.rng.random()
            if pick < 0.3:
                q["actor"] = self.rng.choice(self.actors)
            elif pick < 0.55:
                q["sector"] = self.rng.choice(self.sectors)
            elif pick < 0.75:
                q["country"] = self.rng.choice(self.countries)
            return "overview filter", "", urlencode(q)
        if r < 0.85:  # the explorer, first page or the last (paging)
            q = self._dates() | ({"rows": "last"} if self.rng.random() < 0.5 else {})
            return "explorer page", "explorer", urlencode(q)
        return "actor profile", "actor", urlencode({"actor": self.rng.choice(self.actors)})


async def _session(n: int, url: str, plan: Plan, think: float, until: float, result: Result) -> None:
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    pages: dict[str, str] = {}

    async def run(ws, page: str, query: str) -> None:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_script_hash = pages.get(page, "")
        msg.rerun_script.page_name = page
        await ws.send(msg.SerializeToString())
        ran = None
        while True:
            fwd = ForwardMsg.FromString(await asyncio.wait_for(ws.recv(), STEP_TIMEOUT_S))
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                ran = fwd.new_session.page_script_hash
                for p in fwd.new_session.app_pages:
                    pages[p.url_pathname] = p.page_script_hash
            elif kind == "navigation":
                for p in fwd.navigation.app_pages:
                    pages[p.url_pathname] = p.page_script_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element" \
                    and fwd.delta.new_element.WhichOneof("type") == "exception":
                raise RuntimeError(f"the page raised: {fwd.delta.new_element.exception.message[:200]}")
            elif kind == "script_finished":
                if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                if page and ran != pages.get(page):
                    raise RuntimeError(f"asked for the {page} page, the server ran another")
                return

    host = url.replace("http://", "ws://")
    await asyncio.sleep(plan.rng.uniform(0, think))  # people arrive over the first think time, not all at once
    try:
        # The page first, as a browser loads it: behind `serve`, nginx answers with the session's worker cookie.
        page = await asyncio.to_thread(urllib.request.urlopen, url + "/", timeout=STEP_TIMEOUT_S)
        cookies = "; ".join(c.split(";")[0] for c in page.headers.get_all("Set-Cookie") or [])
        page.read()
        async with websockets.connect(f"{host}/_stcore/stream", subprotocols=["streamlit"], max_size=None,
                                      compression=None, open_timeout=STEP_TIMEOUT_S,
                                      additional_headers={"Cookie": cookies} if cookies else None) as ws:
            t = time.perf_counter()
            await run(ws, "", "")
            result.first_loads.append(time.perf_counter() - t)
            while True:
                await asyncio.sleep(plan.rng.uniform(0.5 * think, 1.5 * think))
                if time.monotonic() >= until:
                    return
                action, page, query = plan.step()
                t = time.perf_counter()
                try:
                    await run(ws, page, query)
                except (RuntimeError, asyncio.TimeoutError) as exc:
                    result.errors.append(f"session {n}, {action} ({page or 'overview'}?{query}): {exc}")
                    continue
                took = time.perf_counter() - t
                result.times.append(took)
                result.by_action.setdefault(action, []).append(took)
    except Exception as exc:  # noqa: BLE001 - a dropped or refused connection is an error of the run
        result.errors.append(f"session {n}: {type(exc).__name__}: {exc}")


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def _drive(url: str, db: Path, sessions: int, think: float, duration: float, seed: int,
                 pids: list[int]) -> dict:
    result = Result()
    plans = [Plan(db, seed + i) for i in range(sessions)]
    start = time.monotonic()
    until = start + duration
    cpu_each = [_proc(p)[0] for p in pids]
    cpu0 = sum(cpu_each)
    peak = 0

    async def sample():
        nonlocal peak
        while time.monotonic() < until:
            peak = max(peak, sum(_proc(p)[1] for p in pids))
            await asyncio.sleep(0.5)

    tasks = [asyncio.create_task(_session(i, url, plans[i], think, until, result)) for i in range(sessions)]
    sampler = asyncio.create_task(sample())
    await asyncio.gather(*tasks)
    await sampler
    elapsed = time.monotonic() - start
    cpu1 = sum(_proc(p)[0] for p in pids)
    per_worker = [round(100 * (_proc(p)[0] - c) / elapsed, 1) for p, c in zip(pids, cpu_each)]
    t = result.times
    return {
        "sessions": sessions, "think_s": think, "duration_s": round(elapsed, 1), "reruns": len(t),
        "reruns_per_s": round(len(t) / elapsed, 2),
        "p50_ms": _ms(_pct(t, 0.5)), "p95_ms": _ms(_pct(t, 0.95)), "max_ms": _ms(max(t) if t else None),
        "first_load_p50_ms": _ms(_pct(result.first_loads, 0.5)),
        "by_action": {a: {"n": len(v), "p50_ms": _ms(_pct(v, 0.5)), "p95_ms": _ms(_pct(v, 0.95))}
                      for a, v in sorted(result.by_action.items())},
        "errors": len(result.errors), "error_examples": result.errors[:5],
        "server_rss_mb": round(peak / 2**20, 1) if pids else None,  # every worker's, together
        "server_cpu_percent": round(100 * (cpu1 - cpu0) / elapsed, 1) if pids else None,  # of one core
        "worker_cpu_percent": per_worker,
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def run(db: Path, *, sessions: int, think: float, duration: float = 60.0, url: str | None = None,
        seed: int = 1, workers: int | None = None) -> dict:
    """Drive `sessions` sessions against a server for `duration` seconds; the figures as a dict (module doc). The
    server: `url`, else `serve --workers N` when workers is given, else one `streamlit run`."""
    from .bench import speed_check
    from .serve import Cluster

    server = cluster = None
    logs = Path(tempfile.mkdtemp(prefix="threatscape-load-"))
    try:
        pids: list[int] = []
        if url is None and workers:
            cluster = Cluster(db, workers=workers, address="127.0.0.1", port=_free_port(), log_dir=logs).start()
            url, pids = cluster.url, cluster.pids()
        elif url is None:
            server, url = start_server(db, logs / "server.log")
            pids = [server.pid]
        before = speed_check()
        out = asyncio.run(_drive(url, db, sessions, think, duration, seed, pids))
        out["speed_check_s"] = [before, speed_check()]
        out["workers"] = workers or 1
        tracebacks = sum(p.read_text(errors="replace").count("Traceback") for p in logs.glob("*.log"))
        if tracebacks:
            out["server_tracebacks"] = tracebacks
        return out
    finally:
        if cluster is not None:
            cluster.stop()
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(logs, ignore_errors=True)


def report(figures: dict) -> str:
    f = figures
    lines = [f"{f['workers']} worker{'s' if f['workers'] != 1 else ''}, {f['sessions']} sessions, think time {f['think_s']} s (0.5-1.5x), {f['duration_s']} s: "
             f"{f['reruns']} reruns, {f['reruns_per_s']} per second; rerun p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms, "
             f"max {f['max_ms']} ms; first load p50 {f['first_load_p50_ms']} ms; errors {f['errors']}",
             f"  server: peak RSS {f['server_rss_mb']} MB, CPU {f['server_cpu_percent']}% of one core "
             f"({' + '.join(f'{c}%' for c in f['worker_cpu_percent'])}); "
             f"speed check {f['speed_check_s'][0]:.2f} s before, {f['speed_check_s'][1]:.2f} s after (lower is faster)"]
    for action, a in f["by_action"].items():
        lines.append(f"  {action:16s} n {a['n']:5d}   p50 {a['p50_ms']} ms   p95 {a['p95_ms']} ms")
    for e in f["error_examples"]:
        lines.append(f"  error: {e}")
    return "\n".join(lines)
