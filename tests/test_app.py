"""The app as a user meets it, under Streamlit's AppTest: every page, the KPIs, the filters in the URL."""
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
H1 = {"since": "2023-01-01", "until": "2023-06-30"}


@pytest.fixture
def on_fixture(fixture_path, monkeypatch):
    monkeypatch.setenv("THREATSCAPE_DB", str(fixture_path))


def run(script: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def serve_feed(tmp_path, monkeypatch, csv_text: str):
    """A database of this CSV feed, ingested, that the app under test opens; its path."""
    from threatscape.ingest.run import ingest

    feed = tmp_path / "timeline.csv"
    feed.write_text(csv_text, encoding="utf-8")
    db = tmp_path / "db.duckdb"
    ingest([feed], db)
    monkeypatch.setenv("THREATSCAPE_DB", str(db))
    return db


def metrics(at):
    return {m.label: (m.value, m.delta) for m in at.metric}


def test_overview_kpis_match_the_data(on_fixture):
    at = run("dashboard.py", H1)
    assert metrics(at) == {
        "Incidents": ("8", "+6"), "Active actors": ("3", "+1"), "Sectors hit": ("7", "+5"),
        "Countries hit": ("4", "+2"), "Active campaigns": ("4", "+3")}
    assert any(c.value.endswith("each change in the totals below is against Jul–Dec 2022.") for c in at.caption)
    assert len(at.get("plotly_chart")) == 6


def test_the_overview_says_what_changed_with_links_to_the_incidents(on_fixture):
    """H1 2023 against H2 2022 on the fixture: Gamaredon Group and MuddyWater are new, Kimsuky hit energy for the
    first time in twelve months; each line opens the explorer on the incidents it counts."""
    at = run("dashboard.py", H1)
    lines = {link.label: link for link in at.get("page_link") if "explorer" in str(link.proto.page)}
    assert any("Gamaredon Group appears for the first time" in label for label in lines), list(lines)
    energy = next(link for label, link in lines.items() if label.startswith("Kimsuky hit energy"))
    assert "actor=Kimsuky" in str(energy.proto.query_string) and "sector=energy" in str(energy.proto.query_string)


UNFILTERED = ("pages/audit.py", "pages/ingest.py", "pages/names.py")  # pages the filters do not apply to


@pytest.mark.parametrize("page", [p for p in PAGES if p not in UNFILTERED])
def test_a_deep_link_to_every_page_gets_the_shared_setup(on_fixture, page):
    # Run the page file itself, as Streamlit does for /<page> before any session called st.navigation.
    at = run(page, {"country": "KR"})
    keys = {w.key for w in at.sidebar.multiselect}
    assert {"actor", "sector", "country", "sponsor"} <= keys
    assert at.sidebar.multiselect(key="country").value == ["KR"]
    assert {"since", "until"} <= set(at.query_params)  # the full view is written back to the URL


@pytest.mark.parametrize("page", UNFILTERED)
def test_pages_the_filters_do_not_apply_to_show_none(on_fixture, page):
    at = run(page, {"country": "KR"})
    assert not at.sidebar.multiselect and not at.sidebar.date_input
    links = [p.label for p in at.sidebar.get("page_link")] or [m.value for m in at.sidebar.markdown]
    assert any("Overview" in label for label in links) and any("Explorer" in label for label in links)


def test_entry_point_runs_the_overview_by_default(on_fixture):
    at = run("dashboard.py")
    assert at.title[0].value == "Threat landscape"


def test_a_link_reproduces_the_view(on_fixture):
    at = run("dashboard.py", H1 | {"sector": "energy", "grain": "quarter", "level": "detail"})
    assert at.sidebar.multiselect(key="sector").value == ["energy"]
    assert metrics(at)["Incidents"][0] == "4"  # i01, i02, i06, i07
    assert dict(at.query_params) == H1 | {"sector": "energy", "grain": "quarter", "level": "detail"}


@pytest.mark.perf
def test_a_new_process_draws_its_first_overview_from_the_warm_start(fixture_path, tmp_path, monkeypatch):
    # launch.warm runs once per process and database: a copy of the fixture is one this process has not seen.
    from threatscape import launch
    from threatscape.store import get_store

    db = tmp_path / "copy.duckdb"
    shutil.copyfile(fixture_path, db)
    monkeypatch.setenv("THREATSCAPE_DB", str(db))
    launch.warm(default_overview=True).join(timeout=60)
    store = get_store(db)
    mark = len(store.timings)
    at = run("dashboard.py")
    assert [t.query for t in list(store.timings)[mark:] if not t.cached] == []  # none ran twice, none was missed
    monkeypatch.setenv("THREATSCAPE_DB", str(fixture_path))
    assert metrics(at) == metrics(run("dashboard.py"))  # and it shows what a process without it shows


@pytest.mark.perf
def test_the_warm_start_needs_no_pandas():
    # It opens the database and runs the first queries while the page imports pandas (0.6 s); importing
    # pandas itself first would put it back behind that import.
    code = "import sys, threatscape.launch; print(sorted({'pandas', 'numpy', 'plotly'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_changing_a_filter_updates_kpis_and_url(on_fixture):
    at = run("dashboard.py", H1)
    at.sidebar.multiselect(key="country").set_value(["UA"]).run()
    assert metrics(at)["Incidents"][0] == "2"
    assert at.query_params["country"] == "UA"


def test_an_alias_in_the_link_selects_the_canonical_actor(on_fixture):
    at = run("dashboard.py", H1 | {"actor": "Thallium"})
    assert at.sidebar.multiselect(key="actor").value == ["Kimsuky"]
    assert metrics(at)["Incidents"][0] == "4"
    assert at.query_params["actor"] == "Kimsuky"


def test_bad_link_values_are_named_not_fatal(on_fixture):
    at = run("dashboard.py", H1 | {"country": "Narnia", "actor": "Nobody", "grain": "decade"})
    text = " ".join(w.value for w in at.warning)
    assert "Narnia" in text and "Nobody" in text and "decade" in text
    assert metrics(at)["Incidents"][0] == "8"


@pytest.mark.parametrize("query, said", [({"since": "2099-01-01"}, "since=2099-01-01 is after the last incident"),
                                         ({"until": "1999-01-01"}, "until=1999-01-01 is before the first incident")])
def test_a_link_dated_wholly_outside_the_data_opens_the_default_period_and_says_why(on_fixture, query, said):
    at = run("dashboard.py", query)
    shown = [w.value.replace("\\", "") for w in at.warning]  # (Markdown-escaped)
    assert any(said in w and "ignored" in w for w in shown), shown
    default = run("dashboard.py")
    assert at.sidebar.date_input(key="since").value == default.sidebar.date_input(key="since").value
    assert at.sidebar.date_input(key="until").value == default.sidebar.date_input(key="until").value


def test_a_link_parameter_the_page_does_not_take_is_named(on_fixture):
    at = run("dashboard.py", H1 | {"min_confidence": "90", "zzz": "1"})
    shown = [w.value.replace("\\", "") for w in at.warning]  # (Markdown-escaped)
    assert any("min_confidence is not a setting of this page (did you mean confidence?); ignored" in w
               for w in shown), shown
    assert any("zzz is not a setting of this page; ignored" in w for w in shown), shown
    assert metrics(at)["Incidents"][0] == "8"  # the rest of the link applies


def test_reset_restores_the_default_view(on_fixture):
    at = run("dashboard.py", H1 | {"country": "UA"})
    at.sidebar.button[0].click().run()
    assert at.sidebar.multiselect(key="country").value == []
    assert "country" not in at.query_params


def test_first_start_builds_the_demo_database_and_says_it_is_demo(tmp_path, monkeypatch):
    db = tmp_path / "fresh" / "incidents.duckdb"
    monkeypatch.setenv("THREATSCAPE_DB", str(db))
    at = run("dashboard.py")
    assert db.exists()
    assert any("Demo data" in w.value for w in at.warning)
    assert int(metrics(at)["Incidents"][0].replace(",", "")) > 1000


def test_a_database_without_incidents_says_so(tmp_path, monkeypatch):
    from threatscape import build

    db = tmp_path / "empty.duckdb"
    with build.new_database(db) as con:
        build.finish(con, kind="sources", description="Ingested sources", alias_map_version="test")
    monkeypatch.setenv("THREATSCAPE_DB", str(db))
    for script in ("dashboard.py", "pages/explorer.py", "pages/actor.py"):
        at = run(script)
        assert [i.value for i in at.info] == ["The database holds no incidents yet."], script
        assert not at.error, script
        label = "Load incidents on the Ingest page"  # a page link; on a page run on its own, a Markdown link
        assert label in [e.value for e in at.main.get("page_link")] or any(
            f"[{label}](/ingest" in m.value for m in at.main.markdown), script


def test_a_duckdb_file_that_threatscape_did_not_write_is_named_and_left_alone(tmp_path, monkeypatch):
    import duckdb

    db = tmp_path / "notes.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE notes (body VARCHAR)")
    before = db.read_bytes()
    monkeypatch.setenv("THREATSCAPE_DB", str(db))
    at = run("dashboard.py")
    assert [e.value for e in at.error] == [
        f"The incident database at {db} could not be read: {db} is not a Threatscape database (it has no dataset "
        "table)"]
    assert db.read_bytes() == before


