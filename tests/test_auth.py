"""Sign-in, roles, clearances and local mode, through the real OIDC flow in a real Chromium (issue 22).

Module fixtures start, once each:
- an OpenID Connect provider (oidc-provider-mock) on a free localhost port, in a thread; each user's claims are
  set with its `PUT /users/<sub>` endpoint, and the browser signs in through its authorization form (a `sub`);
- a small database ingested from a CSV with incidents at every TLP marking (a different number at each, so every
  clearance counts differently);
- a secrets file with an `[auth]` section for that provider and `[[threatscape.access]]` rules (viewer GREEN,
  analyst AMBER, admin RED; anyone else gets viewer, TLP:CLEAR), passed with `--secrets.files`;
- `streamlit run dashboard.py` with those secrets, and (for local mode) two more servers without any secrets: one
  on 0.0.0.0, which must refuse, and one on localhost, which must serve the local user.

Each user signs in once, in a browser context of their own (its own cookies), kept for the module. Needs the
playwright package and Chromium at /usr/bin/chromium, like tests/test_browser.py: without them the tests skip, but
under CI (CI=true) they fail.

One sign-in is one entry of the audit trail, however many pages, reloads and tabs (Streamlit sessions) it opens.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import secrets as pysecrets
import subprocess
import sys
import time
import urllib.request
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from test_browser import CHROMIUM, CHROMIUM_ARGS, SERVER_START_S, App, _free_port, _healthy, require_browser

REPO = Path(__file__).resolve().parent.parent
VIEWPORT = {"width": 1440, "height": 2400}
LOAD_MS = 60_000     # the first run of a page in a fresh server: imports and queries
DEFAULT_MS = 30_000
pytestmark = [
    pytest.mark.browser,  # like test_browser.py: `-m "not browser"` leaves these out
    # the provider's token endpoint (oidc-provider-mock 0.3.4) calls what Authlib 1.9 deprecates: not ours to change
    pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning"),
]

# --- the data: a different number of incidents at each marking, all in one month (the default period shows them)

PER_TLP = {"CLEAR": 3, "GREEN": 4, "AMBER": 5, "AMBER+STRICT": 6, "RED": 7}
ACTORS = ("APT28", "Kimsuky", "Lazarus Group")
FIRST_DAY = dt.date(2026, 5, 1)


def _rows() -> list[dict]:
    rows, n = [], 0
    for tlp, count in PER_TLP.items():
        for i in range(count):
            n += 1
            rows.append({
                "incident_id": f"auth-{n:03d}", "occurred_on": (FIRST_DAY + dt.timedelta(days=n % 28)).isoformat(),
                "actor": ACTORS[n % len(ACTORS)], "sectors": ("government", "energy", "finance")[n % 3],
                "victim_country": ("DE", "KR", "US")[n % 3], "title": f"Intrusion {n} ({tlp})",
                "summary": f"Incident {n}, marked {tlp}.", "source_url": f"https://example.org/auth/{n}",
                "confidence": "80", "tlp": tlp, "campaign": "", "sponsor": ""})
    return rows


def cleared_count(clearance: str) -> int:
    """The incidents a user cleared to `clearance` may read (every marking up to it), from the CSV."""
    markings = list(PER_TLP)
    return sum(PER_TLP[t] for t in markings[:markings.index(clearance) + 1])


@dataclass(frozen=True)
class Person:
    sub: str
    email: str
    role: str
    clearance: str
    name: str = ""


VIEWER = Person("viewer", "viewer@example.org", "viewer", "GREEN", "Vera Viewer")
ANALYST = Person("analyst", "analyst@example.org", "analyst", "AMBER", "Ann Analyst")
ADMIN = Person("admin", "admin@example.org", "admin", "RED", "Adam Admin")
# No rule matches them. The mock gives a subject it does not know the claims {"email": sub}.
STRANGER = Person("stranger@elsewhere.test", "stranger@elsewhere.test", "viewer", "CLEAR")
RULED = (VIEWER, ANALYST, ADMIN)

PAGES_OF = {"viewer": ["Overview", "Explorer", "Actor profile"],
            "analyst": ["Overview", "Explorer", "Actor profile", "Names"],
            "admin": ["Overview", "Explorer", "Actor profile", "Names", "Ingest", "Audit trail"]}


# --- fixtures -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def auth_db(tmp_path_factory) -> Path:
    require_browser()  # before any work: nothing is built or started when the tests will not run
    tmp = tmp_path_factory.mktemp("auth-db")
    feed = tmp / "feed.csv"
    rows = _rows()
    with open(feed, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    db = tmp / "incidents.duckdb"
    from threatscape.ingest.run import ingest

    report = ingest([feed], db)
    assert report.totals()["added"] == len(rows) and not report.rejections, report.to_json()
    return db


@pytest.fixture(scope="module")
def provider():
    """The OIDC provider, on a free localhost port, with each user's claims set through its API."""
    require_browser()
    import authlib.deprecate  # (its import shows its own warnings "always": the filter below goes before that)

    with warnings.catch_warnings():  # oidc-provider-mock imports what Authlib deprecates: theirs, not ours
        warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
        from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread(port=0) as server:
        url = f"http://localhost:{server.server_port}"
        for person in RULED:
            claims = {"email": person.email, "email_verified": True, "name": person.name}
            request = urllib.request.Request(f"{url}/users/{person.sub}", data=json.dumps(claims).encode(),
                                             method="PUT", headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=10) as r:
                assert r.status == 204, r.status
        yield url


