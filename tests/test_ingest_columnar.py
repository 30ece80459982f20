"""The column-wise CSV path (csvfile.read_table + columnar.normalise) against the record-by-record one
(csvfile.read + Normaliser.row): awkward files must give the same stored incidents, ids, rejections and report."""
import csv
import json
import random
import re

import duckdb
import pytest

from threatscape.ingest import csvfile, run
from threatscape.ingest.model import RawIncident, Rejection, UnreadableFile
from threatscape.ingest.normalise import AliasMap
from threatscape.ingest.run import IngestFailed, ingest


def _ambiguous_name() -> str:
    amap = AliasMap()
    shared = next(k for k, v in amap._by_key.items() if len({a for a, _ in v}) > 1
                  and amap._exact(k) is None)
    return amap._by_key[shared][0][1]


HEADER = "campaign,incident_id,occurred_on,actor,sectors,victim_country,title,summary,source_url,confidence,tlp,notes"
ROWS = [
    # campaign, id, date, actor, sectors, country, title, summary, url, confidence, tlp, notes
    ["Op A", "1", "2023-01-10", "Thallium", "software;Energy", "South Korea", "Spear-phish", "Lure, with comma",
     "https://x.example/1", "80", "TLP:AMBER", "x"],
    ["", "2", "2023-02", "Fancy Bear", "Government, Administration", "DEU", "Phish", "", "", "", "GREEN", ""],
    ["", "3", "2022", "Some New Crew", "crypto-mining", "Narnia", "Thing", "", "", "", "", ""],
    ["", "4", "8/14/2019", "APT 28", "oil and gas", "ROK", "US date", "", "", "1e2", "white", ""],
    ["", "", "2021-05-01", "Sandworm", "energy; crypto-mining;;", "Germany; France", "No id", "", "", "", "", ""],
    ["", "", "2021-05-01", "Sandworm", "energy; crypto-mining;;", "Germany; France", "No id", "", "", "", "", ""],
    ["", "", "2021-05-02", " Kimsuky ", "basket weaving;crypto-mining", "Atlantis;Narnia;KR", "", "", "", "", "",
     ""],
    ["", "", "2019-08-14T10:11:12.000Z", "\u00a0Kimsuky\u2003", "", "", "Café résumé ☕", "", "", " 99.9 ", "amber",
     ""],
    ["", "", "2020", "Some New Crew", "", "Narnia; Narnia", "", "", "", "-0.5", "tlp:amber+strict", ""],
    ["", "5", "31/31/2023", "Kimsuky", "energy", "KR", "Bad date", "", "", "", "", ""],
    ["", "6", "2023-03-01", "", "energy", "KR", "No actor", "", "", "", "", ""],
    ["", "7", "2023-03-02", "APT28", "energy", "KR", "Bad confidence", "", "", "150", "", ""],
    ["", "8", "2023-03-03", "APT28", "energy", "KR", "Bad TLP", "", "", "", "PURPLE", ""],
    ["", "9", "", "", "energy", "KR", "No date, no actor", "", "", "abc", "PURPLE", ""],
    ["", "10", "1890", "APT28", "", "", "", "", "", "", "", ""],
    ["", "11", "2023-04-01", "APT28", "", "", "inf confidence", "", "", "inf", "", ""],
    ["", "12", "2023-04-02", "APT28", "", "", "nan confidence", "", "", "nan", "", ""],
    ["", "13", "2023-04-03", "APT28", "", "", "", "", "", "1_0", "TLP: RED", ""],
    ["", "14", "2023-13-01", "   ", "", "", "", "", "", "-5", "", ""],
    ["", "1", "2023-01-10", "Thallium", "software;Energy", "South Korea", "Same id again", "", "", "", "", ""],
    ["Op B", "15", "2023-05-01", "AMBIGUOUS", "crypto-mining;telecommunications", "JP;KR;Japan", "t", "s", "", "0",
     "CLEAR", ""],
    ["Op B", "16", "2023-05-02", "Other Crew", "basket weaving", "Atlantis", "t", "s", "", "100", "", ""],
    ["", "17", "2023-05-03", "Other Crew", "basket weaving", "Atlantis", "  \u3000 ", "", "", "", "", ""],
]


def _cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if re.search(r'[",\r\n]|^\s|\s$', text) else text


def _csv(rows, *, end="\n", bom=False, extra="") -> str:
    lines = [HEADER] + [",".join(_cell(c) for c in r) for r in rows]
    return ("\ufeff" if bom else "") + end.join(lines) + end + extra