def test_the_ingest_page_opens_on_a_database_without_incidents(tmp_path, monkeypatch):
    """An ingest whose every record was rejected leaves a database with no incidents: the Ingest page must still
    open on it, or the app offers no way to load any."""
    from threatscape import build

    db = tmp_path / "empty.duckdb"
    with build.new_database(db) as con:
        build.finish(con, kind="sources", description="Ingested sources", alias_map_version="test")
    monkeypatch.setenv("THREATSCAPE_DB", str(db))
    at = run("pages/ingest.py")
    assert at.title[0].value == "Ingest incidents" and not at.info and not at.error
    assert at.button[0].label == "Ingest"


def test_real_data_shows_no_demo_notice(on_fixture):
    at = run("dashboard.py", H1)
    assert not any("Demo data" in w.value for w in at.warning)


def test_explorer_lists_the_matching_incidents_newest_first(on_fixture):
    at = run("pages/explorer.py", H1 | {"actor": "Thallium"})  # an alias in the link
    assert any("**4** incidents match" in m.value for m in at.markdown)
    table = at.dataframe[0].value
    assert table["incident_id"].tolist() == ["i04", "i03", "i02", "i01"]  # newest first
    assert table.loc[table["incident_id"] == "i02", "Actor"].item() == "Kimsuky (reported as Thallium)"
    assert table.loc[table["incident_id"] == "i04", "Date"].item() == "2023-03"  # month precision shown as such
    assert at.query_params["actor"] == "Kimsuky"


