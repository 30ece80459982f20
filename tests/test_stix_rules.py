"""STIX as analysts exchange it: reports are sources of the campaigns they describe, victims come through
locations and vendors' country properties, and the bundle's creator is the source."""
import json
from pathlib import Path

from test_ingest_readers import require, results  # the readers' own test helpers
from threatscape.ingest import stix
from threatscape.ingest.model import RawIncident, Rejection

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

AUTHOR = "identity--0a4e2a3c-5b1f-4c8e-9d1a-1f2e3d4c5b6a"
GROUP = "intrusion-set--1b5f3b4d-6c2a-4d9f-8e2b-2a3f4e5d6c7b"
CAMPAIGN = "campaign--2c6a4c5e-7d3b-4eaf-9f3c-3b4a5f6e7d8c"
OTHER_CAMPAIGN = "campaign--3d7b5d6f-8e4c-4fba-8a4d-4c5b6a7f8e9d"
REPORT = "report--4e8c6e7a-9f5d-4acb-9b5e-5d6c7b8a9f0e"
LATER_REPORT = "report--5f9d7f8b-0a6e-4bdc-8c6f-6e7d8c9b0a1f"
VICTIM = "identity--6a0e8a9c-1b7f-4ced-9d7a-7f8e9d0c1b2a"
PLACE = "location--7b1f9b0d-2c8a-4dfe-8e8b-8a9f0e1d2c3b"
HOME = "location--8c2a0c1e-3d9b-4eaf-9f9c-9b0a1f2e3d4c"
GREEN = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
AMBER = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"


def write_bundle(path: Path, *objects, spec_version=None) -> Path:
    bundle = {"type": "bundle", "id": "bundle--9d3b1d2f-4e0c-4fba-8a0d-0c1b2a3f4e5d", "objects": list(objects)}
    if spec_version:  # STIX 2.0 bundles carry the version on the bundle, 2.1 on each object
        bundle["spec_version"] = spec_version
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(bundle, indent=4), encoding="utf-8")
    return path


def rid(n: int) -> str:
    return f"relationship--e0f1a2b3-c4d5-4e6f-8a7b-{n:012d}"


def rel(n: int, kind: str, source: str, target: str, **extra) -> dict:
    return {"type": "relationship", "id": rid(n),
            "created": "2023-03-02T10:00:00.000Z", "modified": "2023-03-02T10:00:00.000Z",
            "relationship_type": kind, "source_ref": source, "target_ref": target, **extra}


def read(*paths, source=None):
    """(incidents, rejections, skipped kinds) that ingesting these files yields."""
    return results(stix.read(list(paths), source=source))


def test_stix20_vendor_bundle_report_is_a_source_of_its_campaign(tmp_path):
    # A STIX 2.0 sharing-community bundle: the victim's country is a custom property on the identity.
    path = write_bundle(
        tmp_path / "unit42-2023-03.json",
        {"type": "identity", "id": AUTHOR, "created": "2017-01-01T00:00:00.000Z",
         "modified": "2017-01-01T00:00:00.000Z", "name": "Palo Alto Networks Unit 42",
         "identity_class": "organization"},
        {"type": "intrusion-set", "id": GROUP, "created_by_ref": AUTHOR, "created": "2023-03-02T10:00:00.000Z",
         "modified": "2023-03-02T10:00:00.000Z", "name": "Trident Ursa", "aliases": ["Gamaredon"]},
        {"type": "campaign", "id": CAMPAIGN, "created_by_ref": AUTHOR, "created": "2023-03-02T10:00:00.000Z",
         "modified": "2023-03-02T10:00:00.000Z", "name": "Ukraine government phishing wave",
         "description": "Spear-phishing of Ukrainian ministries with HTML smuggling.",
         "first_seen": "2022-10-01T00:00:00.000Z"},
        {"type": "identity", "id": VICTIM, "created_by_ref": AUTHOR, "created": "2023-03-02T10:00:00.000Z",
         "modified": "2023-03-02T10:00:00.000Z", "name": "Government ministries", "identity_class": "class",
         "sectors": ["government-national"], "x_cta_country": ["UA", "Poland"]},
        rel(1, "attributed-to", CAMPAIGN, GROUP, created_by_ref=AUTHOR),
        rel(2, "targets", CAMPAIGN, VICTIM, created_by_ref=AUTHOR),
        {"type": "report", "id": REPORT, "created_by_ref": AUTHOR, "created": "2023-03-02T10:00:00.000Z",
         "modified": "2023-03-02T10:00:00.000Z", "name": "Trident Ursa keeps phishing Ukraine",
         "published": "2023-03-02T10:00:00.000Z", "labels": ["threat-report"],
         "external_references": [{"source_name": "unit42",
                                  "url": "https://unit42.example/trident-ursa-phishing"}],
         "object_refs": [AUTHOR, GROUP, CAMPAIGN, VICTIM, rid(1), rid(2)]},
        spec_version="2.0",
    )
    incidents, rejections, skipped = read(path)
    assert incidents == [RawIncident(
        file="unit42-2023-03.json", locator=CAMPAIGN, source="Palo Alto Networks Unit 42", source_id=CAMPAIGN,
        occurred_on="2022-10-01T00:00:00.000Z", actors=["Trident Ursa"], actor_hints=["Gamaredon"],
        sectors=["government-national"], countries=["UA", "Poland"], title="Ukraine government phishing wave",
        summary="Spear-phishing of Ukrainian ministries with HTML smuggling.",
        campaign="Ukraine government phishing wave",
        source_url="https://unit42.example/trident-ursa-phishing", published=["2023-03-02"])]
    # The report is counted as skipped, not as a second incident dated by its publication.
    assert rejections == [] and skipped == {"report describing a campaign": 1}
    # A feed name given on ingest still wins over the bundle's creator.
    assert {i.source for i in read(path, source="ISAC feed")[0]} == {"ISAC feed"}


