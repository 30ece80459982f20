"""Values and vocabularies as sources write them: confidence words and fractions, TLP spellings, cells holding
several sectors or countries, ISIC/NACE sections, a team's own sector crosswalk, countries named in free text.
Each fixture is a small CSV as a feed or a spreadsheet export writes it, ingested the way a user ingests it."""
import csv
import io
import json

import duckdb
import pytest

from threatscape import countries, taxonomy
from threatscape.cli import main
from threatscape.ingest import run
from threatscape.ingest.model import UnreadableFile
from threatscape.ingest.run import ingest

HEADER = ["incident_id", "occurred_on", "actor", "sectors", "victim_country", "title", "confidence", "tlp"]


def write_csv(path, rows, header=HEADER):
    """A CSV as the csv module (and Excel) writes it: quoted where a cell holds a comma, quote or line break."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def stored(db) -> dict[str, dict]:
    """Each stored incident by its title: what the dashboard and an export show of it."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute("SELECT title, confidence, tlp, sector_mask, victim_country FROM incident")
        names = [d[0] for d in cur.description]
        return {r[0]: dict(zip(names, r)) for r in cur.fetchall()}
    finally:
        con.close()


def both_paths(tmp_path, paths, name, **options):
    """(report JSON, stored incidents) of the column-wise ingest and of the record-by-record one."""
    out = []
    for columnar in (True, False):
        with pytest.MonkeyPatch.context() as m:
            if not columnar:
                m.setattr(run, "COLUMNAR", set())
            db = tmp_path / f"{name}-{'columns' if columnar else 'rows'}.duckdb"
            report = ingest(paths, db, **options)
            j = report.to_json()
            for k in ("seconds", "database"):
                j.pop(k)
            out.append((json.dumps(j, default=str), stored(db)))
    return out


def sectors_of(row) -> list[str]:
    return taxonomy.names_of(row["sector_mask"])


# --- confidence ---------------------------------------------------------------------------------------------

CONFIDENCES = [
    # as written, stored
    ("high", 85), ("Medium", 50), ("Low", 15), ("None", 0),
    ("85%", 85), ("85 %", 85), ("0.8", 80), ("1.0", 100), ("1", 1), ("85", 85), ("0", 0), ("100", 100),
    ("2 - Probably true", 70), ("1 - Confirmed by other sources", 90), ("Doubtful", 30),
    ("6 - Truth cannot be judged", None),
    ("Almost certain", 90), ("Highly Unlikely", 10), ("roughly even chance", 50), ("Very likely", 85),
    ("Impossible", 0), ("Certain", 100),
    ("confidence-in-analytic-judgment:moderate", 50),
    ('estimative-language:confidence-in-analytic-judgment="high"', 85),
    ('estimative-language:likelihood-probability="almost-certain"', 95),
    ("garbage", None), ("150", None), ("-5", None), ("high-ish", None),
]
UNREADABLE = {"garbage", "150", "-5", "high-ish"}


