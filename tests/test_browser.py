"""Browser smoke test: the real app in a real Chromium, driven by Playwright's sync API.

A module fixture builds a small demo database, starts `streamlit run dashboard.py` on a free port
and waits for /_stcore/health. The tests then check that the overview draws (charts, heatmap, KPIs,
demo notice), that a deep link applies its filters, that the browser logs no errors, and that the
page makes no request outside this machine.

Needs the playwright Python package and Debian's chromium at /usr/bin/chromium (no
`playwright install`). Without them the tests skip, but when CI is set (CI=true) they fail instead:
CI must always run them. With THREATSCAPE_SCREENSHOT set, the overview is also saved to
artifacts/overview.png.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1500, "height": 2600}  # tall: Streamlit's main area scrolls inside the page
DEMO_INCIDENTS = 3000
DEMO_UNTIL = "2026-11-28"
SERVER_START_S = 60
DRAW_MS = 60_000    # first run of a page: imports, queries and plotly drawing
DEFAULT_MS = 30_000
CHARTS = 6
KPI_LABELS = ["Incidents", "Active actors", "Sectors hit", "Countries hit", "Active campaigns"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
pytestmark = pytest.mark.browser  # registered in pytest.ini; `-m "not browser"` leaves these out


# --- skipping -----------------------------------------------------------------------------------

def in_ci() -> bool:
    """True when the CI environment variable is set (to anything but an explicit false)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def browser_unavailable(chromium: str | None = None) -> str | None:
    """Why the browser tests cannot run here (with Chromium at `chromium`), or None when they can."""
    chromium = chromium or CHROMIUM
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return (f"the playwright package cannot be imported ({exc}); "
                "install it with: .venv/bin/python -m pip install -r requirements.txt")
    if not (os.path.isfile(chromium) and os.access(chromium, os.X_OK)):
        return f"no Chromium at {chromium}; install Debian's package: apt-get install chromium"
    return None


def require_browser(chromium: str | None = None) -> None:
    """Skip when the browser tests cannot run here; under CI, fail instead."""
    reason = browser_unavailable(chromium)
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"browser tests cannot run, and CI is set so they may not be skipped: {reason}",
                    pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


# --- the app server -----------------------------------------------------------------------------

