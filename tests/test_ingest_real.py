"""Ingest the real public datasets in ../shared/data with an exact accounting (skipped when absent)."""
from pathlib import Path

import duckdb
import pytest

from threatscape.ingest.run import ingest

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"the shared public data is not at {DATA}")


def actors_of(db):
    con = duckdb.connect(str(db), read_only=True)
    return dict(con.execute("SELECT title, a.name FROM incident JOIN actor a USING (actor_id)").fetchall())


@pytest.mark.parametrize("path, read, added, rejected, resolved", [
    # 447 EuRepoC incidents name no initiator and 16 have no start date: rejected, each with its reason
    ("eurepoc/EuRepoC_Global_Database_1.1.csv", 1643, 1180, 463, 556),
    # ATT&CK: 55 distinct campaigns over the three domains, 25 attributed (the rest name no actor)
    ("mitre-attack/cti", 55, 25, 30, 25),
    ("mitre-attack/attack-stix-data/ics-attack/ics-attack.json", 7, 5, 2, 5),
    ("oasis-stix21-examples", 5, 1, 4, 1),
    ("pymisp-test-events", 4, 4, 0, 4),
])
def test_each_real_dataset_loads_with_an_exact_accounting(tmp_path, path, read, added, rejected, resolved):
    db = tmp_path / "db.duckdb"
    report = ingest([DATA / path], db)
    t = report.totals()
    assert (t["read"], t["added"], t["rejected"]) == (read, added, rejected)
    assert t["read"] == t["added"] + t["updated"] + t["duplicates"] + t["rejected"]
    assert report.normaliser.actor_status["resolved"] == resolved
    assert all(r.reason for r in report.rejections) and len(report.rejections) == rejected
    before = db.read_bytes()
    again = ingest([DATA / path], db).totals()
    assert (again["added"], again["updated"], again["duplicates"]) == (0, 0, added)  # idempotent
    assert len(db.read_bytes()) == len(before)


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
    assert (n, with_country, with_sector) == (1180, 1086, 1010)  # the rest: regions, "Corporate Targets"


def test_a_broken_copy_of_real_data_changes_nothing(tmp_path):
    db = tmp_path / "db.duckdb"
    ingest([DATA / "pymisp-test-events"], db)
    before = db.read_bytes()
    broken = tmp_path / "broken.json"
    broken.write_bytes((DATA / "pymisp-test-events/galaxy_1.json").read_bytes()[:500])
    with pytest.raises(Exception, match="broken.json"):
        ingest([broken], db)
    assert db.read_bytes() == before
