"""CSV snapshots and their manifests, the export and actor commands."""
import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import threading

import pytest

from fixture_db import INCIDENTS, write_fixture
from threatscape import data, export
from threatscape.cli import main
from threatscape.filters import Filters, View
from threatscape.store import Store

D = dt.date
# Feed text is attacker-controlled: titles a spreadsheet would run, a javascript: link, quotes and commas.
EVIL = [
    ("e01", D(2023, 6, 1), "day", 3, "Seedworm", ["software"], "IL", None,
     '=HYPERLINK("http://evil.example/x","click")', "+cmd|' /C calc'!A0", 40, "AMBER", "javascript:alert(1)"),
    ("e02", D(2023, 6, 2), "day", 3, "Seedworm", ["software", "energy"], "IL", "C-Delta",
     "@SUM(1+1)", "-2+3", None, "RED", "https://example.org/report?a=1,b=2"),
    ("e03", D(2023, 6, 3), "day", 3, "Seedworm", ["software"], "IL", None,
     '\tTab start, "quoted"', "\rline", 95, "CLEAR", None),
]


@pytest.fixture
def evil_store(tmp_path):
    write_fixture(tmp_path / "evil.duckdb", incidents=INCIDENTS + EVIL)
    return Store(tmp_path / "evil.duckdb")


def read_csv(path, encoding="utf-8"):
    with open(path, newline="", encoding=encoding) as f:
        return list(csv.reader(f))


def test_snapshot_csv_is_exactly_what_a_spreadsheet_can_trust(evil_store, tmp_path):
    f = Filters(countries=("IL",))
    csv_path, _ = export.write_incidents(evil_store, f, tmp_path / "out", name="il")
    raw = csv_path.read_bytes()
    assert raw.count(b"\r\n") == 4 and not raw.startswith(b"\xef\xbb\xbf")
    assert read_csv(csv_path) == [
        export.CSV_COLUMNS,
        ["e03", "2023-06-03", "day", "MuddyWater", "Seedworm", "IR", "", "software", "IL", "",
         "'\tTab start, \"quoted\"", "'\rline", "95", "CLEAR", "fixture", ""],
        ["e02", "2023-06-02", "day", "MuddyWater", "Seedworm", "IR", "", "software; energy", "IL", "C-Delta",
         "'@SUM(1+1)", "'-2+3", "", "RED", "fixture", "https://example.org/report?a=1,b=2"],
        ["e01", "2023-06-01", "day", "MuddyWater", "Seedworm", "IR", "", "software", "IL", "",
         "'=HYPERLINK(\"http://evil.example/x\",\"click\")", "'+cmd|' /C calc'!A0", "40", "AMBER", "fixture",
         "javascript:alert(1)"],
    ]


def test_long_form_has_one_row_per_incident_and_sector_and_bom_is_optional(evil_store, tmp_path):
    csv_path, manifest_path = export.write_incidents(evil_store, Filters(countries=("IL",)), tmp_path, name="l",
                                                     long=True, bom=True)
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = read_csv(csv_path, encoding="utf-8-sig")
    at = rows[0].index("sector")
    assert "sectors" not in rows[0]
    assert [(r[0], r[at]) for r in rows[1:]] == [("e03", "software"), ("e02", "software"), ("e02", "energy"),
                                                 ("e01", "software")]
    assert json.loads(manifest_path.read_text())["csv"]["rows"] == 4


def test_manifest_proves_what_the_csv_holds(store, tmp_path):
    f = Filters(since=D(2023, 1, 1), until=D(2023, 6, 30), sectors=("energy",))
    csv_path, manifest_path = export.write_incidents(store, f, tmp_path, name="energy")
    m = json.loads(manifest_path.read_text())
    body = csv_path.read_bytes()
    assert m["csv"]["sha256"] == hashlib.sha256(body).hexdigest()
    assert m["csv"]["bytes"] == len(body)
    assert m["csv"]["rows"] == len(read_csv(csv_path)) - 1 == 4
    assert m["dataset"]["content_version"] == store.version
    assert m["dataset"]["alias_map_version"] == "fixture"
    assert m["filters"]["sectors"] == ["energy"] and m["filters"]["since"] == "2023-01-01"
    assert m["url"] == "explorer?since=2023-01-01&until=2023-06-30&sector=energy"
    assert m["query"] == "incident_page" and m["plan"] == "pk_seq_desc"  # the variant that answered it


