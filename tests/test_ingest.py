"""Ingest: exact accounting, normalisation, idempotence, atomic replacement, clear errors."""
import datetime as dt
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from threatscape.cli import main
from threatscape.demo import build_demo
from threatscape.ingest.csvfile import feed_namespace
from threatscape.ingest.normalise import AliasMap, parse_date
from threatscape.ingest.model import UnreadableFile
from threatscape.ingest.run import IngestFailed, ingest
from threatscape.store import Store

HEADER = "incident_id,occurred_on,actor,sectors,victim_country,title,summary,source_url,confidence,tlp,campaign\n"
GOOD = HEADER + textwrap.dedent("""\
    1,2023-01-10,Thallium,software;Energy,South Korea,Spear-phish,"Lure, with comma",https://x.example/1,80,TLP:AMBER,Op A
    2,2023-02,Fancy Bear,"Government, Administration",DEU,Phish,,,,GREEN,
    3,2022,Some New Crew,crypto-mining,Narnia,Thing,,,,,
    4,8/14/2019,APT 28,oil and gas,ROK,US date,,,,white,
    """)
BAD_ROWS = HEADER + textwrap.dedent("""\
    5,31/31/2023,Kimsuky,energy,KR,Bad date,,,,,
    6,2023-03-01,,energy,KR,No actor,,,,,
    7,2023-03-02,APT28,energy,KR,Bad confidence,,,150,,
    8,2023-03-03,APT28,energy,KR,Bad TLP,,,,PURPLE,
    """)


# The ids of GOOD's own incident_id column: unique within the feed's columns, whatever the file or source is called
ID = feed_namespace(HEADER.strip().split(",")) + ":"


def write(tmp_path, name, text, mode="w"):
    p = tmp_path / name
    if mode == "wb":
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def rows(db):
    con = duckdb.connect(str(db), read_only=True)
    return {r[0]: r[1:] for r in con.execute(
        "SELECT incident_id, occurred_on, date_precision, a.name, a.resolved, actor_as_reported, sector_mask, "
        "victim_country, tlp, confidence FROM incident JOIN actor a USING (actor_id)").fetchall()}


def test_csv_is_normalised_and_fully_accounted_for(tmp_path):
    db = tmp_path / "db.duckdb"
    report = ingest([write(tmp_path, "feed.csv", GOOD + BAD_ROWS.split("\n", 1)[1])], db)
    t = report.totals()
    assert t == {"read": 8, "added": 7, "updated": 0, "duplicates": 0, "merged": 0, "rejected": 1}
    assert t["read"] == t["added"] + t["updated"] + t["duplicates"] + t["rejected"]
    got = rows(db)
    assert got[ID + "7"][7:] == ("AMBER", None)  # confidence 150 cannot be read: kept, left empty
    assert got[ID + "8"][7:] == ("RED", None)    # TLP PURPLE cannot be read: kept, the most restrictive
    assert got[ID + "1"][:5] == (dt.date(2023, 1, 10), "day", "Kimsuky", True, "Thallium")
    assert got[ID + "1"][6:] == ("KR", "AMBER", 80)
    assert got[ID + "2"][:4] == (dt.date(2023, 2, 1), "month", "APT28", True)
    assert got[ID + "3"][2:5] == ("Some New Crew", False, "Some New Crew")   # kept as reported, unresolved
    assert got[ID + "3"][6] is None                                         # Narnia is no country
    assert got[ID + "4"][:3] == (dt.date(2019, 8, 14), "day", "APT28")       # "APT 28" = APT28
    assert got[ID + "4"][6:8] == ("KR", "CLEAR")                            # ROK; TLP:WHITE is CLEAR
    matched = dict(duckdb.connect(str(db), read_only=True).execute(
        "SELECT incident_id, actor_match FROM incident").fetchall())
    assert (matched[ID + "4"], matched[ID + "2"], matched[ID + "3"]) == (
        "APT28 [exact]", "FANCY BEAR [exact]", None)  # the alias as the galaxy spells it, and the rule that matched
    assert {(r.locator, r.field) for r in report.rejections} == {("line 6", "occurred_on")}
    j = report.to_json()
    assert j["unreadable_confidence"] == {"150": 1} and j["unreadable_tlp"] == {"PURPLE": 1}
    assert j["unmapped_sectors"] == {"crypto-mining": 1} and j["unmapped_countries"] == {"Narnia": 1}
    assert j["actors"]["unresolved"] == {"Some New Crew": 1}


