"""Ingest the real public datasets in ../shared/data with an exact accounting (skipped when absent)."""
from pathlib import Path

import duckdb
import pytest

from threatscape import names
from threatscape.ingest.run import ingest
from threatscape.resolver import Resolver
from threatscape.store import Store

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"the shared public data is not at {DATA}")


def actors_of(db):
    con = duckdb.connect(str(db), read_only=True)
    return dict(con.execute("SELECT title, a.name FROM incident JOIN actor a USING (actor_id)").fetchall())


@pytest.mark.parametrize("path, read, added, rejected, attributed, resolved", [
    # 16 EuRepoC incidents have no start date: rejected, each with its reason; 447 name no initiator and 4 only a
    # kind of attacker ("Turkish Hackers"): kept, unattributed (they count in the sector and country totals)
    ("eurepoc/EuRepoC_Global_Database_1.1.csv", 1643, 1627, 16, 1176, 572),
    ("eurepoc/EuRepoC_Global_Database_1.1.xlsx", 1643, 1627, 16, 1176, 572),  # the same release as a workbook
    # ATT&CK: 55 distinct campaigns over the three domains, 25 attributed (the rest name no actor)
    ("mitre-attack/cti", 55, 55, 0, 25, 25),
    ("mitre-attack/attack-stix-data/ics-attack/ics-attack.json", 7, 7, 0, 5, 5),
    # Poison Ivy's report describes its three campaigns: a source of theirs, not a fourth incident
    ("oasis-stix21-examples", 4, 4, 0, 1, 1),
    ("pymisp-test-events", 4, 4, 0, 4, 4),
])
def test_each_real_dataset_loads_with_an_exact_accounting(tmp_path, path, read, added, rejected, attributed,
                                                          resolved):
    db = tmp_path / "db.duckdb"
    report = ingest([DATA / path], db)
    t = report.totals()
    assert (t["read"], t["added"], t["rejected"]) == (read, added, rejected)
    assert t["read"] == t["added"] + t["updated"] + t["duplicates"] + t["merged"] + t["rejected"]
    status = report.normaliser.actor_status
    assert (added - status["unattributed"], status["resolved"]) == (attributed, resolved)
    assert all(r.reason for r in report.rejections) and len(report.rejections) == rejected
    before = Store(db).version
    again = ingest([DATA / path], db).totals()
    assert (again["added"], again["updated"], again["duplicates"]) == (0, 0, added)  # idempotent
    assert Store(db).version == before
    with duckdb.connect(str(db), read_only=True) as con:  # no placeholder became an actor
        assert not con.execute("SELECT name FROM actor WHERE lower(name) IN ('?', '-', 'unknown', 'n/a', "
                               "'none', 'null')").fetchall()


def test_every_eurepoc_incident_naming_a_known_alias_resolves(tmp_path):
    """Of the incidents whose actor text holds a known alias word for word, the share resolved (at least 80%
    wanted); and what is left unresolved, most first."""
    db = tmp_path / "db.duckdb"
    ingest([DATA / "eurepoc/EuRepoC_Global_Database_1.1.csv"], db)
    resolver = Resolver.reference()
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT a.resolved, i.actor_as_reported FROM incident i JOIN actor a USING (actor_id) "
                           "WHERE actor_id <> 0").fetchall()
    naming = [(ok, text) for ok, text in rows if any(resolver.mentions(p) for p in text.split("; "))]
    assert (len(naming), sum(ok for ok, _ in naming)) == (570, 569)
    # the one left holds 'Mantis' (an alias of AridViper) inside another group's name: rightly not merged
    assert [text for ok, text in naming if not ok] == ["Praying Mantis; TG1021"]
    review = names.review(Store(db), limit=5)
    assert [n.name for n in review.names] == ["Anonymous", "RedHack", "GCHQ", "Kapustkiy", "Akincilar"]


def test_actors_resolve_through_galaxy_aliases_and_attack_ids(tmp_path):
    ingest([DATA / "mitre-attack/cti", DATA / "pymisp-test-events"], tmp_path / "db.duckdb")
    got = actors_of(tmp_path / "db.duckdb")
    assert got["Operation Dream Job"] == "Lazarus Group"
    assert got["2016 Ukraine Electric Power Attack"] == "Sandworm"  # "Sandworm Team", via ATT&CK id G0034
    assert got["OSINT - New BabyShark Malware Targets U.S. National Security Think Tanks"] == "Kimsuky"
    assert got["OSINT - Sednit update: How Fancy Bear Spent the Year"] == "APT28"  # tagged Sofacy


def test_eurepoc_sectors_and_countries_are_normalised(tmp_path):
    db = tmp_path / "db.duckdb"
    report = ingest([DATA / "eurepoc/EuRepoC_Global_Database_1.1.csv"], db)
    assert report.to_json()["unmapped_sectors"] == {}       # every EuRepoC category is in the crosswalk
    assert "Global (region)" in report.to_json()["unmapped_countries"]  # regions are no country: reported
    con = duckdb.connect(str(db), read_only=True)
    n, with_country, with_sector = con.execute(
        "SELECT count(*), count(victim_country), count(*) FILTER (WHERE sector_mask <> 0) FROM incident").fetchone()
    assert (n, with_country, with_sector) == (1627, 1503, 1413)  # the rest: regions, "Corporate Targets"


def test_a_broken_copy_of_real_data_changes_nothing(tmp_path):
    db = tmp_path / "db.duckdb"
    ingest([DATA / "pymisp-test-events"], db)
    before = db.read_bytes()
    broken = tmp_path / "broken.json"
    broken.write_bytes((DATA / "pymisp-test-events/galaxy_1.json").read_bytes()[:500])
    with pytest.raises(Exception, match="broken.json"):
        ingest([broken], db)
    assert db.read_bytes() == before
