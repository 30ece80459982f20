"""Streamlit set-up shared by every page: page config, the database, and the shared filters (sidebar + URL).

Every page script starts with `page = setup("Title")`, so a deep link that runs a page without
dashboard.py (possible until some session has called st.navigation) still gets all of it.
"""
from __future__ import annotations

import collections
import datetime as dt
import hashlib
import logging
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlencode

import streamlit as st
import streamlit.delta_generator
from streamlit.runtime import Runtime
from streamlit.errors import StreamlitPageNotFoundError

from . import audit, auth, countries, data
from .launch import PAGES
from .paging import Position
from .safe import md
from .filters import GRAINS, LEVELS, MAX_TEXT, REGISTRY, TLPS, Filter, Filters, View, default_filters
from .startup import ensure_database
from .store import Store, database_path, get_store

log = logging.getLogger(__name__)
_STEM = {label: stem for stem, label in PAGES}  # a page's title (setup's) -> its file stem


def pages_for(user: auth.User) -> tuple:
    """The pages (stem, title) this user may open, in navigation order: only these are listed and routed."""
    return tuple((stem, label) for stem, label in PAGES if user.may_open(stem))


URL_STATE = "_threatscape_url"  # the query string this session last wrote to the URL
LAST = "_threatscape_last"  # the filters and view this session last used (widget state can be dropped)
ROWS = "rows"  # a paged page's position (paging.Position.to_url): in the URL and the session state
SHOWN = "_threatscape_shown"  # the filters and page values whose rows a paged page showed last
FILTER_KEYS = tuple(Filters.URL_KEYS.values())
# A satellite drawn in SVG, served inline (a data: URL): no request to anyone else's server. A Path, not a
# string: Streamlit tests a string icon for an emoji first, which loads its 3,700-emoji table (90 ms at start).
FAVICON = Path(__file__).with_name("favicon.svg")
# On the first element a process draws, Streamlit checks once whether it runs in a Python REPL, to print
# "use streamlit run": inspect.stack() reads the source of every frame and scans every loaded module
# (0.1-0.2 s of the first page's draw, measured). This app always runs under `streamlit run` (or AppTest),
# where that message never applies: mark it shown. A private flag: if Streamlit renamed it, this line would
# only set an unused attribute and the check would cost its time again.
streamlit.delta_generator._use_warning_has_been_displayed = True


@dataclass(frozen=True)
class Page:
    """What a page script needs: the data, the current filters and view, and what the data is."""

    store: Store
    filters: Filters
    view: View
    dataset: dict
    first_day: dt.date | None  # None: the database holds no incidents (setup's without_incidents)
    last_day: dt.date | None
    extra: dict  # the page's own URL parameters (e.g. the explorer's sort order), as strings
    started: float = 0.0  # time.perf_counter() when setup began: the store's timings from here are this run's
    user: auth.User = auth.LOCAL_USER  # who is reading: the store reads only what their clearance allows

    def queries(self, names) -> list:
        """Each of these queries this run asked for (store.Timing: ms, rows, cached, and the plan that answered it):
        the run that computed it, when this run did (a prefetch, then the page's own call, which the cache answers),
        else the cache's answer; in the order asked."""
        found = {}
        for t in list(self.store.timings):
            if t.started >= self.started and t.query in names and (t.query not in found or found[t.query].cached):
                found[t.query] = t
        return sorted(found.values(), key=lambda t: t.started)


def _current_query() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params.keys()}


def _normalised(query: dict[str, list[str]], keys) -> tuple:
    return tuple(sorted((k, tuple(v)) for k, v in query.items() if k in keys))


def _auth_section():
    """The [auth] section of the secrets (Streamlit's own, for st.login), or None: local mode."""
    try:
        return st.secrets.get("auth") if st.secrets.load_if_toml_exists() else None
    except Exception:  # noqa: BLE001 - an unreadable secrets file is shown by Streamlit's own st.login
        log.exception("reading .streamlit/secrets.toml")
        return None


