"""What changed: the numbers (queries/changes_*.sql on the hand-made fixture) and the words (threatscape/changes.py on
constructed numbers, one test per kind of change)."""
import datetime as dt

import pandas as pd
import pytest

from threatscape import changes, data
from threatscape.filters import Filters

D = dt.date
F = Filters(since=D(2026, 1, 1), until=D(2026, 6, 30))
PREV = F.previous_period()  # Jul-Dec 2025


def counts(*rows):
    return pd.DataFrame(rows, columns=["kind", "name", "now_count", "then_count"])


def test_a_small_count_never_moves_and_a_percentage_needs_an_earlier_count_of_the_floor():
    said = changes.movers(counts(("actor", "Tiny", 3, 1), ("actor", "Small", 6, 2), ("actor", "Big", 20, 10),
                                 ("actor", "Steady", 9, 9)), F, PREV)
    assert [c.text for c in said] == [
        "Big: 20 incidents, up from 10 (+100%).",  # the largest rise first
        "Small: 6 incidents, up from 2.",  # no "+200%" from 2
    ]
    assert [c.filters.actors for c in said] == [("Big",), ("Small",)]
    assert all(c.filters.since == F.since for c in said)


def test_falls_name_sectors_and_countries_in_words_and_a_fall_to_nothing_opens_the_earlier_incidents():
    said = changes.movers(counts(("sector", "energy", 4, 12), ("country", "KR", 0, 7), ("actor", "Gone", 0, 3)), F,
                          PREV)
    assert [(c.kind, c.text) for c in said] == [
        ("fall", "Energy was hit in 4 incidents, down from 12 (-67%)."),
        ("fall", "Victims in South Korea: 0 incidents, down from 7 (-100%)."),
    ]
    energy, korea = said
    assert energy.filters.sectors == ("energy",) and energy.filters.since == F.since
    assert korea.filters.countries == ("KR",) and (korea.filters.since, korea.filters.until) == (PREV.since, PREV.until)


def test_an_emerging_pair_is_an_active_actor_in_a_new_sector_or_country_with_at_least_two_incidents():
    pairs = pd.DataFrame([("sector", "Kimsuky", "energy", 31, True), ("country", "Kimsuky", "UA", 2, True),
                          ("sector", "Newcomer", "finance", 40, False), ("sector", "Kimsuky", "finance", 1, True)],
                         columns=["kind", "actor", "target", "now_count", "actor_before"])
    said = changes.emerging(pairs, F)
    assert [c.text for c in said] == [
        "Kimsuky hit energy 31 times; it had not in the twelve months before.",
        "Kimsuky hit victims in Ukraine twice; it had not in the twelve months before.",
    ]
    assert (said[0].filters.actors, said[0].filters.sectors) == (("Kimsuky",), ("energy",))
    assert (said[1].filters.actors, said[1].filters.countries) == (("Kimsuky",), ("UA",))


def test_new_actors_and_actors_gone_quiet_with_the_floor_on_quiet_ones():
    found = pd.DataFrame([("new", "Fresh", 3, pd.Timestamp("2026-02-01")),
                          ("quiet", "Sleeper", 12, pd.Timestamp("2025-11-01")),
                          ("quiet", "Blip", 2, pd.Timestamp("2025-08-01"))], columns=["kind", "actor", "count", "month"])
    said = changes.actors(found, F, PREV)
    assert [c.text for c in said] == [
        "Fresh appears for the first time: 3 incidents, the first in Feb 2026.",
        "Sleeper has gone quiet: no incidents, after 12 incidents in Jul–Dec 2025 (the last in Nov 2025).",
    ]
    assert said[1].filters.since == PREV.since and said[1].filters.actors == ("Sleeper",)