def _rows():
    return [[_ambiguous_name() if c == "AMBIGUOUS" else c for c in r] for r in ROWS]


def _variants():
    rows = _rows()
    multiline = [r[:] for r in rows]
    multiline[0][7] = "first line\nsecond line, with \"quotes\"\r\nthird"
    multiline[3][11] = "a note\n\nover blank lines"
    return {
        # name: (file text, read by pyarrow)
        "plain": (_csv(rows), True),
        "crlf, BOM, blank lines, no final line end": (
            _csv(rows[:5], end="\r\n", bom=True) + "\r\n" + "\r\n".join(",".join(map(_cell, r)) for r in rows[5:]),
            True),
        "quoted line breaks": (_csv(multiline), True),
        "short and long records": (
            _csv(rows) + "18,19,2023-06-01,APT28\n" + ",20,2023-06-02,APT28,,,,,,,,,,extra,cells\n", False),
        "a quote inside an unquoted cell": (_csv(rows) + ',21,2023-06-03,APT28,,,Say "hi",,,,,\n', False),
        "a lone carriage return": (_csv(rows) + ",22,2023-06-04,APT28,,,cr\r,23,2023-06-05,APT28,,,x,,,,,\n", False),
    }


def _stored(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "incidents": con.execute("SELECT i.* EXCLUDE (actor_id), a.name FROM incident i JOIN actor a "
                                     "USING (actor_id) ORDER BY seq").fetchall(),
            "actors": con.execute("SELECT * FROM actor ORDER BY actor_id").fetchall(),
            "aliases": con.execute("SELECT * FROM actor_alias ORDER BY ALL").fetchall(),
            "sectors": con.execute("SELECT * FROM incident_sector ORDER BY ALL").fetchall(),
            "dataset": con.execute("SELECT kind, description, content_version FROM dataset").fetchall(),
        }
    finally:
        con.close()


def _told(report) -> tuple[str, str]:
    """The report as the user gets it: the JSON (counters in their order) and the summary, without timings."""
    j = report.to_json()
    j.pop("seconds"), j.pop("database")
    return json.dumps(j, default=str), re.sub(r"\(\d+\.\d s\)", "", report.summary())


def _both(monkeypatch, tmp_path, paths, name="db", **options):
    """(report, stored) of the column-wise ingest and of the record-by-record one, each into its own database."""
    out = []
    for columnar in (True, False):
        with monkeypatch.context() as m:
            if not columnar:
                m.setattr(run, "COLUMNAR", set())
            db = tmp_path / f"{name}-{'columns' if columnar else 'rows'}.duckdb"
            try:
                report = ingest(paths, db, **options)
            except IngestFailed as failed:
                out.append((_told(failed.report), db.exists()))
                continue
            out.append((_told(report), _stored(db) if db.exists() else None))
    return out


def test_both_paths_read_a_snapshots_reported_names_precision_sources_and_guarded_text_alike(monkeypatch, tmp_path):
    path = tmp_path / "snap.csv"
    path.write_text(
        "incident_id,occurred_on,date_precision,actor,actor_as_reported,title,source\n"
        "a,2023-02-01,month,Kimsuky,Thallium,'=1+1,CSV; Vendor X\n"
        "b,2022-01-01,Year,Unattributed,?,'-2,\n"
        "c,2021-05-06,day,APT28,Fancy Bear,'plain,Vendor X\n", encoding="utf-8")
    columns, rows = _both(monkeypatch, tmp_path, [path])
    assert columns == rows
    stored = {r[0]: r for r in duckdb.connect(str(tmp_path / "db-columns.duckdb"), read_only=True).execute(
        "SELECT incident_id, occurred_on::VARCHAR, date_precision, actor_as_reported, title, source FROM incident"
    ).fetchall()}
    assert [v[1:] for _, v in sorted(stored.items())] == [
        ("2023-02-01", "month", "Thallium", "=1+1", "CSV; Vendor X"), ("2022-01-01", "year", "?", "-2", "CSV"),
        ("2021-05-06", "day", "Fancy Bear", "'plain", "Vendor X")]