def current_user() -> auth.User:
    """Who is using this session, once they may (auth.py): in local mode the local user, served on this machine only;
    with sign-in configured, the signed-in user (an anonymous visitor sees the sign-in page and nothing else). The
    first time a session meets a signed-in user, the audit trail records the sign-in."""
    s = st.session_state
    if _auth_section() is None:
        address = st.get_option("server.address")
        headers = st.context.headers
        served = Runtime.exists() and type(Runtime.instance()) is Runtime  # not AppTest's stand-in: it serves nothing
        if served and not auth.serves_local_mode(address, st.context.ip_address, headers.get("Host"),
                                                 headers.get("X-Forwarded-For")):
            st.error(f"Threatscape is not served without sign-in on {'this address' if address else 'every address'}"
                     f": {auth.HOW_TO_CONFIGURE}, or serve it on localhost.", icon=":material/lock:")
            st.stop()
        return auth.local_user()
    if not st.user.is_logged_in:
        _sign_in_page()
        st.stop()
    claims = st.user.to_dict()
    try:
        user = auth.user_from_claims(claims, auth.rules_from(st.secrets))
    except auth.AccessConfigError as exc:
        log.error("access rules in the secrets: %s", exc)
        st.error(f"Sign-in is misconfigured ({exc}); ask your administrator.", icon=":material/lock:")
        st.stop()
    if s.get(SIGNED_IN) != user:
        _record_sign_in(user, claims)
        s[SIGNED_IN] = user
    return user


SIGNED_IN = "_threatscape_signed_in"  # the user this session has met (each page load, tab or reload is a session)
_sign_ins: set[str] | None = None  # the logins the audit trail records (read from it once per process)
_sign_ins_lock = threading.Lock()


def _record_sign_in(user: auth.User, claims: dict) -> None:
    """Record a sign-in once per pass through the provider (its ID token: issuer, subject, issued at, nonce), not
    once per session: every page load, reload and tab of one sign-in is a session of its own."""
    global _sign_ins
    login = hashlib.sha256("|".join(str(claims.get(k, "")) for k in ("iss", "sub", "iat", "nonce")).encode()
                           ).hexdigest()[:16]
    db = database_path()
    with _sign_ins_lock:
        if _sign_ins is None:
            _sign_ins = {e.get("login") for e in audit.read(db) if e.get("action") == "sign-in"}
        if login in _sign_ins:
            return
        _sign_ins.add(login)
    audit.record(db, "sign-in", user=user.name, role=user.role, clearance=user.clearance, login=login)


def _sign_in_page() -> None:
    st.set_page_config(page_title="Sign in · Threatscape", page_icon=FAVICON, layout="centered")
    st.title("Threatscape")
    st.markdown("The threat landscape of your team's incident data. Sign in with your organisation's account.")
    section = _auth_section() or {}
    providers = [name for name, value in section.items() if hasattr(value, "get") and "client_id" in value]
    if "client_id" in section or not providers:
        st.button("Sign in", type="primary", icon=":material/login:", on_click=st.login)
    for name in providers:
        st.button(f"Sign in with {name.capitalize()}", key=f"login_{name}", on_click=st.login, args=(name,))


def _sign_out(user: auth.User) -> None:
    audit.record(database_path(), "sign-out", user=user.name, role=user.role, clearance=user.clearance)
    st.session_state.pop(SIGNED_IN, None)
    st.logout()


def _who(user: auth.User) -> None:
    """The sidebar's line on who is using the app, with sign-out."""
    if user.local:
        cleared = "" if user.clearance == TLPS[-1] else f" Reading as cleared to TLP:{user.clearance}."
        st.caption(f"Local mode: one local user with every right, on this machine only.{cleared} To serve a team "
                   "with sign-in, see README.md.", help="No [auth] section in .streamlit/secrets.toml.")
        return
    st.caption(f"Signed in as **{md(user.name)}** · {user.role} · cleared to TLP:{user.clearance}")
    st.button("Sign out", icon=":material/logout:", on_click=_sign_out, args=(user,), type="tertiary")


def _not_available(user: auth.User) -> None:
    st.error("This page is not available to you.", icon=":material/lock:")
    link("overview", "Go to the overview", {}, icon=":material/home:")
    st.stop()


def _open_store(user: auth.User) -> Store:
    """The database as this user may read it: only the incidents at or below their clearance (Store.cleared)."""
    try:
        path, built = ensure_database(database_path())
    except Exception as exc:  # noqa: BLE001 - shown to the user in plain words, then stop
        log.exception("preparing the incident database")
        st.error(f"The incident database could not be prepared: {exc}" if user.may("admin") else
                 "The incident database could not be prepared; the administrator can see why in the server log.")
        st.stop()
    if built:
        st.toast("Built the demo database on first start.")
    return get_store(path).cleared(user.clearance)


HISTORY_JS = Path(__file__).with_name("history.js")  # the project's own script (no feed text): one entry per action
PRINT_CSS = Path(__file__).with_name("print.css")  # how a page prints from the browser
# A page link's label is one line cut with an ellipsis; in the "what changed" list, and in any container whose key
# starts with "wrap-", it wraps instead (a sentence, a long name).
WRAP_LINKS = (":is(.st-key-what-changed,[class*=st-key-wrap-]) [data-testid=stPageLink-NavLink] *"
              "{white-space:normal!important;overflow:visible!important;text-overflow:clip!important}")