@dataclass
class App:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="module")
def streamlit_app(tmp_path_factory) -> App:
    require_browser()  # before any work: no database or server when the tests will not run
    tmp = tmp_path_factory.mktemp("browser")
    db = tmp / "demo.duckdb"
    built = subprocess.run(
        [sys.executable, "-m", "threatscape", "demo", "--db", str(db),
         "--incidents", str(DEMO_INCIDENTS), "--until", DEMO_UNTIL],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    if built.returncode != 0:
        pytest.fail(f"building the demo database failed ({built.returncode}):\n{built.stdout}\n{built.stderr}",
                    pytrace=False)

    yield from _serve(db, tmp)


def _serve(db: Path, tmp: Path):
    """Start `streamlit run dashboard.py` on db, yield the App once it answers, stop it afterwards."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, THREATSCAPE_DB=str(db), PYTHONUNBUFFERED="1")
    log_path = tmp / "streamlit.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = App(url, process, log_path)
    try:
        deadline = time.monotonic() + SERVER_START_S
        while not _healthy(url):
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with {process.returncode} before answering:\n{server.log()}",
                            pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer {url}/_stcore/health within {SERVER_START_S} s:\n"
                            f"{server.log()}", pytrace=False)
            time.sleep(0.25)
        if process.poll() is not None:  # something else answered on the port
            pytest.fail(f"streamlit exited with {process.returncode}:\n{server.log()}", pytrace=False)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


# --- the browser --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium(streamlit_app):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
                                     timeout=60_000)
        try:
            yield browser
        finally:
            browser.close()


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


# Loaded at a page's own address (/actor, /explorer), Streamlit's client first looks for the server under that
# path, then at the root (streamlit/streamlit#7074): 404s, each also logged by the browser, that say nothing about
# the page. check_clean forgives one such console line per probe.
PROBE = re.compile(r"^/[^/]+/_stcore/(health|host-config)$")
NOT_FOUND = "console: Failed to load resource: the server responded with a status of 404 (Not Found)"


@dataclass
class Session:
    """A page plus everything the browser reported while it was open."""

    page: object
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    probes: int = 0  # Streamlit's client looking for its server under a page's own path (see PROBE)

    def outside(self) -> list[str]:
        return [u for u in self.requests if not _is_local(u)]


@pytest.fixture
def browser_page(chromium, streamlit_app):
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(DEFAULT_MS)
    s = Session(context.new_page())
    s.page.on("console", lambda m: s.errors.append(f"console: {m.text}") if m.type == "error" else None)
    s.page.on("pageerror", lambda e: s.errors.append(f"page error: {e}"))
    context.on("request", lambda r: s.requests.append(r.url))
    context.on("requestfailed", lambda r: s.failed.append(f"{r.url} ({r.failure})"))
    s.page.on("websocket", lambda ws: s.requests.append(ws.url))

    def probe(response):
        if response.status == 404 and PROBE.match(urlsplit(response.url).path):
            s.probes += 1
    context.on("response", probe)
    try:
        yield s
    finally:
        context.close()


# --- checks -------------------------------------------------------------------------------------

DRAWN_CHARTS_JS = """
() => [...document.querySelectorAll('.js-plotly-plot')].filter(plot => {
    const svg = plot.querySelector('.main-svg');
    if (!svg) return false;
    const box = svg.getBoundingClientRect();
    return box.width > 100 && box.height > 100;
}).length
"""


def open_page(s: Session, app: App, path: str) -> None:
    """Load a page and wait (bounded) until its charts are drawn and the script run has finished."""
    page = s.page
    page.goto(app.url + path, wait_until="domcontentloaded", timeout=DRAW_MS)
    try:
        page.wait_for_function(f"({DRAWN_CHARTS_JS}) () >= {CHARTS}", timeout=DRAW_MS)
        # Streamlit shows its status widget ("Running...") while the script runs.
        page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=DRAW_MS)
    except Exception as exc:  # noqa: BLE001 - add what the page and server said to the failure
        pytest.fail(f"{path}: the charts were not drawn ({exc}).\nBrowser errors: {s.errors}\n"
                    f"Page text:\n{page.inner_text('body')[:3000]}\nServer log:\n{app.log()}", pytrace=False)


def check_charts(s: Session) -> None:
    plots = s.page.locator(".js-plotly-plot")
    assert plots.count() >= CHARTS, f"expected at least {CHARTS} plotly charts, found {plots.count()}"
    for i in range(plots.count()):
        box = plots.nth(i).locator(".main-svg").first.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, f"chart {i} has no drawn SVG: {box}"
    heatmap = plots.filter(has_text="Who is hitting which sectors")
    assert heatmap.count() == 1, "no heatmap titled 'Who is hitting which sectors'"
    assert heatmap.locator("g.hm image").count() >= 1, "the heatmap has no drawn cells (g.hm image)"
    assert heatmap.locator(".ytick").count() >= 1, "the heatmap has no actor rows"


def check_clean(s: Session, app: App) -> None:
    """No browser errors, no outside requests, no failed requests, no server-side traceback."""
    from playwright.sync_api import expect

    expect(s.page.get_by_test_id("stException")).to_have_count(0)
    for _ in range(s.probes):
        if NOT_FOUND in s.errors:
            s.errors.remove(NOT_FOUND)
    assert not s.errors, "the browser logged errors:\n" + "\n".join(s.errors)
    assert s.requests, "no requests were recorded"
    assert not s.outside(), "the page made requests outside this machine:\n" + "\n".join(s.outside())
    assert not s.failed, "requests failed:\n" + "\n".join(s.failed)
    assert "Traceback" not in app.log(), f"the server logged an exception:\n{app.log()}"


# --- tests --------------------------------------------------------------------------------------


def choose(page, label: str, option) -> None:
    """Pick `option` (a name or pattern) in the selectbox labelled `label`. The first click can land while the
    page is still settling and the list closes again; open it until the option shows (at most four tries)."""
    box = page.get_by_test_id("stSelectbox").filter(has_text=label)
    wanted = page.get_by_role("option", name=option)
    for attempt in range(4):
        box.locator("input").click()
        try:
            wanted.first.wait_for(timeout=5_000)
            break
        except Exception:
            if attempt == 3:
                raise
            page.keyboard.press("Escape")
    wanted.first.click()


def test_overview_draws(browser_page, streamlit_app):
    from playwright.sync_api import expect

    session, app = browser_page, streamlit_app
    page = session.page
    open_page(session, app, "/")
    if os.environ.get("THREATSCAPE_SCREENSHOT"):
        out = REPO / "artifacts" / "overview.png"
        out.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(out), full_page=True)

    check_charts(session)
    labels = page.get_by_test_id("stMetricLabel")
    expect(labels).to_have_text(KPI_LABELS)
    for i in range(len(KPI_LABELS)):
        expect(labels.nth(i)).to_be_visible()
    expect(page.get_by_test_id("stMetricValue")).to_have_text([re.compile(r"^\d[\d,]*$")] * len(KPI_LABELS))
    expect(page.get_by_test_id("stAlert").filter(has_text="Demo data")).to_be_visible()
    expect(page.get_by_text("From the link:")).to_have_count(0)
    # The tab's icon is the app's own satellite, inline: no request to a font or emoji server.
    icon = page.locator("link[rel~='icon']").first.get_attribute("href")
    assert icon.startswith("data:image/svg+xml;base64,"), icon[:80]
    check_clean(session, app)


def test_deep_link_applies_filters(browser_page, streamlit_app):
    from playwright.sync_api import expect

    session, app = browser_page, streamlit_app
    page = session.page
    open_page(session, app, "/?country=KR&sector=government&grain=quarter&since=2021-01-01")
    check_charts(session)

    sidebar = page.get_by_test_id("stSidebar")
    for label, chip in [("Victim countries", "South Korea (KR)"), ("Sectors", "government")]:
        box = sidebar.get_by_test_id("stMultiSelect").filter(has_text=label)
        expect(box.get_by_text(chip, exact=True)).to_be_visible()
    expect(page.get_by_text("From the link:")).to_have_count(0)  # every value in the link was understood
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("01 Jan 2021 to")  # the period caption starts at `since`
    expect(page.locator(".js-plotly-plot").filter(has_text="Incidents over time by actor")) \
        .to_contain_text("Incidents per quarter")
    for key, value in [("country", "KR"), ("sector", "government"), ("grain", "quarter"),
                       ("since", "2021-01-01")]:  # the app keeps the link's filters in the URL
        expect(page).to_have_url(re.compile(rf"[?&]{key}={re.escape(value)}(&|$)"))
    query = parse_qs(urlsplit(page.url).query)
    assert query.get("country") == ["KR"] and query.get("sector") == ["government"], query
    check_clean(session, app)


def test_heatmap_cell_opens_the_incidents_behind_it(browser_page, streamlit_app):
    from playwright.sync_api import expect

    session, app = browser_page, streamlit_app
    page = session.page
    open_page(session, app, "/")
    heatmap = page.locator(".js-plotly-plot").filter(has_text="Who is hitting which sectors")
    # The number in the first clickable cell and what it stands for, read from the drawn figure.
    actor, sector, count = heatmap.evaluate(
        "el => { const t = el.data[1]; return [t.customdata[0][0], t.customdata[0][1], t.text[0]]; }")
    heatmap.locator(".scatterlayer .point").first.click(force=True)
    page.wait_for_url(re.compile(r"/explorer\?"), timeout=DRAW_MS)
    query = parse_qs(urlsplit(page.url).query)
    assert query["actor"] == [actor] and query["sector"] == [sector], query
    said = "incident matches" if int(count) == 1 else "incidents match"
    expect(page.get_by_test_id("stMarkdown").filter(has_text=said).first).to_contain_text(
        f"{int(count):,} {said}", timeout=DRAW_MS)
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=DRAW_MS)
    check_clean(session, app)


def test_the_map_draws_offline_and_a_country_opens_its_incidents(browser_page, streamlit_app):
    """The victim map's outlines come from this server (static/world_110m.json), never plotly's CDN: every request
    the page makes while the map renders stays on this machine. A click on a country lists its incidents."""
    from playwright.sync_api import expect

    session, app = browser_page, streamlit_app
    page = session.page
    open_page(session, app, "/")
    world = page.locator(".js-plotly-plot").filter(has_text="Where the victims are")
    expect(world.locator("path.choroplethlocation").first).to_be_attached(timeout=DRAW_MS)
    drawn = world.locator("path.choroplethlocation").count()
    assert drawn == len(world.evaluate("el => el.data[0].locations")) > 1
    assert any(urlsplit(u).path == "/app/static/world_110m.json" for u in session.requests), \
        "the map's outlines were not fetched from this server"
    check_clean(session, app)  # among them: no request left this machine

    # A country whose outline holds the middle of its box (a country of islands or with a far territory may not; the
    # paths themselves take no pointer events, plotly's layer above them does):
    # the first, most hit, that does; the paths are drawn in the order of the trace's locations.
    world.scroll_into_view_if_needed()
    i, x, y = world.evaluate("""el => {
        const paths = [...el.querySelectorAll('path.choroplethlocation')];
        for (let i = 0; i < paths.length; i++) {
            const b = paths[i].getBBox(), middle = new DOMPoint(b.x + b.width / 2, b.y + b.height / 2);
            if (b.width > 4 && paths[i].isPointInFill(middle)) {
                const on = middle.matrixTransform(paths[i].getScreenCTM());
                return [i, on.x, on.y];
            }
        }
        return [-1, 0, 0];
    }""")
    assert i >= 0, "no country of the map can be clicked in its middle"
    code, count = world.evaluate(f"el => [el.data[0].customdata[{i}][0], el.data[0].z[{i}]]")
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(r"/explorer\?"), timeout=DRAW_MS)
    assert parse_qs(urlsplit(page.url).query)["country"] == [code]
    expect(page.get_by_test_id("stMarkdown").filter(has_text="incidents match").first).to_contain_text(
        f"{int(count):,} incidents match", timeout=DRAW_MS)
    check_clean(session, app)


def test_a_line_of_what_changed_opens_the_incidents_it_counts(browser_page, streamlit_app):
    """"Kimsuky: 450 incidents, up from 265": a click on the line lists those 450 incidents in the explorer."""
    from playwright.sync_api import expect

    session, app = browser_page, streamlit_app
    page = session.page
    open_page(session, app, "/")
    expect(page.get_by_role("heading", name="What changed")).to_be_visible()
    line = page.get_by_test_id("stPageLink").filter(
        has_text=re.compile(r":\u200b? [\d,]+ incidents?, (up|down) from"))  # (md() breaks "Name:" up as a scheme)
    text = line.first.inner_text()
    count = int(re.search(r":\u200b? ([\d,]+) incident", text).group(1).replace(",", ""))
    line.first.locator("a").click()
    page.wait_for_url(re.compile(r"/explorer\?"), timeout=DRAW_MS)
    said = "incident matches" if count == 1 else "incidents match"
    expect(page.get_by_test_id("stMarkdown").filter(has_text=said).first).to_contain_text(f"{count:,} {said}",
                                                                                           timeout=DRAW_MS)
    check_clean(session, app)


def test_what_changed_sentences_wrap_whole_on_a_phone(browser_page, streamlit_app):
    """At 390 px a sentence of "what changed" wraps onto more lines; no part of it is cut off."""
    session, app = browser_page, streamlit_app
    session.page.set_viewport_size({"width": 390, "height": 844})
    open_page(session, app, "/")
    cut = session.page.evaluate("""() => [...document.querySelectorAll('.st-key-what-changed [data-testid=stPageLink]')]
        .filter(link => link.offsetParent)
        .flatMap(link => [...link.querySelectorAll('a *')].filter(e => e.scrollWidth > e.clientWidth + 1)
                                                          .map(() => link.innerText))""")
    shown = session.page.locator(".st-key-what-changed [data-testid=stPageLink]").count()
    assert shown >= 3 and not cut, f"cut off at 390 px: {cut}"
    check_clean(session, app)


def _pdf_text(pdf: bytes, tmp: Path) -> list[str]:
    """The PDF's pages as text (pdftotext, from poppler-utils)."""
    if shutil.which("pdftotext") is None:
        (pytest.fail if in_ci() else pytest.skip)("pdftotext missing (apt-get install poppler-utils)")
    path = tmp / "read.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def test_the_brief_button_gives_a_pdf_with_the_pages_numbers(browser_page, streamlit_app, tmp_path):
    session, app = browser_page, streamlit_app
    page = session.page
    open_page(session, app, "/")
    shown = page.get_by_test_id("stMetricValue").first.inner_text()
    with page.expect_download(timeout=DRAW_MS) as download:
        page.get_by_role("button", name="Brief for the board (PDF)").click()
    body = Path(download.value.path()).read_bytes()
    assert body.startswith(b"%PDF") and download.value.suggested_filename.endswith(".pdf")
    text = _pdf_text(body, tmp_path)
    assert 2 <= len(text) <= 4
    assert re.search(rf"(?m)^\s*{re.escape(shown)}\s", text[0]), f"the page's {shown} incidents are not in the brief"
    assert all("TLP:" in t for t in text)
    check_clean(session, app)


def test_printing_the_overview_prints_the_page_not_the_controls(browser_page, streamlit_app, tmp_path):
    """Printed from the browser (print media, A4), the overview shows its content without the sidebar or the
    download buttons, its totals' labels whole, and no blank last page."""
    session, app = browser_page, streamlit_app
    page = session.page
    open_page(session, app, "/")
    page.emulate_media(media="print")
    text = _pdf_text(page.pdf(format="A4", prefer_css_page_size=True, print_background=True), tmp_path)
    every = "\n".join(text)
    assert "Threat landscape" in text[0] and "What changed" in every
    for label in KPI_LABELS:
        assert label in every, f"the total's label {label!r} is broken or missing"
    for control in ("Reset filters", "Data behind this chart", "Brief for the board", "Time grain"):
        assert control not in every, f"{control!r} is printed"
    assert text[-1].strip(), "the last page is blank"
    assert len(text) <= 8


# Feed text as hostile sources write it: web addresses, an e-mail address, icon shortcodes, a formula.
HOSTILE_ACTOR = "www.evil.example"
HOSTILE_TITLE = "See http://evil.example/x or www.evil.example, mail spy@evil.example :material/warning: =HYPERLINK(1)"


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    require_browser()
    tmp = tmp_path_factory.mktemp("hostile")
    feed = tmp / "feed.csv"
    feed.write_text("occurred_on,actor,title,source_url\n"
                    f"2026-11-01,{HOSTILE_ACTOR},\"{HOSTILE_TITLE}\",https://example.org/a\n"
                    "2026-11-02,Kimusky,Phish,https://example.org/b\n", encoding="utf-8")
    db = tmp / "hostile.duckdb"
    from threatscape.ingest.run import ingest
    ingest([feed], db)
    yield from _serve(db, tmp)


def test_feed_text_never_becomes_a_link_or_an_icon(chromium, hostile_app):
    """A web address, e-mail address or icon shortcode in an actor name or title stays text, on the Names page
    (the name as a heading) and the actor profile (its title)."""
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(DEFAULT_MS)
    page = context.new_page()
    try:
        for path, shown in ((f"/actor?actor={HOSTILE_ACTOR}&since=2026-01-01&until=2026-11-30", "evil"),
                            ("/names", "Actor names to review")):
            page.goto(hostile_app.url + path, wait_until="domcontentloaded", timeout=DRAW_MS)
            page.get_by_text(shown).first.wait_for(timeout=DRAW_MS)
            page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=DRAW_MS)
            if path == "/names":
                choose(page, "Name to decide on", re.compile("evil"))
                page.get_by_role("heading", name=re.compile("evil")).wait_for(timeout=DRAW_MS)
            links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            assert not [h for h in links if not _is_local(h)], (path, links)  # (the app's own links name it)
            assert page.locator("[data-testid=stIconMaterial]").filter(has_text="warning").count() == 0
            assert page.get_by_test_id("stException").count() == 0
    finally:
        context.close()


