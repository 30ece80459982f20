"""Serving a team (`python -m threatscape serve --workers N`): Streamlit workers behind nginx, tried as a team
meets it: browsers spread over the workers, each kept on its own, and an ingest reaching every one of them.

Needs nginx (Debian's); where it is missing the tests skip and say so, and with CI=true they fail instead."""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from threatscape.serve import Cluster, ServeError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cluster(demo_path, tmp_path_factory):
    if shutil.which("nginx") is None and not os.access("/usr/sbin/nginx", os.X_OK):
        (pytest.fail if os.environ.get("CI") else pytest.skip)("nginx missing (apt-get install nginx)")
    db = tmp_path_factory.mktemp("serve") / "team.duckdb"
    shutil.copy(demo_path, db)
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = Cluster(db, workers=2, address="127.0.0.1", port=port, log_dir=db.parent).start()
    yield c
    c.stop()


def visit(url: str, cookie: str | None = None) -> tuple[str, str | None]:
    """GET the app's page: (the worker that answered, the affinity cookie set, if any)."""
    req = urllib.request.Request(url + "/", headers={"Cookie": f"threatscape_worker={cookie}"} if cookie else {})
    with urllib.request.urlopen(req, timeout=30) as r:
        r.read()
        set_cookie = r.headers.get("Set-Cookie")
        return r.headers["X-Threatscape-Worker"], (set_cookie.split(";")[0].split("=", 1)[1] if set_cookie else None)