def _history_policy() -> None:
    """Run history.js in the browser (once per page load; it takes no space: hidden by the CSS beside it), and give
    every page its print stylesheet."""
    st.html(f"<style>.st-key-history-policy{{display:none}}\n{WRAP_LINKS}\n"
            f"{PRINT_CSS.read_text(encoding='utf-8')}</style>")
    with st.container(key="history-policy"):
        st.html(f"<script>{HISTORY_JS.read_text(encoding='utf-8')}</script>", unsafe_allow_javascript=True)


def _seed_widgets(f: Filters, view: View, extra: dict) -> None:
    """Put URL values into the widgets' state (first load, a shared link, or a drill-down): each filter's widget
    has its REGISTRY entry's key."""
    s = st.session_state
    for entry in REGISTRY:
        value = getattr(f, entry.field)
        s[entry.key] = list(value) if isinstance(value, tuple) else 0 if entry.widget == "confidence" and \
            value is None else value
    s["grain"], s["level"], s["top"], s["compare"] = view.grain, view.level, view.top, view.compare
    for key, value in extra.items():
        s[key] = value


def _seed_from_link(store: Store, query: dict, extra: dict, first_day: dt.date, last_day: dt.date,
                    view_options: bool) -> list[str]:
    """Seed the widgets from URL parameters; return what in them was not understood."""
    filters, problems = Filters.from_query(query)
    view, view_problems = View.from_query(query)
    problems += view_problems if view_options else []
    filters, actor_problems = data.resolve_actor_filter(store, filters)
    problems += actor_problems
    # A start after the data with no end (or an end before it with no start) would stretch the period to the
    # other end of the data and compare it with decades before: the date is ignored, as a wrong value is.
    if filters.since is not None and filters.until is None and filters.since > last_day:
        problems.append(f"since={filters.since} is after the last incident ({last_day}); ignored")
        filters = filters.with_(since=None)
    if filters.until is not None and filters.since is None and filters.until < first_day:
        problems.append(f"until={filters.until} is before the first incident ({first_day}); ignored")
        filters = filters.with_(until=None)
    if filters.since is None and filters.until is None:
        default = default_filters(first_day, last_day)
        filters = filters.with_(since=default.since, until=default.until)
    filters = filters.with_(since=filters.since or first_day, until=filters.until or last_day)
    low, high = date_limits(first_day, last_day)
    if filters.since < low:  # beyond what the date widgets take: the same incidents, from the first day
        problems.append(f"since={filters.since} is before the first incident; showing from {first_day}")
        filters = filters.with_(since=first_day, until=max(filters.until, first_day))
    if filters.until > high:
        problems.append(f"until={filters.until} is after the last incident; showing up to {last_day}")
        filters = filters.with_(until=last_day, since=min(filters.since, last_day))
    if filters.since > high:  # a start after anything the widgets take: from the last day of the data
        problems.append(f"since={filters.since} is after the last incident; showing from {last_day}")
        filters = filters.with_(since=last_day, until=max(filters.until, last_day))
    if filters.until < low:  # an end before anything the widgets take: up to the first day of the data
        problems.append(f"until={filters.until} is before the first incident; showing up to {first_day}")
        filters = filters.with_(until=first_day, since=min(filters.since, first_day))
    page_values = {}
    for key, allowed in extra.items():
        value = (query.get(key) or [allowed[0]])[-1]
        if value not in allowed:
            problems.append(f"{key}={value!r} must be one of {', '.join(allowed)}; ignored")
            value = allowed[0]
        page_values[key] = value
    _seed_widgets(filters, view, page_values)
    return problems


def _reset(first_day: dt.date, last_day: dt.date, extra_defaults: dict) -> None:
    _seed_widgets(default_filters(first_day, last_day), View(), extra_defaults)