def test_explorer_order_is_in_the_url(on_fixture):
    at = run("pages/explorer.py", H1 | {"sort": "oldest"})
    assert at.dataframe[0].value["incident_id"].tolist()[:2] == ["i07", "i01"]
    at.selectbox(key="sort").set_value("newest").run()
    assert "sort" not in at.query_params and at.dataframe[0].value["incident_id"].iloc[0] == "i08"


def test_explorer_facets_agree_with_the_table(on_fixture):
    at = run("pages/explorer.py", H1 | {"country": "KR"})
    facets = {df.value.columns[0]: df.value for df in at.dataframe[1:4]}
    actors = facets["Actor"].set_index("Actor")["Incidents"].to_dict()
    assert actors == {"Kimsuky": 3, "MuddyWater": 1}
    assert sum(actors.values()) == len(at.dataframe[0].value)


def test_every_table_a_page_shows_guards_cells_that_start_like_a_formula(tmp_path, monkeypatch):
    """A table's toolbar downloads it as CSV as shown: an actor named like a formula, in the explorer's facets and
    on its profile's names, starts with an apostrophe there as in the CSV snapshot; its heading shows the name."""
    serve_feed(tmp_path, monkeypatch, "incident_id,occurred_on,actor,title,victim_country,sectors\n"
                                      '1,2024-03-01,"=HYPERLINK(""http://evil.example"",""x"")",-2+3,KR,energy\n')
    name = '=HYPERLINK("http://evil.example","x")'
    at = run("pages/explorer.py", {"since": "2024-03-01", "until": "2024-03-31"})
    facets = {df.value.columns[0]: df.value for df in at.dataframe[1:4]}
    assert facets["Actor"]["Actor"].tolist() == ["'" + name]
    assert at.dataframe[0].value["Title"].tolist() == ["'-2+3"]
    at = run("pages/actor.py", {"actor": name, "since": "2024-03-01", "until": "2024-03-31"})
    from threatscape.safe import md

    assert at.title[0].value == md(name)  # escaped Markdown: the name as text, no link
    assert at.dataframe[0].value["Name"].tolist() == ["'" + name]


@pytest.mark.perf
def test_explorer_reads_its_rows_before_the_count_and_facets_start(on_fixture, monkeypatch):
    """The rows are what an analyst opened the explorer for: the count and facets wait until they are read, so
    that they do not share the two cores with the rows' query (at 10M the facets doubled its slowest time)."""
    from threatscape.store import get_store

    store = get_store()
    mark = len(store.timings)
    at = run("pages/explorer.py", H1 | {"sector": "energy"})  # filters no other test asked: nothing cached
    assert len(at.dataframe) == 5  # the rows, the three facets and the queries behind the page
    spans = {t.query: (t.started, t.started + t.ms / 1000) for t in list(store.timings)[mark:] if not t.cached}
    assert spans["incident_facets"][0] >= spans["incident_page"][1]
    assert spans["incident_count"][0] >= spans["incident_page"][1]