@pytest.fixture(scope="module")
def confidence_ingest(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("confidence")
    feed = write_csv(tmp / "feed.csv", [[str(i), "2023-05-01", "APT28", "government", "DE", f"c{i}", value, ""]
                                        for i, (value, _) in enumerate(CONFIDENCES)])
    return both_paths(tmp, [feed], "confidence")


@pytest.mark.parametrize("i, written, expected", [(i, w, e) for i, (w, e) in enumerate(CONFIDENCES)])
def test_confidence_is_read_as_sources_write_it(confidence_ingest, i, written, expected):
    (told, incidents), _ = confidence_ingest
    assert incidents[f"c{i}"]["confidence"] == expected  # stored, never rejected
    assert (written in json.loads(told)["unreadable_confidence"]) == (written in UNREADABLE)


def test_an_unreadable_confidence_is_kept_empty_and_counted_once_per_record(confidence_ingest):
    (told, incidents), rows_path = confidence_ingest
    j = json.loads(told)
    assert j["rejected"] == 0 and j["added"] == len(CONFIDENCES)
    assert j["unreadable_confidence"] == {w: 1 for w in ("garbage", "150", "-5", "high-ish")}
    assert (told, incidents) == rows_path  # the column-wise path stores and counts what the row path does


# --- TLP ----------------------------------------------------------------------------------------------------

TLPS = [
    ("TLP:AMBER", "AMBER"), ("tlp:amber", "AMBER"), ("amber", "AMBER"), ("TLP-AMBER", "AMBER"),
    ("TLP AMBER", "AMBER"), ("AMBER STRICT", "AMBER+STRICT"), ("amber+strict", "AMBER+STRICT"),
    ("TLP:AMBER+STRICT", "AMBER+STRICT"), ("white", "CLEAR"), ("TLP:WHITE", "CLEAR"), ("clear", "CLEAR"),
    ("TLP_RED", "RED"), ("TLP: RED", "RED"), ("Green", "GREEN"), ("", "AMBER"),  # none: the CSV default
    ("PURPLE", "RED"), ("TLP:EX:CHR", "RED"),  # unreadable: the most restrictive, never a lower level
]


@pytest.fixture(scope="module")
def tlp_ingest(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tlp")
    feed = write_csv(tmp / "feed.csv", [[str(i), "2023-05-01", "Sandworm", "energy", "UA", f"t{i}", "", value]
                                        for i, (value, _) in enumerate(TLPS)])
    return both_paths(tmp, [feed], "tlp")


@pytest.mark.parametrize("i, written, expected", [(i, w, e) for i, (w, e) in enumerate(TLPS)])
def test_tlp_markings_are_read_in_every_common_spelling(tlp_ingest, i, written, expected):
    (_, incidents), _ = tlp_ingest
    assert incidents[f"t{i}"]["tlp"] == expected


def test_an_unreadable_tlp_is_stored_as_red_and_counted(tlp_ingest):
    (told, incidents), rows_path = tlp_ingest
    j = json.loads(told)
    assert j["rejected"] == 0 and j["unreadable_tlp"] == {"PURPLE": 1, "TLP:EX:CHR": 1}
    assert (told, incidents) == rows_path


@pytest.mark.parametrize("spelling, expected", [("amber", "AMBER"), ("tlp:green", "GREEN"), ("TLP_RED", "RED")])
def test_the_command_line_takes_the_same_spellings(fixture_path, tmp_path, capsys, spelling, expected):
    # Every fixture incident is GREEN: a filter on GREEN exports them all, any other none.
    assert main(["export", "--db", str(fixture_path), "--tlp", spelling, "--out", str(tmp_path), "--name", "x"]) == 0
    with open(tmp_path / "x.csv", encoding="utf-8") as f:
        exported = list(csv.DictReader(f))
    assert len(exported) == (10 if expected == "GREEN" else 0)


def test_an_unknown_tlp_on_the_command_line_is_one_clear_error(fixture_path, tmp_path, capsys):
    for command in (["export", "--db", str(fixture_path), "--out", str(tmp_path)], ["ingest", str(tmp_path)]):
        with pytest.raises(SystemExit) as exit_:
            main(command + ["--tlp", "purple"])
        assert exit_.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert "argument --tlp: not a TLP marking: 'purple'" in err[-1] and "Traceback" not in "".join(err)


def test_ingest_tlp_default_takes_any_spelling(tmp_path):
    feed = write_csv(tmp_path / "feed.csv", [["1", "2023-05-01", "APT28", "", "", "no marking", "", ""]])
    assert main(["ingest", str(feed), "--db", str(tmp_path / "db.duckdb"), "--tlp", "tlp:amber+strict"]) == 0
    assert stored(tmp_path / "db.duckdb")["no marking"]["tlp"] == "AMBER+STRICT"


# --- cells holding several values ---------------------------------------------------------------------------

SPLITS = [
    # sectors cell, victim country cell, title, (sectors stored), country stored
    ("Government, Private sector", "Korea, Republic of", "s1", ["government"], "KR"),
    ("Energy; Finance", "Germany; France", "s2", ["energy", "finance"], "DE"),
    ("Telecommunications|Media", "Iran, Islamic Republic of", "s3", ["telecommunications", "media"], "IR"),
    ("Energy/Oil", "Congo, The Democratic Republic of the", "s4", ["energy", "oil and gas"], "CD"),
    ("Healthcare\nEducation", "UK", "s5", ["healthcare", "education and research"], "GB"),
    ("Government, Administration", "Japan", "s6", ["government"], "JP"),  # a MISP sector with a comma
    ("Electricity, gas, steam and air conditioning supply; Public administration and defence; compulsory "
     "social security", "Ukraine", "s7", ["government", "energy"], "UA"),  # ISIC sections, joined back
]


def test_multi_valued_cells_are_split_and_names_with_separators_still_match(tmp_path):
    feed = write_csv(tmp_path / "feed.csv", [[str(i), "2023-05-01", "Kimsuky", s, c, t, "", ""]
                                             for i, (s, c, t, _, _) in enumerate(SPLITS)])
    (told, incidents), rows_path = both_paths(tmp_path, [feed], "split")
    for _, _, title, sectors, country in SPLITS:
        assert sorted(sectors_of(incidents[title])) == sorted(sectors), title
        assert incidents[title]["victim_country"] == country, title
    j = json.loads(told)
    assert j["unmapped_sectors"] == {} and j["unmapped_countries"] == {}
    assert j["incidents_with_several_victim_countries"] == 1  # Germany; France
    assert (told, incidents) == rows_path


def test_split_option_changes_the_separators_of_one_column(tmp_path):
    feed = write_csv(tmp_path / "feed.csv", [["1", "2023-05-01", "APT28", "Finance, Energy; Media", "Germany, France",
                                              "commas kept", "", ""]])
    db = tmp_path / "db.duckdb"
    assert main(["ingest", str(feed), "--db", str(db), "--split", "sectors=;", "--report",
                 str(tmp_path / "r.json")]) == 0
    j = json.loads((tmp_path / "r.json").read_text())
    row = stored(db)["commas kept"]
    assert sectors_of(row) == ["media"] and j["unmapped_sectors"] == {"Finance, Energy": 1}
    assert row["victim_country"] == "DE"  # countries keep the default separators
    assert main(["ingest", str(feed), "--db", str(db), "--split", "region=;"]) == 2


# --- vocabularies -------------------------------------------------------------------------------------------

ISIC = [
    ("Human health and social work activities", "healthcare"), ("Human health and social work", "healthcare"),
    ("Public administration and defence; compulsory social security", "government"),
    ("Financial and insurance activities", "finance"), ("Information and communication", "technology"),
    ("Electricity, gas, steam and air conditioning supply", "energy"), ("Education", "education and research"),
    ("Mining and quarrying", "energy"), ("Manufacturing", "manufacturing"),
    ("Transportation and storage", "transportation"), ("H - Transporting and storage", "transportation"),
    ("K - Financial and Insurance Activities", "finance"),  # as the misp-galaxy sector cluster writes them
    ("Section Q: Human health and social work activities", "healthcare"),
    ("Arts, entertainment and recreation", "media"),
    ("Accommodation and food service activities", "retail and hospitality"),
    ("Activities of extraterritorial organizations and bodies", "diplomacy"),
    ("Telecommunication, computer programming, consulting, computing infrastructure and other information "
     "service activities", "technology"),  # NACE Rev.2.1 section K
]


@pytest.fixture(scope="module")
def isic_ingest(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("isic")
    unmapped = ["Agriculture, forestry and fishing", "A - Agriculture, forestry and fishing", "Construction",
                "Water supply; sewerage, waste management and remediation activities"]
    rows = [[str(i), "2023-05-01", "Turla", name, "FR", f"n{i}", "", ""] for i, (name, _) in enumerate(ISIC)]
    rows += [[f"u{i}", "2023-05-01", "Turla", name, "FR", f"u{i}", "", ""] for i, name in enumerate(unmapped)]
    feed = write_csv(tmp / "feed.csv", rows)
    return both_paths(tmp, [feed], "isic"), unmapped


@pytest.mark.parametrize("i, name, sector", [(i, n, s) for i, (n, s) in enumerate(ISIC)])
def test_isic_and_nace_sections_map_to_sectors(isic_ingest, i, name, sector):
    ((_, incidents), _), _ = isic_ingest
    assert sectors_of(incidents[f"n{i}"]) == [sector]


def test_sections_without_a_sector_are_counted_whole_and_never_mapped_to_another(isic_ingest):
    ((told, incidents), rows_path), unmapped = isic_ingest
    assert json.loads(told)["unmapped_sectors"] == {name: 1 for name in unmapped}
    assert all(incidents[f"u{i}"]["sector_mask"] == 0 for i in range(len(unmapped)))  # not retail, not energy
    assert (told, incidents) == rows_path


def test_every_section_of_the_misp_galaxy_nace_cluster_is_known():
    from pymispgalaxies import Cluster

    sections = [(v.value, v.meta.additional_properties["Alternative Label"]) for v in Cluster("nace").values()
                if len(v.value) == 1]
    assert len(sections) >= 21
    for letter, name in sections:
        assert taxonomy.is_term(name) and taxonomy.is_term(f"{letter} - {name}"), name


# NAICS sectors as US incident data writes them (the CISSM Cyber Attacks Database's 'industry' column)
NAICS = [
    ("Public Administration", "government"), ("Transportation and Warehousing", "transportation"),
    ("Health Care and Social Assistance", "healthcare"), ("Finance and Insurance", "finance"),
    ("Educational Services", "education and research"), ("Information", "technology"),
    ("Arts, Entertainment, and Recreation", "media"), ("Accommodation and Food Services", "retail and hospitality"),
    ("Mining, Quarrying, and Oil and Gas Extraction", "energy"), ("Utilities", "energy"),
    ("Retail Trade", "retail and hospitality"), ("92 Public Administration", "government"),
]
NAICS_UNMAPPED = ["Professional, Scientific, and Technical Services", "Other Services (except Public Administration)",
                  "Administrative and Support and Waste Management and Remediation Services"]


def test_naics_sectors_map_whole_and_those_without_a_sector_are_counted_unmapped(tmp_path):
    rows = [[f"n{i}", "2023-05-01", "Turla", name, "US", f"n{i}", "", ""] for i, (name, _) in enumerate(NAICS)]
    rows += [[f"u{i}", "2023-05-01", "Turla", name, "US", f"u{i}", "", ""] for i, name in enumerate(NAICS_UNMAPPED)]
    (told, incidents), rows_path = both_paths(tmp_path, [write_csv(tmp_path / "naics.csv", rows)], "naics")
    for i, (name, sector) in enumerate(NAICS):
        assert sectors_of(incidents[f"n{i}"]) == [sector], name  # one sector, its commas not splitting it
    assert json.loads(told)["unmapped_sectors"] == {name: 1 for name in NAICS_UNMAPPED}
    assert all(incidents[f"u{i}"]["sector_mask"] == 0 for i in range(len(NAICS_UNMAPPED)))
    assert (told, incidents) == rows_path


def test_a_sponsor_state_a_source_could_not_determine_is_no_sponsor_and_not_an_unmapped_place(tmp_path):
    feed = tmp_path / "sponsors.csv"
    write_csv(feed, [["s1", "2023-01-05", "Killnet", "government", "BE", "One", "Russian Federation"],
                     ["s2", "2023-01-09", "Undetermined", "government", "US", "Two", "Undetermined"],
                     ["s3", "2023-02-01", "Lockbit", "finance", "GB", "Three", "Not attributed"],
                     ["s4", "2023-02-02", "Lockbit", "finance", "GB", "Four", "Atlantis"]],
              header=["incident_id", "occurred_on", "actor", "sectors", "victim_country", "title", "sponsor"])
    report = ingest([feed], tmp_path / "s.duckdb")
    assert report.to_json()["unmapped_sponsors"] == {"Atlantis": 1}
    with duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True) as con:
        got = dict(con.execute("SELECT title, sponsor_as_reported FROM incident").fetchall())
    assert got == {"One": "RU", "Two": None, "Three": None, "Four": None}


def test_doubtful_crosswalk_entries_are_unmapped_rather_than_wrong():
    for term in ("agriculture", "Food and Agriculture", "water", "construction", "lawyers"):
        with pytest.raises(KeyError):
            taxonomy.crosswalk(term)
    assert taxonomy.crosswalk("utilities") == "energy" and taxonomy.crosswalk("infrastructure") is None


# --- a team's own sector crosswalk --------------------------------------------------------------------------

def test_a_teams_sector_file_extends_and_overrides_the_crosswalk(tmp_path):
    terms = write_csv(tmp_path / "our-sectors.csv", [
        ["Fintech", "finance"], ["Oil, gas and mining", "energy"], ["Consulting", "IT services"],
        ["Agriculture", ""],  # not a sector: no longer counted as unmapped
    ], header=["term", "sector"])
    feed = write_csv(tmp_path / "feed.csv", [
        ["1", "2023-05-01", "Lazarus Group", "fintech; Oil, gas and mining", "KR", "ours", "", ""],
        ["2", "2023-05-02", "Lazarus Group", "Consulting, Agriculture, basket weaving", "KR", "more", "", ""],
    ])
    (told, incidents), rows_path = both_paths(tmp_path, [feed], "team", sectors_file=terms)
    assert sectors_of(incidents["ours"]) == ["energy", "finance"]
    assert sectors_of(incidents["more"]) == ["IT services"]
    assert json.loads(told)["unmapped_sectors"] == {"basket weaving": 1}
    assert (told, incidents) == rows_path


@pytest.mark.parametrize("content, where", [
    ("term,sector\nFintech,finance\nFarming,agri\n", "line 3, field sector"),
    ("term,sector\nFintech,finance\n,energy\n", "line 3, field term"),
    ("term,sector\nFintech,finance,extra\n", "line 2"),
    ("name,sector\nFintech,finance\n", "line 1"),
])
def test_a_bad_line_in_the_sector_file_is_one_error_naming_it(tmp_path, capsys, content, where):
    terms = tmp_path / "our-sectors.csv"
    terms.write_text(content, encoding="utf-8")
    feed = write_csv(tmp_path / "feed.csv", [["1", "2023-05-01", "APT28", "Fintech", "KR", "x", "", ""]])
    with pytest.raises(UnreadableFile, match=where):
        ingest([feed], tmp_path / "db.duckdb", sectors_file=terms)
    assert main(["ingest", str(feed), "--db", str(tmp_path / "db.duckdb"), "--sectors", str(terms)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(terms) in err and where in err
    assert not (tmp_path / "db.duckdb").exists()


# --- victim countries named in free text --------------------------------------------------------------------

@pytest.mark.parametrize("text, code", [
    ("Victims: Ministry of Defence of Ukraine", "UA"),
    ("Government of South Korea", "KR"),
    ("North Korea's foreign ministry", "KP"),
    ("UK Parliament", "GB"),
    ("Embassy of the United States in Russia", None),  # two countries: none chosen
    ("South China Sea (region)", None),                # a sea named after a country is not that country
    ("Global (region)", None),
    ("us and them", None),                             # 'us' the word, not US
])
def test_a_country_named_in_free_text_is_found_only_when_it_is_the_only_one(text, code):
    assert countries.named_in(text) == code


def test_free_text_country_cells_are_stored_or_counted(tmp_path):
    feed = write_csv(tmp_path / "feed.csv", [
        ["1", "2023-05-01", "Gamaredon Group", "government", "Victims: Ministry of Defence of Ukraine", "mod", "", ""],
        ["2", "2023-05-02", "APT29", "diplomacy", "Embassy of the United States in Russia", "embassy", "", ""],
    ])
    (told, incidents), rows_path = both_paths(tmp_path, [feed], "text")
    assert incidents["mod"]["victim_country"] == "UA" and incidents["embassy"]["victim_country"] is None
    assert json.loads(told)["unmapped_countries"] == {"Embassy of the United States in Russia": 1}
    assert (told, incidents) == rows_path


# --- end to end ---------------------------------------------------------------------------------------------

def test_a_feed_with_word_confidences_loses_no_record(tmp_path):
    """Eight records of a TIP export whose confidence column holds words: all stored with the scale's numbers
    (before, every one was rejected), the same on both paths."""
    text = (
        "incident_id,occurred_on,actor,sectors,victim_country,title,confidence,tlp\n"
        "INC-101,2023-02-01,APT28,\"Government, Defence\",Germany,Phishing of the Bundestag,High,TLP:AMBER\n"
        "INC-102,2023-02-03,Sandworm,Energy,Ukraine,Grid outage,Medium,tlp:red\n"
        "INC-103,2023-02-07,Kimsuky,Think tanks,\"Korea, Republic of\",Lure documents,Low,TLP:GREEN\n"
        "INC-104,2023-02-11,Lazarus Group,Cryptocurrency,Japan,Exchange theft,2 - Probably True,amber\n"
        "INC-105,2023-02-13,Turla,Diplomacy,France,Embassy implant,Almost Certain,TLP:AMBER+STRICT\n"
        "INC-106,2023-02-17,MuddyWater,Telecommunications,Israel,Carrier intrusion,Unlikely,TLP:CLEAR\n"
        "INC-107,2023-02-19,APT29,\"Financial and insurance activities\",United Kingdom,Cloud tenant,0.75,white\n"
        "INC-108,2023-02-23,Gamaredon Group,Government,Ukraine,Spear-phishing wave,"
        "\"estimative-language:confidence-in-analytic-judgment=\"\"moderate\"\"\",TLP:AMBER\n"
    )
    feed = tmp_path / "tip-export.csv"
    feed.write_text(text, encoding="utf-8")
    assert len(list(csv.reader(io.StringIO(text)))) == 9
    (told, incidents), rows_path = both_paths(tmp_path, [feed], "words")
    j = json.loads(told)
    assert (j["read"], j["added"], j["rejected"]) == (8, 8, 0)
    assert {t: r["confidence"] for t, r in incidents.items()} == {
        "Phishing of the Bundestag": 85, "Grid outage": 50, "Lure documents": 15, "Exchange theft": 70,
        "Embassy implant": 90, "Carrier intrusion": 30, "Cloud tenant": 75, "Spear-phishing wave": 50}
    assert {t: r["tlp"] for t, r in incidents.items()}["Embassy implant"] == "AMBER+STRICT"
    assert sectors_of(incidents["Phishing of the Bundestag"]) == ["government", "defence"]
    assert incidents["Lure documents"]["victim_country"] == "KR"
    assert j["unreadable_confidence"] == {} and j["unreadable_tlp"] == {}
    assert (told, incidents) == rows_path
