"""The audit trail: who signed in, ingested, downloaded or decided what, and when.

One JSON object per line in a file beside the database (`incidents.audit.jsonl` for `incidents.duckdb`), so that
an ingest, which replaces the database file, never touches it. Only appended to: each line is written whole,
under an exclusive lock, with one write() on a file opened O_APPEND, and flushed to disk. Each line carries the
SHA-256 of the line before it (`prev`), so an edited or deleted line is found by `verify`.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import hashlib
import json
import os
from pathlib import Path

ACTIONS = ("sign-in", "sign-out", "ingest", "snapshot", "chart-data", "brief", "alias-decision", "audit-export",
           "denied")
GENESIS = "0" * 64  # the `prev` of the first line


def path_for(db: str | os.PathLike) -> Path:
    db = Path(db)
    return db.with_name(f"{db.stem}.audit.jsonl")


def command_line_user() -> str:
    """Who runs a command on this machine, as the trail names them."""
    try:
        name = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (a container without one)
        name = f"uid {os.getuid()}"
    return f"{name} (command line)"


def _line_hash(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


def _last_line(fd: int) -> bytes | None:
    size = os.lseek(fd, 0, os.SEEK_END)
    if size == 0:
        return None
    chunk = 1 << 16
    pos, tail = size, b""
    while pos > 0:
        step = min(chunk, pos)
        pos -= step
        tail = os.pread(fd, step, pos) + tail
        body = tail.rstrip(b"\n")
        if b"\n" in body or pos == 0:
            return body.rsplit(b"\n", 1)[-1]
    return None


def record(db: str | os.PathLike, action: str, *, user: str, role: str = "", clearance: str = "", **details) -> dict:
    """Append one event to the trail of database `db` and return it. Never rewrites what is there."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    target = path_for(db)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        read_fd = os.open(target, os.O_RDONLY)
        try:
            last = _last_line(read_fd)
        finally:
            os.close(read_fd)
        event = {"at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "action": action,
                 "user": user, "role": role, "clearance": clearance, **details,
                 "prev": GENESIS if last is None else _line_hash(last)}
        line = (json.dumps(event, default=str, ensure_ascii=False, sort_keys=False) + "\n").encode()
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)  # also releases the lock
    return event


def read(db: str | os.PathLike) -> list[dict]:
    """Every event of the trail, oldest first (an empty list when there is none yet)."""
    target = path_for(db)
    if not target.exists():
        return []
    events = []
    with open(target, "rb") as f:
        for raw in f:
            if raw.strip():
                events.append(json.loads(raw))
    return events


def verify(db: str | os.PathLike) -> list[str]:
    """Problems with the trail's chain: a line whose `prev` is not the hash of the line before it (one was edited,
    inserted or removed). An empty list: the trail is whole."""
    target = path_for(db)
    if not target.exists():
        return []
    problems, prev = [], GENESIS
    with open(target, "rb") as f:
        for number, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                event = json.loads(raw)
            except ValueError:
                problems.append(f"{target.name}, line {number}: not a JSON object")
                prev = _line_hash(raw)
                continue
            if event.get("prev") != prev:
                problems.append(f"{target.name}, line {number}: does not follow the line before it")
            prev = _line_hash(raw)
    return problems