def test_actor_profile_by_alias(on_fixture):
    at = run("pages/actor.py", H1 | {"actor": "Emerald Sleet"})
    assert at.title[0].value == "Kimsuky"
    m = {x.label: x.value for x in at.metric}
    assert m["Incidents (all time)"] == "5" and m["Campaigns (all time)"] == "2"
    assert any("Sponsor state: **North Korea** · first seen **2022-11-11**, last seen **2023-03-01**" in m.value
               for m in at.markdown)
    aliases = at.dataframe[0].value
    assert set(aliases["Name"]) == {"Kimsuky", "Thallium", "APT43", "Emerald Sleet"}
    campaigns = at.dataframe[1].value
    assert campaigns["Campaign"].tolist() == ["C-Beta", "C-Alpha"]
    assert len(at.get("plotly_chart")) == 2


def test_actor_profile_without_an_actor_opens_the_one_picked_by_an_alias(on_fixture):
    at = run("pages/actor.py")
    at.selectbox[0].set_value("Shuckworm → Gamaredon Group").run()
    assert not at.exception
    assert at.title[0].value == "Gamaredon Group"


def test_link_text_cannot_inject_markdown(on_fixture):
    at = run("dashboard.py", {"country": "![x](http://evil.example/pixel.png)"})
    warning = at.warning[-1].value
    assert "](http" not in warning and "\\!\\[x\\]" in warning


def test_filters_survive_a_page_switch(on_fixture):
    at = run("dashboard.py", H1)
    at.sidebar.multiselect(key="actor").set_value(["Kimsuky"]).run()
    at.sidebar.selectbox(key="top").set_value(10).run()
    at.query_params.clear()  # a browser drops the query string when a page link is followed
    at.switch_page("pages/explorer.py").run()
    assert at.sidebar.multiselect(key="actor").value == ["Kimsuky"]
    assert dict(at.query_params) == H1 | {"actor": "Kimsuky"}  # the overview's `top` is not the explorer's
    at.query_params.clear()
    at.switch_page("pages/overview.py").run()
    assert at.sidebar.multiselect(key="actor").value == ["Kimsuky"]
    assert dict(at.query_params) == H1 | {"actor": "Kimsuky", "top": "10"}


def test_a_session_survives_new_data_outside_its_dates(tmp_path, monkeypatch):
    import datetime as dt

    from fixture_db import INCIDENTS, write_fixture
    from threatscape.demo import build_demo

    db = tmp_path / "db.duckdb"
    build_demo(db, incidents=500, until=dt.date(2026, 11, 28))
    monkeypatch.setenv("THREATSCAPE_DB", str(db))
    at = run("dashboard.py")
    write_fixture(db, incidents=INCIDENTS)  # an ingest swaps in data that ends in 2023
    at.run()
    assert not at.exception
    assert metrics(at)["Incidents"][0] != "0"
    assert any("The data changed" in i.value for i in at.info)


def test_the_names_page_maps_a_name_and_undoes_it(tmp_path, monkeypatch):
    serve_feed(tmp_path, monkeypatch, "occurred_on,actor,title\n2023-01-02,Kimusky,Phish\n"
               "2023-01-03,Kimusky,Phish again\n2023-01-04,?,Scan\n2023-01-05,Gamaredon,Wiper\n")
    at = run("pages/names.py")
    assert metrics(at)["Attributed"][0] == "3" and metrics(at)["Resolved"][0] == "33%"
    at.selectbox(key="name_to_decide").select_index(0).run()
    assert at.selectbox(key="map_to").options[0] == "Kimsuky"  # the suggestion comes first, not chosen
    at.button[0].click().run()
    assert "Choose the actor" in at.error[0].value and metrics(at)["Resolved"][0] == "33%"
    at.selectbox(key="map_to").select_index(0)
    at.text_input[1].input("typo in the timeline")
    at.button[0].click().run()
    assert not at.exception
    assert metrics(at)["Resolved"][0] == "100%"
    assert "2 incidents now have another actor" in at.success[0].value
    at.selectbox(key="undo_decision").select_index(0).run()
    at.button(key="undo").click().run()
    assert metrics(at)["Resolved"][0] == "33%"