def setup(title: str, *, view_options: bool = False, extra: dict[str, tuple[str, ...]] | None = None,
          prefetch: Callable[[Store, Filters, View], object] | None = None, without_incidents: bool = False,
          filters: bool = True, paged: bool = False) -> Page:
    """Configure the page, open the data, draw the shared filters and sync them with the URL.

    view_options: draw the overview's time grain / sector level / actors shown.
    extra: the page's own URL parameters and their allowed values (first = default); the page draws
    their widgets with those keys.
    prefetch: starts the page's queries for the filters and view (data.prefetch_*) as soon as they are known,
    before the sidebar's widgets are drawn (the widgets' values are in the session state already).
    without_incidents: the page also works on a database that holds no incidents (the Ingest page, which fills
    it): there it gets no filters (the default Filters, no dates) and the sidebar has only the page links.
    filters: False for a page the filters do not apply to (Ingest, Names, Audit trail): its sidebar has only the
    page links, and the session's filters wait, untouched, for the next page that uses them.
    paged: the page reads its rows page by page (the explorer): its position is `rows` in the URL and
    st.session_state[ROWS] (paging.Position.to_url), back to the first page when the user changes a filter.
    """
    started = time.perf_counter()
    user = current_user()
    st.set_page_config(page_title=f"{title} · Threatscape", page_icon=FAVICON, layout="wide")
    _history_policy()
    if not user.may_open(_STEM[title]):
        _not_available(user)
    with st.spinner("Preparing the incident database…"):
        store = _open_store(user)
    try:
        dataset = store.dataset()
        first_day, last_day = store.date_bounds()
    except Exception as exc:  # noqa: BLE001
        log.exception("reading %s", store.path)
        st.error(f"The incident database at {store.path} could not be read: {exc}" if user.may("admin") else
                 "The incident database could not be read; the administrator can see why in the server log.")
        st.stop()
    if first_day is None or not filters:
        with st.sidebar:
            _who(user)
            for stem, label in pages_for(user):
                link(stem, label, {})
        if first_day is not None or without_incidents:
            if dataset["kind"] == "demo" and first_day is not None:
                st.warning(f"**{dataset['description']}**", icon=":material/science:")
            return Page(store, Filters(), View(), dataset, first_day, last_day, {}, user=user)
        st.info("The database holds no incidents yet." if user.clearance == TLPS[-1] else
                "The database holds no incidents you are cleared to read yet.")
        if user.may_open("ingest"):
            link("ingest", "Load incidents on the Ingest page", {}, icon=":material/upload:")
        st.stop()
    extra = extra or {}
    url_keys = FILTER_KEYS + (View.URL_KEYS if view_options else ()) + tuple(extra) + ((ROWS,) if paged else ())
    query = _current_query()
    problems, outside = _url_state(store, query, url_keys, extra, dataset, first_day, last_day, view_options, user)
    options = data.filter_options(store)
    filters, view, widget_problems = _from_widgets(options, first_day, last_day)
    problems += widget_problems
    if paged:
        problems += _keep_position(query, outside, (filters, tuple(st.session_state.get(k) for k in extra)))
    if prefetch is not None:  # the page's queries start on the query threads while the sidebar is drawn
        prefetch(store, filters, view)
    with st.sidebar:
        _who(user)
        _sidebar(options, view_options, first_day, last_day, extra, user)
    page_values = {key: st.session_state.get(key) or allowed[0] for key, allowed in extra.items()}
    _sync_url(query, url_keys, filters, view, view_options, extra, page_values)
    if paged:
        page_values[ROWS] = st.session_state[ROWS]

    if dataset["kind"] == "demo":
        st.warning(f"**{dataset['description']}**", icon=":material/science:")
    for p in problems:
        st.warning(f"From the link: {md(p)}", icon=":material/link_off:")
    with st.sidebar:
        st.caption(f"Data version `{dataset['content_version'][:12]}` · built "
                   f"{dataset['built_at']:%Y-%m-%d %H:%M} UTC · incidents {first_day} to {last_day}")
    return Page(store, filters, view, dataset, first_day, last_day, page_values, started, user)


def _url_state(store: Store, query: dict, url_keys: tuple, extra: dict, dataset: dict, first_day: dt.date,
               last_day: dt.date, view_options: bool, user: auth.User = auth.LOCAL_USER) -> list[str]:
    """Bring the widgets' state in line with the URL when the URL changed outside this session (first load, a
    shared link, a drill-down, Back), or with the session's own filters on a page link without parameters; and
    move the dates into the data when new data no longer reaches them. Returns what the link held that was not
    understood, and whether the URL changed outside this session."""
    s = st.session_state
    problems: list[str] = []
    outside = _normalised(query, url_keys) != s.get(URL_STATE)
    if outside and _normalised(query, url_keys) == () and LAST in s:
        # A page link without parameters (the sidebar's): carry on with the session's filters. Streamlit
        # may drop widget state on a page switch, so they come from our own copy.
        last_filters, last_view = s[LAST]
        _seed_widgets(last_filters, last_view, {k: allowed[0] for k, allowed in extra.items()})
    elif outside:  # first load, a shared link or a drill-down: the URL says what to show
        problems = _seed_from_link(store, query, extra, first_day, last_day, view_options)
        problems += _unknown_keys(query, url_keys)
    problems += _within_clearance(user)

    # New data swapped in (an ingest) may not reach the dates this session was looking at.
    if s.get("_data_version") not in (None, dataset["content_version"]) and s.get("since") and s.get("until") and (
            s["since"] > last_day or s["until"] < first_day):
        fresh = default_filters(first_day, last_day)
        s["since"], s["until"] = fresh.since, fresh.until
        st.info(f"The data changed and holds nothing in the dates you had chosen; showing {fresh.since} to "
                f"{fresh.until}.", icon=":material/update:")
    s["_data_version"] = dataset["content_version"]
    return problems, outside