async def incidents_shown(url: str, cookie: str, query: str) -> str:
    """Open the overview in a session of this browser (its cookie), as Streamlit's client does over the websocket,
    and return the Incidents total it shows."""
    import websockets

    async with websockets.connect(url.replace("http://", "ws://") + "/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None, additional_headers={"Cookie": f"threatscape_worker={cookie}"}) as ws:
        return await _overview_incidents(ws, query)


def test_browsers_spread_over_the_workers_and_each_stays_on_its_own(cluster):
    workers, first = visit(cluster.url)[0], {}
    for _ in range(40):  # new browsers: each gets a cookie of its own, hashed onto a worker
        worker, cookie = visit(cluster.url)
        assert cookie, "nginx set no affinity cookie"
        first.setdefault(worker, cookie)
    assert len(first) == 2, f"40 new browsers all reached {sorted(first)}"
    for worker, cookie in first.items():  # a browser with its cookie comes back to its worker, every time
        assert {visit(cluster.url, cookie)[0] for _ in range(5)} == {worker}
        assert visit(cluster.url, cookie)[1] is None  # and is not given another cookie
    assert workers in first


def test_an_ingest_reaches_every_worker_without_a_restart(cluster, tmp_path):
    cookies = {}
    for _ in range(40):
        worker, cookie = visit(cluster.url)
        cookies.setdefault(worker, cookie)
    assert len(cookies) == 2
    query = "since=2026-01-01&until=2026-11-28"
    before = {w: asyncio.run(incidents_shown(cluster.url, c, query)) for w, c in cookies.items()}
    assert len(set(before.values())) == 1 and None not in before.values(), before
    feed = tmp_path / "new.csv"
    feed.write_text("incident_id,occurred_on,actor,title\n" + "".join(
        f"serve-test-{i},2026-06-{10 + i},Kimsuky,New incident {i}\n" for i in range(5)), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "threatscape", "ingest", str(feed), "--db", str(cluster.db)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    # The first ingest into the demo database replaces the demo data: both workers now show the 5 new incidents.
    after = {w: asyncio.run(incidents_shown(cluster.url, c, query)) for w, c in cookies.items()}
    assert after == {w: "5" for w in cookies}, (before, after)


def test_serve_refuses_other_machines_without_sign_in(demo_path):
    with pytest.raises(ServeError, match="without sign-in"):
        Cluster(demo_path, workers=1, address="0.0.0.0", port=8999)
    done = subprocess.run([sys.executable, "-m", "threatscape", "serve", "--db", str(demo_path), "--address",
                           "0.0.0.0", "--workers", "1"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "sign-in" in done.stderr


async def _overview_incidents(ws, query: str) -> str | None:
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = BackMsg()
    msg.rerun_script.query_string = query
    await ws.send(msg.SerializeToString())
    shown = None
    while True:
        fwd = ForwardMsg.FromString(await asyncio.wait_for(ws.recv(), 60))
        kind = fwd.WhichOneof("type")
        if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            element = fwd.delta.new_element
            if element.WhichOneof("type") == "metric" and element.metric.label == "Incidents":
                shown = element.metric.body
        if kind == "script_finished":
            return shown


def test_two_machines_behind_one_balancer_take_a_published_snapshot_without_dropping_sessions(demo_path, tmp_path):
    """The multi-machine setup on one machine: two `serve` instances, each with its own copy of the database file,
    behind one balancer. A third copy is ingested into and published to both (serve.publish); sessions that stay
    connected through the swap see the new data on their next rerun."""
    import socket
    import websockets

    from threatscape.serve import Balancer, publish

    if shutil.which("nginx") is None and not os.access("/usr/sbin/nginx", os.X_OK):
        (pytest.fail if os.environ.get("CI") else pytest.skip)("nginx missing (apt-get install nginx)")

    def port() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    machines, dbs = [], []
    front = None
    try:
        for name in ("a", "b"):
            db = tmp_path / f"machine-{name}.duckdb"
            shutil.copy(demo_path, db)
            dbs.append(db)
            machines.append(Cluster(db, workers=1, address="127.0.0.1", port=port(), log_dir=tmp_path).start())
        upstreams = [m.url.removeprefix("http://") for m in machines]
        front = Balancer(upstreams, address="127.0.0.1", port=port(), log_dir=tmp_path)
        import time

        front.start(time.monotonic() + 60)
        cookies = {}
        for _ in range(40):
            req = urllib.request.Request(front.url + "/")
            with urllib.request.urlopen(req, timeout=30) as r:
                r.read()
                machine = next(h for h in r.headers.get_all("X-Threatscape-Worker") if h in upstreams)
                cookies.setdefault(machine, r.headers["Set-Cookie"].split(";")[0])
        assert sorted(cookies) == sorted(upstreams), f"40 browsers reached only {sorted(cookies)}"

        publisher = tmp_path / "publisher.duckdb"
        shutil.copy(demo_path, publisher)
        feed = tmp_path / "new.csv"
        feed.write_text("incident_id,occurred_on,actor,title\n" + "".join(
            f"published-{i},2026-06-{10 + i},Kimsuky,New incident {i}\n" for i in range(7)), encoding="utf-8")
        query = "since=2026-01-01&until=2026-11-28"

        async def sessions():
            url = front.url.replace("http://", "ws://") + "/_stcore/stream"
            conns = [await websockets.connect(url, subprotocols=["streamlit"], max_size=None,
                                              additional_headers={"Cookie": c}) for c in cookies.values()]
            try:
                before = [await _overview_incidents(ws, query) for ws in conns]
                done = subprocess.run([sys.executable, "-m", "threatscape", "ingest", str(feed), "--db",
                                       str(publisher)], cwd=ROOT, capture_output=True, text=True, timeout=300)
                assert done.returncode == 0, done.stderr
                for db in dbs:
                    publish(publisher, db)
                after = [await _overview_incidents(ws, query) for ws in conns]  # the same connections
                return before, after
            finally:
                for ws in conns:
                    await ws.close()

        before, after = asyncio.run(sessions())
        assert before[0] == before[1] and before[0] not in (None, "7")
        assert after == ["7", "7"]  # the first ingest into a demo database replaces the demo data
    finally:
        if front is not None:
            front.stop()
        for m in machines:
            m.stop()


def test_publish_checks_the_file_before_it_replaces_anything(demo_path, fixture_path, tmp_path):
    target = tmp_path / "serving.duckdb"
    shutil.copy(demo_path, target)
    before = target.read_bytes()
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database")
    done = subprocess.run([sys.executable, "-m", "threatscape", "publish", str(junk), "--db", str(target)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "junk.duckdb" in done.stderr and "Traceback" not in done.stderr
    assert target.read_bytes() == before
    done = subprocess.run([sys.executable, "-m", "threatscape", "publish", str(fixture_path), "--db", str(target)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert target.read_bytes() == fixture_path.read_bytes()
    assert not list(tmp_path.glob(".*.tmp"))