def _secrets_toml(app_port: int, provider_url: str) -> str:
    return f"""\
[auth]
redirect_uri = "http://localhost:{app_port}/oauth2callback"
cookie_secret = "{pysecrets.token_hex(32)}"
client_id = "threatscape-tests"
client_secret = "{pysecrets.token_hex(16)}"
server_metadata_url = "{provider_url}/.well-known/openid-configuration"

[[threatscape.access]]
email = "{VIEWER.email}"
role = "viewer"
clearance = "GREEN"

[[threatscape.access]]
email = "{ANALYST.email}"
role = "analyst"
clearance = "TLP:AMBER"

[[threatscape.access]]
email = ["{ADMIN.email}"]
role = "admin"
clearance = "RED"
"""


@contextmanager
def _serve(db: Path, log_path: Path, secrets_file: Path, *, address: str, port: int | None = None):
    """`streamlit run dashboard.py` on db with only this secrets file; the App (at http://localhost:PORT) once it
    answers; stopped afterwards."""
    port = port or _free_port()
    url = f"http://localhost:{port}"
    env = dict(os.environ, THREATSCAPE_DB=str(db), PYTHONUNBUFFERED="1")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
             "--server.address", address, "--server.headless", "true", "--secrets.files", str(secrets_file)],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = App(url, process, log_path)
    try:
        deadline = time.monotonic() + SERVER_START_S
        while not _healthy(f"http://127.0.0.1:{port}"):
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with {process.returncode} before answering:\n{server.log()}",
                            pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer on port {port} within {SERVER_START_S} s:\n{server.log()}",
                            pytrace=False)
            time.sleep(0.25)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture(scope="module")