STREAMLIT_KEYS = ("embed", "embed_options")  # Streamlit's own link parameters


def _unknown_keys(query: dict, url_keys: tuple) -> list[str]:
    """A line for each link parameter this page does not take (a typo, another page's), with the one it may mean:
    a link that quietly shows something other than what it says would mislead."""
    import difflib

    out = []
    for key in query:
        if key in url_keys or key in STREAMLIT_KEYS:
            continue
        close = difflib.get_close_matches(key, url_keys, n=1, cutoff=0.6)
        out.append(f"{key} is not a setting of this page" + (f" (did you mean {close[0]}?)" if close else "")
                   + "; ignored")
    return out


def _keep_position(query: dict, outside: bool, shown: tuple) -> list[str]:
    """A paged page's position: the URL's when the URL changed outside this session (a link, Back, Forward), the
    first page when the user changed a filter or the order, else where the session was (Next, Previous). Returns
    what in the URL's position was not understood."""
    s = st.session_state
    problems = []
    if outside:
        rows = (query.get(ROWS) or [""])[-1]
        if Position.from_url(rows) is None:
            problems.append(f"rows={rows!r} is not a position in the list; showing the first page")
            rows = ""
        s[ROWS] = rows
    elif s.get(SHOWN) != shown:
        s[ROWS] = ""
    s.setdefault(ROWS, "")
    s[SHOWN] = shown
    return problems


def _within_clearance(user: auth.User) -> list[str]:
    """Keep the TLP and clearance widgets within the user's clearance (a link may ask for more); say what was
    dropped. The store reads nothing above it either way: this keeps the widgets honest."""
    s, allowed, problems = st.session_state, cleared_markings(user), []
    above = [t for t in s.get("tlp") or [] if t not in allowed]
    if above:
        s["tlp"] = [t for t in s["tlp"] if t in allowed]
        problems.append(f"tlp={', '.join(above)} is above your clearance (TLP:{user.clearance}); ignored")
    if s.get("clearance") is not None and s["clearance"] not in allowed:
        problems.append(f"clearance={s['clearance']} is above your clearance (TLP:{user.clearance}); ignored")
        s["clearance"] = None
    return problems


def cleared_markings(user: auth.User) -> tuple[str, ...]:
    return TLPS[:TLPS.index(user.clearance) + 1]


def _from_widgets(options: data.FilterOptions, first_day: dt.date, last_day: dt.date) -> tuple[Filters, View, list]:
    """The filters and view the widgets' state holds (seeded from the URL, or as the user set them)."""
    s = st.session_state
    values, problems = {}, []
    for entry in REGISTRY:
        raw = s.get(entry.key)
        if entry.multiple:
            mean = (lambda a: options.actor_of.get(a, a)) if entry.widget == "actor" else data.entry_value \
                if entry.widget in ("country", "sponsor") else (lambda a: a)
            raw = tuple(dict.fromkeys(mean(a) for a in raw or ()))
        elif entry.widget == "text":
            raw = (raw or "").strip()
        values[entry.field] = raw if raw not in (None, 0) else entry.empty
    values["since"], values["until"] = values["since"] or first_day, values["until"] or last_day
    if values["since"] > values["until"]:
        problems.append("The start date was after the end date; they were swapped.")
        values["since"], values["until"] = values["until"], values["since"]
    view = View(grain=s.get("grain") or "month", level=s.get("level") or "top", top=s.get("top") or 8,
                compare=s.get("compare") or "previous")
    return Filters(**values), view, problems


# How the sidebar draws each kind of filter widget (filters.REGISTRY's `widget`); those in MORE go in the expander.
MORE = ("confidence", "tlp", "clearance", "text")


def date_limits(first_day: dt.date, last_day: dt.date) -> tuple[dt.date, dt.date]:
    """The days the date widgets take: from 1990 (or the first incident, if earlier) to 2100 (or the last)."""
    return min(dt.date(1990, 1, 1), first_day), max(dt.date(2100, 1, 1), last_day)


# The filters match what is typed as it is written (anywhere in an entry, any case), never a fuzzy guess that is
# someone else; the entries are in an order where the one that IS the typed name comes first (data._typed_first for
# actors, data.exact_first for the others); no filter offers "Select all matches", so Enter takes that one entry.
EXACT = {"filter_mode": "contains", "select_all": False}


