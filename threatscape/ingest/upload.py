"""Uploaded files, ingested outside the server: the app's Ingest page saves each upload to disk in slices, under its
own name, and runs the command line's ingest on them in a process of its own, so that parsing a file never grows the
server's memory. Nothing here imports Streamlit.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Protocol

import threatscape

# The files of one ingest may hold this much together. Streamlit's server.maxUploadSize (default 200, in MiB) limits
# each file on its own; this limits them all.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
CHUNK = 1 << 20  # bytes read from an upload and written at a time
ROOT = Path(threatscape.__file__).resolve().parent.parent  # where `python -m threatscape` finds the package
WAITING = "waiting for another ingest"  # how the command line's line about the lock begins (writelock.py)


class Upload(Protocol):
    """What the page hands over of each uploaded file (Streamlit's UploadedFile)."""
    name: str

    def read(self, size: int = -1) -> bytes: ...

    def seek(self, offset: int, whence: int = 0) -> int: ...


class TooLarge(Exception):
    """The files of one ingest hold more than the limit together."""

    def __init__(self, name: str, total: int, limit: int):
        super().__init__(f"The files of one ingest may hold {_mb(limit)} together; with {name} they hold more "
                         f"({_mb(total)} so far). Ingest fewer files at a time, or large files with "
                         "`python -m threatscape ingest` on the server.")
        self.name, self.total, self.limit = name, total, limit


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.1f} MB"


def safe_name(name: str) -> str:
    """The file's own name, without any folder the client sent (either slash), control characters, or a name that
    means a folder; at most 200 characters, its suffix kept (the format is known by it)."""
    base = re.sub(r"[\x00-\x1f\x7f]", "", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if base in ("", ".", ".."):
        return "upload"
    if len(base.encode()) > 200:
        suffix = Path(base).suffix[:20]
        base = base.encode()[:200 - len(suffix.encode())].decode(errors="ignore") + suffix
    return base


def save(uploads: Iterable[Upload], work: str | os.PathLike, limit: int = MAX_UPLOAD_BYTES) -> list[Path]:
    """Write each upload to `work`/<n>/<its own name> (a folder each: two uploads may share a name), in slices of
    CHUNK bytes; the paths. The same file ingested from the command line under the same name is then the same
    ingest, file names and all (incident ids never depend on the file name). TooLarge when the files together pass
    `limit`: it names the file that did."""
    work, paths, total = Path(work), [], 0
    for i, up in enumerate(uploads):
        name = safe_name(up.name)
        size = getattr(up, "size", None)  # known before reading: fail before writing anything
        if isinstance(size, int) and total + size > limit:
            raise TooLarge(name, total + size, limit)
        folder = work / f"{i:03d}"
        folder.mkdir()
        target = folder / name
        up.seek(0)
        with open(target, "wb") as out:
            while chunk := up.read(CHUNK):
                total += len(chunk)
                if total > limit:
                    raise TooLarge(name, total, limit)
                out.write(chunk)
        paths.append(target)
    return paths


@dataclass
class Outcome:
    """What the ingest process did: its exit code (cli.INGEST_EXIT_CODES), its one-line error, its summary and the
    report (Report.to_json()), as far as it got."""
    exit_code: int
    error: str | None = None
    summary: str | None = None
    report: dict | None = None
    waited: bool = False  # it waited for another ingest into the database

    @property
    def stored(self) -> bool:
        return self.exit_code in (0, 3)


def command(paths: list[Path], db: str | os.PathLike, result: Path, *, fmt: str = "auto", source: str | None = None,
            strict: bool = False, dry_run: bool = False, user: str = "local user", role: str = "admin",
            clearance: str = "", wait: bool = True) -> list[str]:
    """The command line that ingests `paths` into `db`, writing its outcome to `result` (JSON)."""
    cmd = [sys.executable, "-m", "threatscape", "ingest", "--db", str(db), "--format", fmt, "--result", str(result),
           "--audit-user", user, "--audit-role", role, "--audit-clearance", clearance]
    if source:
        cmd += ["--source", source]
    if strict:
        cmd.append("--strict")
    if dry_run:
        cmd.append("--dry-run")
    if not wait:
        cmd.append("--no-wait")
    return cmd + ["--", *map(str, paths)]


def run(paths: list[Path], db: str | os.PathLike, work: str | os.PathLike, *,
        on_line: Callable[[str], None] | None = None, **options) -> Outcome:
    """Ingest `paths` into `db` in a process of its own (the command line's ingest); its outcome. on_line is called
    with each line it reports as it goes (records read; waiting for another ingest). options: command()'s."""
    result = Path(os.path.abspath(work)) / "result.json"
    result.unlink(missing_ok=True)
    paths, db = [Path(os.path.abspath(p)) for p in paths], Path(os.path.abspath(db))  # the process runs in ROOT
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    proc = subprocess.Popen(command(paths, db, result, **options), cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                            errors="replace")
    lines, waited = [], False
    try:
        for line in proc.stderr:
            line = line.rstrip("\n")
            lines.append(line)
            waited = waited or line.startswith(WAITING)
            if on_line is not None:
                on_line(line)
    finally:
        # Also when the caller stops (a page run interrupted): the ingest ends as it would have, before its files
        # go away.
        proc.communicate()
    try:
        outcome = json.loads(result.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # it ended before it could say (killed, or a fault of its own)
        tail = "\n".join(lines[-20:])
        print(f"ingest process ended with exit code {proc.returncode}:\n{tail}", file=sys.stderr)  # the server log
        return Outcome(proc.returncode or 1, f"The ingest process ended unexpectedly (exit code {proc.returncode})."
                                             " The server log has the details.", waited=waited)
    return Outcome(outcome["exit_code"], outcome["error"], outcome["summary"], outcome["report"], waited)
