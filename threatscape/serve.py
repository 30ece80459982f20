"""Serve a team: N Streamlit processes behind nginx (`python -m threatscape serve [--workers N]`).

One Streamlit process runs Python on about one core; `serve` starts one per core (or --workers), each on a port of
127.0.0.1, all reading the same database file, and nginx (Debian's) in front of them on --address:--port. nginx
keeps each browser on one worker (session affinity: a cookie it sets on the first response, `threatscape_worker`,
hashed onto the workers), so a session's websocket, its file uploads and its downloads reach the process that holds
the session. An ingest writes a new database file and swaps it in (build.py); every worker's store sees the new
version on its next query, so all of them serve the new data without a restart.

The rules of the app apply behind nginx as they do without it: without an [auth] section in
.streamlit/secrets.toml, --address must be this machine's (local mode), and nginx passes the client's address
(X-Forwarded-For) so that local mode refuses anyone else.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from pathlib import Path

from . import auth

REPO = Path(__file__).resolve().parent.parent
START_S = 120

NGINX_CONF = """\
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    client_max_body_size 210m;  # the Ingest page's uploads (200 MB an ingest)
    # A browser's worker: its cookie, else (its first request) a new random one that the response sets.
    map $cookie_threatscape_worker $threatscape_worker {{
        "" $request_id;
        default $cookie_threatscape_worker;
    }}
    map $cookie_threatscape_worker $threatscape_set_cookie {{
        "" "threatscape_worker=$request_id; Path=/; HttpOnly; SameSite=Lax";
        default "";
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        "" close;
    }}
    upstream threatscape {{
        hash $threatscape_worker consistent;
{servers}
    }}
    server {{
        listen {listen};
        location / {{
            proxy_pass http://threatscape;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 1d;
            proxy_send_timeout 1d;
            proxy_buffering off;
            add_header Set-Cookie $threatscape_set_cookie always;
            add_header X-Threatscape-Worker $upstream_addr always;  # which worker answered
        }}
    }}
}}
"""


class ServeError(RuntimeError):
    """serve cannot start; one line for the user."""


def _auth_configured() -> bool:
    secrets = REPO / ".streamlit" / "secrets.toml"
    try:
        return bool(tomllib.loads(secrets.read_text(encoding="utf-8")).get("auth"))
    except (OSError, tomllib.TOMLDecodeError):
        return False


def _free_ports(n: int) -> list[int]:
    import socket

    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def _nginx() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(p, os.X_OK)),
                                          None)
    if found is None:
        raise ServeError("serve needs nginx: apt-get install nginx")
    return found


class Balancer:
    """nginx on address:port in front of upstream servers ('127.0.0.1:PORT', or another machine's serve), each
    browser kept on one of them by its cookie; stop() ends it. The same balancer runs in front of one machine's
    workers (Cluster) and in front of several machines' `serve` (docs/team.md, More machines)."""

    def __init__(self, upstreams: list[str], *, address: str, port: int, log_dir: Path):
        self.nginx_bin = _nginx()
        self.upstreams, self.address, self.port, self.log_dir = upstreams, address, port, log_dir
        self.run_dir = Path(tempfile.mkdtemp(prefix="threatscape-nginx-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.address in ("0.0.0.0", "localhost", "") else self.address
        return f"http://{host}:{self.port}"

    def start(self, deadline: float) -> None:
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.run_dir / sub).mkdir(exist_ok=True)
        listen = f"{self.address}:{self.port}" if ":" not in self.address else f"[{self.address}]:{self.port}"
        servers = "\n".join(f"        server {u};" for u in self.upstreams)
        conf = self.run_dir / "nginx.conf"
        conf.write_text(NGINX_CONF.format(run=self.run_dir, servers=servers, listen=listen))
        self.process = subprocess.Popen(
            [self.nginx_bin, "-c", str(conf), "-p", str(self.run_dir), "-g", "daemon off;"],
            stdout=(self.log_dir / f"nginx-{self.port}.log").open("w"), stderr=subprocess.STDOUT,
            start_new_session=True)
        while not _healthy(self.url):
            if self.process.poll() is not None or time.monotonic() > deadline:
                err = (self.run_dir / "error.log").read_text(errors="replace").strip().splitlines()
                self.stop()
                raise ServeError(f"nginx did not start on {self.address}:{self.port}: "
                                 f"{err[-1] if err else 'see ' + str(self.log_dir)}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.run_dir, ignore_errors=True)


class Cluster:
    """One machine's workers and the nginx in front of them; stop() ends them all."""

    def __init__(self, db: Path, *, workers: int, address: str, port: int, log_dir: Path | None = None):
        _nginx()
        if not auth.is_loopback(address) and not _auth_configured():
            raise ServeError(f"--address {address} would serve other machines without sign-in: "
                             f"{auth.HOW_TO_CONFIGURE}")
        self.log_dir = log_dir or Path(tempfile.mkdtemp(prefix="threatscape-serve-"))
        self.db = db
        self.worker_ports = _free_ports(workers)
        self.workers: list[subprocess.Popen] = []
        self.balancer = Balancer([f"127.0.0.1:{p}" for p in self.worker_ports], address=address, port=port,
                                 log_dir=self.log_dir)

    @property
    def url(self) -> str:
        return self.balancer.url

    def start(self) -> "Cluster":
        env = os.environ | {"THREATSCAPE_DB": str(self.db)}
        for i, port in enumerate(self.worker_ports):
            log = (self.log_dir / f"worker-{port}.log").open("w")
            self.workers.append(subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard.py"), "--server.port", str(port),
                 "--server.address", "127.0.0.1", "--server.headless", "true"],
                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        deadline = time.monotonic() + START_S
        for worker, port in zip(self.workers, self.worker_ports):
            while not _healthy(f"http://127.0.0.1:{port}"):
                if worker.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise ServeError(f"worker on port {port} did not start (its log: {self.log_dir})")
                time.sleep(0.3)
        try:
            self.balancer.start(deadline)
        except ServeError:
            self.stop()
            raise
        return self

    def pids(self) -> list[int]:
        return [w.pid for w in self.workers]

    def stop(self) -> None:
        self.balancer.stop()
        for p in self.workers:
            if p.poll() is None:
                p.terminate()
        for p in self.workers:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def publish(new: Path, target: Path) -> None:
    """Put a database file another machine wrote in place of this machine's: copied beside it under a temporary
    name, then renamed over it (atomic on one file system), as ingest itself swaps a file in. The workers serving
    target read the new version on their next query; no session is dropped."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.publish.tmp")
    shutil.copyfile(new, tmp)
    os.replace(tmp, target)


def main(db: Path, *, workers: int, address: str, port: int) -> int:
    """Run until interrupted (Ctrl-C, SIGTERM); a worker that exits is said and ends the whole."""
    if not db.exists():
        raise ServeError(f"{db}: no such database (build one with: python -m threatscape demo)")
    cluster = Cluster(db, workers=workers, address=address, port=port).start()
    print(f"Serving {db} at {cluster.url} with {workers} worker{'s' if workers != 1 else ''} "
          f"(ports {', '.join(map(str, cluster.worker_ports))}) behind nginx; Ctrl-C stops.", flush=True)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    try:
        while not stop:
            for w in cluster.workers:
                if w.poll() is not None:
                    print(f"a worker exited (code {w.returncode}); stopping", file=sys.stderr)
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
    return 0