def test_the_overview_says_what_share_is_attributed_and_offers_unattributed(tmp_path, monkeypatch):
    serve_feed(tmp_path, monkeypatch, "occurred_on,actor,title\n2023-01-02,Kimsuky,Phish\n2023-01-03,?,Scan\n"
               "2023-01-04,Multiple threat actors,DDoS\n2023-01-05,,Leak\n")
    at = run("dashboard.py", {"since": "2023-01-01", "until": "2023-01-31"})
    assert metrics(at)["Incidents"][0] == "4" and metrics(at)["Active actors"][0] == "1"
    assert any("1 of 4 incidents (25%) name an actor" in c.value for c in at.caption)
    assert "Unattributed" in at.sidebar.multiselect(key="actor").options
    at = run("dashboard.py", {"since": "2023-01-01", "until": "2023-01-31", "actor": "?"})
    assert at.sidebar.multiselect(key="actor").value == ["Unattributed"] and metrics(at)["Incidents"][0] == "3"


def test_an_actor_profile_open_when_a_decision_maps_its_name_away_says_where_it_went(tmp_path, monkeypatch):
    from threatscape import names
    from threatscape.resolver import Decision
    from threatscape.store import Store

    db = serve_feed(tmp_path, monkeypatch, "occurred_on,actor,title\n2023-01-02,Kimusky,Phish\n")
    at = run("pages/actor.py", {"actor": "Kimusky", "since": "2023-01-01", "until": "2023-01-31"})
    assert at.title[0].value == "Kimusky"
    names.decide(Store(db), Decision("Kimusky", "map", "Kimsuky", "typo"))
    at.run()  # the same session, its filters still naming Kimusky
    assert not at.exception, [e.value for e in at.exception]
    assert any("Kimsuky" in w.value for w in at.warning)


def test_an_actor_link_naming_no_actor_the_data_holds_says_so_and_offers_the_choice(on_fixture):
    at = run("pages/actor.py", H1 | {"actor": "Sandworm Team"})  # a galaxy actor the fixture does not hold
    assert at.title[0].value == "Actor profile" and not at.error
    assert any("Sandworm Team" in w.value and "not a known actor" in w.value for w in at.warning)
    assert [i.value for i in at.info] == ["Pick an actor, or open one from the explorer or the overview's heatmap."]
    assert "actor" not in at.query_params


def test_an_actor_profile_open_when_new_data_drops_its_actor_says_it_is_gone(tmp_path, monkeypatch):
    import fixture_db
    from fixture_db import INCIDENTS, write_fixture

    db = tmp_path / "db.duckdb"
    write_fixture(db)
    monkeypatch.setenv("THREATSCAPE_DB", str(db))
    at = run("pages/actor.py", {"actor": "Unknown Crew"})
    assert at.title[0].value == "Unknown Crew"
    monkeypatch.setattr(fixture_db, "ACTORS", [a for a in fixture_db.ACTORS if a[1] != "Unknown Crew"])
    write_fixture(db, incidents=[i for i in INCIDENTS if i[4] != "Unknown Crew"])  # an ingest swaps in new data
    at.run()  # the same session, its filters still naming Unknown Crew
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Actor profile" and not at.error
    assert [w.value for w in at.warning] == ["Unknown Crew is not an actor in the data now."]


MARKINGS = ["CLEAR", "GREEN", "AMBER", "RED", "GREEN", "AMBER+STRICT", "CLEAR", "RED", "AMBER", "GREEN"]


@pytest.fixture
def on_marked_fixture(tmp_path, monkeypatch):
    """The fixture's incidents with every TLP marking among them (i01 CLEAR, i02 GREEN, i03 AMBER, i04 RED, ...)."""
    from fixture_db import INCIDENTS, write_fixture

    db = tmp_path / "marked.duckdb"
    write_fixture(db, incidents=[row[:8] + (f"Incident {row[0]}", None, 80, tlp)
                                 for row, tlp in zip(INCIDENTS, MARKINGS)])
    monkeypatch.setenv("THREATSCAPE_DB", str(db))


