"""URL -> Filters -> SQL parameters, as a table; and back to the URL."""
import datetime as dt

import pytest

from threatscape import taxonomy
from threatscape.filters import Filters, View

D = dt.date
ENERGY = taxonomy.rollup_mask("energy")


@pytest.mark.parametrize("query, expected_params, n_problems", [
    ({}, {"since": None, "until": None, "actors": [], "sector_mask": 0, "countries": [], "sponsors": []}, 0),
    ({"since": ["2023-01-01"], "until": ["2023-06-30"]},
     {"since": D(2023, 1, 1), "until": D(2023, 6, 30)}, 0),
    ({"since": ["2023-06-30"], "until": ["2023-01-01"]},  # reversed range is swapped, and said
     {"since": D(2023, 1, 1), "until": D(2023, 6, 30)}, 1),
    ({"since": ["yesterday"]}, {"since": None}, 1),
    ({"actor": ["Kimsuky", "Thallium", "Kimsuky"]}, {"actors": ["Kimsuky", "Thallium"]}, 0),
    ({"sector": ["Energy"]}, {"sector_mask": ENERGY}, 0),
    ({"sector": ["oil and gas"]}, {"sector_mask": taxonomy.mask_of(["oil and gas"])}, 0),
    ({"sector": ["energy", "software"]}, {"sector_mask": ENERGY | taxonomy.mask_of(["software"])}, 0),
    ({"sector": ["crypto-mining"]}, {"sector_mask": 0}, 1),
    ({"country": ["South Korea", "KOR", "kr", "Korea, Republic of"]}, {"countries": ["KR"]}, 0),
    ({"country": ["KR", "JP"]}, {"countries": ["KR", "JP"]}, 0),
    ({"country": ["Narnia"]}, {"countries": []}, 1),
    ({"sponsor": ["Russia", "unknown"]}, {"sponsors": ["RU", "unknown"]}, 0),
    ({"since": "2024-02-29"}, {"since": D(2024, 2, 29)}, 0),  # a single string, as st.query_params gives
    ({"confidence": ["70"]}, {"min_confidence": 70}, 0),
    ({"confidence": ["0"]}, {"min_confidence": None}, 0),
    ({"confidence": ["high"]}, {"min_confidence": None}, 1),
    ({"tlp": ["amber", "TLP:RED", "white"]}, {"tlps": ["CLEAR", "AMBER", "RED"]}, 0),
    ({"tlp": ["purple"]}, {"tlps": []}, 1),
    ({"clearance": ["amber"]}, {"clearance": ["CLEAR", "GREEN", "AMBER"]}, 0),  # its marking and those below
    ({"clearance": ["TLP:WHITE"]}, {"clearance": ["CLEAR"]}, 0),
    ({"clearance": ["secret"]}, {"clearance": None}, 1),
    ({"q": ["  Spear-phishing "]}, {"text": "Spear-phishing"}, 0),
])
def test_url_to_filters_to_sql_parameters(query, expected_params, n_problems):
    f, problems = Filters.from_query(query)
    params = f.params()
    assert {k: params[k] for k in expected_params} == expected_params
    assert len(problems) == n_problems


def test_energy_rolls_up_its_children():
    assert taxonomy.names_of(ENERGY) == ["energy", "oil and gas", "electric power", "nuclear"]
    assert taxonomy.names_of(taxonomy.rollup_mask("technology")) == ["technology", "software", "IT services",
                                                                     "electronics"]


@pytest.mark.parametrize("f", [
    Filters(),
    Filters(since=D(2023, 1, 1), until=D(2023, 12, 31), actors=("Kimsuky", "MuddyWater"),
            sectors=("energy", "software"), countries=("KR", "US"), sponsors=("KP", "unknown"),
            min_confidence=60, tlps=("GREEN", "AMBER+STRICT"), clearance="AMBER", text="wiper, again"),
])
def test_filters_round_trip_through_the_url(f):
    assert Filters.from_query(f.to_query()) == (f, [])


def test_url_uses_the_widget_key_names():
    q = Filters(since=D(2023, 1, 1), actors=("Kimsuky",), sectors=("energy",), countries=("KR",),
                sponsors=("KP",)).to_query()
    assert set(q) == {"since", "actor", "sector", "country", "sponsor"}


