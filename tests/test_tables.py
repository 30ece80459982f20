"""What the explorer's table shows for untrusted feed text."""
import datetime as dt

import pandas as pd
import pytest

from threatscape import tables
from threatscape.safe import md


def page(**overrides):
    row = {"incident_id": "x1", "occurred_on": dt.date(2023, 3, 1), "date_precision": "month",
           "actor": "Kimsuky", "actor_as_reported": "Thallium", "sectors": "energy", "victim_country": "KR",
           "campaign": None, "title": "=1+1", "source": "feed", "source_url": "https://example.org/a",
           "confidence": 80, "tlp": "GREEN"}
    row.update(overrides)
    return pd.DataFrame([row])


def test_only_http_links_are_clickable():
    assert tables.incident_table(page())["Link"].tolist() == ["https://example.org/a"]
    for url in ["javascript:alert(1)", "data:text/html,<script>", "file:///etc/passwd", "ftp://x", None]:
        assert tables.incident_table(page(source_url=url))["Link"].tolist() == [None]


def test_table_shows_what_the_csv_holds():
    t = tables.incident_table(page())
    assert t["Title"].tolist() == ["'=1+1"]  # neutralised as in the snapshot
    assert t["Date"].tolist() == ["2023-03"] and t["Country"].tolist() == ["South Korea"]
    assert t["Actor"].tolist() == ["Kimsuky (reported as Thallium)"]


def test_markdown_escape_keeps_feed_text_literal():
    zw = "\u200b"  # after a ':' or '@', inside 'www': what a renderer would turn into a link or an icon, broken
    assert md("![x](http://e/p.png)") == r"\!\[x\]\(http\:" + zw + r"//e/p\.png\)"
    assert md(":red[alert] **bold** <b>") == r"\:" + zw + r"red\[alert\] \*\*bold\*\* \<b\>"
    assert md("www.x.example a@b.example") == "w" + zw + r"ww\.x\.example a@" + zw + r"b\.example"
    assert md("APT 28") == "APT 28"


def test_every_text_cell_that_starts_like_a_formula_gets_an_apostrophe():
    import pyarrow as pa

    from threatscape.safe import neutralise

    cells = ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx", "a=b", "", None]
    table = pa.table({"title": pa.array(cells), "summary": pa.array(cells, pa.large_string()),
                      "tlp": pa.array(["GREEN"] * len(cells)), "confidence": pa.array(range(len(cells)))})
    safe = neutralise(table)
    want = ["'=1+1", "'+cmd", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "a=b", "", None]
    assert safe.column("title").to_pylist() == want and safe.column("summary").to_pylist() == want
    assert safe.column("tlp").equals(table.column("tlp"))  # constrained by the schema: never a formula
    assert safe.column("confidence").equals(table.column("confidence"))
    batch = table.to_batches()[0]
    assert neutralise(batch).column(0).to_pylist() == want  # a record batch, as the CSV export streams them
    plain = pa.table({"title": ["Phish", "Scan"]})
    assert neutralise(plain).equals(plain)


@pytest.mark.perf
def test_the_escaping_module_loads_no_pyarrow_or_pandas():
    """threatscape.safe is imported as the app starts; pyarrow and pandas load only when a table is escaped."""
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, threatscape.safe; print(sorted({'pandas', 'pyarrow'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent,
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
