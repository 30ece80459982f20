"""Every overview query against the hand-made fixture (tests/fixture_db.py), answers worked out by hand."""
import datetime as dt

import pytest

from threatscape import data
from threatscape.filters import Filters, View

H1 = Filters(since=dt.date(2023, 1, 1), until=dt.date(2023, 6, 30))


def rows(df, *cols):
    return [tuple(r) for r in df[list(cols)].itertuples(index=False)]


def test_kpis_count_distinct_incidents_and_compare_with_the_previous_period(store):
    k = data.kpis(store, H1)
    # i01-i08; actors Kimsuky, Gamaredon, MuddyWater; 7 sectors; KR US UA TR; all four campaigns overlap H1
    assert {key: int(k[key]) for key in ("incidents", "actors", "sectors", "countries", "campaigns")} == \
        {"incidents": 8, "actors": 3, "sectors": 7, "countries": 4, "campaigns": 4}
    # previous 181 days (2022-07-04..2022-12-31): i09, i10; C-Alpha started 2022-11-11
    assert {key: int(k["prev_" + key]) for key in ("incidents", "actors", "sectors", "countries", "campaigns")} == \
        {"incidents": 2, "actors": 2, "sectors": 2, "countries": 2, "campaigns": 1}


def test_heatmap_counts_an_incident_once_per_top_level_sector(store):
    df = data.actor_sector(store, H1, View(level="top", top=10))
    # i04 hit government and diplomacy: one government incident; i01 + i02 are two energy incidents
    assert rows(df, "actor", "sector", "incident_count") == [
        ("Kimsuky", "government", 2), ("Kimsuky", "technology", 1), ("Kimsuky", "energy", 2),
        ("Gamaredon Group", "government", 1), ("Gamaredon Group", "energy", 1),
        ("MuddyWater", "government", 1), ("MuddyWater", "technology", 1),
        ("MuddyWater", "telecommunications", 1), ("MuddyWater", "energy", 1),
    ]
    assert dict(rows(df.drop_duplicates("actor"), "actor", "actor_incidents")) == \
        {"Kimsuky": 4, "Gamaredon Group": 2, "MuddyWater": 2}


def test_heatmap_detail_level_and_sector_filter_roll_up(store):
    df = data.actor_sector(store, H1.with_(sectors=("energy",)), View(level="detail", top=10))
    # energy includes oil and gas and electric power; i01's software is not a column under this filter
    assert rows(df, "actor", "sector", "incident_count") == [
        ("Kimsuky", "energy", 1), ("Kimsuky", "oil and gas", 1),
        ("Gamaredon Group", "energy", 1), ("Gamaredon Group", "electric power", 1),
        ("MuddyWater", "oil and gas", 1),
    ]
    assert dict(rows(df.drop_duplicates("actor"), "actor", "actor_incidents")) == \
        {"Kimsuky": 2, "Gamaredon Group": 1, "MuddyWater": 1}


def test_heatmap_keeps_only_the_top_n_actors(store):
    df = data.actor_sector(store, H1, View(level="top", top=1))
    assert set(df["actor"]) == {"Kimsuky"}


def test_timeseries_fills_empty_periods_and_groups_other_actors(store):
    df = data.actor_period(store, H1, View(grain="month", top=2))
    got = {(r.actor, r.period.strftime("%Y-%m")): int(r.incident_count) for r in df.itertuples()}
    months = [f"2023-0{m}" for m in range(1, 7)]
    assert len(df) == 18 and {p for _, p in got} == set(months)
    assert [got["Kimsuky", m] for m in months] == [2, 1, 1, 0, 0, 0]
    assert [got["Gamaredon Group", m] for m in months] == [0, 1, 0, 1, 0, 0]
    # MuddyWater is third: its year-precision i07 lands in January, i08 in May
    assert [got["Other actors", m] for m in months] == [1, 0, 0, 0, 1, 0]
    assert df["incident_count"].sum() == 8


def test_sponsor_mix_by_quarter(store):
    df = data.sponsor_period(store, H1, View(grain="quarter"))
    got = {(r.sponsor_country, r.period.strftime("%Y-%m")): int(r.incident_count) for r in df.itertuples()}
    assert got == {("KP", "2023-01"): 4, ("KP", "2023-04"): 0, ("RU", "2023-01"): 1, ("RU", "2023-04"): 1,
                   ("IR", "2023-01"): 1, ("IR", "2023-04"): 1}


def test_sponsor_filter_unknown_matches_actors_without_a_sponsor(store):
    k = data.kpis(store, Filters(since=dt.date(2022, 1, 1), until=dt.date(2023, 12, 31), sponsors=("unknown",)))
    assert int(k["incidents"]) == 1  # i09 by Unknown Crew


