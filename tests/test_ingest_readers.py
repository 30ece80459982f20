"""STIX and MISP readers: small inline fixtures with exact fields, then the real public data in /work/shared/data."""
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from threatscape.ingest import misp, stix
from threatscape.ingest.model import RawIncident, Rejection, Skipped, UnreadableFile

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

AMBER = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
CAMPAIGN = "campaign--11111111-1111-4111-8111-111111111111"
GROUP = "intrusion-set--22222222-2222-4222-8222-222222222222"
VICTIM = "identity--33333333-3333-4333-8333-333333333333"
PLACE = "location--44444444-4444-4444-8444-444444444444"
MALWARE = "malware--55555555-5555-4555-8555-555555555555"


def write_json(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def bundle(*objects, spec_version=None) -> dict:
    b = {"type": "bundle", "id": "bundle--99999999-9999-4999-8999-999999999999", "objects": list(objects)}
    if spec_version:
        b["spec_version"] = spec_version
    return b


def rel(n: int, kind: str, source: str, target: str, **extra) -> dict:
    return {"type": "relationship", "id": f"relationship--00000000-0000-4000-8000-00000000000{n}",
            "created": "2024-01-01T00:00:00Z", "relationship_type": kind, "source_ref": source, "target_ref": target,
            **extra}


def head(path: Path) -> bytes:
    return path.read_bytes()[:4096]


def results(outputs):
    """The outputs split into incidents, rejections and a count of skipped kinds."""
    outputs = list(outputs)
    return ([o for o in outputs if isinstance(o, RawIncident)], [o for o in outputs if isinstance(o, Rejection)],
            Counter(o.kind for o in outputs if isinstance(o, Skipped)))


def require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"public test data not found at {path} (see the README.txt files under /work/shared/data)")
    return path


# --- STIX fixtures ---------------------------------------------------------------------------------------------

def test_stix21_bundle_campaign_with_actor_victims_and_tlp(tmp_path):
    path = write_json(tmp_path / "bundle.json", bundle(
        {"type": "marking-definition", "spec_version": "2.1", "id": AMBER, "created": "2017-01-20T00:00:00.000Z",
         "definition_type": "tlp", "name": "TLP:AMBER", "definition": {"tlp": "amber"}},
        {"type": "campaign", "spec_version": "2.1", "id": CAMPAIGN, "created": "2024-02-01T00:00:00Z",
         "modified": "2024-02-01T00:00:00Z", "name": "Operation Power Cut", "description": "Grid operators phished.",
         "first_seen": "2023-11-05T00:00:00Z", "confidence": 80, "object_marking_refs": [AMBER],
         "external_references": [{"source_name": "vendor"},
                                 {"source_name": "blog", "url": "https://example.org/power-cut"},
                                 {"source_name": "other", "url": "https://example.org/second"}]},
        {"type": "intrusion-set", "spec_version": "2.1", "id": GROUP, "created": "2024-01-01T00:00:00Z",
         "name": "Andariel", "aliases": ["Silent Chollima"]},
        {"type": "identity", "spec_version": "2.1", "id": VICTIM, "created": "2024-01-01T00:00:00Z",
         "name": "Grid operators", "identity_class": "class", "sectors": ["energy"]},
        {"type": "location", "spec_version": "2.1", "id": PLACE, "created": "2024-01-01T00:00:00Z",
         "name": "Korea", "country": "KR"},
        {"type": "malware", "spec_version": "2.1", "id": MALWARE, "created": "2024-01-01T00:00:00Z",
         "name": "TigerRAT", "is_family": True},
        rel(1, "attributed-to", CAMPAIGN, GROUP),
        rel(2, "targets", CAMPAIGN, VICTIM),
        rel(3, "targets", CAMPAIGN, PLACE),
        rel(4, "uses", CAMPAIGN, MALWARE),
    ))
    assert stix.looks_like(path, head(path)) and not misp.looks_like(path, head(path))
    assert list(stix.read([path], source=None)) == [
        RawIncident(file="bundle.json", locator=CAMPAIGN, source="STIX", source_id=CAMPAIGN,
                    occurred_on="2023-11-05T00:00:00Z", actors=["Andariel"], actor_hints=["Silent Chollima"],
                    sectors=["energy"], countries=["KR"],
                    title="Operation Power Cut", summary="Grid operators phished.", campaign="Operation Power Cut",
                    source_url="https://example.org/power-cut", confidence=80, tlp="TLP:AMBER"),
        Skipped("bundle.json", "malware"),
    ]
    assert next(iter(stix.read([path], source="Vendor feed"))).source == "Vendor feed"


