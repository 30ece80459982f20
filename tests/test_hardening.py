"""Hardening (issue 22, item 8): what an attacker's file, link or host name, or a broken disk, does to Threatscape.

1. The command line: every failure is one line on stderr and a non-zero exit code, never a traceback (a truncated,
   damaged or non-DuckDB database, a read-only folder, a full disk, JSON nested too deeply, a malformed feed), and
   `| head` ends quietly.
2. Feed text never becomes a link in a real browser (explorer list and detail, actor profile, names page); only the
   source URL may be one, and only http(s).
3. `server.allowedHosts`: a websocket session under another host name (DNS rebinding) is refused.
4. Dates in a link far outside the data show the data with a warning, never Streamlit's error.
"""
from __future__ import annotations

import base64
import datetime as dt
import errno
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import types
from pathlib import Path
from urllib.parse import quote, urlsplit

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent


# --- 1. the command line ------------------------------------------------------------------------

def cli(*args, timeout: int = 300) -> subprocess.CompletedProcess:
    """python -m threatscape ARGS, as a user runs it (no THREATSCAPE_DEBUG)."""
    env = {k: v for k, v in os.environ.items() if k != "THREATSCAPE_DEBUG"}
    return subprocess.run([sys.executable, "-m", "threatscape", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def one_line(stderr: str, code: int, expected_code: int, *words: str) -> str:
    """The failure's one line ('error: ...'): no traceback, the exit code, and the words it must hold. Lines of
    progress an ingest prints before it ('… 10 records read') may precede it; nothing follows it."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1 and lines[-1] == errors[0], stderr
    assert code == expected_code, (code, stderr)
    for word in words:
        assert word in errors[0], (word, errors[0])
    return errors[0]


def run_in_process(capsys, *args) -> tuple[int, str]:
    """The command line's entry point (python -m threatscape) in this process, for failures simulated here."""
    from threatscape.__main__ import run

    code = run([str(a) for a in args])
    return code, capsys.readouterr().err


@pytest.fixture(scope="module")
def real_db(tmp_path_factory) -> Path:
    from threatscape.demo import build_demo

    path = tmp_path_factory.mktemp("real") / "incidents.duckdb"
    build_demo(path, incidents=2000, seed=7, until=dt.date(2026, 11, 28))
    assert path.stat().st_size > 200_000
    return path


@pytest.fixture(scope="module")
def broken(real_db, tmp_path_factory) -> dict[str, Path]:
    """Database files that cannot be read, by kind."""
    d = tmp_path_factory.mktemp("broken")
    files = {"truncated": d / "truncated.duckdb", "random": d / "random.duckdb", "text": d / "notes.duckdb",
             "empty": d / "empty.duckdb", "folder": d / "folder.duckdb", "damaged": d / "damaged.duckdb"}
    files["truncated"].write_bytes(real_db.read_bytes()[:100_000])  # the first 100 KB of a real one
    files["random"].write_bytes(random.Random(1).randbytes(64_000))
    files["text"].write_text("These are my notes, not a database.\n" * 100)
    files["empty"].write_bytes(b"")
    files["folder"].mkdir()
    damaged = bytearray(real_db.read_bytes())
    damaged[4096:4096 + 8192] = random.Random(2).randbytes(8192)  # a block whose checksum no longer matches
    files["damaged"].write_bytes(bytes(damaged))
    return files


@pytest.fixture(scope="module")
def feed(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("feed") / "feed.csv"
    path.write_text("occurred_on,actor,title\n2024-01-01,Kimsuky,Phish\n", encoding="utf-8")
    return path


SAID = {"truncated": "truncated", "random": "not a DuckDB database file", "text": "not a DuckDB database file",
        "empty": "not a DuckDB database file", "folder": "is a folder", "damaged": "damaged"}


@pytest.mark.parametrize("kind", list(SAID))
def test_a_database_that_cannot_be_read_is_one_line_naming_it(broken, kind):
    out = cli("info", "--db", broken[kind])
    one_line(out.stderr, out.returncode, 1, str(broken[kind]), SAID[kind])
    assert out.stderr.count("\n") == 1  # nothing else at all


@pytest.mark.parametrize("command", [["names"], ["actor", "Kimsuky"], ["export", "--out", "{out}"], ["ingest", "{feed}"]])
def test_every_command_on_a_truncated_database_is_one_line(broken, feed, tmp_path, command):
    args = [a.format(out=tmp_path / "out", feed=feed) for a in command]
    out = cli(*args, "--db", broken["truncated"])
    one_line(out.stderr, out.returncode, 1, str(broken["truncated"]), "truncated")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("kind", ["random", "damaged", "folder"])
def test_ingest_into_a_database_that_cannot_be_read_is_one_line_and_leaves_it(broken, feed, kind):
    before = broken[kind].read_bytes() if broken[kind].is_file() else None
    out = cli("ingest", feed, "--db", broken[kind])
    one_line(out.stderr, out.returncode, 1, str(broken[kind]), SAID[kind])
    assert (broken[kind].read_bytes() if broken[kind].is_file() else None) == before


def nested(path: Path, depth: int = 100_000, kind: str = "array") -> Path:
    path.write_text("[" * depth + "]" * depth if kind == "array" else '{"a":' * depth + "1" + "}" * depth)
    return path


@pytest.mark.parametrize("fmt, kind", [("stix", "array"), ("misp", "array"), ("misp", "object"), ("auto", "array")])
def test_json_nested_too_deeply_is_one_line_naming_the_file(tmp_path, fmt, kind):
    bad = nested(tmp_path / "deep.json", kind=kind)
    out = cli("ingest", bad, "--format", fmt, "--db", tmp_path / "db.duckdb")
    line = one_line(out.stderr, out.returncode, 1, str(bad))
    assert fmt == "auto" or "nested too deeply" in line, line  # auto: the format is not recognised (said so)
    assert not (tmp_path / "db.duckdb").exists()


MALFORMED = {
    "bundle.json": ('{"type": "bundle", "id": "bundle--1", "objects": [{"type": "campaign", "name": "x"', "stix",
                    "not valid JSON"),
    "event.json": ('{"Event": {"info": "Phish", "date": "2024-01-01", ', "misp", "not valid JSON"),
    "objects.json": ('{"type": "bundle", "id": "bundle--1", "objects": "none"}', "stix", "not STIX"),
}
# well-formed JSON, wrong types inside an event: that event is rejected, naming the file and the event (the file's
# only event: nothing is written)
MALFORMED_EVENTS = {
    "types.json": '{"Event": {"info": 5, "date": "2024-01-01", "Tag": "tlp:red", "Galaxy": 3}}',
    "tags.json": '[{"Event": {"info": "x", "date": "2024-01-01", "Tag": [{"name": 5}]}}]',
}


@pytest.mark.parametrize("name", list(MALFORMED_EVENTS))
def test_a_malformed_event_is_rejected_naming_the_file_and_event(tmp_path, name):
    bad = tmp_path / name
    bad.write_text(MALFORMED_EVENTS[name], encoding="utf-8")
    out = cli("ingest", bad, "--format", "misp", "--db", tmp_path / "db.duckdb")
    assert out.returncode == 1 and "Traceback" not in out.stderr + out.stdout, out.stderr
    assert f"rejected {name} event 1 [Event]: malformed MISP event" in out.stderr, out.stderr
    assert out.stderr.strip().splitlines()[-1] == "error: the one record read was rejected, so nothing was written"
    assert not (tmp_path / "db.duckdb").exists()


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_feed_file_is_one_line_naming_it(tmp_path, name):
    text, fmt, said = MALFORMED[name]
    bad = tmp_path / name
    bad.write_text(text, encoding="utf-8")
    out = cli("ingest", bad, "--format", fmt, "--db", tmp_path / "db.duckdb")
    one_line(out.stderr, out.returncode, 1, name, said)


def test_a_full_disk_is_one_line_naming_the_file(feed, tmp_path):
    """/dev/full: every write fails with ENOSPC."""
    out = cli("ingest", feed, "--db", tmp_path / "db.duckdb", "--report", "/dev/full")
    one_line(out.stderr, out.returncode, 1, "cannot write /dev/full", "no space left")


def test_an_output_folder_that_is_a_file_is_one_line(real_db):
    out = cli("export", "--db", real_db, "--out", "/dev/full")
    one_line(out.stderr, out.returncode, 1, "/dev/full", "not a folder")


def without_root_rights(folder: Path) -> list[str]:
    """The command prefix that runs a command as an ordinary user would be treated: as root, setpriv drops the
    capabilities that let root write into any folder (CAP_DAC_OVERRIDE). Skips where that is not possible."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    prefix = [setpriv, "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search"] if setpriv else []
    probe = subprocess.run(prefix + ["touch", str(folder / "probe")], capture_output=True) if prefix else None
    if probe is None or probe.returncode == 0:
        (folder / "probe").unlink(missing_ok=True)
        pytest.skip("running as root, which writes into a folder whose mode is 0o555, and setpriv cannot drop that "
                    "right here: test_a_read_only_folder_is_one_line_simulated covers it")
    return prefix


@pytest.mark.parametrize("command", [["export", "--db", "{db}", "--out", "{ro}"], ["demo", "--incidents", "50",
                                     "--db", "{ro}/x.duckdb"], ["ingest", "{feed}", "--db", "{ro}/x.duckdb"]])
def test_a_read_only_folder_is_one_line(real_db, feed, tmp_path, command):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        prefix = without_root_rights(ro)
        env = {k: v for k, v in os.environ.items() if k != "THREATSCAPE_DEBUG"}
        out = subprocess.run(prefix + [sys.executable, "-m", "threatscape",
                                       *[a.format(db=real_db, ro=ro, feed=feed) for a in command]],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        one_line(out.stderr, out.returncode, 1, str(ro), "permission denied")
        assert not any(ro.iterdir())
    finally:
        ro.chmod(0o755)


class _Duckdb(types.ModuleType):
    """duckdb, but a new database file (a build's temporary file) fails to open with `fail(path)`."""

    def __init__(self, fail):
        super().__init__("duckdb")
        self.fail = fail

    def __getattr__(self, name):
        return getattr(duckdb, name)

    def connect(self, database=":memory:", *args, **kwargs):
        if str(database).endswith(".tmp"):
            raise self.fail(str(database))
        return duckdb.connect(database, *args, **kwargs)


def test_a_read_only_folder_is_one_line_simulated(real_db, feed, tmp_path, monkeypatch, capsys):
    """As the operating system answers a user who may not write there (EACCES), whoever runs the tests."""
    from threatscape import build, export

    def refuse(file, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(file))

    out = tmp_path / "out"
    monkeypatch.setattr(export, "open", refuse, raising=False)  # the export's own file writes
    code, err = run_in_process(capsys, "export", "--db", real_db, "--out", out)
    line = one_line(err, code, 1, f"cannot write {out}{os.sep}", "permission denied")
    assert ".tmp" not in line, line  # the file it was writing, not its temporary name
    assert not any(out.iterdir())

    monkeypatch.setattr(build, "duckdb", _Duckdb(lambda path: duckdb.IOException(
        f'IO Error: Cannot open file "{path}": Permission denied')))
    for args in (["demo", "--incidents", "50"], ["ingest", feed]):
        db = tmp_path / "ro" / "x.duckdb"
        code, err = run_in_process(capsys, *args, "--db", db)
        one_line(err, code, 1, f"cannot open {db}: permission denied")
        assert not db.exists()


def test_a_full_disk_is_one_line_simulated(real_db, feed, tmp_path, monkeypatch, capsys):
    """ENOSPC from the export's writes (which carry no file name) and from DuckDB's, as DuckDB words it."""
    from threatscape import build, export

    def full(self, b):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    out = tmp_path / "out"
    monkeypatch.setattr(export._HashingSink, "write", full)
    code, err = run_in_process(capsys, "export", "--db", real_db, "--out", out, "--name", "snap")
    one_line(err, code, 1, f"cannot write {out / 'snap.csv'}: no space left on the device")
    assert not any(out.iterdir())  # nothing half-written left behind

    monkeypatch.setattr(build, "duckdb", _Duckdb(lambda path: duckdb.FatalException(
        f'FATAL Error: Failed to create checkpoint because of error: Could not write file "{path}": No space left '
        "on device")))
    for args in (["demo", "--incidents", "50"], ["ingest", feed]):
        db = tmp_path / "full" / "x.duckdb"
        code, err = run_in_process(capsys, *args, "--db", db)
        one_line(err, code, 1, f"cannot write {db}: no space left on the device")


def test_out_of_memory_reading_a_file_is_one_line_naming_it(tmp_path, monkeypatch, capsys):
    from threatscape.ingest import model

    def too_big(_):
        raise MemoryError

    monkeypatch.setattr(model, "json", types.SimpleNamespace(loads=too_big, JSONDecodeError=json.JSONDecodeError))
    big = tmp_path / "big.json"
    big.write_text('{"type": "bundle", "id": "bundle--1", "objects": []}')
    code, err = run_in_process(capsys, "ingest", big, "--format", "stix", "--db", tmp_path / "db.duckdb")
    one_line(err, code, 1, str(big), "out of memory")


def test_an_unknown_name_is_still_a_usage_error(real_db, tmp_path, capsys):
    code, err = run_in_process(capsys, "export", "--db", real_db, "--actor", "Nobody At All", "--out", tmp_path)
    one_line(err, code, 2, "Nobody At All")


def test_threatscape_debug_prints_the_traceback_too(broken):
    env = dict(os.environ, THREATSCAPE_DEBUG="1")
    out = subprocess.run([sys.executable, "-m", "threatscape", "info", "--db", str(broken["truncated"])], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 1 and "Traceback" in out.stderr
    assert out.stderr.splitlines()[-1].startswith("error: ") and "truncated" in out.stderr.splitlines()[-1]


@pytest.mark.parametrize("command", [["info"], ["names"], ["actor", "Kimsuky"]])
def test_piping_into_head_ends_quietly(real_db, command):
    """`python -m threatscape ... | head -n 1`: the first line, then quiet, whichever command."""
    line = " ".join([sys.executable, "-m", "threatscape", *command, "--db", str(real_db)])
    out = subprocess.run(f"{line} | head -n 1; {line} | head -c 0", shell=True, cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.stderr == "", out.stderr
    assert len(out.stdout.splitlines()) == 1


def test_the_messages_say_what_duckdb_means_in_plain_words():
    from threatscape.__main__ import describe

    said = {
        'IO Error: Could not set lock on file "/d/x.duckdb": Conflicting lock is held in /usr/bin/python3 (PID 7)':
            "/d/x.duckdb: in use by another process",
        'IO Error: Could not read from file "/d/x.duckdb": Is a directory': "/d/x.duckdb: is a folder",
        'IO Error: Cannot open file "/d/.x.duckdb.12.34.tmp": Read-only file system':
            "cannot write /d/x.duckdb: the file system is read-only",
    }
    for message, expected in said.items():
        line, code = describe(duckdb.IOException(message))
        assert line.startswith(expected) and code == 1, line


# --- 2. feed text never becomes a link (a real browser) ---------------------------------------------------------

EVIL = "evil.example"
HOSTILE_FEED = [  # incident_id, occurred_on, actor, title, source_url
    ("https://evil.example/id", "2026-11-04", "Kimsuky", '=HYPERLINK("http://evil.example","x")',
     "javascript:alert(document.domain)"),
    ("www.evil.example", "2026-11-03", "Kimsuky", "Read https://evil.example/x, www.evil.example or mail@evil.example",
     "data:text/html;base64,PGEgaHJlZj0iaHR0cDovL2V2aWwuZXhhbXBsZSI+eDwvYT4="),
    ("mail@evil.example", "2026-11-02", "https://evil.example/actor", "Phish of the day",
     "https://example.org/report"),
]
URL_ACTOR = "https://evil.example/actor"


def hostile_db(folder: Path) -> Path:
    """A database ingested from a small CSV of hostile feed text (the project's own ingest)."""
    from threatscape.ingest.run import ingest

    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    feed = folder / "hostile.csv"
    feed.write_text("incident_id,occurred_on,actor,title,summary,source_url,victim_country,sectors\n" + "".join(
        ",".join(cell(v) for v in (i, d, a, t, f"See {t}", u, "KR", "government")) + "\n"
        for i, d, a, t, u in HOSTILE_FEED), encoding="utf-8")
    db = folder / "hostile.duckdb"
    report = ingest([feed], db)
    assert not report.rejections, report.summary()
    return db


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    from test_browser import _serve, require_browser

    require_browser()
    tmp = tmp_path_factory.mktemp("hostile-hardening")
    yield from _serve(hostile_db(tmp), tmp)


@pytest.fixture(scope="module")
def browser(hostile_server):
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as pw:
        # evil.example resolves to this machine, as a DNS-rebinding attacker's name would
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, timeout=60_000,
                                      args=CHROMIUM_ARGS + [f"--host-resolver-rules=MAP {EVIL} 127.0.0.1"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    from test_browser import DEFAULT_MS, VIEWPORT

    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(DEFAULT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def open_and_wait(page, url: str, text: str) -> None:
    from test_browser import DRAW_MS

    page.goto(url, wait_until="domcontentloaded", timeout=DRAW_MS)
    page.get_by_text(text).first.wait_for(timeout=DRAW_MS)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=DRAW_MS)


def links_out(page) -> list[str]:
    """Every link on the page (an <a> or <area> href, a form's action, an iframe's or image's source) that leads
    anywhere but this app: another host, or a javascript:/data: URL. (The app's own links may carry feed text in
    their query, e.g. /actor?actor=https://evil.example/actor: those stay here.)"""
    urls = page.eval_on_selector_all(
        "a[href], area[href], form[action], iframe[src], img[src], embed[src], object[data]",
        "els => els.map(e => e.href || e.action || e.src || e.data)")
    return [u for u in urls if urlsplit(u).scheme not in ("http", "https")
            or urlsplit(u).hostname not in ("127.0.0.1", "localhost", "::1")]


def no_hostile_link(page, where: str) -> None:
    assert not links_out(page), (where, links_out(page))
    assert page.get_by_test_id("stException").count() == 0, where


def select_first_row(page) -> None:
    """Click the first row's selection box in the explorer's table (a canvas: by position)."""
    from test_browser import DRAW_MS

    table = page.get_by_test_id("stDataFrame").first
    box = table.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)  # row marker of row 1, under the 35 px header
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=DRAW_MS)


@pytest.mark.browser
@pytest.mark.parametrize("q, heading", [("HYPERLINK", "HYPERLINK"), ("Read", "Read https"), ("Phish", "Phish")])
def test_feed_text_in_the_explorer_never_becomes_a_link(page, hostile_server, q, heading):
    """The list, and the selected incident's heading, id and actor link: feed text stays text."""
    from test_browser import DRAW_MS

    open_and_wait(page, f"{hostile_server.url}/explorer?since=2026-11-01&until=2026-11-30&q={q}", "incident matches")
    page.get_by_text("1 incident matches").first.wait_for(timeout=DRAW_MS)
    no_hostile_link(page, f"explorer list q={q}")
    select_first_row(page)
    title = page.locator("h3").filter(has_text=re.compile(heading.split()[0]))
    title.first.wait_for(timeout=DRAW_MS)
    shown = title.first.inner_text().replace("\u200b", "")
    assert heading in shown.replace("'=", "="), shown  # the whole title, as text (formula-like: an apostrophe)
    no_hostile_link(page, f"explorer detail q={q}")


@pytest.mark.browser
def test_an_actor_named_by_a_web_address_is_text_on_its_profile_and_the_names_page(page, hostile_server):
    from test_browser import DRAW_MS, choose

    open_and_wait(page, f"{hostile_server.url}/actor?actor={quote(URL_ACTOR, safe='')}&since=2026-11-01"
                        "&until=2026-11-30", "Latest incidents")
    h1 = page.locator("h1").filter(has_text="evil")
    assert h1.count() == 1 and h1.inner_text().replace("\u200b", "") == URL_ACTOR
    no_hostile_link(page, "actor profile")

    open_and_wait(page, f"{hostile_server.url}/names", "Actor names to review")
    choose(page, "Name to decide on", re.compile("evil"))
    page.locator("h3").filter(has_text="evil").first.wait_for(timeout=DRAW_MS)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=DRAW_MS)
    no_hostile_link(page, "names page")


def test_only_an_http_source_url_is_a_link(tmp_path, monkeypatch):
    """The Link column (the only one rendered as a link) holds http(s) URLs only, on the explorer and the profile."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("THREATSCAPE_DB", str(hostile_db(tmp_path)))
    dates = {"since": "2026-11-01", "until": "2026-11-30"}
    at = AppTest.from_file(str(ROOT / "pages/explorer.py"), default_timeout=60)
    for k, v in dates.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    link = {title: u if isinstance(u, str) else None for title, u in zip(table["Title"], table["Link"])}
    assert link == {"'" + HOSTILE_FEED[0][3]: None, HOSTILE_FEED[1][3]: None,
                    HOSTILE_FEED[2][3]: "https://example.org/report"}, link  # javascript: and data: are no link
    assert table["Title"].iloc[0].startswith("'="), table["Title"].iloc[0]  # as in the CSV snapshot

    at = AppTest.from_file(str(ROOT / "pages/actor.py"), default_timeout=60)
    for k, v in dates.items() | {("actor", "Kimsuky")}:
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    latest = next(d.value for d in at.dataframe if "Link" in d.value.columns)
    assert len(latest) == 2 and latest["Link"].isna().all(), latest  # Kimsuky's two: javascript: and data:


# --- 3. server.allowedHosts -------------------------------------------------------------------------------------

def websocket_handshake(url: str, host: str, origin: str | None = None) -> str:
    """The status line the server answers a websocket upgrade of /_stcore/stream with, under this Host header."""
    parts = urlsplit(url)
    request = [f"GET /_stcore/stream HTTP/1.1", f"Host: {host}", "Upgrade: websocket", "Connection: Upgrade",
               f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}", "Sec-WebSocket-Version: 13",
               "Sec-WebSocket-Protocol: streamlit"] + ([f"Origin: {origin}"] if origin else [])
    with socket.create_connection((parts.hostname, parts.port), timeout=20) as s:
        s.sendall(("\r\n".join(request) + "\r\n\r\n").encode())
        return s.recv(4096).decode(errors="replace").split("\r\n")[0]


def test_the_config_allows_only_loopback_host_names():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert set(config["server"]["allowedHosts"]) == {"localhost", "127.0.0.1", "::1"}


@pytest.mark.browser
def test_a_websocket_under_another_host_name_is_refused(hostile_server):
    port = urlsplit(hostile_server.url).port
    for host in (f"{EVIL}:{port}", EVIL, f"localhost.{EVIL}:{port}"):
        assert " 403 " in websocket_handshake(hostile_server.url, host, f"http://{host}") + " ", host
        assert " 403 " in websocket_handshake(hostile_server.url, host) + " ", host
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "localhost"):
        assert " 101 " in websocket_handshake(hostile_server.url, host, f"http://{host}") + " ", host


@pytest.mark.browser
def test_a_page_reaching_the_app_by_a_rebound_name_gets_no_data(page, hostile_server):
    """DNS rebinding: evil.example resolves to 127.0.0.1 (the browser maps it so); the page loads Streamlit's static
    files, but its websocket is refused, so it never shows a number or an incident."""
    from test_browser import DRAW_MS

    port = urlsplit(hostile_server.url).port
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws))
    page.goto(f"http://{EVIL}:{port}/explorer", wait_until="domcontentloaded", timeout=DRAW_MS)
    page.wait_for_timeout(8_000)
    assert sockets, "the page did not try a websocket"
    body = page.inner_text("body")
    assert "incidents match" not in body and "Phish" not in body, body[:500]
    # the same page by its own name works (the check above is not just a slow start)
    open_and_wait(page, f"http://localhost:{port}/explorer?since=2026-11-01&until=2026-11-30", "incidents match")


# --- 4. dates in a link -----------------------------------------------------------------------------------------

OLD_FEED = """incident_id,occurred_on,actor,title,victim_country,sectors
old-1,1985-06-15,Kimsuky,Oldest,KR,government
old-2,1987-03-01,Lazarus Group,Before 1990,US,finance
new-1,2020-01-10,Kimsuky,Recent,KR,energy
new-2,2023-05-05,APT28,Latest,UA,government
"""


@pytest.fixture
def pre_1990(tmp_path, monkeypatch):
    """A database whose data starts in June 1985 (before the 1990 that the date widgets otherwise start at)."""
    from threatscape.ingest.run import ingest

    feed = tmp_path / "old.csv"
    feed.write_text(OLD_FEED, encoding="utf-8")
    ingest([feed], tmp_path / "old.duckdb")
    monkeypatch.setenv("THREATSCAPE_DB", str(tmp_path / "old.duckdb"))


def run_app(script: str, query: dict):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / script), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]  # never Streamlit's error
    assert not at.error, [e.value for e in at.error]
    return at


def shown(at, script: str) -> int:
    """How many incidents the page says it shows."""
    if script == "dashboard.py":
        return int({m.label: m.value for m in at.metric}["Incidents"].replace(",", ""))
    said = next(m.value for m in at.markdown if "incidents match" in m.value or "incident matches" in m.value)
    return int(re.search(r"\*\*([\d,]+)\*\*", said)[1].replace(",", ""))


def warnings(at) -> str:
    return " ".join(w.value.replace("\\", "") for w in at.warning)


@pytest.mark.parametrize("script", ["dashboard.py", "pages/explorer.py"])
@pytest.mark.parametrize("query, said", [
    ({"since": "0001-01-01"}, "since=0001-01-01 is before the first incident; showing from 1985-06-15"),
    ({"until": "9999-12-31"}, "until=9999-12-31 is after the last incident; showing up to 2023-05-05"),
    ({"since": "1985-01-01"}, "since=1985-01-01 is before the first incident; showing from 1985-06-15"),
    ({"since": "0001-01-01", "until": "9999-12-31"}, "since=0001-01-01 is before the first incident"),
])
def test_a_link_date_far_outside_the_data_shows_the_data_with_a_warning(pre_1990, script, query, said):
    at = run_app(script, query)
    assert said in warnings(at), warnings(at)
    assert shown(at, script) == 4  # every incident, the one before 1990 included


@pytest.mark.parametrize("script", ["dashboard.py", "pages/explorer.py"])
def test_a_link_inside_the_data_before_1990_needs_no_warning(pre_1990, script):
    at = run_app(script, {"since": "1985-06-15", "until": "1987-12-31"})
    assert "incident;" not in warnings(at), warnings(at)
    assert shown(at, script) == 2


@pytest.mark.parametrize("script", ["dashboard.py", "pages/explorer.py"])
@pytest.mark.parametrize("query", [{"since": "9999-12-31"}, {"until": "0001-01-01"}])
def test_a_link_date_on_the_wrong_side_of_the_data_shows_the_data_with_a_warning(pre_1990, script, query):
    at = run_app(script, query)
    assert "the last incident" in warnings(at) or "the first incident" in warnings(at), warnings(at)
    assert shown(at, script) >= 1
