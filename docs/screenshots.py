"""Take the screenshots the README and docs show: every page of the dashboard on the demo data, wide and narrow.

    .venv/bin/python docs/screenshots.py [--out docs/screenshots]

Builds a 20,000-incident demo database in a temporary folder (ending on the last day of last month, so the
pictures do not show a month still under way), starts `streamlit run dashboard.py` on it on a free port of
127.0.0.1, opens each page in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright: the test
packages, `pip install -r requirements-test.txt`) at 1440x900 and 390x844, waits until the page is drawn (its charts
present and sized, Streamlit's "Running..." status gone) and saves a full-page PNG per page and width:
`<out>/<page>-1440.png` and `<out>/<page>-390.png`. Streamlit's main area scrolls inside the window, so the window
is made as tall as the page before each picture is taken. Then the leadership brief of the same data, each page as
a PNG in docs/brief/ (pdftoppm, from poppler-utils).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
INCIDENTS = 20_000
# name of the picture, the page's path, and how many plotly charts it draws (waited for before the picture)
PAGES = [
    ("overview", "/", 6),
    ("explorer", "/explorer", 0),
    ("actor", "/actor?actor=Kimsuky", 2),
    ("names", "/names", 0),
    ("ingest", "/ingest", 0),
    ("audit", "/audit", 0),
]
VIEWPORTS = [(1440, 900), (390, 844)]
START_S = 90        # the server answering its health check
DRAW_MS = 90_000    # a page's first run: imports, queries, plotly drawing without a GPU
SETTLE_MS = 800     # after the run: the last deltas, tables' canvases and fonts drawn

DRAWN_CHARTS_JS = """
() => [...document.querySelectorAll('.js-plotly-plot')].filter(plot => {
    const svg = plot.querySelector('.main-svg');
    if (!svg) return false;
    const box = svg.getBoundingClientRect();
    return box.width > 100 && box.height > 100;
}).length
"""
# How tall the page is: the main area and the sidebar scroll inside the window, so the document's own height is
# the window's; the taller of the two (the sidebar only when it is open: a narrow window collapses it) is what a
# full-page picture must show.
PAGE_HEIGHT_JS = """
() => {
    const main = document.querySelector('[data-testid=stMain]');
    const sidebar = document.querySelector('[data-testid=stSidebar]');
    const content = document.querySelector('[data-testid=stSidebarContent]');
    const shown = sidebar && content && sidebar.getBoundingClientRect().right > 0;
    return Math.max(document.documentElement.scrollHeight, main ? main.scrollHeight : 0,
                    shown ? content.scrollHeight : 0);
}
"""


def last_day_of_last_month(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


def build_demo(db: Path) -> None:
    until = last_day_of_last_month(dt.date.today())
    print(f"Building the demo database ({INCIDENTS:,} incidents, until {until}) in {db.parent}")
    subprocess.run([sys.executable, "-m", "threatscape", "demo", "--db", str(db), "--incidents", str(INCIDENTS),
                    "--until", until.isoformat()], cwd=REPO, check=True)


def start_server(db: Path, log_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, THREATSCAPE_DB=str(db), PYTHONUNBUFFERED="1")
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + START_S
    while not healthy(url):
        if server.poll() is not None:
            raise SystemExit(f"streamlit exited with {server.returncode}:\n{log_path.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            server.terminate()
            raise SystemExit(f"streamlit did not answer {url} within {START_S} s:\n"
                             f"{log_path.read_text(errors='replace')}")
        time.sleep(0.25)
    print(f"Serving the dashboard at {url} (process {server.pid})")
    return server, url


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=15)


def wait_drawn(page, charts: int) -> None:
    """Until the page's charts are drawn and sized and the script run has finished."""
    page.get_by_test_id("stMain").wait_for(timeout=DRAW_MS)
    if charts:
        page.wait_for_function(f"({DRAWN_CHARTS_JS})() >= {charts}", timeout=DRAW_MS)
    page.wait_for_timeout(300)  # a run starts a moment after the page connects
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=DRAW_MS)
    page.wait_for_timeout(SETTLE_MS)


def shoot(browser, url: str, out: Path, width: int, height: int) -> list[str]:
    """Save each page at this window size; return what went wrong (a page not drawn, or showing an error),
    one line a page, after trying every page."""
    problems = []
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    try:
        page = context.new_page()
        for name, path, charts in PAGES:
            page.set_viewport_size({"width": width, "height": height})
            try:
                page.goto(url + path, wait_until="domcontentloaded", timeout=DRAW_MS)
                wait_drawn(page, charts)
                # make the window as tall as the page (twice: a taller window can lay the page out again)
                for _ in range(2):
                    tall = max(height, int(page.evaluate(PAGE_HEIGHT_JS)))
                    page.set_viewport_size({"width": width, "height": tall})
                    page.wait_for_timeout(SETTLE_MS)
            except Exception as exc:  # noqa: BLE001 - say which page, and what it showed; go on to the next
                status = page.get_by_test_id("stStatusWidget")
                status = status.first.inner_text() if status.count() else "(none)"
                problems.append(f"{path} at {width}px was not drawn: {str(exc).splitlines()[0]} (status: {status})")
                print(f"  {path}: not drawn; page text:\n{page.inner_text('body')[:1500]}", file=sys.stderr)
                continue
            if page.get_by_test_id("stException").count():
                problems.append(f"{path} at {width}px shows an error (the server log has the traceback)")
            target = out / f"{name}-{width}.png"
            page.screenshot(path=str(target), full_page=True)
            print(f"  {target.relative_to(REPO) if target.is_relative_to(REPO) else target} ({tall}px tall)")
    finally:
        context.close()
    return problems


def brief_pages(db: Path, out: Path, tmp: Path) -> list[str]:
    """The leadership brief of the same demo data (python -m threatscape brief), each page as a PNG (pdftoppm, 80
    dpi): <out>/page-<n>.png."""
    pdf = tmp / "brief.pdf"
    done = subprocess.run([sys.executable, "-m", "threatscape", "brief", "--db", str(db), "--out", str(pdf)],
                          cwd=REPO, capture_output=True, text=True)
    if done.returncode:
        return [f"brief: {done.stderr.strip()}"]
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf), str(out / "page")], check=True)
    for page in sorted(out.glob("page-*.png")):
        print(f"  {page.relative_to(REPO)}")
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots",
                        help="folder for the PNGs (default: docs/screenshots)")
    args = parser.parse_args(argv)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("playwright is missing: .venv/bin/python -m pip install -r requirements-test.txt", file=sys.stderr)
        return 1
    if not os.access(CHROMIUM, os.X_OK):
        print(f"no Chromium at {CHROMIUM}: apt-get install chromium", file=sys.stderr)
        return 1
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="threatscape-screenshots-") as tmp:
        db = Path(tmp) / "demo.duckdb"
        build_demo(db)
        server, url = start_server(db, Path(tmp) / "streamlit.log")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                try:
                    problems = []
                    for width, height in VIEWPORTS:
                        print(f"Pages at {width}x{height}:")
                        problems += shoot(browser, url, out, width, height)
                finally:
                    browser.close()
        finally:
            stop_server(server)
        problems += brief_pages(db, out.parent / "brief", Path(tmp))
        log = (Path(tmp) / "streamlit.log").read_text(errors="replace")
        if "Traceback" in log:
            print(f"The server logged an exception:\n{log}", file=sys.stderr)
            problems.append("the server logged an exception (above)")
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