# Vendor names as analysts type them, and the one actor each means (the MISP galaxy's canonical name).
TYPED_ALIASES = {"Thallium": "Kimsuky", "Velvet Chollima": "Kimsuky", "Emerald Sleet": "Kimsuky", "APT28": "APT28",
                 "APT3": "APT3", "Stately Taurus": "MUSTANG PANDA"}


@pytest.mark.parametrize("typed", list(TYPED_ALIASES))
def test_typing_a_name_and_enter_selects_that_one_actor(browser_page, streamlit_app, typed):
    """Enter on a typed name takes the entry that is that name (an alias shown as 'alias → actor'), never
    "Select all matches" and never a fuzzy match that is another actor."""
    from playwright.sync_api import expect

    session, app = browser_page, streamlit_app
    page = session.page
    open_page(session, app, "/")
    actors = page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").filter(has_text="Actors")
    actors.locator("input").click()
    actors.locator("input").fill(typed)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(r"[?&]actor="), timeout=DRAW_MS)
    query = parse_qs(urlsplit(page.url).query)
    assert query.get("actor") == [TYPED_ALIASES[typed]], (typed, query.get("actor"))
    chips = actors.get_by_role("group", name="Selected values").first.locator("[data-tag]")
    expect(chips).to_have_count(1)
    check_clean(session, app)