def test_stix20_one_object_per_file_folder(tmp_path):
    def one(folder, obj):
        return write_json(tmp_path / folder / f"{obj['id']}.json", bundle(obj, spec_version="2.0"))

    green = {"type": "marking-definition", "id": "marking-definition--66666666-6666-4666-8666-666666666666",
             "created": "2020-01-01T00:00:00Z", "definition_type": "tlp", "definition": {"tlp": "green"}}
    revoked = "campaign--77777777-7777-4777-8777-777777777777"
    deprecated = "campaign--88888888-8888-4888-8888-888888888888"
    undated = "campaign--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
    actor = "threat-actor--bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
    paths = [
        one("campaign", {"type": "campaign", "id": CAMPAIGN, "created": "2022-03-01T00:00:00.000Z",
                         "name": "C0099", "object_marking_refs": [green["id"]],
                         "external_references": [{"source_name": "mitre-attack", "external_id": "C0099",
                                                  "url": "https://attack.mitre.org/campaigns/C0099"}]}),
        one("campaign", {"type": "campaign", "id": revoked, "created": "2020-01-01T00:00:00Z", "name": "Old",
                         "revoked": True}),
        one("campaign", {"type": "campaign", "id": deprecated, "created": "2020-01-01T00:00:00Z", "name": "Gone",
                         "revoked": False, "x_mitre_deprecated": True}),
        one("campaign", {"type": "campaign", "id": undated, "name": "No date"}),
        one("intrusion-set", {"type": "intrusion-set", "id": GROUP, "created": "2020-01-01T00:00:00Z",
                              "name": "APT29"}),
        one("threat-actor", {"type": "threat-actor", "id": actor, "created": "2020-01-01T00:00:00Z",
                             "name": "SVR"}),
        one("relationship", rel(1, "attributed-to", CAMPAIGN, actor)),
        one("relationship", rel(2, "attributed-to", CAMPAIGN, GROUP)),
        one("relationship", rel(3, "attributed-to", revoked, GROUP)),
        one("relationship", rel(4, "attributed-to", undated, GROUP, revoked=True)),
        one("marking-definition", green),
    ]
    assert all(stix.looks_like(p, head(p)) for p in paths)
    incidents, rejections, skipped = results(stix.read(paths, source=None))
    assert incidents == [
        RawIncident(file=f"{CAMPAIGN}.json", locator=CAMPAIGN, source="STIX", source_id=CAMPAIGN,
                    occurred_on="2022-03-01T00:00:00.000Z", actors=["APT29", "SVR"], title="C0099",
                    campaign="C0099", source_url="https://attack.mitre.org/campaigns/C0099", tlp="TLP:GREEN"),
    ]
    assert rejections == [Rejection(f"{undated}.json", undated, "occurred_on",
                                    "no first_seen, published or created date")]
    assert skipped == {"revoked campaign": 1, "deprecated campaign": 1}