def test_stix21_victims_through_locations_and_the_reports_refs(tmp_path):
    reported_sector = "identity--ab3c1d2e-4f5a-4b6c-8d7e-0f1a2b3c4d5e"
    reported_place = "location--bc4d2e3f-5a6b-4c7d-9e8f-1a2b3c4d5e6f"
    path = write_bundle(
        tmp_path / "bundle.json",
        {"type": "identity", "spec_version": "2.1", "id": AUTHOR, "created": "2020-01-01T00:00:00.000Z",
         "modified": "2020-01-01T00:00:00.000Z", "name": "CERT-EU", "identity_class": "organization"},
        {"type": "marking-definition", "spec_version": "2.1", "id": AMBER, "created": "2017-01-20T00:00:00.000Z",
         "definition_type": "tlp", "name": "TLP:AMBER", "definition": {"tlp": "amber"}},
        {"type": "intrusion-set", "spec_version": "2.1", "id": GROUP, "created": "2024-06-01T00:00:00.000Z",
         "modified": "2024-06-01T00:00:00.000Z", "name": "Sandworm Team"},
        {"type": "campaign", "spec_version": "2.1", "id": CAMPAIGN, "created": "2024-06-01T00:00:00.000Z",
         "modified": "2024-06-01T00:00:00.000Z", "name": "Grid wiper attacks", "first_seen": "2024-02-01",
         "object_marking_refs": [GREEN]},
        {"type": "identity", "spec_version": "2.1", "id": VICTIM, "created": "2024-06-01T00:00:00.000Z",
         "modified": "2024-06-01T00:00:00.000Z", "name": "Distribution operators", "identity_class": "class",
         "sectors": ["utilities"]},
        {"type": "location", "spec_version": "2.1", "id": PLACE, "created": "2024-06-01T00:00:00.000Z",
         "modified": "2024-06-01T00:00:00.000Z", "name": "Germany", "country": "DE"},
        {"type": "location", "spec_version": "2.1", "id": HOME, "created": "2024-06-01T00:00:00.000Z",
         "modified": "2024-06-01T00:00:00.000Z", "name": "Russia", "country": "RU"},
        {"type": "identity", "spec_version": "2.1", "id": reported_sector, "created": "2024-06-01T00:00:00.000Z",
         "modified": "2024-06-01T00:00:00.000Z", "name": "Banks", "identity_class": "class",
         "sectors": ["financial-services"], "x_opencti_location": "France"},
        {"type": "location", "spec_version": "2.1", "id": reported_place, "created": "2024-06-01T00:00:00.000Z",
         "modified": "2024-06-01T00:00:00.000Z", "name": "Italy", "country": "IT"},
        rel(1, "attributed-to", CAMPAIGN, GROUP, spec_version="2.1"),
        rel(2, "targets", CAMPAIGN, VICTIM, spec_version="2.1"),
        rel(3, "located-at", VICTIM, PLACE, spec_version="2.1"),
        rel(4, "originates-from", GROUP, HOME, spec_version="2.1"),
        {"type": "report", "spec_version": "2.1", "id": REPORT, "created_by_ref": AUTHOR,
         "created": "2024-06-03T00:00:00.000Z", "modified": "2024-06-03T00:00:00.000Z",
         "name": "Threat landscape: grid wipers", "published": "2024-06-03T08:30:00.000Z",
         "report_types": ["campaign"], "object_marking_refs": [AMBER],
         "external_references": [{"source_name": "cert-eu", "url": "https://cert.example/tl-2024-06"}],
         "object_refs": [AUTHOR, CAMPAIGN, GROUP, HOME, reported_sector, reported_place]},
    )
    incidents, rejections, skipped = read(path)
    assert len(incidents) == 1 and rejections == [] and skipped == {"report describing a campaign": 1}
    grid = incidents[0]
    # The targeted identity's location, then what the report names; the group's home country is no victim.
    assert grid.countries == ["DE", "IT", "France"]
    assert grid.sectors == ["utilities", "financial-services"]
    assert (grid.occurred_on, grid.published) == ("2024-02-01", ["2024-06-03"])
    assert grid.summary == "Reported in: Threat landscape: grid wipers (published 2024-06-03)"
    assert grid.source_url == "https://cert.example/tl-2024-06"
    assert grid.source == "CERT-EU"  # the campaign has no creator: the bundle's
    assert grid.tlp == "TLP:AMBER"  # what the AMBER report said is now part of the campaign


