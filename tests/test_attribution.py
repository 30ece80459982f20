"""Real feeds, true numbers: placeholders are no actor, unattributed incidents are kept and counted, decisions
about names apply to stored incidents and can be undone, and incident identity neither loses nor doubles."""
import datetime as dt
import json
import string

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from threatscape import data, names
from threatscape.cli import main
from threatscape.export import write_incidents
from threatscape.filters import Filters, View
from threatscape.ingest.run import ingest
from threatscape.resolver import UNATTRIBUTED, Decision
from threatscape.store import Store

# A timeline as public trackers write it: '?' for an unknown attacker, free-text attribution, typos, repeats.
TIMELINE = """\
Date,Author,Target,Description,Attack,Target Class,Country,Link
12/01/2023,?,Ministry of Energy,Data leak,Malware,Energy,UA,https://a.example/1
12/02/2023,?,City of X,Ransomware attack,Ransomware,Government,US,https://a.example/2
12/02/2023,?,Another city,Scan report,Targeted attack,Government,US,https://a.example/3
12/03/2023,Believed to be the work of APT 28,Ministry of Defence,Phishing,Account Hijacking,Government,UA,https://a.example/4
12/04/2023,Gamaredon,Ministry of Defence,Phishing,Malware,Government,UA,https://a.example/5
12/05/2023,Kimusky,Think tank,Phishing,Malware,Energy,KR,https://a.example/6
12/06/2023,Multiple threat actors,Bank,DDoS,DDoS,Finance,DE,https://a.example/7
12/07/2023,,Bank,DDoS,DDoS,Finance,DE,https://a.example/8
"""
MAP = ["--map", "occurred_on=Date", "--map", "actor=Author", "--map", "title=Description",
       "--map", "sectors=Target Class", "--map", "victim_country=Country", "--map", "source_url=Link"]
MAPPING = {m.split("=")[0]: m.split("=")[1] for m in MAP[1::2]}


def incidents(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT a.name, i.actor_as_reported, i.actor_match FROM incident i "
                           "JOIN actor a USING (actor_id) ORDER BY i.occurred_on, i.source_url").fetchall()


@pytest.fixture
def timeline(tmp_path):
    path = tmp_path / "timeline.csv"
    path.write_text(TIMELINE, encoding="utf-8")
    db = tmp_path / "db.duckdb"
    report = ingest([path], db, mapping=MAPPING)
    return path, db, report


def test_placeholders_are_kept_as_unattributed_and_never_become_an_actor(timeline):
    _, db, report = timeline
    assert report.totals() == {"read": 8, "added": 8, "updated": 0, "duplicates": 0, "merged": 0, "rejected": 0}
    got = incidents(db)
    assert [a for a, _, _ in got].count(UNATTRIBUTED) == 5  # three '?', 'Multiple threat actors', an empty cell
    with duckdb.connect(str(db), read_only=True) as con:
        stored = {n for (n,) in con.execute("SELECT name FROM actor").fetchall()}
    assert not stored & {"?", "Multiple threat actors", "-"}
    summary = report.summary()
    assert "3 of 8 incidents attributed (38%)" in summary
    assert "Placeholder names (unattributed): ? (3), Multiple threat actors (1)" in summary


def test_unattributed_incidents_count_in_totals_and_stay_out_of_actor_charts(timeline):
    _, db, _ = timeline
    store = Store(db)
    f = Filters(since=dt.date(2023, 12, 1), until=dt.date(2023, 12, 31))
    k = data.kpis(store, f)
    assert (int(k["incidents"]), int(k["unattributed"]), int(k["actors"])) == (8, 5, 3)
    assert "3 of 8 incidents (38%) name an actor" in data.attribution_note(k)
    assert UNATTRIBUTED not in set(data.actor_sector(store, f, View())["actor"])
    series = data.actor_period(store, f, View())
    assert UNATTRIBUTED not in set(series["actor"]) and int(series["incident_count"].sum()) == 3
    countries = data.victim_countries(store, f)
    assert int(countries["incident_count"].sum()) == 8  # every incident is somewhere
    # "Unattributed" (or any placeholder) is a filter value, in the URL and on the command line
    for name in (UNATTRIBUTED, "?", "unknown"):
        resolved, problems = data.resolve_actors(store, [name])
        assert (resolved, problems) == ([UNATTRIBUTED], [])
    assert data.incident_count(store, f.with_(actors=(UNATTRIBUTED,))) == 5
    # an unknown sponsor is an actor's whose sponsor is not known: an incident that names no actor has none
    assert data.incident_count(store, f.with_(sponsors=("unknown",))) == 1  # Kimusky, kept as reported
    assert data.incident_count(store, f.with_(sponsors=("RU",))) == 2  # APT28, Gamaredon