def test_stix_report_takes_actors_and_victims_from_its_object_refs(tmp_path):
    report = "report--cccccccc-cccc-4ccc-8ccc-cccccccccccc"
    author = "identity--dddddddd-dddd-4ddd-8ddd-dddddddddddd"
    persona = "identity--eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee"
    actor = "threat-actor--bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
    path = write_json(tmp_path / "report.json", bundle(
        {"type": "report", "spec_version": "2.1", "id": report, "created": "2024-05-01T00:00:00Z",
         "published": "2024-04-30T00:00:00Z", "name": "Quarterly", "created_by_ref": author,
         "object_refs": [author, actor, persona, VICTIM, PLACE, GROUP, MALWARE, "identity--not-in-any-file"]},
        {"type": "identity", "spec_version": "2.1", "id": author, "created": "2024-01-01T00:00:00Z",
         "name": "Vendor", "identity_class": "organization", "sectors": ["technology"]},
        {"type": "identity", "spec_version": "2.1", "id": persona, "created": "2024-01-01T00:00:00Z",
         "name": "Operator", "identity_class": "individual", "sectors": ["government-national"]},
        {"type": "identity", "spec_version": "2.1", "id": VICTIM, "created": "2024-01-01T00:00:00Z",
         "name": "Banks", "identity_class": "class", "sectors": ["financial-services"]},
        {"type": "location", "spec_version": "2.1", "id": PLACE, "created": "2024-01-01T00:00:00Z",
         "name": "Republic of Korea"},
        {"type": "threat-actor", "spec_version": "2.1", "id": actor, "created": "2024-01-01T00:00:00Z",
         "name": "Unit 61398"},
        {"type": "intrusion-set", "spec_version": "2.1", "id": GROUP, "created": "2024-01-01T00:00:00Z",
         "name": "APT1"},
        rel(1, "attributed-to", actor, persona),
    ))
    incidents, rejections, skipped = results(stix.read([path], source=None))
    # The author (created_by_ref) and the actor's own persona are not victims; the intrusion set comes first.
    assert incidents == [
        RawIncident(file="report.json", locator=report, source="Vendor", source_id=report,  # its creator
                    occurred_on="2024-04-30T00:00:00Z", actors=["APT1", "Unit 61398"],
                    sectors=["financial-services"], countries=["Republic of Korea"], title="Quarterly"),
    ]
    assert rejections == [] and skipped == {}


def test_stix_object_in_two_files_is_read_once_newest_first(tmp_path):
    old = {"type": "campaign", "id": CAMPAIGN, "created": "2020-01-01T00:00:00Z", "modified": "2020-01-01T00:00:00Z",
           "name": "Old name"}
    new = {**old, "modified": "2024-01-01T00:00:00Z", "name": "New name"}
    paths = [write_json(tmp_path / "a.json", bundle(new)), write_json(tmp_path / "b.json", old)]
    incidents, _, _ = results(stix.read(paths, source=None))
    assert [(i.file, i.title) for i in incidents] == [("a.json", "New name")]