def test_reports_about_campaigns_of_an_intrusion_set_are_not_counted_again(tmp_path):
    undated = "campaign--cd5e3f4a-6b7c-4d8e-8f9a-2b3c4d5e6f7a"
    actor_report = "report--de6f4a5b-7c8d-4e9f-9a0b-3c4d5e6f7a8b"
    standalone = "report--ef7a5b6c-8d9e-4f0a-8b1c-4d5e6f7a8b9c"
    other_group = "intrusion-set--f08b6c7d-9e0f-4a1b-9c2d-5e6f7a8b9c0d"
    objects = [
        {"type": "intrusion-set", "spec_version": "2.1", "id": GROUP, "created": "2021-01-01T00:00:00Z",
         "modified": "2021-01-01T00:00:00Z", "name": "APT29"},
        {"type": "intrusion-set", "spec_version": "2.1", "id": other_group, "created": "2021-01-01T00:00:00Z",
         "modified": "2021-01-01T00:00:00Z", "name": "Turla"},
        {"type": "campaign", "spec_version": "2.1", "id": CAMPAIGN, "created": "2021-02-01T00:00:00Z",
         "modified": "2021-02-01T00:00:00Z", "name": "SolarWinds Compromise", "first_seen": "2019-08-01T00:00:00Z",
         "external_references": [{"source_name": "vendor", "url": "https://vendor.example/campaigns/solarwinds"}]},
        {"type": "campaign", "spec_version": "2.1", "id": OTHER_CAMPAIGN, "created": "2021-02-01T00:00:00Z",
         "modified": "2021-02-01T00:00:00Z", "name": "Diplomatic phishing"},
        {"type": "campaign", "spec_version": "2.1", "id": undated, "created": "2022-01-01T00:00:00Z",
         "modified": "2022-01-01T00:00:00Z", "name": "Cloud token theft"},
        rel(1, "attributed-to", CAMPAIGN, GROUP, spec_version="2.1"),
        rel(2, "attributed-to", OTHER_CAMPAIGN, GROUP, spec_version="2.1"),
        rel(3, "attributed-to", undated, GROUP, spec_version="2.1"),
        # Two reports on the same campaign, the later one first in the bundle.
        {"type": "report", "spec_version": "2.1", "id": LATER_REPORT, "created": "2021-06-01T00:00:00Z",
         "modified": "2021-06-01T00:00:00Z", "name": "SolarWinds: six months on",
         "published": "2021-06-01T00:00:00Z", "object_refs": [CAMPAIGN, OTHER_CAMPAIGN, GROUP],
         "external_references": [{"source_name": "vendor", "url": "https://vendor.example/six-months"}]},
        {"type": "report", "spec_version": "2.1", "id": REPORT, "created": "2020-12-13T00:00:00Z",
         "modified": "2020-12-13T00:00:00Z", "name": "Highly evasive attacker leverages SolarWinds supply chain",
         "published": "2020-12-13T00:00:00Z", "object_refs": [CAMPAIGN, GROUP],
         "external_references": [{"source_name": "vendor", "url": "https://vendor.example/sunburst"}]},
        {"type": "report", "spec_version": "2.1", "id": "report--a19c7d8e-0f1a-4b2c-8d3e-6f7a8b9c0d1e",
         "created": "2022-03-01T00:00:00Z", "modified": "2022-03-01T00:00:00Z", "name": "Token theft in the cloud",
         "published": "2022-03-01T00:00:00Z", "object_refs": [undated]},
        # Only the group, whose campaigns are in this bundle: which one it describes is unknown.
        {"type": "report", "spec_version": "2.1", "id": actor_report, "created": "2022-05-01T00:00:00Z",
         "modified": "2022-05-01T00:00:00Z", "name": "APT29 in 2021", "published": "2022-05-01T00:00:00Z",
         "object_refs": [GROUP]},
        # A group with no campaign here: the report is the only record of the activity.
        {"type": "report", "spec_version": "2.1", "id": standalone, "created": "2023-01-01T00:00:00Z",
         "modified": "2023-01-01T00:00:00Z", "name": "Turla hijacks old malware infrastructure",
         "published": "2023-01-05T00:00:00Z", "object_refs": [other_group]},
    ]
    incidents, rejections, skipped = read(write_bundle(tmp_path / "export.json", *objects))
    assert rejections == []
    assert skipped == {"report describing a campaign": 3, "report describing an actor's campaigns": 1}
    by_title = {i.title: i for i in incidents}
    assert len(incidents) == 4  # three campaigns and the one report that describes none
    solarwinds = by_title["SolarWinds Compromise"]
    assert (solarwinds.occurred_on, solarwinds.published) == ("2019-08-01T00:00:00Z", ["2020-12-13", "2021-06-01"])
    assert solarwinds.source_url == "https://vendor.example/campaigns/solarwinds"  # its own link comes first
    assert solarwinds.actors == ["APT29"] and solarwinds.source == "STIX"  # no creator anywhere
    phishing = by_title["Diplomatic phishing"]
    # No first_seen: dated by the first report about it, not by when the STIX object was created.
    assert (phishing.occurred_on, phishing.published) == ("2021-06-01", ["2021-06-01"])
    assert phishing.summary == "Reported in: SolarWinds: six months on (published 2021-06-01)"
    assert phishing.source_url == "https://vendor.example/six-months"
    assert by_title["Cloud token theft"].occurred_on == "2022-03-01"
    turla = by_title["Turla hijacks old malware infrastructure"]
    assert (turla.locator, turla.occurred_on, turla.actors, turla.campaign) == (
        standalone, "2023-01-05T00:00:00Z", ["Turla"], None)