def test_a_snapshot_can_be_reproduced_byte_for_byte(store, tmp_path):
    f = Filters(countries=("KR",))
    a, _ = export.write_incidents(store, f, tmp_path / "a", name="s")
    b, _ = export.write_incidents(store, f, tmp_path / "b", name="s")
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("order_by", ["newest", "oldest", "confidence"])
def test_export_equals_the_explorer_pages(evil_store, tmp_path, monkeypatch, order_by):
    monkeypatch.setattr(export, "CHUNK_ROWS", 3)  # many slices on a small store
    f = Filters(since=D(2022, 1, 1), until=D(2023, 12, 31))
    csv_path, _ = export.write_incidents(evil_store, f, tmp_path, name="all", order_by=order_by)
    exported = [r[0] for r in read_csv(csv_path)[1:]]
    shown, cursor = [], None
    while True:
        page = data.incident_page(evil_store, f, order_by=order_by, cursor=cursor, page_size=4)
        if page.empty:
            break
        shown += page["incident_id"].tolist()
        cursor = int(page["sort_key"].iloc[-1])
    assert exported == shown
    assert len(shown) == data.incident_count(evil_store, f) == 13


def _counted_stream(store, monkeypatch, fail_on: int | None = None):
    """Count the store's streams opened and closed; fail_on: the stream (1-based) whose opening raises."""
    opened, closed = [], []
    stream = store.stream

    @contextlib.contextmanager
    def counted(name, params, *args):
        opened.append(name)
        if len(opened) == fail_on:
            raise OSError("disk read error")
        try:
            with stream(name, params, *args) as reader:
                yield reader
        finally:
            closed.append(name)

    monkeypatch.setattr(store, "stream", counted)
    return opened, closed


def _export_threads():
    return [t for t in threading.enumerate() if t.name == "threatscape-export"]


def test_an_export_that_fails_while_reading_says_so_and_writes_nothing(evil_store, tmp_path, monkeypatch):
    # The rows are read on a thread of their own, ahead of the CSV: its error must still reach the caller.
    monkeypatch.setattr(export, "CHUNK_ROWS", 3)
    opened, closed = _counted_stream(evil_store, monkeypatch, fail_on=3)
    with pytest.raises(OSError, match="disk read error"):
        export.write_incidents(evil_store, Filters(), tmp_path / "out", name="s")
    assert list((tmp_path / "out").iterdir()) == []
    assert len(opened) == 3 and len(closed) == 2  # the failed one never opened
    assert _export_threads() == []


