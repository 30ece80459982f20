"""What the explorer's table shows for untrusted feed text."""
import datetime as dt

import pandas as pd

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
