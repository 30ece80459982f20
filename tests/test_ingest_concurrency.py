"""Writes that never lose: ingests into one database serialised across processes (CLI and the Ingest page's
subprocess), --no-wait, the temporary files of killed ingests, uploads with the command line's ids, the audit trail."""
import csv
import hashlib
import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from threatscape import audit, writelock
from threatscape.ingest import upload
from threatscape.ingest.run import ingest

ROOT = Path(__file__).resolve().parent.parent
ROWS = 3_000
COLUMNS = ["occurred_on", "actor", "sectors", "victim_country", "title", "summary", "source_url", "confidence", "tlp",
           "campaign"]  # no incident_id: every id is a digest of the record (the ids the file name once entered)
ACTORS = ["Kimsuky", "APT 28", "Lazarus Group", "MuddyWater", "Gamaredon", "?", "Sandworm Team"]
SECTORS = ["energy", "government", "software; finance", "oil and gas", "telecommunications"]
TIMINGS = {}  # what the tests measured, printed at the end (pytest -s shows it)


def feed(path: Path, tag: str, rows: int = ROWS) -> Path:
    """A CSV of `rows` distinct incidents in Threatscape's columns, each titled with `tag`."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for i in range(rows):
            w.writerow([f"20{10 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}", ACTORS[i % len(ACTORS)],
                        SECTORS[i % len(SECTORS)], ["KR", "US", "UA", "DE"][i % 4], f"{tag} incident {i}", "", "",
                        i % 101, "GREEN", ""])
    return path


def count(db: Path, tag: str | None = None) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        if tag is None:
            return con.execute("SELECT count(*) FROM incident").fetchone()[0]
        return con.execute("SELECT count(*) FROM incident WHERE title LIKE $t",
                           {"t": f"{tag} incident %"}).fetchone()[0]


def cli(*args: str, **popen) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "threatscape", "ingest", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def waiters(db: Path) -> int:
    """How many processes wait for the write lock of `db` now (Linux: /proc/locks lists blocked requests)."""
    inode = writelock.lock_path(db).stat().st_ino
    with open("/proc/locks") as f:
        return sum("->" in line and f":{inode} " in line for line in f)


def waiting_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("waiting for another ingest")]


@pytest.fixture
def seeded(tmp_path) -> Path:
    """A database of ingested sources (50 incidents) in a folder of its own."""
    db = tmp_path / "db" / "incidents.duckdb"
    db.parent.mkdir()
    ingest([feed(tmp_path / "seed.csv", "seed", 50)], db)
    return db


class Upload(io.BytesIO):
    """What Streamlit's file_uploader hands the page: a named in-memory file."""

    def __init__(self, name: str, data: bytes):
        super().__init__(data)
        self.name, self.size = name, len(data)


def page_ingest(paths: list[Path], db: Path, work: Path, lines: list | None = None) -> upload.Outcome:
    """What the Ingest page does with uploads: save them (upload.save), ingest them in a subprocess (upload.run)."""
    saved = upload.save([Upload(p.name, p.read_bytes()) for p in paths], work)
    return upload.run(saved, db, work, on_line=None if lines is None else lines.append)


def test_two_cli_ingests_at_once_store_every_row_of_both(seeded, tmp_path):
    a, b = feed(tmp_path / "a.csv", "a"), feed(tmp_path / "b.csv", "b")
    t0 = time.perf_counter()
    procs = [cli(str(f), "--db", str(seeded)) for f in (a, b)]
    (code_a, out_a, err_a), (code_b, out_b, err_b) = (finish(p) for p in procs)
    TIMINGS["two CLI ingests at once"] = time.perf_counter() - t0
    assert (code_a, code_b) == (0, 0), (err_a, err_b)
    assert "added 3,000" in out_a and "added 3,000" in out_b
    assert (count(seeded, "a"), count(seeded, "b"), count(seeded)) == (ROWS, ROWS, 50 + 2 * ROWS)
    waited = [len(waiting_lines(err)) for err in (err_a, err_b)]
    assert sorted(waited) == [0, 1], (err_a, err_b)  # the second waited, and said so once
    assert not writelock.temp_files(seeded)
    events = [e for e in audit.read(seeded) if e["action"] == "ingest"]
    assert sorted(e["files"][0]["name"] for e in events[-2:]) == ["a.csv", "b.csv"]
    assert {e["added"] for e in events[-2:]} == {ROWS}
    assert not audit.verify(seeded)