def test_victim_countries_with_previous_period(store):
    df = data.victim_countries(store, H1)
    assert rows(df, "victim_country", "incident_count", "prev_incident_count") == [
        ("KR", 4, 0), ("UA", 2, 0), ("TR", 1, 0), ("US", 1, 1)]


def test_concurrent_campaigns_peak_on_one_day(store):
    df = data.campaign_concurrency(store, H1, View(grain="month"))
    assert rows(df, "peak_campaigns", "active_campaigns") == [(1, 1), (2, 2), (1, 1), (1, 1), (1, 1), (0, 0)]


def test_campaign_spans_follow_the_filters(store):
    # Against KR only, C-Alpha runs 10-20 Jan (i10 hit Japan) and C-Gamma is not there at all
    df = data.campaign_concurrency(store, H1.with_(countries=("KR",)), View(grain="month"))
    assert rows(df, "peak_campaigns", "active_campaigns") == [(1, 1), (1, 1), (0, 0), (0, 0), (0, 0), (0, 0)]
    k = data.kpis(store, Filters(since=dt.date(2023, 1, 21), until=dt.date(2023, 2, 14), countries=("KR",)))
    assert int(k["campaigns"]) == 0


def test_year_grain_concurrency_counts_overlaps_not_sums(store):
    df = data.campaign_concurrency(store, Filters(), View(grain="year"))
    assert rows(df, "peak_campaigns", "active_campaigns") == [(1, 1), (2, 4)]


def test_date_precision_counts(store):
    assert data.date_precision(store, H1) == {"day": 6, "month": 1, "year": 1}


@pytest.mark.parametrize("names, expected, problems", [
    (["Thallium"], ["Kimsuky"], 0),
    (["emerald sleet", "APT 43"], ["Kimsuky"], 0),
    (["MuddyWater"], ["MuddyWater"], 0),  # a canonical name wins over another actor's alias
    (["Shared Name"], [], 1),              # an alias of two actors is ambiguous, not guessed
    (["Nobody"], [], 1),
])
def test_actor_aliases_resolve_to_canonical_names(store, names, expected, problems):
    resolved, found = data.resolve_actors(store, names)
    assert resolved == expected and len(found) == problems


def test_actor_filter_matches_by_canonical_name(store):
    f, _ = data.resolve_actor_filter(store, H1.with_(actors=("Thallium",)))
    assert f.actors == ("Kimsuky",)
    assert int(data.kpis(store, f)["incidents"]) == 4


def test_date_range_uses_the_first_day_of_a_partial_date(store):
    # i04 is known only as March 2023 (stored as 2023-03-01); i07 only as 2023
    k = data.kpis(store, Filters(since=dt.date(2023, 3, 1), until=dt.date(2023, 3, 31)))
    assert int(k["incidents"]) == 1
    k = data.kpis(store, Filters(since=dt.date(2023, 1, 1), until=dt.date(2023, 1, 1)))
    assert int(k["incidents"]) == 1


def test_empty_selection_gives_zeros_not_errors(store):
    f = H1.with_(countries=("FR",))
    assert int(data.kpis(store, f)["incidents"]) == 0
    assert data.actor_sector(store, f, View()).empty
    assert data.actor_period(store, f, View()).empty
    assert data.victim_countries(store, f).empty


def test_text_confidence_and_tlp_filters(tmp_path):
    from fixture_db import INCIDENTS, write_fixture
    from threatscape.store import Store

    extra = [("t01", dt.date(2023, 2, 1), "day", 2, "Shuckworm", ["energy"], "UA", None,
              "Wiper hits grid", "Destructive WIPER malware", 90, "RED"),
             ("t02", dt.date(2023, 2, 2), "day", 2, "Shuckworm", ["energy"], "UA", None,
              "Phishing wave", "Credential theft", None, "AMBER")]
    write_fixture(tmp_path / "t.duckdb", incidents=INCIDENTS + extra)
    s = Store(tmp_path / "t.duckdb")
    count = lambda **kw: data.incident_count(s, H1.with_(**kw))  # noqa: E731
    assert count(text="wiper") == 1            # title or summary, any case
    assert count(text="credential theft") == 1
    assert count(text="%") == 0                # a plain substring, not a pattern
    assert count(min_confidence=85) == 1       # the fixture's others are 80; unknown confidence never qualifies
    assert count(min_confidence=80) == 9
    assert count(tlps=("RED", "AMBER")) == 2
