"""Streamlit set-up shared by every page: page config, the database, and the shared filters (sidebar + URL).

Every page script starts with `page = setup("Title")`, so a deep link that runs a page without
dashboard.py (possible until some session has called st.navigation) still gets all of it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from . import countries, data
from .filters import GRAINS, LEVELS, Filters, View
from .store import Store, database_path, ensure_database, get_store

DEFAULT_MONTHS = 12
URL_STATE = "_threatscape_url"  # the query string this session last wrote to the URL
WIDGET_KEYS = tuple(Filters.URL_KEYS.values()) + View.URL_KEYS


@dataclass(frozen=True)
class Page:
    """What a page script needs: the data, the current filters and view, and what the data is."""

    store: Store
    filters: Filters
    view: View
    dataset: dict
    first_day: dt.date
    last_day: dt.date


def _current_query() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params.keys()}


def _normalised(query: dict[str, list[str]]) -> tuple:
    return tuple(sorted((k, tuple(v)) for k, v in query.items() if k in WIDGET_KEYS))


def _open_store() -> Store:
    try:
        path, built = ensure_database(database_path())
    except Exception as exc:  # noqa: BLE001 - shown to the user in plain words, then stop
        st.error(f"The incident database could not be prepared: {exc}")
        st.stop()
    if built:
        st.toast("Built the demo database on first start.")
    return get_store(path)


def _seed_widgets(page_filters: Filters, view: View) -> None:
    """Put URL values into the widgets' state (first load, a shared link, or a drill-down)."""
    s = st.session_state
    s["since"], s["until"] = page_filters.since, page_filters.until
    s["actor"], s["sector"] = list(page_filters.actors), list(page_filters.sectors)
    s["country"], s["sponsor"] = list(page_filters.countries), list(page_filters.sponsors)
    s["grain"], s["level"], s["top"] = view.grain, view.level, view.top


def setup(title: str) -> Page:
    """Configure the page, open the data, draw the shared filters and sync them with the URL."""
    st.set_page_config(page_title=f"{title} · Threatscape", page_icon="🛰️", layout="wide")
    with st.spinner("Preparing the incident database…"):
        store = _open_store()
    try:
        dataset = store.dataset()
        bounds = store.query("date_bounds").iloc[0]
    except Exception as exc:  # noqa: BLE001
        st.error(f"The incident database at {store.path} could not be read: {exc}")
        st.stop()
    if bounds["first_day"] is None or str(bounds["first_day"]) == "NaT":
        st.info("The database holds no incidents yet.")
        st.stop()
    first_day, last_day = bounds["first_day"].date(), bounds["last_day"].date()

    query = _current_query()
    s = st.session_state
    problems: list[str] = []
    outside = _normalised(query) != s.get(URL_STATE)
    # A page switch in the sidebar drops the query string: keep the session's filters then.
    if outside and not (_normalised(query) == () and URL_STATE in s):
        filters, problems = Filters.from_query(query)
        view, view_problems = View.from_query(query)
        problems += view_problems
        filters, actor_problems = data.resolve_actor_filter(store, filters)
        problems += actor_problems
        if filters.since is None and filters.until is None:
            filters = default_filters(first_day, last_day).with_(
                actors=filters.actors, sectors=filters.sectors, countries=filters.countries,
                sponsors=filters.sponsors)
        filters = filters.with_(since=filters.since or first_day, until=filters.until or last_day)
        _seed_widgets(filters, view)

    options = data.filter_options(store)
    with st.sidebar:
        st.header("Filters")
        st.date_input("From", key="since", min_value=dt.date(1990, 1, 1), max_value=last_day,
                      format="YYYY-MM-DD")
        st.date_input("To", key="until", min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1),
                      format="YYYY-MM-DD")
        st.multiselect("Actors", _with_selected(options.actors, s.get("actor")), key="actor",
                       placeholder="Any actor", help="Canonical names from the MISP galaxy.")
        st.multiselect("Sectors", _with_selected(options.sectors, s.get("sector")), key="sector",
                       format_func=options.sector_label, placeholder="Any sector",
                       help="A sector includes the sectors below it: energy includes oil and gas.")
        st.multiselect("Victim countries", _with_selected(options.countries, s.get("country")), key="country",
                       format_func=countries.name, placeholder="Any country")
        st.multiselect("Sponsor states", _with_selected(options.sponsors, s.get("sponsor")), key="sponsor",
                       format_func=_sponsor_label, placeholder="Any sponsor")
        st.header("View")
        st.segmented_control("Time grain", GRAINS, key="grain", format_func=str.capitalize)
        st.segmented_control("Sectors shown", LEVELS, key="level",
                             format_func={"top": "Top level", "detail": "Detailed"}.get)
        st.selectbox("Actors shown", View.TOP_CHOICES, key="top")
        st.button("Reset filters", on_click=_reset, args=(first_day, last_day), width="stretch")

    since, until = s.get("since") or first_day, s.get("until") or last_day
    if since > until:
        problems.append("The start date was after the end date; they were swapped.")
        since, until = until, since
    filters = Filters(since=since, until=until, actors=tuple(s.get("actor") or ()),
                      sectors=tuple(s.get("sector") or ()), countries=tuple(s.get("country") or ()),
                      sponsors=tuple(s.get("sponsor") or ()))
    view = View(grain=s.get("grain") or "month", level=s.get("level") or "top", top=s.get("top") or 8)

    new_query = filters.to_query() | view.to_query()
    if _normalised(new_query) != _normalised(query):
        st.query_params.from_dict(new_query)
    s[URL_STATE] = _normalised(new_query)

    if dataset["kind"] == "demo":
        st.warning(f"**{dataset['description']}**", icon=":material/science:")
    for p in problems:
        st.warning(f"From the link: {p}", icon=":material/link_off:")
    with st.sidebar:
        st.caption(f"Data version `{dataset['content_version'][:12]}` · built "
                   f"{dataset['built_at']:%Y-%m-%d %H:%M} UTC · incidents {first_day} to {last_day}")
    return Page(store, filters, view, dataset, first_day, last_day)


def _with_selected(options: list[str], selected) -> list[str]:
    """The options, plus any selected value they lack (so a link's value is never dropped)."""
    return options + [v for v in (selected or []) if v not in options]


def _sponsor_label(code: str) -> str:
    return "Unknown sponsor" if code == "unknown" else countries.name(code)


def default_filters(first_day: dt.date, last_day: dt.date) -> Filters:
    """No filters over the last DEFAULT_MONTHS whole months of data (the current month included)."""
    month = last_day.year * 12 + last_day.month - 1 - (DEFAULT_MONTHS - 1)
    since = dt.date(month // 12, month % 12 + 1, 1)
    return Filters(since=max(first_day, since), until=last_day)


def _reset(first_day: dt.date, last_day: dt.date) -> None:
    _seed_widgets(default_filters(first_day, last_day), View())
