"""The demo database: deterministic, shaped by the MISP galaxy, and saying everywhere that it is demo data."""
import datetime as dt

import duckdb
import pytest

from threatscape import data
from threatscape.demo import build_demo
from threatscape.filters import Filters, View
from threatscape.store import Store

UNTIL = dt.date(2026, 11, 28)


def answers(path):
    s = Store(path)
    f = Filters(since=dt.date(2022, 1, 1), until=UNTIL)
    return (s.version, data.kpis(s, f).to_dict(), data.actor_sector(s, f, View()).to_dict("list"),
            data.campaign_concurrency(s, f, View(grain="quarter")).to_dict("list"))


def test_same_seed_gives_identical_answers_and_another_seed_does_not(tmp_path):
    build_demo(tmp_path / "a.duckdb", incidents=3000, seed=3, until=UNTIL)
    build_demo(tmp_path / "b.duckdb", incidents=3000, seed=3, until=UNTIL)
    build_demo(tmp_path / "c.duckdb", incidents=3000, seed=4, until=UNTIL)
    assert answers(tmp_path / "a.duckdb") == answers(tmp_path / "b.duckdb")
    assert answers(tmp_path / "a.duckdb")[0] != answers(tmp_path / "c.duckdb")[0]


def test_demo_has_the_size_asked_for_and_every_incident_says_it_is_demo(demo_path):
    con = duckdb.connect(str(demo_path), read_only=True)
    n, demo_titles, demo_summaries, first, last = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE title LIKE '[DEMO]%'), "
        "count(*) FILTER (WHERE summary LIKE '%Not real threat intelligence%'), min(occurred_on), max(occurred_on) "
        "FROM incident").fetchone()
    assert n == demo_titles == demo_summaries == 20_000
    assert (first.year, last) == (2010, UNTIL)
    kind, description = con.execute("SELECT kind, description FROM dataset").fetchone()
    assert kind == "demo" and "Not real threat intelligence" in description


def test_demo_grows_over_time_and_activity_is_heavy_tailed(demo_path):
    con = duckdb.connect(str(demo_path), read_only=True)
    per_year = dict(con.execute("SELECT year(occurred_on), count(*) FROM incident GROUP BY 1").fetchall())
    assert per_year[2024] > 2 * per_year[2016] > 2 * per_year[2011]
    counts = [n for (n,) in con.execute("SELECT count(*) FROM incident GROUP BY actor_id ORDER BY 1 DESC").fetchall()]
    assert len(counts) > 300
    assert sum(counts[:10]) > 0.4 * sum(counts)  # a few groups do much of the work
    assert counts[len(counts) // 2] < 30        # and most groups are rarely seen


def test_demo_uses_the_galaxy_names_aliases_and_sponsors(demo_path):
    con = duckdb.connect(str(demo_path), read_only=True)
    sponsor = dict(con.execute("SELECT name, sponsor_country FROM actor WHERE name IN "
                               "('Kimsuky', 'Gamaredon Group', 'MUSTANG PANDA', 'MuddyWater')").fetchall())
    assert sponsor == {"Kimsuky": "KP", "Gamaredon Group": "RU", "MUSTANG PANDA": "CN", "MuddyWater": "IR"}
    keys = {k for (k,) in con.execute(
        "SELECT alias_key FROM actor_alias JOIN actor USING (actor_id) WHERE name = 'Kimsuky'").fetchall()}
    assert {"thallium", "apt43", "emeraldsleet", "velvetchollima"} <= keys
    reported = con.execute("SELECT count(DISTINCT actor_as_reported) FROM incident i JOIN actor a USING (actor_id) "
                           "WHERE a.name = 'Kimsuky'").fetchone()[0]
    assert reported > 3  # reports use the vendors' names, not only the canonical one


def test_demo_reproduces_the_2023_picture_against_south_korea(demo_path):
    s = Store(demo_path)
    f = Filters(since=dt.date(2023, 1, 1), until=dt.date(2023, 12, 31), countries=("KR",))
    top = data.actor_sector(s, f, View(level="detail", top=5))
    assert {"Kimsuky", "Gamaredon Group", "MUSTANG PANDA", "MuddyWater"} <= set(top["actor"])
    by_sector = top.groupby("sector")["incident_count"].sum().sort_values(ascending=False)
    assert {"software", "energy", "oil and gas"} <= set(by_sector.index[:5])


def test_demo_has_many_campaigns_at_once_against_south_korean_government(demo_path):
    s = Store(demo_path)
    df = data.campaign_concurrency(s, Filters(countries=("KR",), sectors=("government",)), View(grain="month"))
    assert df["peak_campaigns"].max() >= 13


def test_cli_builds_a_demo_database(tmp_path, capsys):
    from threatscape.cli import main

    assert main(["demo", "--db", str(tmp_path / "x.duckdb"), "--incidents", "500", "--until", "2024-01-31"]) == 0
    assert "500 demo incidents" in capsys.readouterr().out
    assert main(["info", "--db", str(tmp_path / "x.duckdb")]) == 0
    assert "kind: demo" in capsys.readouterr().out
    assert main(["info", "--db", str(tmp_path / "missing.duckdb")]) == 1


@pytest.mark.parametrize("n", [1, 7])
def test_tiny_demo_databases_work(tmp_path, n):
    build_demo(tmp_path / "t.duckdb", incidents=n, seed=1, until=UNTIL)
    assert int(data.kpis(Store(tmp_path / "t.duckdb"), Filters(since=dt.date(2010, 1, 1), until=UNTIL))["incidents"]) == n


def test_demo_is_stored_in_seq_order_and_seq_is_the_date_order(demo_path):
    con = duckdb.connect(str(demo_path), read_only=True)
    stored = [s for (s,) in con.execute("SELECT seq FROM incident").fetchall()]  # storage order, no ORDER BY
    assert stored == list(range(1, 20_001))
    misplaced = con.execute(
        "SELECT count(*) FROM (SELECT seq, row_number() OVER (ORDER BY occurred_on, incident_id) AS rank, "
        "occurred_on < lag(occurred_on) OVER (ORDER BY seq) AS earlier FROM incident) WHERE seq <> rank OR earlier"
    ).fetchone()[0]
    assert misplaced == 0


def test_demo_incident_sector_agrees_with_the_sector_mask(demo_path):
    con = duckdb.connect(str(demo_path), read_only=True)
    assert con.execute(
        "SELECT count(*) FROM incident FULL JOIN (SELECT incident_id, bit_or(1::UBIGINT << sector_id) AS m "
        "FROM incident_sector GROUP BY ALL) USING (incident_id) "
        "WHERE m IS DISTINCT FROM sector_mask").fetchone()[0] == 0
