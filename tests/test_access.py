"""Who may do what: roles and clearances from sign-in claims, the audit trail, snapshots' makers and markings, and
the limits on queries and exports."""
import csv
import json
import threading
import zipfile
from pathlib import Path

import pytest

from threatscape import audit, auth, export, sql, store as store_mod
from threatscape.filters import Filters

RULES = {"threatscape": {"access": [
    {"email": "ana@example.org", "role": "analyst", "clearance": "AMBER"},
    {"group": "cti-admins", "role": "admin", "clearance": "TLP:RED"},
    {"domain": "example.org", "role": "viewer", "clearance": "GREEN"},
]}}


def test_a_user_gets_the_highest_role_and_clearance_their_rules_grant():
    rules = auth.rules_from(RULES)
    ana = auth.user_from_claims({"email": "Ana@Example.org", "email_verified": True}, rules)
    assert (ana.name, ana.role, ana.clearance) == ("Ana@Example.org", "analyst", "AMBER")
    bob = auth.user_from_claims({"email": "bob@example.org"}, rules)  # only the domain rule
    assert (bob.role, bob.clearance) == ("viewer", "GREEN")
    root = auth.user_from_claims({"email": "ana@example.org", "groups": ["CTI-Admins"]}, rules)
    assert (root.role, root.clearance) == ("admin", "RED")


def test_an_unknown_or_unverified_user_gets_the_least():
    rules = auth.rules_from(RULES)
    for claims in ({"email": "eve@evil.example"}, {"sub": "12345"},
                   {"email": "ana@example.org", "email_verified": False}):
        user = auth.user_from_claims(claims, rules)
        assert (user.role, user.clearance) == ("viewer", "CLEAR")
    assert auth.user_from_claims({"email": "x@y.z"}, ()).clearance == "CLEAR"  # no rules at all


@pytest.mark.parametrize("rule, says", [
    ({"email": "a@b.c", "role": "root"}, "role='root'"),
    ({"email": "a@b.c", "clearance": "SECRET"}, "clearance='SECRET'"),
    ({"role": "admin"}, "give an email, a group or a domain"),
])
def test_a_wrong_access_rule_is_one_clear_line(rule, says):
    with pytest.raises(auth.AccessConfigError, match="access rule 1") as err:
        auth.rules_from({"threatscape": {"access": [rule]}})
    assert says in str(err.value)


def test_roles_open_only_their_pages():
    viewer, analyst = auth.User("v", "viewer", "GREEN"), auth.User("a", "analyst", "AMBER")
    assert [p for p in auth.PAGE_ROLE if viewer.may_open(p)] == ["overview", "explorer", "actor"]
    assert analyst.may_open("names") and not analyst.may_open("ingest") and not analyst.may_open("audit")
    assert all(auth.LOCAL_USER.may_open(p) for p in auth.PAGE_ROLE)
    assert not viewer.may_open("no-such-page")


@pytest.mark.parametrize("address, local", [("localhost", True), ("127.0.0.1", True), ("::1", True),
                                            ("[::1]", True), ("0.0.0.0", False), ("", False), (None, False),
                                            ("192.168.1.5", False), ("example.org", False)])
def test_only_loopback_addresses_count_as_this_machine(address, local):
    assert auth.is_loopback(address) is local