def test_one_object_per_file_reports_fold_across_files(tmp_path):
    def one(obj):
        return write_bundle(tmp_path / obj["type"] / f"{obj['id']}.json", obj, spec_version="2.0")

    paths = [
        one({"type": "campaign", "id": CAMPAIGN, "created": "2022-01-01T00:00:00.000Z", "name": "C0011",
             "first_seen": "2016-01-01T00:00:00.000Z"}),
        one({"type": "report", "id": REPORT, "created": "2022-01-01T00:00:00.000Z", "name": "Blog post",
             "published": "2017-03-01T00:00:00.000Z", "object_refs": [CAMPAIGN]}),
    ]
    incidents, rejections, skipped = read(*paths)
    # A first_seen on New Year's midnight is passed on as given: precision is decided on normalisation.
    assert [(i.file, i.occurred_on, i.published, i.summary) for i in incidents] == [
        (f"{CAMPAIGN}.json", "2016-01-01T00:00:00.000Z", ["2017-03-01"],
         "Reported in: Blog post (published 2017-03-01)")]
    assert skipped == {"report describing a campaign": 1} and rejections == []


def test_a_report_with_an_unreadable_publication_date_is_rejected_by_name(tmp_path):
    path = write_bundle(
        tmp_path / "feed.json",
        {"type": "campaign", "spec_version": "2.1", "id": CAMPAIGN, "created": "2022-01-01T00:00:00Z",
         "modified": "2022-01-01T00:00:00Z", "name": "Water utility intrusions", "first_seen": "2021-11-01"},
        {"type": "report", "spec_version": "2.1", "id": REPORT, "created": "2022-01-01T00:00:00Z",
         "modified": "2022-01-01T00:00:00Z", "name": "Advisory", "published": "last Tuesday",
         "object_refs": [CAMPAIGN]},
    )
    incidents, rejections, skipped = read(path)
    assert rejections == [Rejection("feed.json", REPORT, "published", "'last Tuesday' is not an ISO date")]
    assert [(i.title, i.published) for i in incidents] == [("Water utility intrusions", [])]
    assert skipped == {}