def test_the_campaign_peak_names_its_period_and_opens_it():
    concurrency = pd.DataFrame({"period": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]),
                                "peak_campaigns": [4, 9, 9], "active_campaigns": [5, 10, 11]})
    (said,) = changes.peak(concurrency, F, "month")
    assert said.text == "At most 9 campaigns ran at the same time, in Feb 2026."  # the first of equal peaks
    assert (said.filters.since, said.filters.until) == (D(2026, 2, 1), D(2026, 2, 28))


def test_the_same_numbers_in_any_order_give_the_same_words():
    rows = [("actor", n, 10 + i, i) for i, n in enumerate("ABCDEFG")] + [("actor", "Tie1", 9, 4), ("actor", "Tie0", 9, 4)]
    shuffled = list(reversed(rows))
    assert [c.text for c in changes.movers(counts(*rows), F, PREV)] == \
        [c.text for c in changes.movers(counts(*shuffled), F, PREV)]


def test_the_numbers_on_the_fixture_are_the_ones_worked_out_by_hand(store):
    """H1 2023 against H2 2022 on tests/fixture_db.py: Kimsuky 4 incidents then 1 (i10); Gamaredon Group and
    MuddyWater are new; Unknown Crew (i09) has gone quiet; Kimsuky hit energy (i01, i02: oil and gas counts as energy)
    and victims in South Korea (i01-i03) for the first time in twelve months, but not software (i10)."""
    f = Filters(since=D(2023, 1, 1), until=D(2023, 6, 30))
    numbers = data.what_changed(store, f)
    by_name = numbers["counts"].set_index(["kind", "name"])
    assert by_name.loc[("actor", "Kimsuky")].tolist() == [4, 1]
    assert by_name.loc[("actor", "Unknown Crew")].tolist() == [0, 1]
    assert by_name.loc[("sector", "energy")].tolist() == [4, 0]  # i01, i02, i06, i07 (once each)
    found = {(r.kind, r.actor): (r.count, pd.Timestamp(r.month).date()) for r in numbers["actors"].itertuples()}
    assert found == {("new", "Gamaredon Group"): (2, D(2023, 2, 1)), ("new", "MuddyWater"): (2, D(2023, 1, 1)),
                     ("quiet", "Unknown Crew"): (1, D(2022, 12, 1))}
    pairs = {(r.kind, r.actor, r.target): (r.now_count, r.actor_before) for r in numbers["pairs"].itertuples()}
    assert pairs[("sector", "Kimsuky", "energy")] == (2, True)
    assert pairs[("country", "Kimsuky", "KR")] == (3, True)
    assert ("sector", "Kimsuky", "software") not in pairs
    assert pairs[("sector", "Gamaredon Group", "government")] == (1, False)


def test_the_first_lines_tell_of_every_kind_of_change():
    """The overview shows the first few sentences: the largest change of each kind comes before any second one."""
    numbers = {
        "counts": counts(("actor", "Up1", 30, 10), ("actor", "Up2", 20, 10), ("actor", "Down1", 5, 25),
                         ("sector", "energy", 40, 20), ("country", "KR", 9, 30)),
        "pairs": pd.DataFrame([("sector", "Up1", "finance", 6, True)],
                              columns=["kind", "actor", "target", "now_count", "actor_before"]),
        "actors": pd.DataFrame([("new", "Fresh", 3, pd.Timestamp("2026-02-01"))],
                               columns=["kind", "actor", "count", "month"]),
    }
    concurrency = pd.DataFrame({"period": pd.to_datetime(["2026-01-01"]), "peak_campaigns": [4],
                                "active_campaigns": [5]})
    said = changes.sentences(numbers, concurrency, F, PREV, "month")
    assert [(c.kind, c.about) for c in said] == [
        ("rise", "actor"), ("fall", "actor"), ("rise", "sector"), ("fall", "country"), ("pair", ""), ("new", ""),
        ("peak", ""), ("rise", "actor")]
    assert said[0].text.startswith("Up1:") and said[-1].text.startswith("Up2:")
    assert said == changes.sentences(numbers, concurrency, F, PREV, "month")  # the same numbers, the same words