@pytest.mark.parametrize("variant", list(_variants()))
def test_the_column_wise_path_stores_and_reports_what_the_row_path_does(monkeypatch, tmp_path, variant):
    text, fast = _variants()[variant]
    path = tmp_path / "awkward.csv"
    path.write_bytes(text.encode("utf-8"))
    slow_reads = []
    original = csvfile._slow_table
    monkeypatch.setattr(csvfile, "_slow_table", lambda *a: slow_reads.append(a) or original(*a))
    columns, rows = _both(monkeypatch, tmp_path, [path])
    assert columns == rows
    assert bool(slow_reads) != fast  # the case is read the way it is meant to exercise
    (told, _), stored = columns
    j = json.loads(told)
    # rejected: four records, and id 1 again with other content (a conflict, named by both paths alike)
    assert j["rejected"] >= 5 and j["added"] >= 17 and j["duplicates"] >= 1
    assert any(r["field"] == "incident_id" and "the same id as line " in r["reason"] for r in j["rejections"])
    assert {"Narnia", "Atlantis"} <= set(j["unmapped_countries"])
    # Kept with their confidence left empty or their TLP stored as RED, each counted
    assert {"150", "inf", "nan", "1_0", "-0.5"} <= set(j["unreadable_confidence"])
    assert j["unreadable_tlp"] == {"PURPLE": 1}
    assert j["actors"]["ambiguous"] and j["actors"]["unresolved"]["Some New Crew"] == 2
    assert any(row[0].startswith("sha1:") for row in stored["incidents"])  # ids of rows without one: content


@pytest.mark.parametrize("options", [
    {"source": "My Feed!"}, {"default_tlp": "RED"}, {"strict": True}, {"dry_run": True},
    {"mapping": {"occurred_on": "when", "actor": "who", "incident_id": "title"}},
])
def test_options_behave_the_same_on_both_paths(monkeypatch, tmp_path, options):
    renamed = "mapping" in options
    for name, rows in (("feed.csv", _rows()), ("more.csv", _rows()[:4])):
        text = _csv(rows).replace("Spear-phish", "Changed" if name == "more.csv" else "Spear-phish")
        if renamed:
            text = text.replace("incident_id,occurred_on,actor,", "incident_id,when,who,", 1)
        (tmp_path / name).write_text(text, encoding="utf-8")
    paths = [tmp_path / "feed.csv", tmp_path / "more.csv"]
    columns, rows = _both(monkeypatch, tmp_path, paths, **options)
    assert columns == rows


def test_a_second_ingest_updates_and_skips_the_same_way(monkeypatch, tmp_path):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(_csv(_rows()), encoding="utf-8")
    changed = [r[:] for r in _rows()]
    changed[1][6] = "Phish, rewritten"
    changed[4][7] = "now with a summary"
    second.write_text(_csv(changed), encoding="utf-8")
    for columnar in (True, False):
        with monkeypatch.context() as m:
            if not columnar:
                m.setattr(run, "COLUMNAR", set())
            db = tmp_path / f"{columnar}.duckdb"
            ingest([first], db, source="feed")
            report = ingest([second], db, source="feed")
            # a record with its own id whose fields changed is an update; one without an id is another record
            assert (report.totals()["updated"], report.totals()["added"]) == (1, 1)
            con = duckdb.connect(str(db), read_only=True)
            by_seq = con.execute("SELECT seq, incident_id FROM incident ORDER BY seq").fetchall()
            by_day = con.execute("SELECT incident_id FROM incident ORDER BY occurred_on, incident_id").fetchall()
            con.close()
            assert [s for s, _ in by_seq] == list(range(1, len(by_day) + 1))  # the explorer pages on seq
            assert [(i,) for _, i in by_seq] == by_day
            if columnar:
                expected = (_told(report), _stored(db))
            else:
                assert (_told(report), _stored(db)) == expected


# --- the two readers, cell for cell, on random files -----------------------------------------------------------

TOKENS = ["a", "b", "z9", " ", ",", ",", ",", '"', '""', "\n", "\n", "\r\n", "\r", "é", "\u00a0", "\x00", ";",
          "2023-01-01", "APT28", '"x,y"', '"multi\nline"', "\t"]


def _cells(item) -> tuple:
    if isinstance(item, Rejection):
        return item.locator, item.field, item.reason
    assert isinstance(item, RawIncident)
    return (item.locator, item.source_id, item.occurred_on, item.actors[0] if item.actors else None,
            ";".join(item.sectors) or None, ";".join(item.countries) or None, item.title, item.summary,
            item.source_url, item.confidence, item.tlp, item.campaign, item.sponsor, item.record)


def _by_rows(path):
    try:
        return [_cells(i) for i in csvfile.read([path], source=None)]
    except UnreadableFile as e:
        return str(e)


