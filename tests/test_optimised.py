"""Every optimised query returns exactly what the straightforward query returns.

tests/reference/*.sql hold the straightforward versions (each answer computed from the incident table
itself, scanning it whole); the app's queries read the summary tables that build.finish maintains, take
shortcuts chosen by which filters are in use, or walk the store by date-order rank. Compared here on the
hand-made fixture (plus a campaign shared by two actors) and on a 100,000-incident demo database, under
many filter combinations.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from fixture_db import D, INCIDENTS, write_fixture
from threatscape import data
from threatscape.filters import Filters, View
from threatscape.store import Store

REFERENCE = Path(__file__).resolve().parent / "reference"
PARAM = re.compile(r"(?<![\w$])\$([a-z_][a-z0-9_]*)")

# Beyond the fixture: a campaign two actors share, low confidence, a RED incident, a long campaign, an
# incident with no known sector
EXTRA = [
    ("x01", D(2023, 6, 1), "day", 3, "Seedworm", ["government"], "UA", "C-Gamma", "Shared op", None, 30, "RED"),
    ("x02", D(2021, 3, 1), "day", 2, "Shuckworm", ["finance"], "PL", "C-Long", "Long one", "bank", 60),
    ("x03", D(2024, 2, 1), "day", 2, "Shuckworm", ["energy"], "PL", "C-Long", "Long two", None, 90, "AMBER"),
    ("x04", D(2023, 3, 3), "day", 1, "Kimsuky", ["finance"], None, "C-Beta", "No country", "bank", None),
    ("x05", D(2023, 2, 2), "day", 1, "Kimsuky", [], "KR", "C-Beta", "No sector known", None, 50),
]


def reference(store: Store, name: str, params: dict) -> pd.DataFrame:
    """The straightforward query, filtering through reference_incident (a join to actor by name)."""
    text = (REFERENCE / f"{name}.sql").read_text().replace("filtered_incident(", "reference_incident(")
    wanted = set(PARAM.findall(re.sub(r"--[^\n]*", "", text)))
    cur = store.snapshot().con.cursor()
    try:
        cur.execute((REFERENCE / "filtered_incident.sql").read_text())
        return cur.execute(text, {k: params[k] for k in wanted}).df()
    finally:
        cur.close()


@pytest.fixture(scope="module", params=["fixture", "demo-100k"])
def db(request, tmp_path_factory) -> tuple[Store, list[Filters]]:
    path = tmp_path_factory.mktemp("optimised") / f"{request.param}.duckdb"
    if request.param == "fixture":
        write_fixture(path, incidents=INCIDENTS + EXTRA)
        store = Store(path)
        actors, sponsors, country, since, until = ["Kimsuky", "Gamaredon Group"], ["RU"], "KR", D(2023, 1, 1), D(2023, 6, 30)
    else:
        from threatscape.demo import build_demo

        build_demo(path, incidents=100_000, seed=11, until=dt.date(2026, 11, 28))
        store = Store(path)
        opts = data.filter_options(store)
        actors, sponsors, country = opts.actors[:2], opts.sponsors[:1], opts.countries[0]
        since, until = D(2025, 12, 1), D(2026, 11, 28)
    base = Filters(since=since, until=until)
    cases = [
        base,
        base.with_(since=since - dt.timedelta(days=400)),
        base.with_(actors=tuple(actors)),
        base.with_(actors=tuple(actors[:1])),
        base.with_(sponsors=tuple(sponsors)),
        base.with_(sponsors=("unknown",)),
        base.with_(sectors=("energy",)),
        base.with_(sectors=("energy", "government")),
        base.with_(countries=(country,)),
        base.with_(min_confidence=70),
        base.with_(tlps=("RED", "AMBER")),
        base.with_(clearance="GREEN"),
        base.with_(clearance="AMBER", actors=tuple(actors[:1]), sectors=("energy",)),
        base.with_(tlps=("AMBER",), countries=(country,), since=since + dt.timedelta(days=17)),
        base.with_(tlps=("CLEAR", "GREEN"), since=since + dt.timedelta(days=17)),  # markings up to one: a level
        base.with_(clearance="AMBER", countries=(country,), sectors=("energy",)),
        base.with_(clearance="AMBER+STRICT", sponsors=tuple(sponsors), countries=(country,)),
        base.with_(text="bank"),
        base.with_(actors=tuple(actors[:1]), sectors=("energy",)),
        base.with_(sponsors=tuple(sponsors), countries=(country,), min_confidence=50),
        base.with_(since=since + dt.timedelta(days=40), until=since + dt.timedelta(days=50)),  # inside a month
        base.with_(since=since + dt.timedelta(days=17), until=until - dt.timedelta(days=45)),  # ragged ends
        base.with_(since=since + dt.timedelta(days=17), countries=(country,)),
        base.with_(since=D(1999, 1, 1), until=D(1999, 12, 31)),  # no incidents at all
        base.with_(actors=("no such actor",)),
        base.with_(sectors=("oil and gas",)),  # a sector with no sector below it
        base.with_(sectors=("energy",), countries=(country,), since=since + dt.timedelta(days=17)),
    ]
    return store, cases


def test_kpis_equal_the_straightforward_query(db):
    store, cases = db
    for f in cases:
        prev = f.previous_period()
        want = reference(store, "kpis", f.params() | {"prev_since": prev.since, "prev_until": prev.until})
        got = data.kpis(store, f)  # its month_dated and year_dated: test_date_precision_counts_...
        assert got[want.columns].to_dict() == want.iloc[0].to_dict(), f


@pytest.mark.parametrize("grain", ["month", "quarter"])
def test_campaign_concurrency_equals_the_straightforward_query(db, grain):
    store, cases = db
    for f in cases:
        want = reference(store, "concurrent_campaigns_by_period", f.params() | {"grain": grain})
        got = data.campaign_concurrency(store, f, View(grain=grain))
        assert_frame_equal(got, want, check_dtype=False, obj=str(f))


def test_whole_history_summaries_equal_a_scan_of_every_incident(db):
    store, _ = db
    for name in ("actor_options", "sponsor_options", "victim_country_options", "date_bounds"):
        assert_frame_equal(store.query(name), reference(store, name, {}), check_dtype=False, obj=name)
    for actor in store.query("actor_options")["actor"]:
        want = reference(store, "actor_profile", {"actor": actor})
        assert_frame_equal(store.query("actor_profile", {"actor": actor}), want, check_dtype=False, obj=actor)


@pytest.mark.parametrize("order_by", ["newest", "oldest", "confidence"])
def test_every_explorer_page_equals_the_straightforward_query(db, order_by):
    """First page, a page after a cursor deep down, the page before it, and date-order export slices."""
    store, cases = db
    for f in cases[:4] + cases[6:8] + cases[-2:]:
        base = f.params() | {"order_by": order_by, "cursor": None, "backward": False, "page_size": 50,
                             "seq_lo": None, "seq_hi": None, "level": None}
        first = store.query("incident_page", base)
        assert_frame_equal(first, reference(store, "incident_page", base), obj=f"{f} first page")
        whole = reference(store, "incident_page", base | {"page_size": None})
        if len(whole) > 3:
            deep = int(whole["sort_key"].iloc[len(whole) * 9 // 10])
            for backward in (False, True):
                p = base | {"cursor": deep, "backward": backward}
                assert_frame_equal(store.query("incident_page", p), reference(store, "incident_page", p),
                                   obj=f"{f} after {deep} backward={backward}")
        # The explorer's own call, which in confidence order tries one confidence level first (data.incident_page):
        # the first and last pages, and the pages either side of cursors at several depths, of sizes that a
        # level fills and that it does not.
        cursors = [None] + [int(whole["sort_key"].iloc[len(whole) * k // 10]) for k in (1, 5, 9) if len(whole) > 3]
        for cursor, backward, size in itertools.product(cursors, (False, True), (3, 50)):
            p = base | {"cursor": cursor, "backward": backward, "page_size": size}
            want = reference(store, "incident_page", p)
            got = data.incident_page(store, f, order_by=order_by, cursor=cursor, backward=backward, page_size=size)
            assert_frame_equal(got, want.iloc[::-1].reset_index(drop=True) if backward else want,
                               obj=f"{f} explorer page after {cursor} backward={backward} size {size}")
        top = int(store.query("seq_bounds", {"since": None, "until": None}).iloc[0]["max_seq"])
        for lo, hi in ((1, top // 3), (top // 3 + 1, top)):
            p = base | {"page_size": None, "seq_lo": lo, "seq_hi": hi}
            assert_frame_equal(store.query("incident_page", p), reference(store, "incident_page", p),
                               obj=f"{f} slice {lo}..{hi}")


@pytest.mark.parametrize("name,extra", [
    ("incidents_by_actor_sector", {"level": "top", "top_n": 8}),
    ("incidents_by_actor_sector", {"level": "detail", "top_n": 3}),
    ("incidents_by_actor_period", {"grain": "month", "top_n": 5}),
    ("incidents_by_actor_period", {"grain": "year", "top_n": 1}),
    ("incidents_by_sponsor_period", {"grain": "quarter", "top_n": 8}),
    ("incidents_by_sponsor_period", {"grain": "month", "top_n": 1}),  # the sponsor series whatever top_n is
    ("incident_facets", {"limit": 8}),
    ("incidents_by_victim_country", {"limit": 15}),
    ("incident_count", {}),
    ("incidents_by_sector_period", {"grain": "month"}),
])
def test_overview_and_facet_queries_equal_the_straightforward_query(db, name, extra):
    """Whole months from the monthly summary plus the ragged days at either end, and grouping by actor id
    then naming, give the same rows, ranks and ties as counting every matching incident."""
    store, cases = db
    for f in cases + [Filters()]:  # Filters(): all time, no dates at all
        p = f.params() | extra
        if f.since and f.until:
            prev = f.previous_period()
            p |= {"prev_since": prev.since, "prev_until": prev.until}
        elif name == "incidents_by_victim_country":
            continue
        assert_frame_equal(_app_query(store, name, p), reference(store, name, p), check_dtype=False,
                           obj=f"{name} {f}")


def _app_query(store: Store, name: str, p: dict) -> pd.DataFrame:
    """What the app computes for the reference query `name`: the query of that name, except that the actor and
    sponsor series over time are two kinds of rows of one query (data.period_series)."""
    kind = {"incidents_by_actor_period": "actor", "incidents_by_sponsor_period": "sponsor"}.get(name)
    if kind is None:
        return store.query(name, p)
    return data._series(store.query("incidents_by_period", p), kind)


def test_date_precision_counts_equal_the_straightforward_query(db):
    """The overview's note on incidents dated only to the month or year (from the kpis row)."""
    store, cases = db
    for f in cases:
        want = reference(store, "date_precision_counts", f.params())
        counts = dict(zip(want["date_precision"], want["incident_count"].astype(int)))
        assert data.date_precision(store, f) == {p: counts.get(p, 0) for p in ("day", "month", "year")}, f