def test_every_path_resolves_a_name_the_same_way(timeline, capsys):
    _, db, _ = timeline
    store = Store(db)
    for name in ("Gamaredon", "Gamaredon Group", "Shuckworm", "G0047", "the gamaredon group"):
        assert data.resolve_actors(store, [name]) == (["Gamaredon Group"], [])
    assert main(["actor", "Gamaredon", "--db", str(db)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "Gamaredon Group"
    # an actor of the directory with no incidents here still answers
    assert main(["actor", "Mustang Panda", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "incidents in this database: 0" in out


def test_a_decision_applies_to_stored_incidents_is_recorded_and_can_be_undone(timeline, tmp_path, capsys):
    path, db, _ = timeline
    store = Store(db)
    before = store.dataset()["alias_map_version"]
    assert [n.name for n in names.review(store).names] == ["Kimusky"]
    assert names.review(store).names[0].suggestions[0] == "Kimsuky"
    report = names.decide(store, Decision("Kimusky", "map", "Kimsuky", "typo in the timeline"), who="alice")
    assert report.remapped == 1
    got = {r[1]: r for r in incidents(db)}
    assert got["Kimusky"][0] == "Kimsuky" and got["Kimusky"][2] == "Kimusky [local]"
    review = names.review(store)
    assert review.names == [] and review.decisions[0].decided_by == "alice"
    after = store.dataset()["alias_map_version"]
    assert after != before
    out = tmp_path / "snap"
    _, manifest = write_incidents(store, Filters(actors=("Kimsuky",)), out, name="k")
    recorded = json.loads(manifest.read_text())
    assert recorded["dataset"]["alias_map_version"] == after
    assert [(d["name"], d["actor"], d["decided_by"]) for d in recorded["name_decisions"]] == [
        ("Kimusky", "Kimsuky", "alice")]
    # re-ingesting the file under the decision adds nothing and keeps the mapping
    again = ingest([path], db, mapping=MAPPING)
    assert again.totals()["added"] == 0
    assert {r[1]: r[0] for r in incidents(db)}["Kimusky"] == "Kimsuky"
    undone = names.undo(store, review.decisions[0].decision_id, who="bob")
    assert undone.remapped == 1
    assert {r[1]: r[0] for r in incidents(db)}["Kimusky"] == "Kimusky"
    history = names.review(store).decisions
    assert (history[0].undone_by, history[0].decision) == ("bob", "map")
    assert main(["names", "--db", str(db)]) == 0
    assert "undone by bob" in capsys.readouterr().out


def test_names_lists_decisions_of_every_kind(timeline, tmp_path, capsys):
    """A decision without an actor (a placeholder, a new actor) beside a mapping: every one is listed."""
    _, db, _ = timeline
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("name,decision,actor,reason\nKimusky,map,Kimsuky,typo\nSome Crew,new,,own group\n"
                       "N/A,placeholder,,not a name\n", encoding="utf-8")
    assert main(["ingest", "--aliases", str(aliases), "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["names", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "'Kimusky' map Kimsuky" in out and "'Some Crew' new (" in out and "'N/A' placeholder (" in out


def test_an_aliases_file_is_applied_from_the_command_line(timeline, tmp_path, capsys):
    _, db, _ = timeline
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("name,decision,actor,reason\nKimusky,map,Thallium,typo\n", encoding="utf-8")
    assert main(["ingest", "--aliases", str(aliases), "--db", str(db), "--by", "carol"]) == 0
    assert {r[1]: r[0] for r in incidents(db)}["Kimusky"] == "Kimsuky"
    assert main(["ingest", "--aliases", str(aliases), "--db", str(db)]) == 0  # the same file again: nothing new
    assert len(names.review(Store(db)).decisions) == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("name,decision,actor\nFoo,map,No Such Actor\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["ingest", "--aliases", str(bad), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No Such Actor" in err


def test_the_exit_code_says_some_records_were_rejected(tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text("occurred_on,actor,title\n2023-01-01,Kimsuky,ok\nnot a date,Kimsuky,bad\n", encoding="utf-8")
    assert main(["ingest", str(path), "--db", str(tmp_path / "db.duckdb")]) == 3
    assert main(["ingest", str(path), "--db", str(tmp_path / "db.duckdb"), "--strict"]) == 1


CELL = st.text(alphabet=string.ascii_letters + string.digits + " ,;-'?", max_size=12)
ROW = st.tuples(st.dates(dt.date(2015, 1, 1), dt.date(2024, 12, 31)), CELL, CELL, CELL)


def _csv(rows) -> str:
    def q(v):
        return '"' + str(v).replace('"', '""') + '"'
    return "occurred_on,actor,title,notes\n" + "".join(",".join(q(c) for c in r) + "\n" for r in rows)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(ROW, min_size=1, max_size=12))
def test_distinct_rows_are_never_duplicates_and_a_file_is_never_added_twice(tmp_path_factory, rows):
    tmp = tmp_path_factory.mktemp("identity")
    distinct = len({tuple(str(c).strip() for c in r) for r in rows})
    path = tmp / "feed.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    db = tmp / "db.duckdb"
    first = ingest([path], db).totals()
    assert first["added"] == distinct and first["duplicates"] == len(rows) - distinct
    renamed = tmp / "renamed.csv"
    renamed.write_text(_csv(rows), encoding="utf-8")
    for again in (ingest([path], db), ingest([renamed], db), ingest([path], db, source="Another name")):
        assert again.totals()["added"] == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM incident").fetchone()[0] == distinct


def test_one_incident_reported_by_two_sources_is_one_incident_with_both(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("occurred_on,actor,title,source_url\n"
                 "2024-01-02,Kimsuky,Phish A,https://www.vendor.example/report/123/\n"
                 "2024-01-03,APT28,Phish B,https://blog.example/roundup\n"
                 "2024-01-04,APT28,Phish C,https://blog.example/roundup\n", encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text("occurred_on,actor,title,source_url\n"
                 "2024-01-01,Thallium,Vendor says,http://vendor.example/report/123?utm_source=feed#top\n"
                 "2024-01-03,APT28,Other incident,https://blog.example/roundup\n", encoding="utf-8")
    db = tmp_path / "db.duckdb"
    ingest([a], db, source="Tracker")
    report = ingest([b], db, source="Vendor")
    assert report.totals()["merged"] == 1 and report.totals()["added"] == 1
    assert "merged 1" in report.summary()
    with duckdb.connect(str(db), read_only=True) as con:
        got = dict(con.execute("SELECT title, source FROM incident").fetchall())
    # the same report URL: one incident, both sources; a URL one source gives to several rows merges nothing
    assert got == {"Phish A": "Tracker; Vendor", "Phish B": "Tracker", "Phish C": "Tracker",
                   "Other incident": "Vendor"}
    assert ingest([b], db, source="Vendor").totals()["added"] == 0


def test_a_sponsor_column_is_kept_beside_the_directorys_and_shown_where_they_differ(tmp_path, capsys):
    feed = tmp_path / "feed.csv"
    feed.write_text("Date,Group,Sponsor\n2023-01-02,Gamaredon,Russia\n2023-01-03,Gamaredon,Belarus\n"
                    "2023-01-04,Kimsuky,DPRK\n2023-01-05,Kimsuky,Atlantis\n", encoding="utf-8")
    db = tmp_path / "db.duckdb"
    report = ingest([feed], db, mapping={"occurred_on": "Date", "actor": "Group", "sponsor": "Sponsor"})
    assert report.to_json()["unmapped_sponsors"] == {"Atlantis": 1}
    store = Store(db)
    assert data.reported_sponsors(store, "Gamaredon Group").values.tolist() == [["BY", 1]]  # RU agrees
    assert data.reported_sponsors(store, "Kimsuky").empty  # DPRK is KP, the directory's own
    assert main(["actor", "Gamaredon", "--db", str(db)]) == 0
    assert "sponsor as sources report it: Belarus (BY), 1 incidents" in capsys.readouterr().out


def test_deciding_again_after_an_undo_shows_the_decision_in_force(timeline):
    """Map, undo, map again, undo again, through one long-lived store (as the app holds it): each time the
    history shown is the one in the file, and the decision offered for undoing is the one in force."""
    _, db, _ = timeline
    store = Store(db)
    for _ in range(2):
        names.decide(store, Decision("Kimusky", "map", "Kimsuky", "typo"), who="alice")
        in_force = [d for d in names.review(store).decisions if not isinstance(d.undone_at, str)]
        assert len(in_force) == 1 and names.review(store).names == []
        names.undo(store, in_force[0].decision_id, who="alice")
        assert [n.name for n in names.review(store).names] == ["Kimusky"]
    assert [isinstance(d.undone_at, str) for d in names.review(store).decisions] == [True, True]


def test_info_lists_every_source_with_its_counts_dates_and_last_ingest(tmp_path, capsys):
    a = tmp_path / "a.csv"
    a.write_text("occurred_on,actor,title\n2023-01-02,Kimsuky,A\n2023-03-04,?,B\n", encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text("occurred_on,actor,title\n2022-05-06,Kimusky,C\n", encoding="utf-8")
    db = tmp_path / "db.duckdb"
    ingest([a], db, source="Tracker")
    ingest([b], db, source="Vendor feed")
    assert main(["info", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "sources: 2" in out
    assert "  Tracker: 2 incidents, 2023-01-02 to 2023-03-04, 1 attributed (50%), 1 resolved (100%), last ingested" in out
    assert "  Vendor feed: 1 incidents, 2022-05-06 to 2022-05-06, 1 attributed (100%), 0 resolved (0%)" in out


def test_the_ingest_help_documents_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["ingest", "--help"])
    out = capsys.readouterr().out
    assert "3  some records were rejected" in out and "0  every record was stored" in out


def test_a_misp_analytic_judgment_tag_gives_the_confidence(tmp_path):
    event = {"Event": {"uuid": "5f000000-0000-4000-8000-00000000000a", "date": "2023-06-01", "info": "OSINT - x",
                       "Orgc": {"name": "CIRCL"},
                       "Tag": [{"name": 'misp-galaxy:threat-actor="Kimsuky"'},
                               {"name": 'estimative-language:confidence-in-analytic-judgment="moderate"'}]}}
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    db = tmp_path / "db.duckdb"
    ingest([path], db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT confidence FROM incident").fetchall() == [(50,)]


def test_the_same_stix_incident_from_a_second_source_is_one_incident_with_both(tmp_path):
    bundle = {"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000001", "objects": [
        {"type": "campaign", "spec_version": "2.1", "id": "campaign--00000000-0000-4000-8000-0000000000c1",
         "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z", "name": "Op X",
         "first_seen": "2023-05-01T00:00:00Z"},
        {"type": "intrusion-set", "spec_version": "2.1", "id": "intrusion-set--00000000-0000-4000-8000-0000000000a1",
         "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z", "name": "Kimsuky"},
        {"type": "relationship", "spec_version": "2.1", "id": "relationship--00000000-0000-4000-8000-0000000000r1",
         "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z", "relationship_type": "attributed-to",
         "source_ref": "campaign--00000000-0000-4000-8000-0000000000c1",
         "target_ref": "intrusion-set--00000000-0000-4000-8000-0000000000a1"}]}
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    db = tmp_path / "db.duckdb"
    ingest([path], db, source="Vendor A")
    second = ingest([path], db, source="Vendor B")
    assert (second.totals()["added"], second.totals()["merged"]) == (0, 1)
    again = ingest([path], db, source="Vendor B")
    assert (again.totals()["added"], again.totals()["duplicates"]) == (0, 1)  # B is one of its sources now
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT incident_id, source FROM incident").fetchall() == [
            ("campaign--00000000-0000-4000-8000-0000000000c1", "Vendor A; Vendor B")]