@pytest.mark.parametrize("since, until, prev_since, prev_until", [
    (D(2023, 1, 1), D(2023, 6, 30), D(2022, 7, 1), D(2022, 12, 31)),  # whole months: as many months
    (D(2025, 12, 1), D(2026, 11, 30), D(2024, 12, 1), D(2025, 11, 30)),
    (D(2024, 3, 1), D(2024, 3, 31), D(2024, 2, 1), D(2024, 2, 29)),
    (D(2023, 1, 5), D(2023, 1, 14), D(2022, 12, 26), D(2023, 1, 4)),  # days: as many days
])
def test_previous_period_has_equal_length_and_ends_the_day_before(since, until, prev_since, prev_until):
    prev = Filters(since=since, until=until, actors=("Kimsuky",)).previous_period()
    assert (prev.since, prev.until, prev.actors) == (prev_since, prev_until, ("Kimsuky",))


@pytest.mark.parametrize("since, until, prev_since, prev_until", [
    (D(2025, 12, 1), D(2026, 11, 30), D(2024, 12, 1), D(2025, 11, 30)),
    (D(2024, 2, 29), D(2024, 3, 31), D(2023, 2, 28), D(2023, 3, 31)),
])
def test_a_year_earlier_is_the_same_dates(since, until, prev_since, prev_until):
    prev = Filters(since=since, until=until).compared("year")
    assert (prev.since, prev.until) == (prev_since, prev_until)


@pytest.mark.parametrize("since, until, words", [
    (D(2025, 1, 1), D(2025, 12, 31), "Jan–Dec 2025"), (D(2024, 12, 1), D(2025, 11, 30), "Dec 2024–Nov 2025"),
    (D(2026, 3, 1), D(2026, 3, 31), "Mar 2026"), (D(2026, 1, 3), D(2026, 2, 17), "03 Jan–17 Feb 2026"),
])
def test_a_period_in_short_words(since, until, words):
    from threatscape.filters import period_words

    assert period_words(since, until, short=True) == words


@pytest.mark.parametrize("query, expected, n_problems", [
    ({}, View(), 0),
    ({"grain": "quarter", "level": "detail", "top": "15"}, View("quarter", "detail", 15), 0),
    ({"grain": "decade", "top": "1000"}, View(), 2),
    ({"compare": "year"}, View(compare="year"), 0), ({"compare": "decade"}, View(), 1),
])
def test_view_options_from_the_url(query, expected, n_problems):
    view, problems = View.from_query(query)
    assert view == expected and len(problems) == n_problems
    assert View.from_query(view.to_query())[0] == view


def test_heatmap_cell_drills_into_actor_and_sector():
    from threatscape.filters import drill_down

    f = Filters(since=D(2023, 1, 1), until=D(2023, 6, 30), countries=("KR",))
    assert drill_down(f, {"customdata": ["Kimsuky", "energy"]}, chart="heatmap") == \
        f.with_(actors=("Kimsuky",), sectors=("energy",))
    assert drill_down(f, {"x": "energy"}, chart="heatmap") is None


@pytest.mark.parametrize("grain, x, since, until", [
    ("month", "2023-02-01", D(2023, 2, 1), D(2023, 2, 28)),
    ("quarter", "2023-04-01T00:00:00", D(2023, 4, 1), D(2023, 6, 30)),
    ("year", "2023-01-01", D(2023, 1, 1), D(2023, 6, 30)),  # clipped to the selected range
])
def test_time_series_point_drills_into_actor_and_period(grain, x, since, until):
    from threatscape.filters import drill_down

    f = Filters(since=D(2023, 1, 1), until=D(2023, 6, 30))
    got = drill_down(f, {"x": x, "customdata": "Kimsuky"}, chart="timeseries", grain=grain)
    assert (got.since, got.until, got.actors) == (since, until, ("Kimsuky",))
    other = drill_down(f, {"x": x, "customdata": "Other actors"}, chart="timeseries", grain=grain)
    assert other.actors == ()


def test_every_filter_has_one_entry_that_every_path_reads():
    """The URL, the command line and the manifest name the same filters, each once (filters.REGISTRY)."""
    from threatscape import cli
    from threatscape.filters import REGISTRY

    assert [e.field for e in REGISTRY] == list(Filters.__dataclass_fields__)
    assert len({e.key for e in REGISTRY}) == len({e.cli for e in REGISTRY}) == len(REGISTRY)
    parser = cli.argparse.ArgumentParser()
    cli.add_filter_options(parser)
    assert {a.option_strings[0] for a in parser._actions[1:]} == {e.cli for e in REGISTRY}
    assert set(Filters().describe()) == {e.field for e in REGISTRY}