# The other filters, typed as an analyst types them: a code whose letters other names hold ("US" in Australia,
# Russia, Belarus; "GE" in Germany, Nigeria; "IR" in Iraq, Ireland), a sector whose name others hold.
TYPED_VALUES = [("Victim countries", "US", "country", "US"), ("Victim countries", "GE", "country", "GE"),
                ("Victim countries", "Iraq", "country", "IQ"), ("Sponsor states", "IR", "sponsor", "IR"),
                ("Sponsor states", "KP", "sponsor", "KP"), ("Sectors", "energy", "sector", "energy")]


@pytest.mark.parametrize("label, typed, key, expected", TYPED_VALUES)
def test_typing_a_code_or_name_and_enter_selects_that_one_value(browser_page, streamlit_app, label, typed, key,
                                                                 expected):
    from playwright.sync_api import expect

    session, app = browser_page, streamlit_app
    page = session.page
    open_page(session, app, "/")
    widget = page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").filter(has_text=label)
    widget.locator("input").click()
    widget.locator("input").fill(typed)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(rf"[?&]{key}="), timeout=DRAW_MS)
    assert parse_qs(urlsplit(page.url).query).get(key) == [expected], (typed, page.url)
    expect(widget.get_by_role("group", name="Selected values").first.locator("[data-tag]")).to_have_count(1)
    check_clean(session, app)