def test_the_audit_trail_is_appended_to_and_shows_an_edit(tmp_path):
    db = tmp_path / "incidents.duckdb"
    threads = [threading.Thread(target=audit.record, args=(db, "sign-in"), kwargs={"user": f"u{i}"})
               for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    events = audit.read(db)
    assert sorted(e["user"] for e in events) == sorted(f"u{i}" for i in range(20))
    assert audit.verify(db) == []
    lines = audit.path_for(db).read_text().splitlines()
    lines[5] = lines[5].replace('"sign-in"', '"sign-out"')  # someone edits one entry
    audit.path_for(db).write_text("\n".join(lines) + "\n")
    assert [p.split(": ")[0] for p in audit.verify(db)] == ["incidents.audit.jsonl, line 7"]


def test_a_snapshot_names_its_maker_and_carries_its_highest_tlp(fixture_path, tmp_path):
    store = store_mod.Store(fixture_path)
    maker = auth.User("ana@example.org", "analyst", "GREEN")
    csv_path, manifest_path = export.write_incidents(store.cleared("GREEN"), Filters(), tmp_path, made_by=maker)
    doc = json.loads(manifest_path.read_text())
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8", newline="")))
    markings = {r["tlp"] for r in rows}
    assert markings <= {"CLEAR", "GREEN"} and rows
    highest = "GREEN" if "GREEN" in markings else "CLEAR"
    assert csv_path.name.startswith(f"incidents-TLP-{highest}-")
    assert doc["made_by"] == {"user": "ana@example.org", "role": "analyst", "clearance": "TLP:GREEN"}
    assert doc["tlp"] == f"TLP:{highest}"
    snap = [e for e in audit.read(fixture_path) if e["action"] == "snapshot"][-1]
    assert (snap["user"], snap["rows"], snap["sha256"], snap["tlp"]) == (
        "ana@example.org", len(rows), doc["csv"]["sha256"], f"TLP:{highest}")


def test_chart_data_records_who_downloaded_what(fixture_path):
    store = store_mod.Store(fixture_path).cleared("AMBER")
    df = store.query("victim_country_options")
    maker = auth.User("v@example.org", "viewer", "AMBER")
    with zipfile.ZipFile(__import__("io").BytesIO(export.chart_snapshot_zip(
            store, df, name="countries", filters=Filters(), view=None, made_by=maker))) as z:
        doc = json.loads(z.read("countries.manifest.json"))
    assert doc["made_by"]["clearance"] == "TLP:AMBER" and doc["tlp"] in ("TLP:CLEAR", "TLP:GREEN", "TLP:AMBER")
    event = [e for e in audit.read(fixture_path) if e["action"] == "chart-data"][-1]
    assert (event["user"], event["rows"], event["tlp"]) == ("v@example.org", len(df), doc["tlp"])


def test_snapshots_past_the_limit_are_refused_not_queued(fixture_path, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "_snapshots", threading.BoundedSemaphore(1))
    export._snapshots.acquire()  # one is being written
    try:
        with pytest.raises(export.Busy, match="try again"):
            export.write_incidents(store_mod.Store(fixture_path), Filters(), tmp_path)
    finally:
        export._snapshots.release()
    assert list(tmp_path.iterdir()) == []


def test_a_runaway_query_is_stopped_with_a_clear_message(fixture_path, monkeypatch):
    real = sql.text
    monkeypatch.setattr(sql, "text", lambda name: "SELECT count(*) AS n FROM range(100000000000) AS t(i) "
                        "WHERE i % 7 = 3" if name == "dataset_info" else real(name))
    monkeypatch.setattr(store_mod, "QUERY_SECONDS", 0.3)
    store = store_mod.Store(fixture_path)
    with pytest.raises(store_mod.QueryTimeout, match="took longer than 0 s"):
        store.query("dataset_info")
    monkeypatch.setattr(sql, "text", real)
    assert store.query("dataset_info").iloc[0]["kind"]  # the store goes on answering


def test_a_decision_about_a_name_is_audited_with_who_made_it(tmp_path):
    from threatscape import names
    from threatscape.ingest.run import ingest
    from threatscape.resolver import Decision

    feed = tmp_path / "feed.csv"
    feed.write_text("occurred_on,actor,title\n2023-01-02,Kimusky,Phish\n2023-01-03,Kimusky,Again\n", encoding="utf-8")
    db = tmp_path / "db.duckdb"
    ingest([feed], db)
    ana = auth.User("ana@example.org", "analyst", "AMBER")
    report = names.decide(store_mod.Store(db), Decision("Kimusky", "map", "Kimsuky", "typo"), "ana", ana)
    event = audit.read(db)[-1]
    assert event["action"] == "alias-decision" and event["user"] == "ana@example.org" and event["role"] == "analyst"
    assert event["decisions"] == [{"name": "Kimusky", "decision": "map", "actor": "Kimsuky", "reason": "typo"}]
    assert event["remapped"] == report.remapped == 2 and audit.verify(db) == []


def test_the_local_user_can_read_as_a_lower_clearance(demo_path, monkeypatch):
    """THREATSCAPE_LOCAL_CLEARANCE: the overview counts only what a reader cleared to GREEN may read, and says so."""
    from streamlit.testing.v1 import AppTest

    from threatscape import data

    monkeypatch.setenv("THREATSCAPE_DB", str(demo_path))
    query = {"since": "2022-01-01", "until": "2023-12-31"}
    counts = {}
    for clearance in ("RED", "GREEN"):
        monkeypatch.setenv(auth.LOCAL_CLEARANCE, clearance)
        at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=60)
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception
        counts[clearance] = int(next(m.value for m in at.metric if m.label == "Incidents").replace(",", ""))
        assert ("TLP:GREEN" in " ".join(c.value for c in at.sidebar.caption)) is (clearance == "GREEN")
        assert "RED" not in at.sidebar.multiselect(key="tlp").options or clearance == "RED"
    store = store_mod.Store(demo_path)
    f = Filters(since=__import__("datetime").date(2022, 1, 1), until=__import__("datetime").date(2023, 12, 31))
    assert counts == {"RED": data.incident_count(store, f), "GREEN": data.incident_count(store.cleared("GREEN"), f)}
    assert counts["GREEN"] < counts["RED"]