def test_an_export_that_fails_while_writing_stops_reading(evil_store, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_ROWS", 1)  # a slice per incident
    opened, closed = _counted_stream(evil_store, monkeypatch)
    writes = []

    def full_disk(self, b):
        writes.append(len(b))
        raise OSError("No space left on device")

    monkeypatch.setattr(export._HashingSink, "write", full_disk)
    with pytest.raises(OSError, match="No space left"):
        export.write_incidents(evil_store, Filters(), tmp_path / "out", name="s")
    assert list((tmp_path / "out").iterdir()) == []
    assert _export_threads() == []
    # The reader stopped a few slices ahead of the failed write at most, and closed every stream it opened.
    assert data.incident_count(evil_store, Filters()) > 10
    assert opened == closed and 1 <= len(opened) <= 4


def test_paging_backward_returns_the_previous_page(store):
    f = Filters(since=D(2022, 1, 1), until=D(2023, 12, 31))
    first = data.incident_page(store, f, page_size=4)
    second = data.incident_page(store, f, cursor=int(first["sort_key"].iloc[-1]), page_size=4)
    back = data.incident_page(store, f, cursor=int(second["sort_key"].iloc[0]), backward=True, page_size=4)
    assert back["incident_id"].tolist() == first["incident_id"].tolist()
    last = data.incident_page(store, f, backward=True, page_size=4)
    assert last["incident_id"].tolist() == ["i01", "i07", "i09", "i10"]


def test_an_empty_selection_still_writes_a_header(store, tmp_path):
    csv_path, manifest_path = export.write_incidents(store, Filters(countries=("FR",)), tmp_path, name="none")
    assert read_csv(csv_path) == [export.CSV_COLUMNS]
    assert json.loads(manifest_path.read_text())["csv"]["rows"] == 0


def test_chart_download_is_the_charts_query_with_a_manifest(store):
    import zipfile

    f, v = Filters(since=D(2023, 1, 1), until=D(2023, 6, 30)), View(level="top")
    df = data.actor_sector(store, f, v)
    z = zipfile.ZipFile(io.BytesIO(export.chart_snapshot_zip(store, df, name="heatmap", filters=f, view=v,
                                                             page="overview")))
    rows = list(csv.reader(io.StringIO(z.read("heatmap.csv").decode(), newline="")))
    assert rows[0] == list(df.columns) and len(rows) == len(df) + 1
    m = json.loads(z.read("heatmap.manifest.json"))
    assert m["csv"]["sha256"] == hashlib.sha256(z.read("heatmap.csv")).hexdigest()
    assert m["url"] == "overview?since=2023-01-01&until=2023-06-30"
    assert m["query"] == "incidents_by_actor_sector"  # the very query the chart drew
    assert set(m["plan"].split(",")) == {"ag_month", "hc_node"}  # and the variants that answered it


def test_time_series_downloads_hold_their_own_series_and_say_where_they_come_from(store):
    """The actor and sponsor time series are two kinds of rows of one query: each chart's download holds its
    own rows and columns only, and its manifest names the query and the kind."""
    import zipfile

    f, v = Filters(since=D(2023, 1, 1), until=D(2023, 6, 30)), View(grain="quarter")
    for df, name, column, kind in ((data.actor_period(store, f, v), "actors", "actor", "actor"),
                                   (data.sponsor_period(store, f, v), "sponsors", "sponsor_country", "sponsor")):
        z = zipfile.ZipFile(io.BytesIO(export.chart_snapshot_zip(store, df, name=name, filters=f, view=v,
                                                                 page="overview")))
        rows = list(csv.reader(io.StringIO(z.read(f"{name}.csv").decode(), newline="")))
        assert rows[0] == ["period", column, "series_rank", "incident_count"] and len(rows) == len(df) + 1 > 1
        assert json.loads(z.read(f"{name}.manifest.json"))["query"] == f"incidents_by_period (its rows of kind '{kind}')"
    sponsors = {r[1] for r in rows[1:]}
    assert sponsors and "Other actors" not in sponsors and sponsors <= {"RU", "KP", "IR", "CN", "other", "unknown"}


def test_cli_export_writes_both_files_and_prints_their_paths(fixture_path, tmp_path, capsys):
    code = main(["export", "--db", str(fixture_path), "--actor", "Thallium", "--sector", "energy",
                 "--country", "South Korea", "--since", "2023-01-01", "--out", str(tmp_path), "--name", "k"])
    assert code == 0
    assert capsys.readouterr().out.split() == [str(tmp_path / "k.csv"), str(tmp_path / "k.manifest.json")]
    assert [r[0] for r in read_csv(tmp_path / "k.csv")[1:]] == ["i02", "i01"]


@pytest.mark.parametrize("args, message", [
    (["--actor", "Kimsuki"], "did you mean: Kimsuky"),
    (["--actor", "Shared Name"], "alias of several actors"),
    (["--sector", "enrgy"], "did you mean: energy"),
    (["--country", "Sout Korea"], "did you mean: South Korea"),
    (["--sponsor", "Rusia"], "Russia"),
])
def test_cli_export_refuses_unknown_names_and_suggests(fixture_path, tmp_path, capsys, args, message):
    code = main(["export", "--db", str(fixture_path), "--out", str(tmp_path)] + args)
    assert code != 0
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # never silently exports everything


def test_cli_actor_prints_the_canonical_name_first(fixture_path, capsys):
    assert main(["actor", "emerald sleet", "--db", str(fixture_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Kimsuky"
    assert "sponsor: North Korea (KP)" in out
    assert any("Thallium" in line and "fixture" in line for line in out)


def test_cli_actor_prefers_a_canonical_name_over_another_actors_alias(fixture_path, capsys):
    assert main(["actor", "MuddyWater", "--db", str(fixture_path)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "MuddyWater"


@pytest.mark.parametrize("name", ["Nobody", "Shared Name"])
def test_cli_actor_unknown_or_ambiguous_fails(fixture_path, capsys, name):
    assert main(["actor", name, "--db", str(fixture_path)]) != 0
    assert name in capsys.readouterr().err


def test_pager_walks_every_row_once_both_ways(evil_store):
    from threatscape.paging import Position

    f = Filters(since=D(2022, 1, 1), until=D(2023, 12, 31))
    total, size = data.incident_count(evil_store, f), 4

    def show(pos):
        page = data.incident_page(evil_store, f, cursor=pos.cursor, backward=pos.backward, page_size=size)
        pos = pos.settle(len(page), total)
        keys = dict(first_key=int(page["sort_key"].iloc[0]), last_key=int(page["sort_key"].iloc[-1]),
                    shown=len(page), total=total, page_size=size)
        return pos, page["incident_id"].tolist(), keys

    pos, seen, pages = Position(), [], []
    while True:
        pos, ids, keys = show(pos)
        assert pos.start == len(seen)  # "Rows start+1 to ..." is true
        seen += ids
        pages.append(ids)
        if pos.start + len(ids) >= total:
            break
        pos = pos.move("next", **keys)
    assert len(seen) == len(set(seen)) == total == 13
    pos = pos.move("last", **keys)
    pos, ids, keys = show(pos)
    assert (pos.start, ids) == (total - size, seen[-size:])
    back = []
    while pos.start > 0:
        pos = pos.move("previous", **keys)
        pos, ids, keys = show(pos)
        back = ids + back
    assert pos.start == 0 and back[:size] == seen[:size]


def test_cli_export_takes_every_filter_of_the_registry_and_the_manifest_names_each(fixture_path, tmp_path):
    """--clearance (the incidents marked at most that TLP) as the URL's clearance= and the sidebar take it."""
    assert main(["export", "--db", str(fixture_path), "--clearance", "amber", "--tlp", "green", "--since",
                 "2023-01-01", "--out", str(tmp_path), "--name", "c"]) == 0
    m = json.loads((tmp_path / "c.manifest.json").read_text())
    assert m["filters"]["clearance"] == "AMBER" and m["filters"]["tlps"] == ["GREEN"]
    assert "clearance=AMBER" in m["url"] and "tlp=GREEN" in m["url"]
    assert m["csv"]["rows"] == 8  # every fixture incident since 2023 (i01-i08) is GREEN
    assert main(["export", "--db", str(fixture_path), "--clearance", "clear", "--out", str(tmp_path),
                 "--name", "none"]) == 0
    assert json.loads((tmp_path / "none.manifest.json").read_text())["csv"]["rows"] == 0


def test_the_command_line_ends_quietly_when_its_reader_stops_early(fixture_path):
    """`python -m threatscape ... | head`: no traceback when head has gone before the command writes."""
    import subprocess
    import sys

    out = subprocess.run(f"{sys.executable} -m threatscape actor Kimsuky --db {fixture_path} | head -c 0",
                         shell=True, capture_output=True, text=True, cwd=__import__("pathlib").Path(__file__).resolve().parent.parent)
    assert "Traceback" not in out.stderr and "BrokenPipe" not in out.stderr, out.stderr
