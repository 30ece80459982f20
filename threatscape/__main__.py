"""python -m threatscape: the command line (cli.main), whose every failure is one line on stderr, never a traceback.

The line names the file, where one is known, and says what is wrong in plain words. Exit codes: 2 for a command line
that names nothing known (cli.UsageError; argparse's own errors too), 1 for everything else that fails (a file that
cannot be read or written, a database file that is damaged, truncated or not DuckDB, a full disk, input nested too
deeply); ingest's documented codes are its own (cli.INGEST_EXIT_CODES). With THREATSCAPE_DEBUG=1 the traceback is
printed too, before the line.
"""
from __future__ import annotations

import errno
import io
import os
import re
import sys

# A temporary file that the atomic writers (build, export) write beside their target: '.NAME.PID[.THREAD][.EXT].tmp'
# ('.x.duckdb.12.34.tmp', '.incidents.12.34.csv.tmp'). A message names the target, not the temporary name.
_TEMPORARY = re.compile(r"^\.(?P<name>.+?)(?:\.\d+)+(?P<ext>\.[^.\d][^.]*)?\.tmp$")
_QUOTED_FILE = re.compile(r'file "(?P<file>[^"]+)"')
# Local variables that hold the file a function is reading or writing, by the names the code base uses.
_FILE_LOCALS = ("path", "tmp", "target", "filename", "file")


def _debug() -> bool:
    return os.environ.get("THREATSCAPE_DEBUG", "").strip().lower() not in ("", "0", "false", "no")


def _target(name: str) -> str:
    """The file a temporary file stands for ('dir/.x.duckdb.12.34.tmp' -> 'dir/x.duckdb'), else the name."""
    head, tail = os.path.split(name)
    m = _TEMPORARY.match(tail)
    return os.path.join(head, m["name"] + (m["ext"] or "")) if m else name


def _frames(tb):
    """The traceback's frames, innermost first."""
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    return reversed(frames)


def _file_in(exc: BaseException) -> str | None:
    """The file the innermost function was reading or writing when `exc` was raised: an open file object's name,
    else a local variable named like a path. For an error that does not carry its file name (a write that fails
    with no space left, JSON nested too deeply)."""
    for frame in _frames(exc.__traceback__):
        local = frame.f_locals
        for value in local.values():
            name = getattr(value, "name", None) if isinstance(value, io.IOBase) else None
            if isinstance(name, str) and name:
                return _target(name)
        for key in _FILE_LOCALS:
            value = local.get(key)
            if isinstance(value, (str, os.PathLike)) and os.fspath(value):
                return _target(os.fspath(value))
    return None


def _local_in(exc: BaseException, key: str) -> str | None:
    """The innermost text local variable `key` (a reader's `locator`: 'row 12', 'event 3', a STIX id)."""
    for frame in _frames(exc.__traceback__):
        value = frame.f_locals.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _database_in(exc: BaseException) -> str | None:
    """The database the command was working on (cli.main's `path`), for a DuckDB error that names no file."""
    for frame in _frames(exc.__traceback__):
        if frame.f_code.co_name == "main" and frame.f_code.co_filename.endswith("cli.py"):
            value = frame.f_locals.get("path")
            return os.fspath(value) if isinstance(value, (str, os.PathLike)) else None
    return None


def _os_error(exc: OSError, first: OSError) -> str:
    """What `exc` means; `first`, the OSError it was raised while handling (or itself), says why."""
    raw = next((f for f in (first.filename, exc.filename) if f is not None), None) or _file_in(first) or _file_in(exc)
    exc = first
    name = _target(os.fspath(raw)) if raw is not None else None
    writing = raw is not None and name != os.fspath(raw)  # a temporary file beside its target: a write
    where = (f"cannot write {name}: " if writing else f"{name}: ") if name else ""
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):  # only a write fails so
        what = "no space left on the device (the disk is full)" if code == errno.ENOSPC else "disk quota exceeded"
        return f"cannot write {name}: {what}" if name else what
    if code in (errno.EACCES, errno.EPERM):
        if name and not writing and not os.path.lexists(name):  # creating it
            return f"cannot create {name}: permission denied (its folder is not writable)"
        return f"{where}permission denied" + (" (the folder is not writable)" if writing else "")
    if code == errno.EROFS:
        return f"{where}the file system is read-only"
    if code == errno.ENOENT:
        return f"{where}no such file or folder"
    if code == errno.EEXIST and name and not os.path.isdir(name):
        return f"{where}exists and is not a folder"
    if code == errno.ENOTDIR:
        return f"{where}a part of this path is a file, not a folder"
    if code == errno.EISDIR:
        return f"{where}is a folder, not a file"
    return f"{where}{exc.strerror or exc}"