def _widget(entry: Filter, options: data.FilterOptions, first_day: dt.date, last_day: dt.date,
            user: auth.User = auth.LOCAL_USER) -> None:
    s = st.session_state
    if entry.widget == "date":
        low, high = date_limits(first_day, last_day)
        st.date_input(entry.label, key=entry.key, min_value=low, max_value=high, format="YYYY-MM-DD")
    elif entry.widget == "actor":
        st.multiselect(entry.label, _with_selected(options.actors, s.get(entry.key)), key=entry.key,
                       placeholder="Any actor (type any alias)", **EXACT,
                       help="Type any vendor name: 'Thallium' or 'Emerald Sleet' finds Kimsuky.")
    elif entry.widget == "sector":
        st.multiselect(entry.label, _with_selected(options.sectors, s.get(entry.key)), key=entry.key,
                       format_func=options.sector_label, placeholder="Any sector", **EXACT,
                       help="A sector includes the sectors below it: energy includes oil and gas.")
    elif entry.widget == "country":
        st.multiselect(entry.label, _with_selected(options.countries, s.get(entry.key)), key=entry.key,
                       format_func=data.entry_label, placeholder="Any country (name or code)", **EXACT)
    elif entry.widget == "sponsor":
        st.multiselect(entry.label, _with_selected(options.sponsors, s.get(entry.key)), key=entry.key,
                       format_func=data.entry_label, placeholder="Any sponsor (name or code)", **EXACT)
    elif entry.widget == "confidence":
        st.slider(entry.label, 0, 100, step=5, key=entry.key,
                  help="Attribution confidence (0-100). Incidents without one are left out once this is set.")
    elif entry.widget == "tlp":
        st.multiselect(entry.label, cleared_markings(user), key=entry.key, placeholder="Any marking")
    elif entry.widget == "clearance":
        st.selectbox(entry.label, (None,) + cleared_markings(user), key=entry.key,
                     format_func=lambda t: "Any marking" if t is None else f"TLP:{t} and below",
                     help=f"Only incidents marked at most this TLP. You are cleared to TLP:{user.clearance}: "
                          "nothing above it is counted or shown anywhere.")
    elif entry.widget == "text":
        st.text_input(entry.label, key=entry.key, max_chars=MAX_TEXT)
    else:
        raise ValueError(f"no widget for {entry.widget!r}")


def _sidebar(options: data.FilterOptions, view_options: bool, first_day: dt.date, last_day: dt.date,
             extra: dict, user: auth.User = auth.LOCAL_USER) -> None:
    """The page links, one widget per filter (REGISTRY order), the view options and Reset."""
    s = st.session_state
    # Our own links, not Streamlit's automatic list: the same in every mode (including a deep link served before
    # any session called st.navigation), and the filters travel with them.
    for stem, label in pages_for(user):
        link(stem, label, {})
    st.header("Filters")
    for entry in REGISTRY:
        if entry.widget not in MORE:
            _widget(entry, options, first_day, last_day, user)
    more = [e for e in REGISTRY if e.widget in MORE]
    with st.expander("Confidence, TLP, clearance and text", expanded=any(s.get(e.key) for e in more)):
        for entry in more:
            _widget(entry, options, first_day, last_day, user)
    if view_options:
        st.header("View")
        st.segmented_control("Time grain", GRAINS, key="grain", format_func=str.capitalize)
        st.segmented_control("Sectors shown", LEVELS, key="level",
                             format_func={"top": "Top level", "detail": "Detailed"}.get)
        st.selectbox("Actors shown", View.TOP_CHOICES, key="top")
        st.segmented_control("Compare with", View.COMPARES, key="compare",
                             format_func={"previous": "Period before", "year": "A year earlier"}.get,
                             help="What the changes in the totals are measured against: the period of equal length "
                                  "just before, or the same dates a year earlier.")
    st.button("Reset filters", on_click=_reset, width="stretch",
              args=(first_day, last_day, {k: allowed[0] for k, allowed in extra.items()}))


def _sync_url(query: dict, url_keys: tuple, filters: Filters, view: View, view_options: bool, extra: dict,
              page_values: dict) -> None:
    """Write the filters, view and page values to the URL when they differ from it, and remember them."""
    s = st.session_state
    new_query = filters.to_query() | (view.to_query() if view_options else {}) | {
        k: [v] for k, v in page_values.items() if v != extra[k][0]} | (
        {ROWS: [st.session_state[ROWS]]} if st.session_state.get(ROWS) and ROWS in url_keys else {})
    if _normalised(new_query, new_query.keys() | query.keys()) != _normalised(query, query.keys()):
        st.query_params.from_dict(new_query)  # also drops another page's parameters
    s[URL_STATE] = _normalised(new_query, url_keys)
    s[LAST] = (filters, view if view_options else s.get(LAST, (None, View()))[1])