def test_the_export_command_reads_as_its_clearance(fixture_path, tmp_path):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "threatscape", "export", "--db", str(fixture_path), "--clearance",
                          "GREEN", "--out", str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    csv_path = next(tmp_path.glob("*.csv"))
    markings = {r["tlp"] for r in csv.DictReader(csv_path.open(encoding="utf-8", newline=""))}
    assert markings and markings <= {"CLEAR", "GREEN"}
    doc = json.loads(next(tmp_path.glob("*.manifest.json")).read_text())
    assert doc["made_by"]["clearance"] == "TLP:GREEN" and doc["made_by"]["user"].endswith("(command line)")
    assert csv_path.name.startswith(f"incidents-{doc['tlp'].replace(':', '-')}-")


def _explorer(db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("THREATSCAPE_DB", str(db))
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "pages" / "explorer.py"), default_timeout=60)
    at.query_params["since"], at.query_params["until"] = "2022-01-01", "2023-12-31"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_explorer_prepares_a_snapshot_named_after_its_highest_tlp(fixture_path, monkeypatch):
    at = _explorer(fixture_path, monkeypatch)
    at.button(key="snapshot_prepare").click().run()
    assert not at.exception, [e.value for e in at.exception]
    label = next(b.label for b in at.get("download_button") if b.label.startswith("Download incidents-TLP-"))
    snap = [e for e in audit.read(fixture_path) if e["action"] == "snapshot"][-1]
    assert label == f"Download {snap['file'].removesuffix('.csv')}.zip" and snap["user"] == "local user"
    assert label.startswith(f"Download incidents-{snap['tlp'].replace(':', '-')}-")


def test_a_browser_snapshot_past_the_cap_is_the_command_lines(fixture_path, monkeypatch):
    from threatscape import app

    monkeypatch.setattr(app, "MAX_BROWSER_SNAPSHOT", 3)
    at = _explorer(fixture_path, monkeypatch)
    assert at.button(key="snapshot_prepare").disabled
    assert any("python -m threatscape export" in c.value for c in at.caption)


@pytest.mark.parametrize("address, client, host, forwarded, served", [
    ("localhost", "127.0.0.1", "localhost:8501", None, True),
    ("127.0.0.1", "::1", "[::1]:8501", None, True),
    ("localhost", None, None, None, True),  # no request to look at
    ("0.0.0.0", "127.0.0.1", "localhost:8501", None, False),  # listening on every address
    ("localhost", "10.0.0.7", "localhost:8501", None, False),  # another machine
    ("localhost", "127.0.0.1", "threatscape.example.org", None, False),  # a proxy on this machine, by its Host
    ("localhost", "127.0.0.1", "localhost:8501", "203.0.113.9", False),  # ... or by whom it forwards
])
def test_local_mode_answers_this_machine_only(address, client, host, forwarded, served):
    assert auth.serves_local_mode(address, client, host, forwarded) is served