def test_campaign_list_holds_the_campaigns_the_kpi_counts(db):
    """The actor profile's campaign list and the overview's "Active campaigns" count the same campaigns."""
    store, cases = db
    for f in cases:
        listed = data.campaigns(store, f, limit=10**9)
        assert len(listed) == int(data.kpis(store, f)["campaigns"]), f


def test_campaign_list_equals_the_straightforward_query(db):
    store, cases = db
    for f in cases + [Filters()]:
        p = f.params() | {"limit": 20}
        assert_frame_equal(data.campaigns(store, f, limit=20), reference(store, "campaigns", p),
                           check_dtype=False, obj=str(f))


def test_the_cases_take_every_plan_variant(db, monkeypatch):
    """The equivalence tests above prove only the variants their cases take: every one must be taken."""
    from threatscape import plans

    store, cases = db
    taken: set[str] = set()
    chosen = plans.search_path

    def recording(params, one_sector_filters=frozenset()):
        path = chosen(params, one_sector_filters)
        taken.update(path.split(","))
        return path

    monkeypatch.setattr(plans, "search_path", recording)
    store.clear_cache()
    for f in cases:
        data.kpis(store, f), data.campaign_concurrency(store, f, View()), data.victim_countries(store, f)
        data.actor_period(store, f, View()), data.sponsor_period(store, f, View()), data.sector_period(store, f, View())
        data.actor_sector(store, f, View(level="top")), data.actor_sector(store, f, View(level="detail"))
        data.facets(store, f), data.campaigns(store, f)
        for order_by, backward in itertools.product(data.ORDERS, (False, True)):
            data.incident_page(store, f, order_by=order_by, backward=backward)
            data.incident_page(store, f, order_by=order_by, backward=backward, page_size=10**9)  # no level fills it
    assert set(plans.SCHEMAS) - taken == set()