@pytest.mark.parametrize("tlps, clearance, level", [
    ([], None, "RED"),                        # no TLP filter: every incident
    (["CLEAR", "GREEN"], None, "GREEN"),      # the markings up to one: that level of the summaries
    ([], ["CLEAR", "GREEN", "AMBER"], "AMBER"),
    (["CLEAR", "GREEN", "RED"], ["CLEAR", "GREEN", "AMBER"], "GREEN"),  # both apply
    (["AMBER"], None, None),                  # any other set: only the incidents answer it
    (["RED"], ["CLEAR"], None),
])
def test_a_tlp_filter_and_a_clearance_map_to_one_summary_level_when_they_allow_the_markings_up_to_one(
        tlps, clearance, level):
    from threatscape.filters import tlp_max

    assert tlp_max(tlps, clearance) == level


@pytest.mark.parametrize("first, last, today, since, until", [
    # data up to today: the last 12 complete months, this month left out
    ("2010-01-01", "2026-12-07", "2026-12-07", "2025-12-01", "2026-11-30"),
    # data that ended in an earlier month: whole months, to the end of its last one
    ("2010-01-01", "2026-11-15", "2026-12-07", "2025-12-01", "2026-11-30"),
    ("2010-01-01", "2025-07-01", "2026-12-07", "2024-08-01", "2025-07-31"),
    # less than a year of data: from its first day
    ("2026-06-10", "2026-12-07", "2026-12-07", "2026-06-10", "2026-11-30"),
    # nothing before this month: all of it
    ("2026-12-02", "2026-12-07", "2026-12-07", "2026-12-02", "2026-12-07"),
])
def test_the_default_window_is_the_last_twelve_complete_months(first, last, today, since, until):
    from threatscape.filters import default_filters

    d = dt.date.fromisoformat
    f = default_filters(d(first), d(last), today=d(today))
    assert (f.since, f.until) == (d(since), d(until))


def _enter_takes(entries: list[str], label, typed: str) -> str:
    """What Enter selects in a filter matching what is typed anywhere in an entry's label (Streamlit's "contains")."""
    return next(e for e in entries if typed.casefold() in label(e).casefold())


def test_every_country_typed_by_code_or_name_is_the_one_enter_takes():
    """All of ISO 3166's countries at once: 'IR' takes Iran, not Iraq; 'AO' Angola and 'LA' Laos, although each
    name holds the other's code; 'Niger' takes Niger, not Nigeria."""
    import pycountry

    from threatscape import countries, data

    codes = [c.alpha_2 for c in pycountry.countries] + ["unknown"]
    entries = data.country_entries(codes)
    wrong = [(typed, code, data.entry_label(_enter_takes(entries, data.entry_label, typed)))
             for code in codes for typed in ([code, countries.name(code)] if code != "unknown" else ["unknown"])
             if data.entry_value(_enter_takes(entries, data.entry_label, typed)) != code]
    assert wrong == []


def test_every_sector_typed_by_name_is_the_one_enter_takes():
    from threatscape import data

    names = [s.name for s in taxonomy.sectors()]
    parents = {s.name: s.parent for s in taxonomy.sectors()}
    label = lambda s: data.sector_label(s, parents)  # noqa: E731
    entries = data.exact_first(names, lambda s: [s], label)
    assert sorted(entries) == sorted(names)
    assert [n for n in names if _enter_takes(entries, label, n) != n] == []


def test_every_actor_name_typed_is_the_one_enter_takes(demo_path):
    """Over the demo's whole actor directory (the MISP galaxy's names and aliases): Enter on a canonical name takes
    that actor's own entry ('Kimsuky', not 'APT43 → Kimsuky'), and on an alias one of that actor's entries, unless
    the galaxy gives the same alias to two actors."""
    from collections import Counter

    from threatscape import data
    from threatscape.store import Store

    options = data.filter_options(Store(demo_path))
    typed = {e: e.split(data.ALIAS_ARROW, 1)[0] for e in options.actors}
    shared = Counter(t.casefold() for t in typed.values())
    taken = {e: _enter_takes(options.actors, str, t) for e, t in typed.items() if shared[t.casefold()] == 1}
    assert len(taken) > 500
    assert [e for e, got in taken.items() if options.actor_of[got] != options.actor_of[e]] == []
    assert [e for e, got in taken.items() if e in options.actor_of.values() and got != e] == []
