"""Actor names as analysts write them: one resolver, every rule named, the whole directory as the reference."""
import pytest

from threatscape.resolver import UNATTRIBUTED, Decision, Resolver, read_decisions, reference


@pytest.fixture(scope="module")
def r() -> Resolver:
    return Resolver.reference()


@pytest.mark.parametrize("name, actor, rule", [
    ("Kimsuky", "Kimsuky", "exact"),
    ("thallium", "Kimsuky", "exact"),
    ("APT 28", "APT28", "exact"),
    ("Shuckworm", "Gamaredon Group", "exact"),
    ("G0047", "Gamaredon Group", "exact"),                  # an ATT&CK id
    ("Armageddon", "Gamaredon Group", "exact"),              # an alias only ATT&CK gives
    ("Gamaredon", "Gamaredon Group", "affix"),               # the galaxy's name without 'Group'
    ("Lazarus", "Lazarus Group", "affix"),
    ("The Lazarus Group", "Lazarus Group", "affix"),
    ("Sandworm Team", "Sandworm", "exact"),
    ("APT 28 Group", "APT28", "affix"),
    ("Kimsuky New", "Kimsuky", "affix"),                     # a vendor's trailing qualifier
    ("Operation Stolen Pencil", "Kimsuky", "exact"),
    ("Fancy Bear (APT28)", "APT28", "compound"),
    ("Turla, Snake", "Turla", "compound"),
    ("Lazarus group (North Korea)", "Lazarus Group", "compound"),
    ("Believed to be the work of APT 28", "APT28", "mention"),
    ("Unknown (possibly APT28)", "APT28", "mention"),
    ("suspected Kimsuky operators", "Kimsuky", "mention"),
])
def test_names_resolve_by_a_named_rule(r, name, actor, rule):
    found = r.resolve(name)
    assert (found.status, found.name, found.rule) == ("resolved", actor, rule)
    assert found.match.endswith(f"[{rule}]")  # what incident.actor_match stores, to audit it


@pytest.mark.parametrize("name", ["?", "-", "", "null", "N/A", "none", "Unknown", "unattributed",
                                  "Multiple threat actors", "  unknown  "])
def test_placeholders_are_not_actors(r, name):
    found = r.resolve(name)
    assert (found.status, found.name, found.actor) == ("unattributed", UNATTRIBUTED, None)


def test_parts_that_name_different_actors_are_ambiguous_not_merged(r):
    found = r.resolve("APT28 / Lazarus")
    assert found.status == "ambiguous"
    assert set(found.candidates) == {"APT28", "Lazarus Group"}


def test_a_typo_is_suggested_never_merged(r):
    found = r.resolve("Kimusky")
    assert found.status == "unresolved" and found.name == "Kimusky"
    assert "Kimsuky" in r.suggest("Kimusky")


def test_words_and_countries_are_not_actors(r):
    for text in ("North Korea", "Iran", "Iranian Cyber Army", "Cuba Ransomware"):
        assert r.resolve(text).status == "unresolved", text  # kept as reported, for an analyst to review


@pytest.mark.parametrize("text", ["Chinese state hackers", "Iranian hackers", "Chinese APT", "Pro-Russian hackers",
                                  "Unknown (likely China)", "Possibly Russia", "Multiple hacktivist groups",
                                  "Suspected state-sponsored actors", "Group", "The Group"])
def test_a_kind_of_attacker_is_no_actor(r, text):
    found = r.resolve(text)
    assert (found.status, found.rule) == ("unattributed", "generic")


def test_the_directory_holds_the_galaxy_and_attack_with_provenance_and_disagreements():
    version, actors = reference()
    by_name = {a.name: a for a in actors}
    assert "misp-galaxy threat-actor" in version and "MITRE ATT&CK" in version
    assert len(actors) > 864  # every galaxy actor, plus ATT&CK groups the galaxy does not have
    gamaredon = by_name["Gamaredon Group"]
    assert gamaredon.attack_id == "G0047"
    sources = {s.split(" ")[0] for _, s in gamaredon.aliases}
    assert {"misp-galaxy", "MITRE"} <= sources
    # ATT&CK lists APT43 as Kimsuky's; the galaxy has APT43 as an actor of its own: said, not guessed
    assert any("APT43" in n for n in by_name["Kimsuky"].notes + by_name["APT43"].notes)
    assert Resolver.reference().resolve("APT43").name == "APT43"  # a canonical name wins


def test_team_decisions_map_mark_and_create(r):
    local = Resolver.reference([Decision("Kimusky", "map", "Thallium", "typo"),
                                Decision("Hackers", "placeholder"),
                                Decision("Crew 7", "new", "Crew Seven")])
    assert (local.resolve("Kimusky").name, local.resolve("Kimusky").rule) == ("Kimsuky", "local")
    assert local.resolve("hackers").status == "unattributed"
    assert (local.resolve("crew 7").name, local.resolve("Crew Seven").name) == ("Crew Seven", "Crew Seven")
    assert local.version != r.version  # snapshots record that the map changed
    with pytest.raises(ValueError, match="not one known actor"):
        Resolver.reference([Decision("X", "map", "No Such Actor")])


def test_an_aliases_file_names_its_bad_line(tmp_path):
    good = tmp_path / "aliases.csv"
    good.write_text("name,decision,actor,reason\nKimusky,map,Kimsuky,typo\n?,placeholder,,\n", encoding="utf-8")
    assert [d.decision for d in read_decisions(good)] == ["map", "placeholder"]
    bad = tmp_path / "bad.csv"
    bad.write_text("name,decision,actor\nKimusky,map,Kimsuky\nFoo,merge,Bar\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.csv: line 3: decision 'merge'"):
        read_decisions(bad)


@pytest.mark.parametrize("name, actor", [
    ("APT Patchwork", "QUILTED TIGER"), ("Tunisian Fallaga Team", "Rebel Jackal"),
    ("Belarusian Cyber-Partisans", "Cyber Partisans"), ("Gaza Cybergang 3", "Molerats"),
])
def test_an_alias_beside_generic_words_or_a_nationality_is_a_mention(r, name, actor):
    assert (r.resolve(name).status, r.resolve(name).name) == ("resolved", actor)


def test_an_alias_inside_another_groups_name_is_not_a_mention(r):
    assert r.resolve("Praying Mantis").status == "unresolved"  # TG1021, not the 'Mantis' of AridViper