def test_no_wait_fails_at_once_in_one_line_and_changes_nothing(seeded, tmp_path):
    a = feed(tmp_path / "a.csv", "a")
    before = hashlib.sha256(seeded.read_bytes()).hexdigest()
    with writelock.hold(seeded):  # another ingest, as far as any other process can tell
        t0 = time.perf_counter()
        code, out, err = finish(cli(str(a), "--db", str(seeded), "--no-wait"))
        TIMINGS["--no-wait refused"] = time.perf_counter() - t0
    assert code == 4
    assert out == "" and len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"error: another ingest into {seeded} is running (process {os.getpid()}, since ")
    assert hashlib.sha256(seeded.read_bytes()).hexdigest() == before
    assert not writelock.temp_files(seeded) and count(seeded) == 50


def test_page_and_cli_at_once_store_the_rows_of_both(seeded, tmp_path):
    a, b = feed(tmp_path / "a.csv", "a"), feed(tmp_path / "b.csv", "b")
    work = tmp_path / "upload"
    work.mkdir()
    lines, outcome = [], {}
    t0 = time.perf_counter()
    page = threading.Thread(target=lambda: outcome.setdefault("page", page_ingest([a], seeded, work, lines)))
    page.start()
    code, out, err = finish(cli(str(b), "--db", str(seeded)))
    page.join(120)
    TIMINGS["page and CLI at once"] = time.perf_counter() - t0
    assert code == 0, err
    page_outcome = outcome["page"]
    assert page_outcome.stored and page_outcome.report["added"] == ROWS, page_outcome
    assert (count(seeded, "a"), count(seeded, "b"), count(seeded)) == (ROWS, ROWS, 50 + 2 * ROWS)
    assert len(waiting_lines(err)) + page_outcome.waited == 1, (err, lines)
    users = {e["user"] for e in audit.read(seeded)[-2:]}
    assert users == {"local user", audit.command_line_user()}


def test_the_page_says_it_waits_while_another_ingest_holds_the_database(seeded, tmp_path):
    a = feed(tmp_path / "a.csv", "a")
    work = tmp_path / "upload"
    work.mkdir()
    lines, outcome = [], {}
    with writelock.hold(seeded):
        page = threading.Thread(target=lambda: outcome.setdefault("page", page_ingest([a], seeded, work, lines)))
        page.start()
        deadline = time.monotonic() + 60
        while not any(line.startswith(upload.WAITING) for line in lines) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(waiting_lines("\n".join(lines))) == 1 and count(seeded) == 50
    page.join(120)
    assert outcome["page"].waited and outcome["page"].stored and count(seeded, "a") == ROWS


def test_a_killed_ingest_leaves_no_temporary_file_after_the_next(seeded, tmp_path):
    big = feed(tmp_path / "big.csv", "big", 100_000)
    a = feed(tmp_path / "a.csv", "a")
    proc = cli(str(big), "--db", str(seeded))
    deadline = time.monotonic() + 60
    while not writelock.temp_files(seeded) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    left = writelock.temp_files(seeded)
    assert left and proc.poll() is None, "the ingest ended before its temporary file was seen"
    time.sleep(0.2)  # well into the write
    proc.send_signal(signal.SIGKILL)
    proc.communicate()  # reaped: its pid no longer runs
    assert proc.returncode == -signal.SIGKILL
    assert writelock.temp_files(seeded), "the killed ingest left its temporary file (what the next one removes)"
    assert count(seeded) == 50  # the killed ingest changed nothing
    # a temporary file of a process that still runs (another dry run, say) is not the next ingest's to remove
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    live = seeded.with_name(f".{seeded.name}.{sleeper.pid}.1.tmp")
    live.write_bytes(b"being written")
    try:
        code, out, err = finish(cli(str(a), "--db", str(seeded)))
        assert code == 0, err
        assert writelock.temp_files(seeded) == [live]
    finally:
        sleeper.kill()
        sleeper.wait()
    assert (count(seeded, "seed"), count(seeded, "a"), count(seeded, "big"), count(seeded)) == (50, ROWS, 0, 50 + ROWS)
    ingest([feed(tmp_path / "c.csv", "c", 10)], seeded)  # the next write, in this process, removes the other's
    assert not writelock.temp_files(seeded)


