"""One writer at a time per database file, across processes: the command line, the app and its ingest subprocesses.

Every write of a database reads the file in place, builds a new one beside it and renames that over it (build.py).
Two writes at once would each build from the same old file, and the second rename would silently drop the first
write. `hold(db)` takes an exclusive flock on a lock file beside the database (`incidents.duckdb.lock` for
`incidents.duckdb`) for the whole read-modify-replace; a second writer waits (saying so, once) or, with
wait=False, fails at once with `Busy`. The lock file is never removed (removing it would let two writers lock two
different files); it holds who holds the lock, for the message a waiting writer prints. The kernel releases the lock
when its holder ends, however it ends (a killed ingest included).

Once it holds the lock, a writer removes the temporary files of that database that processes no longer running
left behind (`.incidents.duckdb.<pid>.<thread>.tmp` and its `.wal`: a killed ingest's). Only those of processes
that are gone: a dry run builds its temporary file without the lock (it replaces nothing), and so does a process
that has not taken the lock yet or a version of Threatscape from before it, so "every temporary file, since I hold
the lock" would delete files still being written. A pid reused since is left for a later writer.

The lock is re-entrant within a thread (a demo build under the start-up check, a decision applied by an ingest)
and exclusive between threads: each hold opens the lock file itself, and flock locks belong to the open file.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import re
import threading
from pathlib import Path
from typing import Callable, Iterator


class Busy(Exception):
    """Another writer holds the database and the caller would not wait."""

    def __init__(self, db: Path, holder: str):
        super().__init__(f"another ingest into {db} is running{holder}; nothing was written")
        self.db, self.holder = db, holder


def lock_path(db: str | os.PathLike) -> Path:
    db = Path(db)
    return db.with_name(f"{db.name}.lock")


_TEMP = r"^\.{name}\.(\d+)\.(\d+)\.tmp(?:\.wal)?$"  # build.create's temporary files, and DuckDB's log beside them


def temp_files(db: str | os.PathLike) -> list[Path]:
    """The temporary files of database `db` that are there now, of any process."""
    db = Path(db)
    pattern = re.compile(_TEMP.format(name=re.escape(db.name)))
    try:
        return sorted(db.parent / e.name for e in os.scandir(db.parent) if pattern.match(e.name))
    except FileNotFoundError:
        return []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale(db: str | os.PathLike) -> list[Path]:
    """Remove the temporary files of `db` left by processes that no longer run; return them. Call it holding the
    lock (hold does), so that no writer is about to rename one of them into place."""
    db = Path(db)
    pattern = re.compile(_TEMP.format(name=re.escape(db.name)))
    removed = []
    for p in temp_files(db):
        pid = int(pattern.match(p.name)[1])
        if pid != os.getpid() and not _alive(pid):
            try:
                p.unlink()
            except OSError:  # gone already, or not ours to remove
                continue
            removed.append(p)
    return removed


_held = threading.local()  # .paths: {lock file: holds} of this thread


def _key(db: Path) -> str:
    return os.path.join(os.path.realpath(db.parent), db.name)


def _holder(fd: int) -> str:
    """Who holds the lock, as the lock file says: ' (process 123, since 2024-05-01 10:02:03 UTC)', or ''."""
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        what = "" if info.get("what", "ingest") == "ingest" else f"{info['what']}, "
        return f" (process {int(info['pid'])}, {what}since {info['since']})"
    except (ValueError, KeyError, TypeError, OSError):
        return ""


def waiting_message(db: str | os.PathLike, holder: str = "") -> str:
    return f"waiting for another ingest into {db} to finish{holder}…"


@contextlib.contextmanager
def hold(db: str | os.PathLike, *, wait: bool = True, on_wait: Callable[[str], None] | None = None,
         what: str = "ingest") -> Iterator[None]:
    """Hold the write lock of database `db` for the block. Held already by another writer: wait=True waits, calling
    on_wait once with a line to show (waiting_message); wait=False raises Busy at once."""
    db = Path(db)
    mine = _held.__dict__.setdefault("paths", {})
    key = _key(db)
    if key in mine:  # this thread holds it already
        mine[key] += 1
        try:
            yield
        finally:
            mine[key] -= 1
        return
    db.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(lock_path(db), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o664)
    except PermissionError:  # another user's lock file: it locks as well read-only (it cannot say who holds it)
        fd = os.open(lock_path(db), os.O_RDONLY | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            holder = _holder(fd)
            if not wait:
                raise Busy(db, holder) from None
            if on_wait is not None:
                on_wait(waiting_message(db, holder))
            fcntl.flock(fd, fcntl.LOCK_EX)
        since = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        with contextlib.suppress(OSError):  # (read-only: nothing said)
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps({"pid": os.getpid(), "what": what, "since": since}).encode(), 0)
        remove_stale(db)
        mine[key] = 1
        try:
            yield
        finally:
            del mine[key]
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the lock


def held(db: str | os.PathLike) -> bool:
    """Whether this thread holds the write lock of `db`."""
    return _key(Path(db)) in _held.__dict__.get("paths", {})