# --- Real public data ------------------------------------------------------------------------------------------

def test_opencti_sector_identities_name_the_sector(tmp_path):
    # An OpenCTI export refers to its sector taxonomy (a class identity per sector, no sectors property).
    sectors = require(DATA / "opencti-datasets" / "sectors.json")
    energy = "identity--062f72b1-7caf-4112-ab92-6211f7e7abc8"
    path = write_bundle(
        tmp_path / "opencti-export.json",
        {"type": "campaign", "spec_version": "2.1", "id": CAMPAIGN, "created": "2024-01-10T09:00:00.000Z",
         "modified": "2024-01-10T09:00:00.000Z", "name": "Pipeline SCADA probing",
         "first_seen": "2023-12-01T00:00:00.000Z"},
        {"type": "location", "spec_version": "2.1", "id": PLACE, "created": "2024-01-10T09:00:00.000Z",
         "modified": "2024-01-10T09:00:00.000Z", "name": "Norway", "country": "NO",
         "x_opencti_location_type": "Country"},
        rel(1, "targets", CAMPAIGN, energy, spec_version="2.1"),
        rel(2, "targets", CAMPAIGN, PLACE, spec_version="2.1"),
    )
    incidents, rejections, skipped = read(sectors, path)
    assert [(i.sectors, i.countries) for i in incidents] == [(["Energy"], ["NO"])]
    assert rejections == [] and skipped == {}
    # The sectors file is the platform's (created by Filigran); the export names no creator of its own.
    assert incidents[0].source == "STIX"


def test_attack_folder_still_reads_every_campaign_once():
    folder = require(DATA / "mitre-attack" / "cti")
    incidents, rejections, skipped = read(*sorted(folder.rglob("*.json")))
    # 55 distinct campaigns before reports were folded, and ATT&CK has no reports: still 55.
    assert len(incidents) == len({i.source_id for i in incidents}) == 55
    assert all(i.locator.startswith("campaign--") and i.source_id == i.locator for i in incidents)
    assert all(i.published == [] and i.source == "STIX" for i in incidents)  # the MITRE identity is not copied
    assert skipped == {"deprecated campaign": 1} and rejections == []


def test_attack_ics_bundle_names_mitre_as_its_source():
    path = require(DATA / "mitre-attack" / "attack-stix-data" / "ics-attack" / "ics-attack.json")
    incidents, rejections, _ = read(path)
    assert len(incidents) == 7 and rejections == []
    assert {i.source for i in incidents} == {"The MITRE Corporation"}


def test_oasis_poisonivy_report_is_the_source_of_its_three_campaigns():
    path = require(DATA / "oasis-stix21-examples" / "poisonivy.json")
    incidents, rejections, skipped = read(path)
    assert [(i.title, i.occurred_on, i.published, i.source) for i in incidents] == [
        ("admin@338", "2008-01-07T00:00:00.000000Z", ["2013-08-21"], "FireEye, Inc."),
        ("th3bug", "2009-10-26T00:00:00.000000Z", ["2013-08-21"], "FireEye, Inc."),
        ("menuPass", "2009-12-14T00:00:00.000000Z", ["2013-08-21"], "FireEye, Inc."),
    ]
    # The report's only identity is its author FireEye: no victims come with it.
    assert all(not i.sectors and not i.countries for i in incidents) and rejections == []
    assert skipped["report describing a campaign"] == 1


def test_oasis_apt1_report_describes_no_campaign_and_stays_an_incident():
    path = require(DATA / "oasis-stix21-examples" / "apt1.json")
    incidents, rejections, skipped = read(path)
    assert [(i.locator, i.occurred_on, i.source, i.published) for i in incidents] == [
        ("report--e33ffe07-2f4c-48d8-b0af-ee2619d765cf", "2013-02-19T00:00:00.000000Z", "STIX", [])]
    assert rejections == [] and "report describing a campaign" not in skipped