def test_the_same_file_uploaded_and_from_the_command_line_is_one_set_of_incidents(seeded, tmp_path):
    a = feed(tmp_path / "a.csv", "a")
    work = tmp_path / "upload"
    work.mkdir()
    page = page_ingest([a], seeded, work)
    assert page.stored and page.report["added"] == ROWS
    assert list(page.report["files"]) == [str(work / "000" / "a.csv")]  # its own name, in a folder of its own
    code, out, err = finish(cli(str(a), "--db", str(seeded)))
    assert code == 0 and "added 0" in out and "duplicates skipped 3,000" in out, out
    assert count(seeded) == 50 + ROWS and count(seeded, "a") == ROWS
    with duckdb.connect(str(seeded), read_only=True) as con:
        logged = con.execute("SELECT file, added, duplicates FROM ingest_log WHERE file = 'a.csv' "
                             "ORDER BY ingested_at, added DESC").fetchall()
    assert logged == [("a.csv", ROWS, 0), ("a.csv", 0, ROWS)]
    page_event, cli_event = [e for e in audit.read(seeded) if e["action"] == "ingest"][-2:]
    assert page_event["files"] == cli_event["files"] == [
        {"name": "a.csv", "sha256": hashlib.sha256(a.read_bytes()).hexdigest(), "bytes": a.stat().st_size}]
    assert (page_event["user"], page_event["role"]) == ("local user", "admin")
    assert (cli_event["added"], cli_event["duplicates"]) == (0, ROWS)


def test_uploads_keep_only_their_own_names_and_the_total_is_limited(tmp_path):
    assert [upload.safe_name(n) for n in ("../../etc/passwd", "C:\\feeds\\x.csv", "..", "", "a\x00b.csv")] == [
        "passwd", "x.csv", "upload", "upload", "ab.csv"]
    saved = upload.save([Upload("dir/feed.csv", b"1"), Upload("feed.csv", b"2")], tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in saved] == ["000/feed.csv", "001/feed.csv"]
    (tmp_path / "w").mkdir()
    with pytest.raises(upload.TooLarge, match="with big.json they hold more"):
        upload.save([Upload("small.csv", b"x" * 600), Upload("big.json", b"y" * 600)], tmp_path / "w", limit=1000)
    (tmp_path / "w2").mkdir()
    nameless = Upload("big.json", b"y" * 2500)
    del nameless.size  # a size not known beforehand: counted as it is written, in slices
    with pytest.raises(upload.TooLarge, match="big.json"):
        upload.save([nameless], tmp_path / "w2", limit=2000)


def test_dry_runs_and_the_demo_build_at_start_hold_the_lock_too(seeded, tmp_path):
    from threatscape import startup

    with writelock.hold(seeded):
        code, out, err = finish(cli(str(feed(tmp_path / "a.csv", "a", 10)), "--db", str(seeded), "--dry-run",
                                    "--no-wait"))
        assert code == 4 and len(err.splitlines()) == 1
    # The app's start finds no database while an ingest is creating one: it waits, and keeps the ingested data
    # rather than building the demo over it.
    fresh = tmp_path / "new" / "incidents.duckdb"
    c = feed(tmp_path / "c.csv", "c", 10)
    holding = threading.Event()

    def first_ingest():
        with writelock.hold(fresh):
            holding.set()
            time.sleep(0.3)
            ingest([c], fresh)  # the same lock, re-entrantly

    writer = threading.Thread(target=first_ingest)
    writer.start()
    holding.wait(10)
    assert startup.ensure_database(fresh) == (fresh, False)
    writer.join()
    assert count(fresh) == count(fresh, "c") == 10


