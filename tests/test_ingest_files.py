"""Files as they come: other delimiters, other encodings, Excel workbooks, and rows told apart by every cell."""
import datetime as dt

import duckdb
import openpyxl
import pytest

from threatscape.cli import main
from threatscape.ingest import csvfile
from threatscape.ingest.model import RawIncident, UnreadableFile
from threatscape.ingest.run import detect, ingest


def own(got: dict, source_id: str):
    """The stored row of the record whose own id is source_id (ids are namespaced by the feed's columns)."""
    return next(v for k, v in got.items() if k.endswith(f":{source_id}"))


def stored(db) -> dict:
    """incident_id: (occurred_on, actor as reported, title, confidence) of every stored incident."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r[0]: r[1:] for r in con.execute(
            "SELECT incident_id, occurred_on, actor_as_reported, title, confidence FROM incident").fetchall()}
    finally:
        con.close()


def both_readers(path, **options) -> tuple[list, list]:
    """The cells, line numbers and record of every row as `read` gives them and as `read_table` does."""
    by_rows = [(r.locator, r.source_id, r.occurred_on, r.actors[0] if r.actors else None, r.title, r.confidence,
                r.record) for r in csvfile.read([path], source=None, **options) if isinstance(r, RawIncident)]
    table = csvfile.read_table(path, source=None, **options).cells
    by_columns = [(f"line {r['line']}", r["incident_id"], r["occurred_on"], r["actor"], r["title"],
                   r["confidence"], r["record"]) for r in table.to_pylist()]
    return by_rows, by_columns


def test_a_semicolon_file_with_a_semicolon_inside_quotes(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("incident_id;occurred_on;actor;title;confidence\n"
                    '1;2023-01-10;APT28;"Phish; then wiper";80\n'
                    "2;2023-01-11;Sandworm;Grid, again;\n", encoding="utf-8")
    db = tmp_path / "db.duckdb"
    report = ingest([path], db)
    got = stored(db)
    assert own(got, "1") == (dt.date(2023, 1, 10), "APT28", "Phish; then wiper", 80)
    assert own(got, "2")[2] == "Grid, again"
    assert f"  {path}: read with delimiter ';'" in report.summary().splitlines()
    assert report.to_json()["files"][str(path)]["notes"] == ["read with delimiter ';'"]


def test_a_tab_separated_file_in_a_folder_is_found_and_read(tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "incidents.tsv").write_text("occurred_on\tactor\ttitle\n2022-05-01\tKimsuky\tLure, with comma\n",
                                          encoding="utf-8")
    db = tmp_path / "db.duckdb"
    report = ingest([folder], db)
    assert report.totals()["added"] == 1 and not report.skipped_files
    assert [v[1:3] for v in stored(db).values()] == [("Kimsuky", "Lure, with comma")]
    assert "read with delimiter '\\t'" in report.summary()


def test_a_windows_1252_file_keeps_its_accents_and_says_how_it_was_read(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes(("incident_id;occurred_on;actor;title\r\n"
                      "1;2023-02-01;APT28;Opération « Café » – über’s\r\n"
                      "2;2023-02-02;APT29;Münchner Stadtwerke\r\n").encode("cp1252"))
    db = tmp_path / "db.duckdb"
    report = ingest([path], db)
    got = stored(db)
    assert own(got, "1")[2] == "Opération « Café » – über’s"
    assert own(got, "2")[2] == "Münchner Stadtwerke"
    assert f"  {path}: read as cp1252, with delimiter ';'" in report.summary().splitlines()


def test_a_utf16_file_as_excel_saves_unicode_text(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("occurred_on\tactor\ttitle\r\n2021-07-04\tLazarus\tBank heist ₩\r\n".encode("utf-16"))
    assert detect(path) == "csv"
    db = tmp_path / "db.duckdb"
    report = ingest([path], db)
    assert [v[1:3] for v in stored(db).values()] == [("Lazarus", "Bank heist ₩")]
    assert "read as utf-16, with delimiter '\\t'" in report.summary()


def test_encoding_named_on_the_command_line(tmp_path, capsys):
    path = tmp_path / "latin.csv"
    path.write_bytes("occurred_on,actor,title\n2020-01-01,APT28,Fête\n".encode("latin-1"))
    db = tmp_path / "db.duckdb"
    assert main(["ingest", str(path), "--db", str(db), "--encoding", "latin-1"]) == 0
    assert [v[2] for v in stored(db).values()] == ["Fête"]
    assert "read as iso8859-1" in capsys.readouterr().out
    assert main(["ingest", str(path), "--db", str(db), "--encoding", "klingon"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --encoding 'klingon'") and len(err.splitlines()) == 1


def test_bytes_that_no_encoding_explains_fail_in_one_line(tmp_path, capsys):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"occurred_on,actor\n2020-01-01,\x00\xff\xfe\x81\n")
    db = tmp_path / "db.duckdb"
    assert main(["ingest", str(path), "--db", str(db)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "binary.csv: not UTF-8 text" in err and "--encoding" in err
    utf8_said = tmp_path / "said.csv"
    utf8_said.write_bytes("occurred_on,actor\n2020-01-01,Café\n".encode("cp1252"))
    with pytest.raises(UnreadableFile, match=r"said\.csv: not UTF-8 text \(byte 32"):
        csvfile.read_table(utf8_said, source=None, encoding="utf-8")


def test_delimiter_given_overrides_what_the_header_suggests(tmp_path, capsys):
    # The header's commas split it (and every record) into as many cells as its semicolons do.
    path = tmp_path / "report.csv"
    path.write_text('occurred_on;actor;"title, short, long"\n2023-03-01;APT28;"Wiper, grid, outage"\n',
                    encoding="utf-8")
    db = tmp_path / "db.duckdb"
    assert main(["ingest", str(path), "--db", str(db)]) == 1
    assert "no column for occurred_on" in capsys.readouterr().err
    assert main(["ingest", str(path), "--db", str(db), "--delimiter", ";", "--map", "title=title, short, long"]) == 0
    assert [v[1:3] for v in stored(db).values()] == [("APT28", "Wiper, grid, outage")]
    assert main(["ingest", str(path), "--db", str(db), "--delimiter", "ab"]) == 2
    assert capsys.readouterr().err.startswith("error: --delimiter 'ab'")


def _workbook(path, rows, title="Incidents"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.create_sheet("Notes").append(["occurred_on", "actor"])
    book.save(path)
    return path


def test_an_excel_workbook_with_dates_and_numbers(tmp_path):
    path = _workbook(tmp_path / "tracker.xlsx", [
        [],
        ["incident_id", "occurred_on", "actor", "confidence", "title"],
        [101, dt.datetime(2023, 4, 5), "APT28", 85, "Spear-phish"],
        [102, dt.date(2023, 4, 6), "Sandworm", 60.0, "Wiper"],
        [],
        [103, "31/31/2023", "APT28", 70, "Bad date"],
        [104, "2023-04", " Kimsuky ", 12.5, None],
    ])
    assert detect(path) == "csv"
    db = tmp_path / "db.duckdb"
    report = ingest([path], db)
    got = stored(db)
    assert own(got, "101") == (dt.date(2023, 4, 5), "APT28", "Spear-phish", 85)
    assert own(got, "102") == (dt.date(2023, 4, 6), "Sandworm", "Wiper", 60)
    assert own(got, "104")[:2] == (dt.date(2023, 4, 1), "Kimsuky")
    assert [(r.locator, r.field) for r in report.rejections] == [("line 6", "occurred_on")]  # the sheet's row
    assert f"  {path}: read from sheet 'Incidents'" in report.summary().splitlines()
    by_rows, by_columns = both_readers(path)
    assert by_rows == by_columns
    assert by_rows[0] == ("line 3", "101", "2023-04-05", "APT28", "Spear-phish", "85", None)  # its own id: no record


def test_a_sheet_named_on_the_command_line(tmp_path, capsys):
    path = _workbook(tmp_path / "book.xlsx", [["nothing", "here"]])
    book = openpyxl.load_workbook(path)
    book["Notes"].append(["2019-08-14", "APT 28"])
    book.save(path)
    db = tmp_path / "db.duckdb"
    assert main(["ingest", str(path), "--db", str(db), "--sheet", "Notes"]) == 0
    assert [v[:2] for v in stored(db).values()] == [(dt.date(2019, 8, 14), "APT 28")]
    assert main(["ingest", str(path), "--db", str(db), "--sheet", "Missing"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {path}: no sheet 'Missing'; its sheets are 'Incidents', 'Notes'"]


def test_a_damaged_workbook_is_one_unreadable_file(tmp_path, capsys):
    good = _workbook(tmp_path / "good.xlsx", [["occurred_on", "actor"], ["2020-01-01", "APT28"]])
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[:-200])
    for path in (truncated, tmp_path / "renamed.xlsx"):
        if not path.exists():
            path.write_text("occurred_on,actor\n2020-01-01,APT28\n", encoding="utf-8")
        with pytest.raises(UnreadableFile, match=rf"{path.name}: not a readable \.xlsx workbook"):
            csvfile.read_table(path, source=None)
        with pytest.raises(UnreadableFile, match=rf"{path.name}: not a readable \.xlsx workbook"):
            list(csvfile.read([path], source=None))
    assert main(["ingest", str(truncated), "--db", str(tmp_path / "db.duckdb"), "--format", "csv"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "truncated.xlsx" in err and "Traceback" not in err


def test_rows_that_differ_only_in_an_unmapped_column_are_two_incidents(tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text("occurred_on,actor,title,analyst_notes\n"
                    "2023-05-01,APT28,Phishing wave,seen by team A\n"
                    "2023-05-01,APT28,Phishing wave,seen by team B\n", encoding="utf-8")
    db = tmp_path / "db.duckdb"
    report = ingest([path], db)
    assert report.totals()["added"] == 2 and report.totals()["duplicates"] == 0
    assert len(stored(db)) == 2
    again = ingest([path], db)
    assert again.totals()["duplicates"] == 2 and len(stored(db)) == 2


@pytest.mark.parametrize("name, data, options", [
    ("semi.csv", 'a;occurred_on;actor;title\n x ;2020-01-01;APT28;"q; r"\n;;\n\n', {}),
    ("tab.tsv", "occurred_on\tactor\tnotes\n2020-01-01\t APT28 \t\"multi\nline\"\n", {}),
    ("pipe.txt", "occurred_on|actor|title\r\n2020|X|a,b\r\n2021|Y\r\n", {}),
    ("cp1252.csv", "occurred_on,actor,title\n2020,Été,naïve\n".encode("cp1252"), {}),
    ("utf16.csv", "occurred_on;actor\n2020;Ünit\n".encode("utf-16"), {}),
    ("forced.csv", "occurred_on,actor;title\n2020,A;b\n", {"delimiter": ";",
                                                        "mapping": {"occurred_on": "occurred_on,actor",
                                                                    "actor": "title"}}),
])
def test_both_readers_give_the_same_cells_and_records(tmp_path, name, data, options):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    by_rows, by_columns = both_readers(path, **options)
    assert by_rows == by_columns and by_rows


def test_day_first_dates_are_found_from_the_file_and_can_be_said(tmp_path):
    """A timeline written D/M/YYYY (16/12/2023) is read day first throughout, 01/12/2023 included; a US file
    (12/16/2023) month first; --dates says so when the file cannot tell."""
    from threatscape.ingest.run import ingest

    timeline = tmp_path / "timeline.csv"
    timeline.write_text("Date,Author,Description\n01/12/2023,?,Leak\n16/12/2023,Kimsuky,Phish\n", encoding="utf-8")
    db = tmp_path / "db.duckdb"
    report = ingest([timeline], db, mapping={"occurred_on": "Date", "actor": "Author", "title": "Description"})
    with duckdb.connect(str(db), read_only=True) as con:
        assert sorted(d for (d,) in con.execute("SELECT occurred_on FROM incident").fetchall()) == [
            dt.date(2023, 12, 1), dt.date(2023, 12, 16)]
    assert "dates read day first" in report.summary()
    short = tmp_path / "short.csv"
    short.write_text("occurred_on,actor,title\n01/12/2023,Kimsuky,A\n", encoding="utf-8")
    for order, day in ((None, dt.date(2023, 1, 12)), ("dmy", dt.date(2023, 12, 1))):
        db = tmp_path / f"{order}.duckdb"
        ingest([short], db, dates=order)
        with duckdb.connect(str(db), read_only=True) as con:
            assert con.execute("SELECT occurred_on FROM incident").fetchone()[0] == day