def test_stix_truncated_or_foreign_json_is_unreadable(tmp_path):
    good = json.dumps(bundle({"type": "campaign", "id": CAMPAIGN, "created": "2020-01-01T00:00:00Z"}), indent=2)
    truncated = tmp_path / "truncated.json"
    truncated.write_text(good[: len(good) // 2], encoding="utf-8")
    assert stix.looks_like(truncated, head(truncated))
    with pytest.raises(UnreadableFile, match=rf"^{re.escape(str(truncated))}: not valid JSON \(.+ at line \d+\)$"):
        list(stix.read([truncated], source=None))

    foreign = write_json(tmp_path / "foreign.json", {"type": "FeatureCollection", "features": []})
    assert not stix.looks_like(foreign, head(foreign))
    with pytest.raises(UnreadableFile, match=r"foreign\.json: not STIX"):
        list(stix.read([foreign], source=None))


def test_stix_looks_like_a_bare_object_but_not_misp_or_csv(tmp_path):
    bare = write_json(tmp_path / "c.json", {"created": "2020-01-01T00:00:00Z", "id": CAMPAIGN, "type": "campaign"})
    event = write_json(tmp_path / "e.json", {"Event": {"uuid": "x", "info": "y", "Attribute": [{"type": "ip-dst"}]}})
    csv = tmp_path / "e.csv"
    csv.write_text("date,actor\n2020-01-01,APT1\n", encoding="utf-8")
    assert stix.looks_like(bare, head(bare))
    assert not stix.looks_like(event, head(event))
    assert not stix.looks_like(csv, head(csv))


# --- MISP fixtures ---------------------------------------------------------------------------------------------

EVENT_UUID = "5f000000-0000-4000-8000-000000000001"


def misp_event(**overrides) -> dict:
    event = {
        "uuid": EVENT_UUID, "date": "2023-06-01", "info": "OSINT - Kimsuky targets think tanks",
        "threat_level_id": "2", "Orgc": {"name": "CIRCL", "uuid": "55f6ea5e-2c60-40e5-964f-47a8950d210f"},
        "Tag": [{"name": "tlp:green"}, {"name": 'misp-galaxy:threat-actor="Kimsuky"'},
                {"name": 'misp-galaxy:mitre-intrusion-set="APT37 - G0067"'},
                {"name": 'misp-galaxy:sector="Think Tanks"'}, {"name": 'misp-galaxy:country="south korea"'},
                {"name": 'misp-galaxy:tool="BabyShark"'}, {"name": "tlp:amber"},
                {"name": 'osint:source-type="blog-post"'}],
        "Galaxy": [
            {"type": "threat-actor", "GalaxyCluster": [{"type": "threat-actor", "value": "Kimsuky"},
                                                       {"type": "threat-actor", "value": "Velvet Chollima"}]},
            {"type": "sector", "GalaxyCluster": [{"value": "Academia - University"}]},
            {"type": "country", "GalaxyCluster": [{"value": "united states"}]},
            {"type": "tool", "GalaxyCluster": [{"value": "BabyShark"}]},
        ],
        "Attribute": [
            {"type": "link", "category": "External analysis", "value": "https://example.org/kimsuky"},
            {"type": "comment", "category": "Other", "value": "checked by hand"},
            {"type": "comment", "category": "External analysis", "value": "Spear phishing against think tanks."},
        ],
    }
    return {**event, **overrides}


def test_misp_event_with_galaxy_tags_and_clusters(tmp_path):
    path = write_json(tmp_path / "event.json", {"Event": misp_event()})
    assert misp.looks_like(path, head(path)) and not stix.looks_like(path, head(path))
    assert list(misp.read([path], source=None)) == [
        RawIncident(file="event.json", locator=EVENT_UUID, source="CIRCL", source_id=EVENT_UUID, namespace="misp",
                    occurred_on="2023-06-01", actors=["Kimsuky", "APT37", "Velvet Chollima"],
                    sectors=["Think Tanks", "Academia - University"], countries=["south korea", "united states"],
                    title="OSINT - Kimsuky targets think tanks", summary="Spear phishing against think tanks.",
                    tlp="TLP:AMBER"),
    ]


def test_misp_lists_of_events_and_api_responses(tmp_path):
    second = misp_event(uuid="5f000000-0000-4000-8000-000000000002", info="Second", Tag=[], Galaxy=[], Attribute=[],
                        Orgc=None)
    listed = write_json(tmp_path / "events.json", [{"Event": misp_event()}, {"Event": second}])
    response = write_json(tmp_path / "response.json", {"response": [{"Event": second}]})
    bare = write_json(tmp_path / "bare.json", second)
    for path in (listed, response, bare):
        assert misp.looks_like(path, head(path)), path
    incidents, rejections, skipped = results(misp.read([listed, response, bare], source=None))
    assert [(i.file, i.title, i.source) for i in incidents] == [
        ("events.json", "OSINT - Kimsuky targets think tanks", "CIRCL"), ("events.json", "Second", "MISP"),
        ("response.json", "Second", "MISP"), ("bare.json", "Second", "MISP")]
    assert incidents[1] == RawIncident(file="events.json", locator=second["uuid"], source="MISP",
                                       source_id=second["uuid"], namespace="misp", occurred_on="2023-06-01",
                                       title="Second")
    assert rejections == [] and skipped == {}
    assert {i.source for i in misp.read([listed], source="Partner MISP")} == {"Partner MISP"}


def test_misp_event_without_date_is_rejected(tmp_path):
    path = write_json(tmp_path / "nodate.json", {"Event": misp_event(date="")})
    assert list(misp.read([path], source=None)) == [
        Rejection("nodate.json", EVENT_UUID, "occurred_on", "the event has no date")]


def test_misp_invalid_json_and_feed_manifest(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"Event": {"uuid": "x", "info": "unterminated}', encoding="utf-8")
    assert misp.looks_like(broken, head(broken))
    with pytest.raises(UnreadableFile, match=rf"^{re.escape(str(broken))}: not valid JSON \(.+ at line 1\)$"):
        list(misp.read([broken], source=None))

    manifest = write_json(tmp_path / "manifest.json", {EVENT_UUID: {
        "info": "OSINT - Kimsuky targets think tanks", "date": "2023-06-01", "threat_level_id": "2",
        "Orgc": {"name": "CIRCL"}, "Tag": [{"name": "tlp:white"}], "timestamp": "1685577600"}})
    assert not misp.looks_like(manifest, head(manifest))
    with pytest.raises(UnreadableFile, match="a MISP feed manifest, not an event"):
        list(misp.read([manifest], source=None))


# --- Real public data ------------------------------------------------------------------------------------------

def mitre_readme_numbers() -> str:
    return require(DATA / "mitre-attack" / "README.txt").read_text(encoding="utf-8")


def test_mitre_enterprise_folder():
    folder = require(DATA / "mitre-attack" / "cti" / "enterprise-attack")
    paths = sorted(folder.rglob("*.json"))
    assert len(paths) == 264  # 52 campaigns, 187 intrusion sets, 25 attributed-to relationships
    assert all(stix.looks_like(p, head(p)) and not misp.looks_like(p, head(p)) for p in paths)
    incidents, rejections, skipped = results(stix.read(paths, source=None))
    # No enterprise campaign is revoked or deprecated in ATT&CK v18.1, so all 52 are read.
    assert len(incidents) == 52 and rejections == [] and skipped == {}
    assert sum(1 for i in incidents if i.actors) == 24
    assert "Enterprise: 52 campaigns, 24 attributed" in mitre_readme_numbers()

    by_name = {i.title: i for i in incidents}
    dream_job = by_name["Operation Dream Job"]
    assert dream_job.actors == ["Lazarus Group"]
    assert dream_job.source_url == "https://attack.mitre.org/campaigns/C0022"
    assert (dream_job.occurred_on, dream_job.campaign, dream_job.source) == (
        "2019-09-01T04:00:00.000Z", "Operation Dream Job", "STIX")
    assert sorted(by_name["SPACEHOP Activity"].actors) == ["APT5", "Ke3chang"]  # the one campaign with two groups
    # ATT&CK has no victim identities, locations or TLP markings (only a copyright statement marking).
    assert all(not i.sectors and not i.countries and i.tlp is None for i in incidents)


def test_mitre_all_domains_together_read_shared_campaigns_once():
    folder = require(DATA / "mitre-attack" / "cti")
    incidents, rejections, skipped = results(stix.read(sorted(folder.rglob("*.json")), source=None))
    # 52 enterprise + 8 ICS + 3 mobile files, but 5 ICS and 2 mobile campaigns are also in enterprise.
    assert len(incidents) == len({i.source_id for i in incidents}) == 55
    assert sum(1 for i in incidents if i.actors) == 25
    assert skipped == {"deprecated campaign": 1} and rejections == []


def test_mitre_ics_bundle():
    path = require(DATA / "mitre-attack" / "attack-stix-data" / "ics-attack" / "ics-attack.json")
    assert stix.looks_like(path, head(path))
    incidents, rejections, skipped = results(stix.read([path], source=None))
    # 8 campaigns; 'Oldsmar Treatment Plant Intrusion' is x_mitre_deprecated (the README calls it revoked).
    assert "ICS: 8 campaigns (7 not revoked, 5 attributed)" in mitre_readme_numbers()
    assert len(incidents) == 7 and rejections == []
    assert {i.title: i.actors for i in incidents} == {
        "2015 Ukraine Electric Power Attack": ["Sandworm Team"],
        "2016 Ukraine Electric Power Attack": ["Sandworm Team"],
        "2022 Ukraine Electric Power Attack": ["Sandworm Team"],
        "Triton Safety Instrumented System Attack": ["TEMP.Veles"],
        "Unitronics Defacement Campaign": ["CyberAv3ngers"],
        "FrostyGoop Incident": [],
        "Maroochy Water Breach": [],
    }
    assert skipped == {
        "deprecated campaign": 1, "attack-pattern": 95, "x-mitre-detection-strategy": 83, "x-mitre-analytic": 82,
        "course-of-action": 52, "x-mitre-data-component": 36, "malware": 30, "x-mitre-asset": 18,
        "x-mitre-data-source": 17, "x-mitre-tactic": 12, "x-mitre-collection": 1, "x-mitre-matrix": 1,
    }


def test_oasis_apt1_report():
    path = require(DATA / "oasis-stix21-examples" / "apt1.json")
    incidents, rejections, skipped = results(stix.read([path], source=None))
    assert len(incidents) == 1 and rejections == []
    report = incidents[0]
    assert (report.locator, report.title, report.occurred_on, report.campaign) == (
        "report--e33ffe07-2f4c-48d8-b0af-ee2619d765cf", "APT1: Exposing One of China's Cyber Espionage Units",
        "2013-02-19T00:00:00.000000Z", None)
    assert report.actors == ["APT1", "Ugly Gorilla", "DOTA", "SuperHard", "Communist Party of China", "Unit 61398"]
    # Its four identities are APT1's personas (threat actors are attributed-to them), not victims.
    assert report.sectors == [] and report.countries == []
    assert report.summary.startswith("Since 2004, Mandiant has investigated")
    assert skipped == {"indicator": 12, "tool": 10, "attack-pattern": 7, "malware": 6}


def test_oasis_poisonivy_campaigns_and_report():
    path = require(DATA / "oasis-stix21-examples" / "poisonivy.json")
    incidents, rejections, skipped = results(stix.read([path], source=None))
    assert [(i.title, i.campaign, i.occurred_on) for i in incidents] == [
        ("admin@338", "admin@338", "2008-01-07T00:00:00.000000Z"),
        ("th3bug", "th3bug", "2009-10-26T00:00:00.000000Z"),
        ("menuPass", "menuPass", "2009-12-14T00:00:00.000000Z"),
    ]
    # the report describes the three campaigns: their source, published 2013-08-21, not a fourth incident
    assert all(i.published == ["2013-08-21"] for i in incidents)
    # No attributed-to relationships, and its 9 'targets' relationships point at vulnerabilities; the report's
    # only identity is its author FireEye.
    assert all(not i.actors and not i.sectors and not i.countries for i in incidents)
    assert rejections == []
    assert skipped == {"malware": 25, "indicator": 25, "vulnerability": 6, "attack-pattern": 3, "course-of-action": 1,
                       "report describing a campaign": 1}


def test_pymisp_test_events():
    paths = sorted(require(DATA / "pymisp-test-events").glob("*.json"))
    assert all(misp.looks_like(p, head(p)) and not stix.looks_like(p, head(p)) for p in paths)
    incidents, rejections, skipped = results(misp.read(paths, source=None))
    assert rejections == [] and skipped == {}
    assert [(i.file, i.occurred_on, i.title, i.actors) for i in incidents] == [
        ("existing_event.json", "2017-12-21", "OSINT - Sednit update: How Fancy Bear Spent the Year", ["Sofacy"]),
        ("galaxy_1.json", "2018-04-09",
         "OSINT - PUBG Ransomware Decrypts Your Files If You Play PlayerUnknown's Battlegrounds", ["APT1", "APT12"]),
        ("image_event.json", "2019-02-22", "OSINT - New BabyShark Malware Targets U.S. National Security Think Tanks",
         ["STOLEN PENCIL"]),  # a Kimsuky alias, as reported
        ("to_delete2.json", "2017-11-14", "OSINT - HIDDEN COBRA – North Korean Remote Administration Tool: FALLCHILL",
         ["Lazarus Group"]),
    ]
    assert [i.source_id for i in incidents] == [
        "5a3c2fcd-8328-42bb-a95e-4f4402de0b81", "5acc88e9-265c-4f22-9d2b-b702950d210f",
        "5c706a30-8ad4-4fcc-9e17-4d3d02de0b81", "5a0d5bf4-99c8-4f15-9879-22b1950d210f"]
    assert all(i.source == "CIRCL" and i.tlp == "TLP:WHITE" and i.sectors == [] and i.countries == []
               and i.source_url is None for i in incidents)
    assert all(i.summary for i in incidents)  # each carries an 'External analysis' comment or text