def teardown_module():
    for what, seconds in TIMINGS.items():
        print(f"{what}: {seconds:.2f} s")


def test_the_ingest_page_under_apptest_waits_then_shows_the_counts(seeded, tmp_path, monkeypatch):
    """The page itself: its uploads (AppTest cannot upload, so file_uploader hands over two named files) are ingested
    in a subprocess after another writer lets go of the database; the page says it waited, shows the counts and
    the summary under the files' own names, and the same file from the command line adds nothing."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    a = feed(tmp_path / "a.csv", "a")
    monkeypatch.setenv("THREATSCAPE_DB", str(seeded))
    monkeypatch.setattr(st, "file_uploader", lambda *args, **kwargs: [Upload("../x/a.csv", a.read_bytes())])
    at = AppTest.from_file(str(ROOT / "pages" / "ingest.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    held, release = threading.Event(), threading.Event()

    def other_writer():
        with writelock.hold(seeded):
            held.set()
            release.wait(30)

    def let_go_once_waited_for():
        deadline = time.monotonic() + 60
        while not waiters(seeded) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.5)
        release.set()

    other = threading.Thread(target=other_writer)
    other.start()
    held.wait(10)
    threading.Thread(target=let_go_once_waited_for).start()
    t0 = time.perf_counter()
    at.button[0].click().run()
    TIMINGS["page ingest, waiting included"] = time.perf_counter() - t0
    other.join()
    assert not at.exception and not at.error, [e.value for e in at.exception or at.error]
    assert {m.label: m.value for m in at.metric} == {"Read": "3,000", "Added": "3,000", "Updated": "0",
                                                     "Duplicates": "0", "Merged": "0", "Rejected": "0"}
    assert [c.value for c in at.caption if "waited" in c.value] == [
        "This ingest waited for another ingest into this database to finish first."]
    summary = at.text[0].value
    assert "  a.csv [csv]: read 3,000, added 3,000" in summary and "threatscape-upload" not in summary
    code, out, err = finish(cli(str(a), "--db", str(seeded)))
    assert code == 0 and "duplicates skipped 3,000" in out and count(seeded) == 50 + ROWS


def test_replacing_the_demo_data_is_asked_first(tmp_path, monkeypatch):
    """On demo data the Ingest button stays disabled until the user ticks "Replace the demo data"; a dry run writes
    nothing, so it needs no tick; once ticked, the ingest replaces the demo incidents."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from threatscape.demo import build_demo

    db = tmp_path / "demo.duckdb"
    build_demo(db, incidents=500)
    a = feed(tmp_path / "a.csv", "a")
    monkeypatch.setenv("THREATSCAPE_DB", str(db))
    monkeypatch.setattr(st, "file_uploader", lambda *args, **kwargs: [Upload("a.csv", a.read_bytes())])
    at = AppTest.from_file(str(ROOT / "pages" / "ingest.py"), default_timeout=120)
    at.run()
    ingest_button = next(b for b in at.button if b.label == "Ingest")
    assert ingest_button.disabled and count(db) == 500
    next(c for c in at.checkbox if c.label == "Dry run").check().run()
    assert not next(b for b in at.button if b.label == "Ingest").disabled
    next(c for c in at.checkbox if c.label == "Dry run").uncheck().run()
    next(c for c in at.checkbox if c.label == "Replace the demo data").check().run()
    next(b for b in at.button if b.label == "Ingest").click().run()
    assert not at.exception and count(db) == ROWS