def test_the_actor_links_under_the_heatmap_show_whole_names(browser_page, streamlit_app):
    """Each link as wide as its name: none cut to "Kin" or "MUSTANG PAND"."""
    session, app = browser_page, streamlit_app
    open_page(session, app, "/")
    links = session.page.get_by_test_id("stMain").get_by_test_id("stPageLink")
    assert links.count() >= 3
    cut = links.evaluate_all("els => els.filter(el => [...el.querySelectorAll('*')].some("
                             "e => e.scrollWidth > e.clientWidth + 1)).map(el => el.innerText)")
    assert not cut, f"links cut short: {cut}"


# --- history: Back and Forward -------------------------------------------------------------------------------------

def _view(page) -> dict:
    """What the user sees: the URL's path and parameters, the sidebar's filters and the page's counts."""
    sidebar = page.get_by_test_id("stSidebar")
    main = page.get_by_test_id("stMain").inner_text()
    return {"path": urlsplit(page.url).path, "query": sorted(parse_qsl(urlsplit(page.url).query)),
            "dates": [i.input_value() for i in sidebar.get_by_test_id("stDateInput").locator("input").all()],
            "chips": sidebar.locator("[data-tag]").all_inner_texts(),
            "counts": re.findall(r"[\d,]+ incidents? match|Rows [\d,]+–[\d,]+ of [\d,]+", main)
            + page.get_by_test_id("stMain").get_by_test_id("stMetricValue").all_inner_texts()}