def _with_selected(options: list[str], selected) -> list[str]:
    """The options, plus any selected value they lack (so a link's value is never dropped)."""
    return options + [v for v in (selected or []) if v not in options]


def link(page: str, label: str, query: dict, *, icon: str | None = None) -> None:
    """A link to another page with these URL parameters (label: trusted words plus md()-escaped text)."""
    try:
        st.page_link(f"pages/{page}.py", label=label, icon=icon, query_params=query)
    except StreamlitPageNotFoundError:  # this page was run on its own (a deep link before st.navigation)
        st.markdown(f"{icon or ''} [{label}](/{page}?{urlencode(query, doseq=True)})")


def table(df, **kwargs):
    """st.dataframe of a table that may hold feed text, its formula-like cells guarded (tables.guarded): the table's
    toolbar downloads it as CSV. Every page's tables are drawn with this."""
    from . import tables

    return st.dataframe(tables.guarded(df), **kwargs)


def go(page: str, query: dict) -> None:
    """Switch to another page with these URL parameters (a drill-down)."""
    try:
        st.switch_page(f"pages/{page}.py", query_params=query)
    except StreamlitPageNotFoundError:
        st.query_params.from_dict(query)
        st.info(f"Open the [{page}](/{page}?{urlencode(query, doseq=True)}) to see these incidents.")


_FIGURES: "collections.OrderedDict[tuple, tuple]" = collections.OrderedDict()
_FIGURES_LOCK = threading.Lock()
FIGURE_ENTRIES = 64


def figure(builder, df, *args, **kwargs):
    """builder(df, *args, **kwargs), built once for as long as the store hands back the same cached frame
    (a rerun that changed nothing, such as a click elsewhere, then draws without rebuilding its charts)."""
    key = (builder.__module__, builder.__qualname__, id(df), repr(args), repr(sorted(kwargs.items())))
    with _FIGURES_LOCK:
        hit = _FIGURES.get(key)
        if hit is not None and hit[0] is df:
            _FIGURES.move_to_end(key)
            return hit[1]
    fig = builder(df, *args, **kwargs)
    with _FIGURES_LOCK:
        _FIGURES[key] = (df, fig)  # holding df keeps its id from being reused by another frame
        while len(_FIGURES) > FIGURE_ENTRIES:
            _FIGURES.popitem(last=False)
    return fig


def _export():
    from . import export  # on a download, not at start: it brings pyarrow's CSV writer

    return export


def topojson_url() -> str:
    """Where the browser fetches a map's outlines: Streamlit's static serving of static/ (server.enableStaticServing),
    under the server's base path."""
    base = st.get_option("server.baseUrlPath").strip("/")
    return f"/{base}/app/static/" if base else "/app/static/"


def _scroll_sideways(container_key: str, min_width: int) -> None:
    """A style rule (Streamlit puts a style-only st.html out of sight): the chart in this container is never
    narrower than min_width px, and the container scrolls sideways when the screen is."""
    box = f".st-key-{container_key}"
    st.html(f"<style>{box}{{overflow-x:auto}}{box} [data-testid='stElementContainer']{{min-width:{min_width}px}}</style>")


def chart(page: Page, fig, df, *, name: str, key: str, page_name: str = "overview", clickable: bool = False):
    """Draw a chart with a download of the data behind it (the same query result, CSV + manifest).
    Returns the chart's selection when clickable."""
    kwargs = {"on_select": "rerun", "selection_mode": "points"} if clickable else {}
    if any(t.type == "choropleth" for t in fig.data):  # the map's outlines from this server, not plotly's CDN
        kwargs["config"] = {"topojsonURL": topojson_url()}
    from . import charts  # the pages have imported it already

    min_width = charts.heatmap_min_width(fig)
    if min_width:  # on a narrower screen the chart keeps this width and scrolls sideways
        with st.container(key=f"scroll_{key}"):
            _scroll_sideways(f"scroll_{key}", min_width)
            event = st.plotly_chart(fig, theme=None, key=key, **kwargs)
    else:
        event = st.plotly_chart(fig, theme=None, key=key, **kwargs)
    st.download_button(
        "Data behind this chart", icon=":material/download:", type="tertiary", key=f"{key}_data",
        file_name=f"{name}.zip", mime="application/zip", on_click="ignore",
        data=lambda: _export().chart_snapshot_zip(page.store, df, name=name, filters=page.filters,
                                                  view=page.view, page=page_name, made_by=page.user),
        help="A zip with the chart's rows as CSV and a manifest (filters, link, data version, SHA-256).")
    return event if clickable else None