def test_ingesting_twice_adds_nothing_and_a_changed_record_is_an_update(tmp_path):
    db = tmp_path / "db.duckdb"
    feed = write(tmp_path, "feed.csv", GOOD)
    ingest([feed], db)
    version = Store(db).version
    again = ingest([feed], db)
    assert again.totals() == {"read": 4, "added": 0, "updated": 0, "duplicates": 4, "merged": 0, "rejected": 0}
    assert Store(db).version == version
    write(tmp_path, "feed.csv", GOOD.replace("Spear-phish", "Spear-phishing wave"))
    changed = ingest([feed], db)
    assert changed.totals()["updated"] == 1 and changed.totals()["duplicates"] == 3
    assert len(rows(db)) == 4


def test_records_without_source_ids_are_identified_by_content_so_a_repeat_is_a_duplicate(tmp_path):
    db = tmp_path / "db.duckdb"
    feed = write(tmp_path, "noids.csv", "occurred_on,actor,title\n2023-01-01,Kimsuky,A\n2023-01-01,Kimsuky,A\n")
    first = ingest([feed], db)
    assert first.totals() == {"read": 2, "added": 1, "updated": 0, "duplicates": 1, "merged": 0, "rejected": 0}
    assert ingest([feed], db).totals()["added"] == 0


def test_map_reads_any_csv(tmp_path):
    db = tmp_path / "db.duckdb"
    feed = write(tmp_path, "other.csv", "Date,Affiliations,Title\n2021-05-01,Sandworm,Grid attack\n")
    assert main(["ingest", str(feed), "--db", str(db), "--map", "occurred_on=Date",
                 "--map", "actor=Affiliations", "--map", "title=Title"]) == 0
    assert list(rows(db).values())[0][2] == "Sandworm"