def test_every_day_of_a_range_is_counted_once_from_the_month_or_the_day_summaries():
    """plans.date_range splits a range into whole months (read from the monthly summaries) and the days at either
    end (read from the daily ones): every day of the range falls in exactly one of them, and no day outside it,
    for ranges across many months, inside one month, on month edges, open at either end, and reversed."""
    import random

    from threatscape.plans import date_range

    def days(a, b):
        return {a + dt.timedelta(days=i) for i in range((b - a).days + 1)}

    rng = random.Random(5)
    ranges = [(D(2024, 2, 1) + dt.timedelta(days=rng.randint(0, 500)), rng.randint(-3, 120)) for _ in range(2000)]
    for since, length in ranges + [(D(2024, 3, 1), 30), (D(2024, 3, 1), 29), (D(2024, 2, 29), 0), (D(2024, 12, 31), 1)]:
        until = since + dt.timedelta(days=length)
        r = date_range(since, until)
        month = {d for d in days(since - dt.timedelta(days=40), until + dt.timedelta(days=40))
                 if r["month_from"] <= d.replace(day=1) < r["month_to"]}
        end = {d for d in days(since - dt.timedelta(days=40), until + dt.timedelta(days=40))
               if r["day_from"] <= d < r["month_from"] or r["month_to"] <= d <= r["day_to"]}
        assert not month & end and month | end == days(since, until), (since, until, r)
    everything = date_range(None, None)
    assert everything["day_from"] == everything["month_from"] == dt.date.min
    assert everything["month_to"] == D(9999, 12, 1) and everything["day_to"] == dt.date.max