def _by_columns(path):
    try:
        t = csvfile.read_table(path, source=None)
    except UnreadableFile as e:
        return str(e)
    # date_precision and source are applied as the records are made (occurred_on cut to the month or year, the
    # row's source): the stored rows of both paths are compared in test_the_column_wise_path_stores_...
    records = [(f"line {r.pop('line')}", *(v for k, v in r.items() if k not in ("date_precision", "source")))
               for r in t.cells.to_pylist()]
    records += [(r.locator, r.field, r.reason) for r in t.too_wide]
    return sorted(records, key=lambda r: int(r[0].removeprefix("line ")))


PLAIN = ["a", "Kimsuky", " ", "\u00a0", "é", "\x00", ";", "2023-01-01", "\t", "APT 28", "'"]
QUOTED = PLAIN + [",", '""', "\n", "\r\n", ", "]


def _random_file(rng) -> bytes:
    """Mostly well-formed CSV with awkward cells (quoted line breaks, quotes, blank records, ragged records),
    sometimes with a stray quote or carriage return."""
    header = rng.choice(["occurred_on,actor,title", "actor,occurred_on,sectors,victim_country",
                         '"occurred_on","actor","sum\nmary"', "occurred_on,actor,actor,title"])
    width = header.count(",") + 1
    records = []
    for _ in range(rng.randrange(0, 8)):
        cells = width if rng.random() < 0.8 else rng.randrange(0, width + 3)
        fields = []
        for _ in range(cells):
            text = "".join(rng.choice(QUOTED if rng.random() < 0.4 else PLAIN) for _ in range(rng.randrange(0, 4)))
            quoted = any(c in text for c in ',"\r\n') or rng.random() < 0.3
            fields.append('"' + text + '"' if quoted else text)
        records.append(",".join(fields))
    end = rng.choice(["\n", "\r\n"])
    text = end.join([header] + records) + (end if rng.random() < 0.7 else "")
    if rng.random() < 0.15:
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(['"', "\r", 'x"', '"x']) + text[at:]
    data = (("\ufeff" if rng.random() < 0.2 else "") + text).encode()
    return data + b"\xff broken" if rng.random() < 0.03 else data


@pytest.mark.parametrize("seed", range(4))
def test_both_readers_read_the_same_cells_lines_and_errors(tmp_path, monkeypatch, seed):
    if seed % 2:  # as for a large file: plainness checked in pieces, columns kept in pyarrow's blocks
        monkeypatch.setattr(csvfile, "_PARALLEL_MATCH", 0)
        monkeypatch.setattr(csvfile.os, "cpu_count", lambda: 3)
        monkeypatch.setattr(csvfile, "CONTIGUOUS_BYTES", 0)
        monkeypatch.setattr(csvfile, "_BLOCK", 64)
        monkeypatch.setattr(csvfile, "_COUNT_CHUNK", 7)  # line breaks counted a few bytes at a time
    rng = random.Random(seed)
    path = tmp_path / "fuzz.csv"
    for case in range(150):
        if case % 3:
            data = _random_file(rng)
        else:  # any tokens at all: mostly broken quoting
            data = ("occurred_on,actor,title\n" + "".join(rng.choice(TOKENS) for _ in range(40))).encode()
        path.write_bytes(data)
        assert _by_columns(path) == _by_rows(path), (case, data)


def test_a_cell_over_the_csv_field_limit_fails_the_same_way(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("occurred_on,actor,summary\n2023-01-01,APT28," + "x" * 300 + "\n", encoding="utf-8")
    limit = csv.field_size_limit(200)
    try:
        message = _by_rows(path)
        assert "field larger than field limit" in message and _by_columns(path) == message
    finally:
        csv.field_size_limit(limit)


def test_columns_read_as_numpy_from_their_buffers_hold_what_arrow_holds():
    """csvfile.as_numpy stands in for pyarrow's to_numpy (which loads pandas): line numbers, per-row counts and
    null masks, including slices that start inside a byte of a boolean column and columns of several chunks."""
    import pyarrow as pa

    bools = pa.array([i % 3 == 0 for i in range(29)], pa.bool_())
    ints = pa.chunked_array([pa.array(range(5), pa.int64()), pa.array(range(100, 107), pa.int64())])
    for column in (bools, bools.slice(3), bools.slice(5, 17), ints, ints.combine_chunks().slice(4, 6),
                   pa.array([7, -1, 3], pa.int32()), pa.array([], pa.int64()), bools.slice(29)):
        got = csvfile.as_numpy(column)
        assert got.dtype == (bool if pa.types.is_boolean(column.type) else column.type.to_pandas_dtype())
        assert got.tolist() == column.to_pylist()
    with pytest.raises(ValueError, match="nulls"):
        csvfile.as_numpy(pa.array([1, None], pa.int64()))