# What DuckDB says, in plain words (the first match, in this order, of the message in lower case).
_DUCKDB_WORDS = (
    ("no space left on device", "cannot write {file}: no space left on the device (the disk is full)"),
    ("permission denied", "cannot open {file}: permission denied"),
    ("read-only file system", "cannot write {file}: the file system is read-only"),
    ("is a directory", "{file}: is a folder, not a database file"),
    ("no such file or directory", "{file}: no such file or folder"),
    ("not a valid duckdb database file", "{file}: not a DuckDB database file (or one damaged beyond reading)"),
    ("could not read enough bytes", "{file}: the database file is truncated (it ends before its data does); "
                                    "restore it from a copy or build it again"),
    ("checksum", "{file}: the database file is damaged (a block's checksum does not match); restore it from a copy "
                 "or build it again"),
    ("corrupt", "{file}: the database file is damaged; restore it from a copy or build it again"),
    ("conflicting lock", "{file}: in use by another process (it holds a write lock); try again when it has "
                         "finished"),
)


def _duckdb_error(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    quoted = _QUOTED_FILE.search(text)
    file = _target(quoted["file"]) if quoted else _database_in(exc) or "the database"
    lower = text.lower()
    for words, message in _DUCKDB_WORDS:
        if words in lower:
            return message.format(file=file)
    return f"{file}: database error: {text}"


def describe(exc: BaseException) -> tuple[str, int]:
    """The one line (without 'error: ') that says what went wrong, and the exit code."""
    import duckdb

    from .cli import UsageError

    if isinstance(exc, UsageError):
        return str(exc), 2
    if isinstance(exc, duckdb.Error):
        return _duckdb_error(exc), 1
    if isinstance(exc, OSError):
        cause = exc.__context__  # raised while handling another OSError (a fallback that failed too): the first
        while isinstance(cause, OSError) and cause.__context__ is not None and isinstance(cause.__context__, OSError):
            cause = cause.__context__
        return _os_error(exc, cause if isinstance(cause, OSError) else exc), 1
    if isinstance(exc, RecursionError):
        file = _file_in(exc)
        return (f"{file + ': ' if file else ''}nested too deeply to read (more levels of brackets than the "
                f"{sys.getrecursionlimit():,} Python allows)"), 1
    if isinstance(exc, MemoryError):
        file = _file_in(exc)
        return f"{file + ': ' if file else ''}too large to read: out of memory", 1
    if isinstance(exc, UnicodeError):
        file = _file_in(exc)
        return f"{file + ': ' if file else ''}not text in the expected encoding ({exc})", 1
    text = str(exc) or type(exc).__name__
    if type(exc).__module__.startswith("threatscape"):  # the project's own errors say what is wrong themselves
        return text, 1
    place = " ".join(p for p in (_file_in(exc), _local_in(exc, "locator")) if p)
    return (f"{place + ': ' if place else ''}unexpected {type(exc).__name__}: {text} (THREATSCAPE_DEBUG=1 prints "
            "the traceback)"), 1


def _say(message: str) -> None:
    try:
        print("error: " + " ".join(message.split()), file=sys.stderr)
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr itself is gone: nothing left to tell
        pass


def run(argv: list[str] | None = None) -> int:
    """Run the command line; return its exit code. A failure is one line on stderr (the traceback too with
    THREATSCAPE_DEBUG=1); a reader that stops early (| head) ends it quietly."""
    try:
        from .cli import main

        code = main(argv)
        sys.stdout.flush()  # here, not at exit, so that a reader that has gone away is noticed below
    except BrokenPipeError:  # the reader stopped early (| head): end quietly, as the other tools in a pipe do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        # At once, without the interpreter's shutdown: DuckDB's binding (nanobind) reports the objects a command cut
        # short still holds as "leaked" on stderr while Python finalises; nothing is left to write or close.
        sys.stderr.flush()
        os._exit(1)
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - every failure is one line, never a traceback
        if _debug():
            import traceback

            traceback.print_exc()
        try:
            message, code = describe(exc)
        except Exception:  # noqa: BLE001 - describing it failed too (say, the import that failed): the bare error
            message, code = f"{type(exc).__name__}: {exc}", 1
        _say(message)
    return code


def _end(code: int) -> None:
    """End with `code`, nothing on stderr after the command's own lines: as Python finalises, DuckDB's binding
    (nanobind) may report objects still held at exit as "leaked" (dozens of lines, in some runs), which says
    nothing about the command and would bury its last line. Files and databases are closed as usual."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    raise SystemExit(code)


if __name__ == "__main__":
    _end(run())