_BRIEFS = threading.BoundedSemaphore(2)  # briefs drawn at once in this process: each runs a headless Chromium


def brief_button(page: Page) -> None:
    """The leadership brief of this view as a PDF (threatscape/brief.py), made when the button is pressed: the same
    numbers as the page, for this reader's clearance, with the TLP marking of what it holds."""
    from . import brief

    def make() -> bytes:
        with _BRIEFS:
            return brief.for_download(page.store, page.filters, page.view, made_by=page.user)

    st.download_button("Brief for the board (PDF)", data=make, icon=":material/picture_as_pdf:",
                       file_name=f"threatscape-brief-{page.filters.since}-{page.filters.until}.pdf",
                       mime="application/pdf", on_click="ignore", key="brief_pdf",
                       help="2-4 A4 pages: the totals, what changed, the heatmap, the time series, the map and the "
                            "campaigns, with the counting rules and where the data comes from, marked with the "
                            "highest TLP inside. `python -m threatscape brief` writes the same, with its manifest.")


_SNAPSHOT = "_threatscape_snapshot"  # this session's prepared snapshot: (what it holds, zip path)
_SNAPSHOT_BUSY = "_threatscape_snapshot_busy"  # held while this session writes one: one at a time per session
_snapshot_dir: Path | None = None
SNAPSHOT_KEEP_SECONDS = 3600  # a prepared snapshot's zip is removed this long after it was written
# The most incidents a snapshot from the browser holds. Streamlit serves a download from memory, so each one costs
# the server its zip's size while it is offered (about 80 MB for 1M incidents); larger ones are the command line's.
MAX_BROWSER_SNAPSHOT = 1_000_000


def _snapshots_dir() -> Path:
    """A new folder for one prepared snapshot, in this process's folder of them, from which those older than
    SNAPSHOT_KEEP_SECONDS are removed."""
    global _snapshot_dir
    if _snapshot_dir is None or not _snapshot_dir.exists():
        _snapshot_dir = Path(tempfile.mkdtemp(prefix="threatscape-snapshots-"))
    cutoff = time.time() - SNAPSHOT_KEEP_SECONDS
    for old in _snapshot_dir.iterdir():  # one folder per snapshot (two may be written in the same second)
        if old.stat().st_mtime < cutoff:
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(dir=_snapshot_dir))


def incident_snapshot(page: Page, *, order_by: str, long: bool, bom: bool, total: int, container) -> None:
    """The explorer's snapshot: a button that writes it (every matching incident this user may read, with its
    manifest), then the download of that zip, named after the highest TLP inside. Writing one is refused while this
    session writes another, or while export.MAX_CONCURRENT_SNAPSHOTS are being written in this process."""
    s = st.session_state
    wanted = (page.store.version, page.store.level, page.filters, order_by, long, bom)
    ready = s.get(_SNAPSHOT)
    if ready is not None and (ready[0] != wanted or not ready[1].exists()):
        ready = None
    too_many = total > MAX_BROWSER_SNAPSHOT
    if ready is None:
        slot = container.empty()  # the button gives way to the download once the snapshot is written
        if slot.button("Prepare snapshot (.zip: CSV + manifest)", disabled=total == 0 or too_many,
                       icon=":material/inventory_2:", key="snapshot_prepare"):
            ready = _prepare_snapshot(page, wanted, order_by=order_by, long=long, bom=bom)
            if ready is not None:
                slot.empty()
        if too_many:
            container.caption(f"A snapshot from the browser holds at most {MAX_BROWSER_SNAPSHOT:,} incidents: narrow "
                              "the filters, or write it with `python -m threatscape export` (same filters, same "
                              "manifest).")
    if ready is not None:
        path = ready[1]
        container.download_button(f"Download {path.name}", data=lambda: open(path, "rb"), file_name=path.name,
                                  mime="application/zip", icon=":material/download:", on_click="ignore",
                                  key="snapshot_download")


def _prepare_snapshot(page: Page, wanted: tuple, **options):
    s = st.session_state
    busy = s.setdefault(_SNAPSHOT_BUSY, threading.Lock())
    if not busy.acquire(blocking=False):
        st.warning("This session is writing a snapshot already; it is offered here once written.")
        return None
    try:
        with st.spinner("Writing the snapshot…"):
            path = _export().incidents_zip(page.store, page.filters, work_dir=_snapshots_dir(), made_by=page.user,
                                           **options)
    except _export().Busy as exc:
        st.warning(str(exc), icon=":material/hourglass:")
        return None
    finally:
        busy.release()
    s[_SNAPSHOT] = (wanted, path)
    return s[_SNAPSHOT]
