"""The leadership brief, made the way a scheduled job makes it (`python -m threatscape brief` on the fixture
database), read back the way a reader meets it: its text (pdftotext), its pages as pictures (pdftoppm), its manifest.

Needs Chromium (Kaleido draws the charts with it) and poppler-utils; where either is missing the tests skip and
say so, and with CI=true they fail instead.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_browser import require_browser
from threatscape import data, export
from threatscape.filters import Filters, View
from threatscape.store import Store

REPO = Path(__file__).resolve().parent.parent
H1 = ["--since", "2023-01-01", "--until", "2023-06-30"]
F = Filters(since=dt.date(2023, 1, 1), until=dt.date(2023, 6, 30))
TLP_ORDER = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]


@pytest.fixture(scope="module", autouse=True)
def tools():
    require_browser()
    missing = [t for t in ("pdftotext", "pdftoppm") if shutil.which(t) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} missing (apt-get install poppler-utils)", pytrace=False)
        pytest.skip(f"{', '.join(missing)} missing (apt-get install poppler-utils)")


def brief(db: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "threatscape", "brief", "--db", str(db), "--out", str(out), *args],
                          capture_output=True, text=True, cwd=REPO, timeout=300, env=os.environ | {"PYTHONPATH": str(REPO)})


def pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


@pytest.fixture(scope="module")
def made(fixture_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("brief") / "board.pdf"
    done = brief(fixture_path, out, *H1)
    assert done.returncode == 0, done.stderr
    return out, done


def test_the_brief_holds_the_dashboards_numbers_on_two_to_four_marked_pages(made, fixture_path):
    out, done = made
    assert done.stdout.split() == [str(out), str(out.with_name("board.manifest.json"))]
    text = pages(out)
    assert 2 <= len(text) <= 4
    k = data.kpis(Store(fixture_path), F)
    first = re.sub(r"\s+", " ", text[0])
    for label, key in [("Incidents", "incidents"), ("Active actors", "actors"), ("Sectors hit", "sectors"),
                       ("Countries hit", "countries"), ("Active campaigns", "campaigns")]:
        assert label in first
        change = int(k[key]) - int(k["prev_" + key])
        assert f"{change:+,} (from {int(k['prev_' + key]):,})" in first or (change == 0 and "no change" in first)
    numbers = [int(n) for n in re.findall(r"^\s*(\d[\d,]*)\s+(?:\d)", text[0], re.M)[:1]]
    assert numbers == [int(k["incidents"])]  # the first figure on the page is the incident total
    assert "Jan–Jun 2023" in first or "Jan 2023 to Jun 2023" in first
    assert "What changed" in first and "Gamaredon Group appears for the first time" in first
    # The fixture holds a RED incident in H1 2023: every page is marked TLP:RED, head and foot.
    highest = export.highest_tlp(Store(fixture_path), F)
    for page in text:
        assert page.count(f"TLP:{highest}") >= 2
    assert "How the numbers are counted" in text[-1] and "Data version" in text[-1]


def test_the_manifest_lets_every_chart_be_re_derived(made, fixture_path):
    out, _ = made
    doc = json.loads(out.with_name("board.manifest.json").read_text(encoding="utf-8"))
    store = Store(fixture_path)
    v = View()
    behind = {"actors-by-sector": data.actor_sector(store, F, v), "incidents-by-actor-over-time":
              data.actor_period(store, F, v), "victim-map": data.victim_countries(store, F),
              "campaigns-at-once": data.campaign_concurrency(store, F, v)}
    assert {c["name"] for c in doc["charts"]} == set(behind)
    for chart in doc["charts"]:
        df = behind[chart["name"]]
        assert chart["rows"] == len(df)
        assert chart["sha256"] == hashlib.sha256(export.frame_csv(df)).hexdigest(), chart["name"]
    assert doc["files"]["board.pdf"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert doc["kpis"][0] == {"name": "Incidents", "value": int(data.kpis(store, F)["incidents"]),
                              "compared_with": int(data.kpis(store, F)["prev_incidents"])}


def test_the_pages_render_as_pictures(made, tmp_path):
    out, _ = made
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(out), str(tmp_path / "page")], check=True)
    from PIL import Image

    pictures = sorted(tmp_path.glob("page-*.png"))
    assert len(pictures) == len(pages(out))
    for picture in pictures:
        image = Image.open(picture).convert("L")
        assert image.size[0] < image.size[1]  # portrait A4
        inked = sum(image.histogram()[:200])  # pixels darker than light grey
        assert inked > 500, f"{picture.name} is nearly blank"


def test_a_reader_cleared_to_green_gets_a_green_brief_of_green_numbers(fixture_path, tmp_path):
    out = tmp_path / "green.pdf"
    done = brief(fixture_path, out, *H1, "--clearance", "GREEN")
    assert done.returncode == 0, done.stderr
    green = Store(fixture_path).cleared("GREEN")
    k = data.kpis(green, F)
    text = pages(out)
    marking = export.highest_tlp(green, F) or "CLEAR"
    assert TLP_ORDER.index(marking) <= TLP_ORDER.index("GREEN")
    assert all(f"TLP:{marking}" in page and "TLP:RED" not in page and "TLP:AMBER" not in page for page in text)
    assert re.search(rf"Incidents\b.*\n\s*\n?\s*{int(k['incidents'])}\b", text[0]) or \
        str(int(k["incidents"])) in text[0].split("What changed")[0]


def test_png_and_html_formats_and_a_self_contained_page(fixture_path, tmp_path):
    done = brief(fixture_path, tmp_path / "board.png", *H1, "--format", "png", "--compare", "year")
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in tmp_path.glob("board-*.png"))
    assert written == ["board-1-summary.png", "board-2-what-changed.png", "board-3-actors-by-sector.png",
                       "board-4-incidents-by-actor-over-time.png", "board-5-victim-map.png",
                       "board-6-campaigns-at-once.png"]
    assert json.loads((tmp_path / "board.manifest.json").read_text())["compare"] == "year"
    done = brief(fixture_path, tmp_path / "board.html", *H1, "--format", "html")
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "board.html").read_text(encoding="utf-8")
    assert "TLP:RED" in page and "What changed" in page
    assert not re.search(r"""(src|href)=["']?https?:""", page)  # nothing fetched from elsewhere
    assert "<script" not in page


def test_a_failure_is_one_line_and_a_non_zero_exit(fixture_path, tmp_path):
    done = brief(fixture_path, tmp_path / "no" / "such" / "board.pdf", *H1)
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "no such folder" in done.stderr
    assert "Traceback" not in done.stderr
    done = brief(fixture_path, tmp_path / "b.pdf", "--actor", "Nobody At All")
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_the_brief_renders_with_the_network_unplugged(fixture_path, tmp_path):
    """Run in a network namespace of its own (no interface but loopback, no name resolution): the charts, the map's
    outlines and the fonts all come from this machine."""
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode:
        pytest.skip("cannot make a network namespace here (unshare -n needs root or user namespaces)")
    out = tmp_path / "offline.pdf"
    done = subprocess.run(["unshare", "-n", sys.executable, "-m", "threatscape", "brief", "--db", str(fixture_path),
                           "--out", str(out), *H1], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    text = pages(out)
    assert "Where the victims are" not in text[0] and 2 <= len(text) <= 4
    assert json.loads(out.with_name("offline.manifest.json").read_text())["charts"][2]["name"] == "victim-map"