@pytest.mark.parametrize("name, content, message", [
    ("broken.csv", HEADER + '1,2023-01-01,APT28,energy,KR,"unterminated,,,,,\n', "broken CSV at line"),
    ("binary.csv", HEADER.encode() + b"1,2023-01-01,\x00\xff\x81,energy,KR,x,,,,,\n", "not UTF-8"),
    ("nocols.csv", "when,who\n2023-01-01,APT28\n", "no column for occurred_on"),
    ("truncated.json", '{"type": "bundle", "objects": [', "not valid JSON"),
    ("notes.md", "# just notes\n", "not a CSV, STIX 2.x bundle, MISP event or EuRepoC file"),
])
def test_an_unreadable_file_fails_with_one_line_and_leaves_the_database_byte_for_byte(tmp_path, capsys, name,
                                                                                       content, message):
    db = tmp_path / "db.duckdb"
    ingest([write(tmp_path, "feed.csv", GOOD)], db)
    before = db.read_bytes()
    bad = write(tmp_path, name, content, "wb" if isinstance(content, bytes) else "w")
    assert main(["ingest", str(bad), "--db", str(db)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and name in err and "Traceback" not in err
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".duckdb" or ".tmp" in p.name) == ["db.duckdb"]


@pytest.mark.parametrize("damage, message", [
    ("UPDATE dataset SET schema_version = schema_version - 1", "schema version"),  # an older Threatscape's
    ("DROP TABLE dataset", "not a Threatscape database"),                         # somebody else's DuckDB file
])
def test_adding_to_a_database_this_version_cannot_read_fails_with_one_line_and_leaves_it(tmp_path, capsys,
                                                                                        damage, message):
    db = tmp_path / "db.duckdb"
    ingest([write(tmp_path, "feed.csv", GOOD)], db)
    with duckdb.connect(str(db)) as con:
        con.execute(damage)
    before = db.read_bytes()
    assert main(["ingest", str(write(tmp_path, "more.csv", BAD_ROWS)), "--db", str(db)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and str(db) in err and "Traceback" not in err
    assert db.read_bytes() == before


@pytest.mark.perf
def test_the_ingest_command_does_not_load_pandas(tmp_path):
    """pyarrow loads pandas (0.3 s or more, a sixth of a 200,000-row ingest) the first time it converts anything,
    unless it has found pandas absent; the ingest command never needs it. Into a new file, then into that file,
    with records that are rejected and one without an id (its id is derived by DuckDB)."""
    feed = write(tmp_path, "feed.csv", GOOD + BAD_ROWS.split("\n", 1)[1] + ",2023-04-01,APT28,energy,KR,No id,,,,,\n")
    db = tmp_path / "db.duckdb"
    run = ("import sys; from threatscape.cli import main; "
           "code = main(['ingest', sys.argv[1], '--db', sys.argv[2]]); print(code, 'pandas' in sys.modules)")
    for added in (8, 0):
        done = subprocess.run([sys.executable, "-c", run, str(feed), str(db)], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parents[1], check=True)
        assert done.stdout.split()[-2:] == ["3", "False"], done.stdout + done.stderr  # 3: one record rejected
        assert f"added {added}," in done.stdout
    assert len(rows(db)) == 8


def test_strict_rejects_everything_when_one_record_is_bad(tmp_path):
    db = tmp_path / "db.duckdb"
    with pytest.raises(IngestFailed) as failed:
        ingest([write(tmp_path, "feed.csv", GOOD + BAD_ROWS.split("\n", 1)[1])], db, strict=True)
    assert failed.value.report.totals()["rejected"] == 1
    assert not db.exists()


def test_dry_run_counts_but_writes_nothing(tmp_path):
    db = tmp_path / "db.duckdb"
    ingest([write(tmp_path, "feed.csv", GOOD)], db)
    before = db.read_bytes()
    report = ingest([write(tmp_path, "more.csv", GOOD.replace("\n1,", "\n9,"))], db, dry_run=True)
    assert (report.totals()["added"], report.totals()["duplicates"]) == (1, 3) and db.read_bytes() == before


def test_the_first_ingest_replaces_the_demo_data(tmp_path):
    db = tmp_path / "db.duckdb"
    build_demo(db, incidents=200, until=dt.date(2024, 1, 1))
    report = ingest([write(tmp_path, "feed.csv", GOOD)], db)
    assert report.replaced_demo
    meta = Store(db).dataset()
    assert meta["kind"] == "sources" and len(rows(db)) == 4


@pytest.mark.parametrize("name, text", [
    ("sectors.json", json.dumps({"type": "bundle", "id": "bundle--1", "objects": [
        {"type": "identity", "id": "identity--1", "name": "Energy", "identity_class": "class"}]})),
    ("feed.csv", HEADER + "5,31/31/2023,Kimsuky,energy,KR,Bad date,,,,,\n"),
    ("notes", None),  # a folder holding no file of a known format
])
def test_files_with_no_incident_to_store_change_nothing(tmp_path, capsys, name, text):
    """A bundle of context only, a file whose every record is rejected, a folder of nothing ingestible: the demo
    data is not replaced by nothing, the command fails with one line, and the database is as it was."""
    db = tmp_path / "db.duckdb"
    build_demo(db, incidents=200, until=dt.date(2024, 1, 1))
    before = db.read_bytes()
    if text is None:
        path = tmp_path / name
        path.mkdir()
        (path / "README.md").write_text("not data")
    else:
        path = write(tmp_path, name, text)
    assert main(["ingest", str(path), "--db", str(db)]) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("error: ") and "nothing was written" in error
    assert db.read_bytes() == before and Store(db).dataset()["kind"] == "demo"


def test_a_repeated_id_with_other_content_is_rejected_naming_both_rows(tmp_path, capsys):
    """Two different records are never one incident: a later row with an earlier row's id and other content is
    rejected, naming its row and the row kept; the same row again is an exact repeat, skipped."""
    db = tmp_path / "db.duckdb"
    feed = write(tmp_path, "feed.csv", "incident_id,occurred_on,actor,title\n"
                                        "d1,2024-01-05,APT28,First\nd2,2024-01-06,APT28,Other\n"
                                        "d1,2024-02-09,Kimsuky,Second\nd2,2024-01-06,APT28,Other\n")
    assert main(["ingest", str(feed), "--db", str(db)]) == 3
    out = capsys.readouterr().out
    assert "read 4, added 2, updated 0, duplicates skipped 1, merged 0, rejected 1" in out
    assert f"rejected {feed} line 4 [incident_id]: the same id as line 2 with other content" in out
    stored = duckdb.connect(str(db), read_only=True).execute("SELECT title FROM incident ORDER BY 1").fetchall()
    assert stored == [("First",), ("Other",)]
    assert main(["ingest", str(feed), "--db", str(tmp_path / "strict.duckdb"), "--strict"]) == 1
    assert not (tmp_path / "strict.duckdb").exists()


def test_the_description_names_every_source_the_database_holds(tmp_path):
    db = tmp_path / "db.duckdb"
    ingest([write(tmp_path, "a.csv", GOOD)], db, source="Team feed")
    ingest([write(tmp_path, "b.csv", GOOD.replace("\n1,", "\n9,"))], db, source="Vendor X")
    assert Store(db).dataset()["description"] == "Ingested sources: Team feed, Vendor X"


def test_a_snapshot_ingested_again_adds_and_changes_nothing(tmp_path):
    """A CSV snapshot holds what the database holds: the names and sponsor states as sources reported them (an
    alias, a placeholder), dates only as precise as known, each incident's sources (one that two sources reported
    lists both), and formula-like text guarded with an apostrophe. Ingested again, every row is an exact repeat."""
    db = tmp_path / "db.duckdb"
    hostile = HEADER + textwrap.dedent("""\
        5,2023-03-01,?,energy,KR,=HYPERLINK(""http://evil.example""),-2+3,https://shared.example/r,,,+camp
        6,2023-03-02,-Minus Crew,energy,KR,@SUM(1),,,,,
        7,2023-03-03,"Ministry of Intelligence and Security (MOIS; Iran)",energy,IR,Bracketed name,,,,,
        """)
    ingest([write(tmp_path, "feed.csv", GOOD + hostile.split("\n", 1)[1])], db)
    ingest([write(tmp_path, "vendor.csv", HEADER + "v1,2023-03-01,Kimsuky,energy,KR,Same report,,"
                                                   "https://shared.example/r/,,,\n")], db, source="Vendor X")
    ingest([write(tmp_path, "sponsors.csv", "incident_id,occurred_on,actor,sponsor\ns1,2023-04-01,Kimsuky,Russia\n")],
           db, source="Vendor X")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM incident WHERE source = 'CSV; Vendor X'").fetchone() == (1,)
        assert con.execute("SELECT count(*) FROM incident WHERE sponsor_as_reported = 'RU'").fetchone() == (1,)
    assert main(["export", "--db", str(db), "--out", str(tmp_path), "--name", "snap"]) == 0
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(db.read_bytes())
    again = ingest([tmp_path / "snap.csv"], copy)
    assert again.totals() == {"read": 8, "added": 0, "updated": 0, "duplicates": 8, "merged": 0, "rejected": 0}
    assert Store(copy).dataset()["content_version"] == Store(db).dataset()["content_version"]
    # the long form holds an incident once per sector: refused, naming the file, rather than read as repeats
    assert main(["export", "--db", str(db), "--out", str(tmp_path), "--name", "long", "--long"]) == 0
    with pytest.raises(UnreadableFile, match="long-form snapshot"):
        ingest([tmp_path / "long.csv"], copy)


def test_a_csv_in_a_folder_without_the_columns_a_record_needs_is_skipped_not_fatal(tmp_path):
    """A folder holds more than incidents (EuRepoC ships its attributions beside them): such a CSV is skipped and
    named; the same file given by itself still fails, naming the columns it lacks."""
    folder = tmp_path / "feed"
    folder.mkdir()
    write(folder, "incidents.csv", GOOD)
    other = write(folder, "attributions.csv", "incident_ID,attribution_date,attributing_actor\n1,2023-01-01,X\n")
    report = ingest([folder], tmp_path / "db.duckdb")
    assert report.totals()["added"] == 4 and report.skipped_files == [str(other)]
    with pytest.raises(UnreadableFile, match="no column for occurred_on, actor"):
        ingest([other], tmp_path / "db.duckdb")


def test_updates_that_change_date_actor_and_title_at_once_are_pointed_out(tmp_path):
    """Another team's file with the same columns and small numbers as ids updates the first team's incidents:
    allowed (a feed's ids are unique within its columns), and said beside the file's counts."""
    db, header = tmp_path / "db.duckdb", "incident_id,occurred_on,actor,title\n"
    ingest([write(tmp_path, "a.csv", header + "1,2024-01-01,Kimsuky,Team A one\n2,2024-01-02,APT28,Team A two\n")], db)
    b = write(tmp_path, "b.csv", header + "1,2023-05-05,Turla,Team B one\n2,2024-01-02,APT28,Team A two (fixed)\n")
    report = ingest([b], db)
    assert report.totals()["updated"] == 2
    assert report.files[str(b)].notes == [
        "1 of its updates change an incident's date, actor and title at once: if this is another feed than the one "
        "stored with the same columns, its ids name other incidents (give them ids of their own, or a prefix)"]


def test_an_ingest_leaves_an_incident_whose_cell_names_two_actors_as_it_was(tmp_path):
    """"APT28; Kimsuky" in one CSV cell is one name as the feed gave it (ambiguous): a later ingest must not read
    the stored name as two and give the incident another actor."""
    db = tmp_path / "db.duckdb"
    feed = write(tmp_path, "amb.csv", 'incident_id,occurred_on,actor,title\nm1,2023-05-03,"APT28; Kimsuky",multi\n')
    ingest([feed], db)
    before = Store(db).dataset()["content_version"]
    again = ingest([feed], db)
    assert again.totals()["duplicates"] == 1 and again.remapped == 0
    ingest([write(tmp_path, "other.csv", HEADER + "o1,2023-06-01,APT28,Other,,,,,,,\n")], db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT a.name FROM incident i JOIN actor a USING (actor_id) WHERE incident_id LIKE '%m1'"
                           ).fetchone() != ("APT28",)
    assert Store(db).dataset()["content_version"] != before  # (o1 was added) ...
    assert ingest([feed], db).remapped == 0  # ... and m1 is still read as it was


def test_a_name_the_team_made_a_new_actor_leaves_the_names_to_review(tmp_path):
    from threatscape import names

    db = tmp_path / "db.duckdb"
    ingest([write(tmp_path, "feed.csv", GOOD)], db)
    assert [n.name for n in names.review(Store(db)).names] == ["Some New Crew"]
    aliases = write(tmp_path, "aliases.csv", "name,decision,actor,reason\nSome New Crew,new,,our own tracking\n")
    ingest([], db, aliases_file=aliases)
    review = names.review(Store(db))
    assert review.names == [] and review.unresolved_incidents == 0


def test_report_file_lists_every_rejection(tmp_path):
    db, out = tmp_path / "db.duckdb", tmp_path / "report.json"
    assert main(["ingest", str(write(tmp_path, "feed.csv", BAD_ROWS)), "--db", str(db), "--report", str(out)]) == 3
    j = json.loads(out.read_text())
    assert {k: j[k] for k in ("read", "added", "updated", "duplicates", "rejected")} == \
        {"read": 4, "added": 3, "updated": 0, "duplicates": 0, "rejected": 1}
    assert {"file", "row", "field", "reason"} == set(j["rejections"][0])


def test_a_running_dashboard_sees_the_new_data(tmp_path):
    db = tmp_path / "db.duckdb"
    ingest([write(tmp_path, "a.csv", GOOD)], db)
    store = Store(db)
    assert store.query("incident_count", _all())["incident_count"].item() == 4
    renumbered = GOOD
    for n in "1234":
        renumbered = renumbered.replace(f"\n{n},", f"\n1{n},")
    ingest([write(tmp_path, "b.csv", renumbered)], db)
    assert store.query("incident_count", _all())["incident_count"].item() == 8


def _all():
    from threatscape.filters import Filters

    return Filters().params()


@pytest.mark.parametrize("text, expected", [
    ("2019-08-14", (dt.date(2019, 8, 14), "day")),
    ("2019-08-14T10:11:12.000Z", (dt.date(2019, 8, 14), "day")),
    ("8/14/2019", (dt.date(2019, 8, 14), "day")),
    ("2019-08", (dt.date(2019, 8, 1), "month")),
    ("2019", (dt.date(2019, 1, 1), "year")),
])
def test_dates_keep_their_precision(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["14/08/2019", "2019-13-01", "yesterday", "1890", ""])
def test_unreadable_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize("name, canonical", [
    ("APT 28", "APT28"), ("apt28", "APT28"), ("Fancy Bear", "APT28"), ("Fighting Ursa", "APT28"),
    ("Thallium", "Kimsuky"), ("Emerald Sleet", "Kimsuky"), ("Velvet-Chollima", "Kimsuky"),
    ("Mustang Panda", "MUSTANG PANDA"), ("Seedworm", "MuddyWater"),
])
def test_galaxy_aliases_resolve_ignoring_case_spaces_and_punctuation(name, canonical):
    r = AliasMap().resolve(name)
    assert (r.status, r.name) == ("resolved", canonical)


def test_a_name_of_two_galaxy_actors_is_ambiguous_not_merged():
    amap = AliasMap()
    shared = [k for k, v in amap._by_key.items() if len({a for a, _ in v}) > 1
              and amap._exact(k) is None]
    assert shared, "the galaxy has names shared by several actors"
    name = amap._by_key[shared[0]][0][1]
    assert amap.resolve(name).status == "ambiguous"


def test_the_galaxy_is_read_as_pymispgalaxies_reads_it():
    """actors.galaxy reads the cluster file that pymispgalaxies ships without importing the package (its import
    cost ingest 0.15 s): every actor, alias, sponsor and motivation must be what the package's own Cluster gives."""
    from pymispgalaxies import Cluster

    from threatscape import countries
    from threatscape.actors import galaxy

    cluster = Cluster("threat-actor")
    version, actors = galaxy()
    assert version == f"misp-galaxy threat-actor v{cluster.version}"
    want = []
    for v in cluster.values():
        extra = v.meta.additional_properties if v.meta else {}
        motivation = extra.get("cfr-type-of-incident") or (v.meta.motive if v.meta else None)
        want.append((v.value, v.uuid, tuple(sorted(v.meta.synonyms)) if v.meta else (),
                     (v.meta.country if v.meta else None)
                     or countries.to_alpha2(str(extra.get("cfr-suspected-state-sponsor") or "")),
                     ", ".join(motivation) if isinstance(motivation, list) else motivation))
    assert [(a.name, a.uuid, a.synonyms, a.sponsor_country, a.motivation) for a in actors] == want
    assert len(actors) > 800 and sum(bool(a.synonyms) for a in actors) > 300


def _summaries_rederived(path, tmp_path) -> dict[str, tuple[list, list]]:
    """For each summary table of the database at path: (its rows, the rows a fresh derivation from its incident
    table gives), both sorted."""
    import shutil

    from threatscape import build

    copy = tmp_path / f"rederived-{path.name}"
    shutil.copy(path, copy)
    con = duckdb.connect(str(copy))
    tables = [name.removeprefix("derive_") for name in build.FIRST + sum(build.DERIVED, ())]
    stored = {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    for t in tables:
        con.execute(f"DELETE FROM {t}")
    build._derive(con)  # from the incident table itself, one statement at a time per chain
    again = {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    con.close()
    return {t: (stored[t], again[t]) for t in tables}


def test_summaries_written_during_an_ingest_equal_those_of_its_incidents(tmp_path, demo_path):
    """An ingest derives the summaries from the rows it is writing, while it writes them: they must be exactly
    what its stored incidents give, for a new database and for one merged onto a previous one (updates and
    additions)."""
    from threatscape.export import write_incidents
    from threatscape.filters import Filters

    demo = Store(demo_path)
    first, _ = write_incidents(demo, Filters(until=dt.date(2025, 12, 31)), tmp_path, name="first")
    second, _ = write_incidents(demo, Filters(since=dt.date(2025, 7, 1)), tmp_path, name="second")
    text = second.read_text(encoding="utf-8").splitlines(keepends=True)
    second.write_text("".join(text[:1] + [line.replace(',"CLEAR",', ',"RED",') for line in text[1:]]),
                      encoding="utf-8")  # the months in both come back changed: updates
    db = tmp_path / "ingested.duckdb"
    for step, csv_file in enumerate((first, second)):
        report = ingest([csv_file], db, fmt="csv", source="demo export")  # one source: the same ids
        assert report.totals()["added"] > 0 and (step == 0 or report.totals()["updated"] > 0)
        for table, (stored, derived) in _summaries_rederived(db, tmp_path).items():
            assert stored or table == "shared_campaign_part", table  # the demo shares no campaign
            assert stored == derived, table
