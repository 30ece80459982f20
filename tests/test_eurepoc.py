"""The EuRepoC Global Database reader: a small inline fixture, and the real release 1.1 when it is present."""
import ast
import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from threatscape.ingest import eurepoc
from threatscape.ingest.eurepoc import RECEIVER_CATEGORIES, looks_like, read
from threatscape.ingest.model import RawIncident, Rejection, UnreadableFile
from threatscape.taxonomy import SECTORS

HEADER = (
    "ID,name,description,start_date,end_date,inclusion_criteria,inclusion_criteria_subcode,"
    "source_incident_detection_disclosure,incident_type,receiver_name,receiver_country,receiver_region,"
    "receiver_category,receiver_category_subcode,initiator_name,initiator_country,initiator_category,"
    "initiator_category_subcode,number_of_attributions,attribution_date,attribution_type,attribution_basis,"
    "attributing_actor,attribution_it_company,attributing_country,attributed_initiator,"
    "attributed_initiator_country,attributed_initiator_category,attributed_initiator_subcategory,"
    "sources_attribution,cyber_conflict_issue,offline_conflict_issue,offline_conflict_name_HIIK,"
    "offline_conflict_intensity,offline_conflict_intensity_subcode,number_of_political_responses,"
    "political_response_date,political_response_type,political_response_type_subcode,"
    "political_response_country,political_response_actor,zero_days,zero_days_subcode,MITRE_initial_access,"
    "MITRE_impact,user_interaction,has_disruption,data_theft,disruption,hijacking,physical_effects_spatial,"
    "physical_effects_temporal,unweighted_cyber_intensity,target_multiplier,weighted_cyber_intensity,"
    "impact_indicator,impact_indicator_value,functional_impact,intelligence_impact,"
    "political_impact_affected_entities,political_impact_affected_entities_exact_value,"
    "political_impact_third_countries,political_impact_third_countries_exact_value,economic_impact,"
    "economic_impact_exact_value,economic_impact_currency,state_responsibility_indicator,IL_breach_indicator,"
    "IL_breach_indicator_subcode,evidence_for_sanctions_indicator,number_of_legal_responses,legal_response_date,"
    "legal_response_type,legal_response_type_subcode,legal_response_country,legal_response_actor,"
    "legal_attribution_reference,legal_attribution_reference_subcode,legal_response_indicator,casualties,"
    "sources_url"
)
CORPORATE = ("Corporate Targets (corporate targets only coded if the respective company is not part of the "
             "critical infrastructure definition)")
FANCY_BEAR = ("Fancy Bear/APT28/Sofacy/"
              "Group G0007 (GRU, 85th Main Special Service Center (GTsSS) Military Unit 26165)")
SANDWORM = "Sandworm/VOODOO Bear/G0034 (GRU, Main Centre for Special Technologies (GTsST) Military Unit 74455)"

# Cells of realistic rows (abridged from release 1.1); the other columns stay empty.
ROWS = [
    {"ID": "712", "name": "Bundestags Hack 2015", "start_date": "2015-04-13", "end_date": "2015-05-20",
     "description": "Probably Russian Hackers hacked the System of the German Parliament.\nParts were destroyed.",
     "receiver_country": "['Germany']", "receiver_category": "[['State institutions / political system']]",
     "receiver_category_subcode": "[['Legislative']]",
     "initiator_name": f"['{FANCY_BEAR}', 'GRU']",
     "attributed_initiator": f"{FANCY_BEAR}; GRU; {FANCY_BEAR}; GRU",
     "sources_url": "['https://www.heise.de/security/meldung/Bundestags-Hack-2715881.html', "
                    "'http://www.zeit.de/2017/20/']"},
    {"ID": "1032", "name": 'Sandworm targeted Ukrainian infrastructures with "NotPetya"', "start_date": "2017-06-27",
     "description": "The APT Sandworm used a wiper called NotPetya.",
     "receiver_country": "['Global (region)', 'Ukraine']",
     "receiver_category": f"[['Critical infrastructure', '{CORPORATE}'], "
                          "['Critical infrastructure', 'Critical infrastructure', 'Critical infrastructure']]",
     "receiver_category_subcode": "[['', ''], ['Energy', 'Transportation', 'Finance']]",
     "initiator_name": f"['{SANDWORM}']",
     "attributed_initiator": f"{SANDWORM}; Unknown; GRU; Not available; "
                             f"Yuriy Sergeyevich Andrienko (Юрий Сергеевич Андриенко) --> {SANDWORM}",
     "sources_url": "['https://www.wired.com/story/petya-ransomware-ukraine/']"},
    {"ID": "1454", "name": "Lockbit Leak France", "start_date": "", "description": "LockBit leaked data.",
     "receiver_country": "['France']", "attributed_initiator": "LockBit"},
    {"ID": "60", "name": "SEA vs. Associated Press", "start_date": "4/23/2013", "description": "",
     "receiver_country": "['United States', 'Unknown']", "receiver_category": "[['Media', 'Other']]",
     "initiator_name": "['Syrian Electronic Army', 'Not available']", "attributed_initiator": "",
     "sources_url": "[]"},
]