def test_a_clearance_in_the_link_shows_only_what_it_clears_and_the_page_names_the_plan(on_marked_fixture):
    at = run("pages/explorer.py", H1 | {"clearance": "green"})
    rows = at.dataframe[0].value
    # H1 holds i01-i08; cleared to GREEN: i01 CLEAR, i02 GREEN, i05 GREEN, i07 CLEAR
    assert sorted(rows["incident_id"]) == ["i01", "i02", "i05", "i07"]
    assert set(rows["TLP"]) == {"CLEAR", "GREEN"}
    assert any("**4** incidents match" in m.value for m in at.markdown)
    assert at.query_params["clearance"] == "GREEN"  # normalised, and kept in the link
    assert at.sidebar.selectbox(key="clearance").value == "GREEN"
    plans = dict(zip(at.dataframe[-1].value["Query"], at.dataframe[-1].value["Plan"]))
    assert plans["incident_count"] == "ig_month"  # a clearance reads its level of the summaries
    assert plans["incident_page"] == "pk_seq_desc"


def test_a_tlp_filter_of_other_markings_is_answered_from_the_incidents_with_the_same_counts(on_marked_fixture):
    at = run("pages/explorer.py", H1 | {"tlp": ["AMBER", "RED"]})
    assert sorted(at.dataframe[0].value["incident_id"]) == ["i03", "i04", "i08"]
    plans = dict(zip(at.dataframe[-1].value["Query"], at.dataframe[-1].value["Plan"]))
    assert plans["incident_count"] == "ig_scan"
    overview = run("dashboard.py", H1 | {"tlp": ["AMBER", "RED"]})
    assert metrics(overview)["Incidents"][0] == "3"


@pytest.mark.parametrize("since, until, said, incidents", [
    ("0001-01-01", "2023-06-30", "since=0001-01-01 is before the first incident; showing from 2022-11-11", "10"),
    ("2023-01-01", "9999-12-31", "until=9999-12-31 is after the last incident; showing up to 2023-05-05", "8"),
])
def test_a_link_reaching_far_past_the_data_shows_the_data_it_reaches_and_says_so(on_fixture, since, until, said,
                                                                                    incidents):
    at = run("dashboard.py", {"since": since, "until": until})
    assert any(said in w.value.replace("\\", "") for w in at.warning)
    assert metrics(at)["Incidents"][0] == incidents  # every incident the range holds
    assert not any("incident;" in w.value for w in run("dashboard.py", H1).warning)  # an ordinary link: no warning


def test_a_period_with_nothing_before_it_shows_no_change_and_says_why(on_fixture, fixture_path):
    from threatscape.store import Store

    first_day, _ = Store(fixture_path).date_bounds()
    at = run("dashboard.py", {"since": first_day.isoformat(), "until": "2023-12-31"})
    assert any("Nothing to compare with: the period of equal length before" in c.value and
               f"lies before the data, which starts on {first_day:%d %b %Y}" in c.value for c in at.caption)
    assert not any(m.delta for m in at.metric), [m.delta for m in at.metric]
    at = run("dashboard.py", {"since": "2023-01-01", "until": "2023-12-31"})
    caption = next(c.value for c in at.caption if "compared with" in c.value)
    assert caption.startswith("Jan 2023 to Dec 2023, compared with Jan 2022 to Dec 2022, the period of equal length before")
    assert all(m.delta for m in at.metric), [m.delta for m in at.metric]


def test_the_totals_compare_with_the_same_dates_a_year_earlier_when_asked_and_say_which(on_fixture):
    """compare=year: the caption names the dates a year earlier, each total's change says what it is against, and
    the numbers are those of that period (the fixture's two incidents of Nov-Dec 2022 against its ten)."""
    at = run("dashboard.py", {"since": "2022-11-01", "until": "2023-12-31", "compare": "year"})
    caption = next(c.value for c in at.caption if "compared with" in c.value)
    assert caption.startswith("Nov 2022 to Dec 2023, compared with Nov 2021 to Dec 2022, the same dates a year earlier")
    incidents = next(m for m in at.metric if m.label == "Incidents")
    assert incidents.value == "10" and incidents.delta == "+8"
    assert caption.endswith("each change in the totals below is against Nov 2021–Dec 2022. The two overlap: "
                            "Nov–Dec 2022 is in both, and its incidents count in each.")
    before = next(m for m in run("dashboard.py", {"since": "2022-11-01", "until": "2023-12-31"}).metric
                  if m.label == "Incidents")
    assert not before.delta  # the 14 months before (Sep 2021 to Oct 2022) lie before the data
    year = run("dashboard.py", {"since": "2023-01-01", "until": "2023-03-31", "compare": "year"})
    assert any("Nothing to compare with: the same dates a year earlier (Jan 2022 to Mar 2022) lies before the data"
               in c.value for c in year.caption)
    assert not any(m.delta for m in year.metric)