def auth_app(auth_db, provider, tmp_path_factory):
    """The app with sign-in configured for the provider (its secrets in a file of their own)."""
    tmp = tmp_path_factory.mktemp("auth-app")
    port = _free_port()
    secrets_file = tmp / "secrets.toml"
    secrets_file.write_text(_secrets_toml(port, provider), encoding="utf-8")
    with _serve(auth_db, tmp / "streamlit.log", secrets_file, address="localhost", port=port) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=60_000)
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def fresh_page(browser):
    """A page in a browser context of its own (no cookies: nobody signed in)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(DEFAULT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


# --- what the page shows -----------------------------------------------------------------------

def settled(page) -> None:
    """Wait until the script run has finished: Streamlit's status widget is gone, and so are the skeletons that
    stand for elements the run has not sent yet."""
    page.wait_for_timeout(200)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=LOAD_MS)
    page.wait_for_function("() => !document.querySelector('[data-testid=stSkeleton]')", timeout=LOAD_MS)


def open_app(page, app: App, path: str) -> None:
    """Load a page and wait (bounded) until the run has drawn it and finished."""
    page.goto(app.url + path, wait_until="domcontentloaded", timeout=LOAD_MS)
    try:
        # the first thing a run draws: the sign-in page's title, a page's sidebar, or local mode's refusal
        page.locator("[data-testid=stHeading], [data-testid=stSidebar], [data-testid=stAlert]").first.wait_for(
            timeout=LOAD_MS)
        settled(page)
    except Exception as exc:  # noqa: BLE001 - add what the page and the server said to the failure
        fail_with(page, app, f"{path}: the page was not drawn ({exc})")


def body(page) -> str:
    return page.inner_text("body")


def fail_with(page, app: App, what: str):
    try:
        text = body(page)[:3000]
    except Exception as exc:  # noqa: BLE001 - the page is gone or navigating
        text = f"(unreadable: {exc})"
    pytest.fail(f"{what}\nURL: {page.url}\nPage text:\n{text}\nServer log:\n{app.log()[-5000:]}",
                pytrace=False)


def check_sign_in_page(page, app: App, path: str) -> None:
    """Only the sign-in page: its button, and nothing of the data (no KPI, no filters, no sidebar, no counts)."""
    from playwright.sync_api import expect

    try:
        expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=LOAD_MS)
    except AssertionError:
        fail_with(page, app, f"{path}: no Sign in button")
    settled(page)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)
    for widget in ("stMultiSelect", "stDateInput", "stDataFrame", "stFileUploader", "stPageLink"):
        expect(page.get_by_test_id(widget)).to_have_count(0)
    expect(page.locator(".js-plotly-plot")).to_have_count(0)
    text = body(page)
    assert "incidents match" not in text and "Signed in as" not in text, (path, text)
    assert not re.search(r"\d", page.get_by_test_id("stMain").inner_text()), (path, text)  # not one number
    assert page.title().startswith("Sign in"), (path, page.title())


def sign_in(page, app: App, person: Person, path: str = "/") -> None:
    """The real flow: the app's Sign in button, the provider's form (the subject), back to the app signed in."""
    from playwright.sync_api import expect

    open_app(page, app, path)
    page.get_by_role("button", name="Sign in").click()
    try:
        page.locator("input[name=sub]").wait_for(timeout=DEFAULT_MS)  # the provider's authorization form
    except Exception:  # noqa: BLE001
        fail_with(page, app, "the Sign in button did not lead to the provider's form")
    page.locator("input[name=sub]").fill(person.sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile("^" + re.escape(app.url) + "/"), timeout=DEFAULT_MS)
    sidebar = page.get_by_test_id("stSidebar")
    try:
        expect(sidebar).to_contain_text("Signed in as", timeout=LOAD_MS)
    except AssertionError:
        fail_with(page, app, f"{person.sub}: not signed in after the provider's form")
    settled(page)


def who(page) -> str:
    """The sidebar's line on who is signed in (without the zero-width spaces md() puts in an e-mail address, so
    that Markdown does not make it a link)."""
    line = page.get_by_test_id("stSidebar").get_by_test_id("stCaptionContainer").filter(has_text="Signed in as")
    return line.first.inner_text().replace("\u200b", "")


def check_who(page, person: Person) -> None:
    line = who(page)
    assert person.email in line and f"· {person.role} ·" in line and f"TLP:{person.clearance}" in line, line
    assert page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").is_visible()


def page_links(page) -> list[str]:
    return [t.strip() for t in page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").all_inner_texts()]


def incidents_kpi(page) -> int:
    from playwright.sync_api import expect

    metric = page.get_by_test_id("stMetric").first
    expect(metric.get_by_test_id("stMetricLabel")).to_have_text("Incidents", timeout=LOAD_MS)
    return int(metric.get_by_test_id("stMetricValue").inner_text().replace(",", ""))


def explorer_count(page, app: App, query: str = "") -> int:
    open_app(page, app, "/explorer" + query)
    match = page.get_by_test_id("stMarkdown").filter(has_text="incidents match").first
    try:
        match.wait_for(timeout=LOAD_MS)
    except Exception:  # noqa: BLE001
        fail_with(page, app, "the explorer shows no count")
    return int(re.search(r"([\d,]+) incidents match", match.inner_text()).group(1).replace(",", ""))


def check_not_reachable(page, app: App, stem: str) -> None:
    """A deep link to a page this user may not open shows none of it (Streamlit's page-not-found and the default
    page, or the app's own refusal), and in particular no upload widget."""
    from playwright.sync_api import expect

    open_app(page, app, f"/{stem}")
    titles = {"names": "Actor names to review", "ingest": "Ingest incidents", "audit": "Audit trail"}
    expect(page.get_by_role("heading", name=titles[stem])).to_have_count(0)
    expect(page.get_by_test_id("stFileUploader")).to_have_count(0)
    expect(page.get_by_role("button", name="Ingest")).to_have_count(0)
    text = body(page)
    assert ("Page not found" in text or "not available to you" in text or "Threat landscape" in text), \
        fail_with(page, app, f"/{stem}: neither page-not-found, the refusal nor the overview")


def check_server_clean(app: App) -> None:
    assert "Traceback" not in app.log(), f"the server logged an exception:\n{app.log()}"


def sign_out(page, app: App, provider: str) -> None:
    """The sidebar's Sign out: through the provider's end-session page (the mock asks to confirm) back to the app."""
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    try:
        page.wait_for_url(re.compile("^" + re.escape(provider) + "/oauth2/end_session"), timeout=DEFAULT_MS)
    except Exception:  # noqa: BLE001
        fail_with(page, app, "Sign out did not lead to the provider's end-session page")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(re.compile("^" + re.escape(app.url) + "/"), timeout=DEFAULT_MS)


@pytest.fixture(scope="module")
def session_of(browser, auth_app):
    """A signed-in page per user, each in a browser context of its own, signed in the first time a test asks."""
    pages = {}

    def get(person: Person):
        if person not in pages:
            context = browser.new_context(viewport=VIEWPORT)
            context.set_default_timeout(DEFAULT_MS)
            pages[person] = context.new_page()
            sign_in(pages[person], auth_app, person)
        return pages[person]

    try:
        yield get
    finally:
        for page in pages.values():
            page.context.close()


@dataclass
class SignedOut:
    page: object      # back on the app after signing out
    events: list      # what the audit trail recorded meanwhile (from the sign-in to the sign-out)


@pytest.fixture(scope="module")
def signed_out(browser, auth_app, auth_db, provider) -> SignedOut:
    """A viewer who signed in, reloaded the page once (a new Streamlit session, the same sign-in) and signed out, in
    a browser context of their own."""
    from threatscape import audit

    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(DEFAULT_MS)
    page = context.new_page()
    try:
        before = len(audit.read(auth_db))
        sign_in(page, auth_app, VIEWER)
        open_app(page, auth_app, "/")
        check_who(page, VIEWER)
        sign_out(page, auth_app, provider)
        yield SignedOut(page, audit.read(auth_db)[before:])
    finally:
        context.close()


# --- 1. anonymous -------------------------------------------------------------------------------

def test_anonymous_visitor_sees_only_the_sign_in_page(browser, auth_app):
    """With [auth] in the secrets file given by --secrets.files, a visitor who has not signed in gets the sign-in
    page and nothing else, whatever the link: no KPI, no filters, no page links, not one number."""
    with fresh_page(browser) as page:
        for path in ("/", "/explorer", "/ingest", "/audit", "/?actor=APT28&tlp=RED"):
            open_app(page, auth_app, path)
            check_sign_in_page(page, auth_app, path)
    check_server_clean(auth_app)


# --- 2. the viewer, cleared to GREEN ------------------------------------------------------------

def test_viewer_sees_green_and_below_and_only_the_viewer_pages(session_of, auth_app):
    from playwright.sync_api import expect

    green = cleared_count("GREEN")
    assert green == PER_TLP["CLEAR"] + PER_TLP["GREEN"] and green < cleared_count("RED")
    page = session_of(VIEWER)  # signed in through the provider's form; the app's overview
    check_who(page, VIEWER)
    assert incidents_kpi(page) == green
    assert page_links(page) == PAGES_OF["viewer"], page_links(page)
    for stem in ("ingest", "names", "audit"):
        check_not_reachable(page, auth_app, stem)
    # a link asking for RED: said to be above the clearance and ignored; not one RED incident is counted
    open_app(page, auth_app, "/?tlp=RED")
    expect(page.get_by_test_id("stAlert").filter(has_text="tlp=RED is above your clearance (TLP:GREEN)")) \
        .to_be_visible()
    assert incidents_kpi(page) == green
    assert explorer_count(page, auth_app) == green
    check_who(page, VIEWER)  # on every page
    check_server_clean(auth_app)


# --- 3. the other roles -------------------------------------------------------------------------

@pytest.mark.parametrize("person", [ANALYST, ADMIN, STRANGER], ids=lambda p: p.sub)
def test_each_role_sees_its_pages_and_its_clearance(session_of, auth_app, person):
    from playwright.sync_api import expect

    page = session_of(person)
    check_who(page, person)
    assert incidents_kpi(page) == cleared_count(person.clearance)
    assert page_links(page) == PAGES_OF[person.role], page_links(page)
    if person.role == "analyst":
        open_app(page, auth_app, "/names")
        expect(page.get_by_role("heading", name="Actor names to review")).to_be_visible()
        check_not_reachable(page, auth_app, "ingest")
        check_not_reachable(page, auth_app, "audit")
    elif person.role == "admin":  # (its Audit trail page: test_audit_trail_records_sign_in_and_sign_out)
        open_app(page, auth_app, "/ingest")
        expect(page.get_by_role("heading", name="Ingest incidents")).to_be_visible()
        expect(page.get_by_test_id("stFileUploader")).to_be_visible()
    check_server_clean(auth_app)


# --- 4. sign-out --------------------------------------------------------------------------------

def test_sign_out_returns_to_the_sign_in_page_and_stays_signed_out(signed_out, auth_app):
    page = signed_out.page
    check_sign_in_page(page, auth_app, "after sign-out")
    page.reload(wait_until="domcontentloaded")
    check_sign_in_page(page, auth_app, "reloaded after sign-out")
    open_app(page, auth_app, "/explorer")
    check_sign_in_page(page, auth_app, "/explorer after sign-out")
    check_server_clean(auth_app)


# --- 5. the audit trail -------------------------------------------------------------------------

def entry(e: dict) -> tuple:
    return e["action"], e["user"], e["role"], e["clearance"]


VIEWER_IN = ("sign-in", VIEWER.email, "viewer", "GREEN")
VIEWER_OUT = ("sign-out", VIEWER.email, "viewer", "GREEN")
ADMIN_IN = ("sign-in", ADMIN.email, "admin", "RED")


def test_audit_trail_records_sign_in_and_sign_out(signed_out, session_of, auth_app, auth_db):
    from playwright.sync_api import expect

    from threatscape import audit

    # The viewer's sign-in and sign-out, with role and clearance, in that order, in the file beside the database
    trail = audit.path_for(auth_db)
    assert trail.exists() and trail.parent == auth_db.parent, trail
    mine = [entry(e) for e in signed_out.events]
    assert VIEWER_IN in mine and VIEWER_OUT in mine, mine
    assert mine.index(VIEWER_IN) < mine.index(VIEWER_OUT), mine
    page = session_of(ADMIN)
    events = audit.read(auth_db)
    assert ADMIN_IN in [entry(e) for e in events], events
    assert all(dt.datetime.fromisoformat(e["at"]).tzinfo is not None for e in events), events
    assert audit.verify(auth_db) == [], audit.verify(auth_db)

    # The admin's Audit trail page: the chain is whole, and the entries are there (its Actions filter offers
    # sign-in and sign-out; the trail it downloads holds the sign-ins and the sign-out, with role and clearance).
    open_app(page, auth_app, "/audit")
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    expect(page.get_by_test_id("stAlert").filter(has_text="the chain of hashes is whole")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    page.get_by_test_id("stMultiSelect").filter(has_text="Actions").click()
    options = page.get_by_role("option").all_inner_texts()
    assert "sign-in" in options and "sign-out" in options, options
    page.keyboard.press("Escape")
    with page.expect_download(timeout=DEFAULT_MS) as download:
        page.get_by_role("button", name="Download the trail (CSV)").click()
    with open(download.value.path(), encoding="utf-8-sig") as f:
        listed = [entry(r) for r in csv.DictReader(f)]
    for wanted in (VIEWER_IN, VIEWER_OUT, ADMIN_IN):
        assert wanted in listed, (wanted, listed)
    assert audit.read(auth_db)[-1]["action"] == "audit-export"  # the export is recorded too
    assert audit.verify(auth_db) == [], audit.verify(auth_db)
    check_server_clean(auth_app)


def test_a_sign_in_is_recorded_once_however_many_pages_it_opens(signed_out):
    """The viewer signed in once, opened the app a second time (a reload: a new Streamlit session), signed out: the
    trail should say exactly that."""
    assert [entry(e) for e in signed_out.events] == [VIEWER_IN, VIEWER_OUT]


# --- 6. local mode ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def no_secrets(tmp_path_factory) -> Path:
    """An empty secrets file: neither the repository's nor the user's own secrets.toml is read."""
    path = tmp_path_factory.mktemp("no-secrets") / "secrets.toml"
    path.write_text("", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def open_app_server(auth_db, no_secrets, tmp_path_factory):
    """Without sign-in, on every address."""
    require_browser()
    tmp = tmp_path_factory.mktemp("local-open")
    with _serve(auth_db, tmp / "streamlit.log", no_secrets, address="0.0.0.0") as server:
        yield server


@pytest.fixture(scope="module")
def local_app_server(auth_db, no_secrets, tmp_path_factory):
    """Without sign-in, on this machine only."""
    require_browser()
    tmp = tmp_path_factory.mktemp("local-only")
    with _serve(auth_db, tmp / "streamlit.log", no_secrets, address="localhost") as server:
        yield server


def test_without_sign_in_it_refuses_to_serve_on_every_address(browser, open_app_server):
    from playwright.sync_api import expect

    with fresh_page(browser) as page:
        for path in ("/", "/ingest"):
            open_app(page, open_app_server, path)
            alerts = page.get_by_test_id("stAlert")
            expect(alerts).to_have_count(1)
            line = alerts.get_by_test_id("stMarkdownContainer").inner_text().strip()
            assert ".streamlit/secrets.toml" in line and "not served without sign-in" in line, line
            assert "\n" not in line, line  # one line
            expect(page.get_by_test_id("stMetric")).to_have_count(0)
            expect(page.get_by_test_id("stSidebar")).to_have_count(0)
            expect(page.get_by_test_id("stFileUploader")).to_have_count(0)
            expect(page.get_by_role("button", name="Sign in")).to_have_count(0)
            assert not re.search(r"\d", page.get_by_test_id("stMain").inner_text()), body(page)  # no data
    check_server_clean(open_app_server)


def test_without_sign_in_it_serves_the_local_user_on_localhost(browser, local_app_server):
    from playwright.sync_api import expect

    with fresh_page(browser) as page:
        open_app(page, local_app_server, "/")
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_test_id("stCaptionContainer").filter(has_text="Local mode")).to_be_visible()
        expect(sidebar.get_by_role("button", name="Sign out")).to_have_count(0)
        expect(page.get_by_role("button", name="Sign in")).to_have_count(0)
        assert incidents_kpi(page) == cleared_count("RED")  # the local user reads everything
        assert page_links(page) == PAGES_OF["admin"], page_links(page)
    check_server_clean(local_app_server)