def write_fixture(path: Path, rows=ROWS, tail: str = "") -> Path:
    """A Global Database CSV with the real header and the given rows (other cells empty)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        f.write(HEADER + "\n")
        writer = csv.DictWriter(f, fieldnames=HEADER.split(","), lineterminator="\n")
        writer.writerows(rows)
        f.write(tail)
    return path


def test_looks_like_the_header_only(tmp_path):
    path = write_fixture(tmp_path / "global.csv")
    assert looks_like(path, path.read_bytes()[:4096])
    assert not looks_like(path, b"ID,name,description,start_date\n1,a,b,2020-01-01\n")
    assert not looks_like(path, b"incident_id,date,actor\n")


def test_fixture_rows(tmp_path):
    path = write_fixture(tmp_path / "global.csv")
    bundestag, notpetya, lockbit, sea = read([path], source=None)

    assert bundestag == RawIncident(
        file="global.csv", locator="row 2", source="EuRepoC", source_id="712", namespace="eurepoc",
        occurred_on="2015-04-13",
        actors=["Fancy Bear", "GRU", "APT28", "Sofacy",
                "Group G0007 (GRU, 85th Main Special Service Center (GTsSS) Military Unit 26165)"],
        sectors=["Legislative"], countries=["Germany"], title="Bundestags Hack 2015",
        summary="Probably Russian Hackers hacked the System of the German Parliament.\nParts were destroyed.",
        source_url="https://www.heise.de/security/meldung/Bundestags-Hack-2715881.html")
    # The description above spans two lines, so the next row starts on line 4.
    assert notpetya == RawIncident(
        file="global.csv", locator="row 4", source="EuRepoC", source_id="1032", namespace="eurepoc", occurred_on="2017-06-27",
        actors=["Sandworm", "GRU", "Yuriy Sergeyevich Andrienko (Юрий Сергеевич Андриенко)", "VOODOO Bear",
                "G0034 (GRU, Main Centre for Special Technologies (GTsST) Military Unit 74455)"],
        sectors=["Critical infrastructure", CORPORATE, "Energy", "Transportation", "Finance"],
        countries=["Global (region)", "Ukraine"],
        title='Sandworm targeted Ukrainian infrastructures with "NotPetya"',
        summary="The APT Sandworm used a wiper called NotPetya.",
        source_url="https://www.wired.com/story/petya-ransomware-ukraine/")
    assert lockbit == Rejection("global.csv", "row 5", "start_date", "empty")
    assert sea == RawIncident(
        file="global.csv", locator="row 6", source="EuRepoC", source_id="60", namespace="eurepoc", occurred_on="4/23/2013",
        actors=["Syrian Electronic Army"], sectors=["Media", "Other"], countries=["United States"],
        title="SEA vs. Associated Press")


def test_given_source_and_several_files(tmp_path):
    a = write_fixture(tmp_path / "a.csv", ROWS[:1])
    b = write_fixture(tmp_path / "b.csv", ROWS[3:])
    records = list(read([a, b], source="EuRepoC 1.1"))
    assert [(r.file, r.source, r.source_id) for r in records] == [("a.csv", "EuRepoC 1.1", "712"),
                                                                   ("b.csv", "EuRepoC 1.1", "60")]


@pytest.mark.parametrize("cell, expected", [
    ("['Russia', 'Russia']", ["Russia"]),
    ("[['Media', 'Other'], ['media', '']]", ["Media", "Other"]),
    ("[['Not available'], ['Unknown']]", []),
    ("['Israel', 'Unknown'", ["['Israel', 'Unknown'"]),  # not a literal: the text as it is
    ("[__import__('os').getcwd()]", ["[__import__('os').getcwd()]"]),  # never evaluated
    ("['Unit\\xa061419 ']", ["Unit 61419"]),
    ("", []),
])
def test_list_cells(cell, expected):
    assert eurepoc._values(cell) == expected


@pytest.mark.parametrize("cell, expected", [
    ("NSA/Equation Group; NSA/Equation Group; GCHQ", ["NSA", "GCHQ", "Equation Group"]),
    ("Turla/Snake/G0010 (FSB, 16th / 18th Center)", ["Turla", "Snake", "G0010 (FSB, 16th / 18th Center)"]),
    ("APT41/BARIUM <\xa0Winnti Umbrella/G0044", ["APT41", "BARIUM", "Winnti Umbrella", "G0044"]),
    ("Amir Nickaein Ravari, aka Amir Nikaeen, aka Amir Nikayin",
     ["Amir Nickaein Ravari", "Amir Nikaeen", "Amir Nikayin"]),
    ("Ministry of Intelligence (MOIS; Iran); None", ["Ministry of Intelligence (MOIS; Iran)"]),
    ("NoName057(16)", ["NoName057(16)"]),
    ("Arid Viper/ Desert Falcon/ APT-C-23", ["Arid Viper", "Desert Falcon", "APT-C-23"]),
])
def test_attributed_initiators(cell, expected):
    assert eurepoc._actors(cell, "") == expected


def test_broken_quoting_is_unreadable(tmp_path):
    path = write_fixture(tmp_path / "broken.csv", ROWS[:1], tail='99,"Broken "quote" row,x,2020-01-01\n')
    with pytest.raises(UnreadableFile, match=r"broken\.csv: .* at line 4$"):
        list(read([path], source=None))


def test_short_row_and_bad_bytes_and_other_csv_are_unreadable(tmp_path):
    short = write_fixture(tmp_path / "short.csv", ROWS[:1], tail="99,name,description,2020-01-01\n")
    with pytest.raises(UnreadableFile, match=r"short\.csv: 4 fields instead of 81 at line 4$"):
        list(read([short], source=None))
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "\n1,Caf\xe9,d,2020-01-01\n").encode("latin-1"))
    with pytest.raises(UnreadableFile, match=r"latin\.csv: undecodable bytes .* at line 2$"):
        list(read([latin], source=None))
    other = tmp_path / "attribution.csv"
    other.write_text("ID,name,start_date\n1,x,2020-01-01\n")
    with pytest.raises(UnreadableFile, match=r"attribution\.csv: not a EuRepoC Global Database CSV"):
        list(read([other], source=None))


def test_receiver_categories_map_to_taxonomy_sectors():
    names = {name for name, _ in SECTORS}
    assert {v for v in RECEIVER_CATEGORIES.values() if v is not None} <= names


# The real release, when the shared data directory is there.
EUREPOC = Path(__file__).resolve().parents[2] / "shared" / "data" / "eurepoc"
GLOBAL_CSV = EUREPOC / "EuRepoC_Global_Database_1.1.csv"
real = pytest.mark.skipif(not GLOBAL_CSV.exists(), reason=f"EuRepoC release 1.1 not found at {GLOBAL_CSV}")


@pytest.fixture(scope="module")
def records():
    return list(read([GLOBAL_CSV], source=None))


@pytest.fixture(scope="module")
def incidents(records):
    return {r.source_id: r for r in records if isinstance(r, RawIncident)}


@real
def test_real_file_counts(records, incidents):
    assert len(records) == 1643
    rejections = [r for r in records if isinstance(r, Rejection)]
    assert Counter((r.field, r.reason) for r in rejections) == {("start_date", "empty"): 16}
    assert len(incidents) == 1627  # IDs are unique
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", r.occurred_on) for r in incidents.values())
    assert sum(1 for r in incidents.values() if r.actors) == 1180


@real
def test_real_file_is_recognised_and_its_companions_are_not():
    assert looks_like(GLOBAL_CSV, GLOBAL_CSV.read_bytes()[:4096])
    for name in ("EuRepoC_Attribution_dataset_1.1.csv", "EuRepoC_Receiver_dataset_1.1.csv"):
        path = EUREPOC / name
        if path.exists():
            assert not looks_like(path, path.read_bytes()[:4096])


@real
def test_every_receiver_category_of_the_real_file_is_mapped():
    found = set()
    with GLOBAL_CSV.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for column in ("receiver_category", "receiver_category_subcode"):
                if row[column]:
                    found.update(v for v in _flatten(ast.literal_eval(row[column])) if v)
    assert len(found) == 40
    assert found <= RECEIVER_CATEGORIES.keys()


def _flatten(value):
    if isinstance(value, list):
        for v in value:
            yield from _flatten(v)
    else:
        yield value


@real
def test_real_actor_strings_are_clean(incidents):
    for r in incidents.values():
        for actor in r.actors:
            assert actor == actor.strip() and actor.lower() not in {"unknown", "not available", "none"}
            assert not re.search(r"-->|\s<\s|^\[|^/|/$|\xa0", actor), (r.source_id, actor)


@real
def test_real_fancy_bear_bundestag_hack(incidents):
    r = incidents["712"]
    assert (r.locator, r.occurred_on, r.title) == ("row 718", "2015-04-13", "Bundestags Hack 2015")
    assert r.actors[:3] == ["Fancy Bear", "GRU", "APT28"]
    assert {"Sofacy", "STRONTIUM", "Pawn Storm"} <= set(r.actors) and len(r.actors) == 14
    assert (r.countries, r.sectors) == (["Germany"], ["Legislative"])


@real
def test_real_sandworm_incidents(incidents):
    grid = incidents["786"]
    assert (grid.title, grid.occurred_on) == ("Ukraine Power Outage 2015", "2015-12-23")
    assert grid.actors[:3] == ["Sandworm", "GRU", "VOODOO Bear"]
    assert (grid.countries, grid.sectors) == (["Ukraine"], ["Energy"])

    notpetya = incidents["1032"]
    assert notpetya.actors[:2] == ["Sandworm", "GRU"]
    assert "Anatoliy Sergeyevich Kovalev (Анатолий Сергеевич Ковалев)" in notpetya.actors
    assert notpetya.countries == ["Global (region)", "Ukraine"]
    assert notpetya.sectors == ["Critical infrastructure", CORPORATE, "Energy", "Transportation", "Finance"]
    assert [RECEIVER_CATEGORIES[s] for s in notpetya.sectors] == [None, None, "energy", "transportation", "finance"]