def _settled(page) -> None:
    page.wait_for_timeout(300)  # a rerun starts after the event
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=DRAW_MS)
    page.wait_for_timeout(300)  # and its last deltas are drawn


def test_back_and_forward_walk_the_views_the_user_saw(browser_page, streamlit_app):
    """A filter change, a heatmap drill-down and Next each make one history entry; Back walks them in reverse and
    Forward again, each step showing a view whose URL, sidebar and counts are the ones the user saw there."""
    session, app = browser_page, streamlit_app
    page = session.page
    open_page(session, app, "/?since=2000-01-01&until=2026-11-28")  # all of it: a cell with more than a page
    seen = [_view(page)]

    actors = page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").filter(has_text="Actors")
    actors.locator("input").click()
    actors.locator("input").fill("Kimsuky")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    _settled(page)
    seen.append(_view(page))
    assert seen[1]["chips"] == ["Kimsuky"] and seen[1]["counts"] != seen[0]["counts"], seen

    heatmap = page.locator(".js-plotly-plot").filter(has_text="Who is hitting which sectors")
    heatmap.locator(".scatterlayer .point").first.click(force=True)
    page.wait_for_url(re.compile(r"/explorer\?"), timeout=DRAW_MS)
    _settled(page)
    seen.append(_view(page))
    assert any(c.startswith("Rows 1–") for c in seen[2]["counts"]), seen[2]

    page.get_by_role("button", name="Next").click()
    _settled(page)
    seen.append(_view(page))
    assert any(c.startswith("Rows 51–") for c in seen[3]["counts"]) and "rows" in dict(seen[3]["query"]), seen[3]

    for expected in reversed(seen[:-1]):
        page.go_back()
        _settled(page)
        assert _view(page) == expected
    for expected in seen[1:]:
        page.go_forward()
        _settled(page)
        assert _view(page) == expected
    check_clean(session, app)


def test_the_totals_say_what_they_compare_with_and_a_year_earlier_is_a_choice(browser_page, streamlit_app):
    """Each total's change names the period it is measured against; choosing "A year earlier" puts compare=year
    in the URL and measures against the same months a year before, said in words."""
    from playwright.sync_api import expect

    session, app = browser_page, streamlit_app
    page = session.page
    open_page(session, app, "/?since=2026-01-01&until=2026-10-31")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_test_id("stCaptionContainer").filter(has_text="compared with").first).to_contain_text(
        "Jan 2026 to Oct 2026, compared with Mar 2025 to Dec 2025, the period of equal length before")
    expect(main.get_by_test_id("stCaptionContainer").filter(has_text="compared with").first).to_contain_text(
        "each change in the totals below is against Mar–Dec 2025")
    page.get_by_test_id("stSidebar").get_by_text("A year earlier").click()
    expect(page).to_have_url(re.compile(r"[?&]compare=year"), timeout=DRAW_MS)
    expect(main.get_by_test_id("stCaptionContainer").filter(has_text="compared with").first).to_contain_text(
        "compared with Jan 2025 to Oct 2025, the same dates a year earlier", timeout=DRAW_MS)
    expect(main.get_by_test_id("stCaptionContainer").filter(has_text="compared with").first).to_contain_text(
        "each change in the totals below is against Jan–Oct 2025")
    check_clean(session, app)
