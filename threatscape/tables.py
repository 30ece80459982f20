"""Tables for display: pure functions from a query's DataFrame to the frame a page shows (no Streamlit)."""
from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa

from . import countries
from .safe import FORMULA_STARTS, neutralise

SAFE_URL = re.compile(r"^https?://", re.IGNORECASE)


# The explorer's column order: what a reader scans first (date, title, who, where) leads, the link comes last.
INCIDENT_COLUMNS = ["Date", "Title", "Actor", "Sectors", "Country", "Campaign", "Confidence", "TLP", "Source", "Link"]


def display_date(day, precision: str) -> str:
    """'2023-01-10', '2023-03' or '2023': only as precise as the source was."""
    return {"year": f"{day:%Y}", "month": f"{day:%Y-%m}"}.get(precision, f"{day:%Y-%m-%d}")


def incident_table(page: pd.DataFrame) -> pd.DataFrame:
    """The explorer's rows: readable dates and countries, alias shown when the source used one,
    a link only for http(s) URLs, and formula-like text neutralised exactly as in the CSV snapshot."""
    if page.empty:
        return pd.DataFrame(columns=["Date", "Actor", "Sectors", "Country", "Campaign", "Title", "Confidence",
                                     "TLP", "Source", "Link", "incident_id"])
    safe = neutralise(pa.Table.from_pandas(
        page[["actor", "actor_as_reported", "sectors", "campaign", "title", "source"]], preserve_index=False)
    ).to_pandas()
    reported = [r if r != a else "" for a, r in zip(page["actor"], page["actor_as_reported"])]
    return pd.DataFrame({
        "Date": [display_date(d, p) for d, p in zip(page["occurred_on"], page["date_precision"])],
        "Actor": [f"{a} (reported as {r})" if r else a for a, r in zip(safe["actor"], reported)],
        "Sectors": safe["sectors"],
        "Country": [countries.name(c) if isinstance(c, str) else "" for c in page["victim_country"]],
        "Campaign": safe["campaign"].fillna(""),
        "Title": safe["title"],
        "Confidence": page["confidence"].astype("Int64"),
        "TLP": page["tlp"],
        "Source": safe["source"],
        "Link": [u if isinstance(u, str) and SAFE_URL.match(u) else None for u in page["source_url"]],
        "incident_id": page["incident_id"],
    })


def guarded(df: pd.DataFrame) -> pd.DataFrame:
    """df as a page shows it: an apostrophe before every text cell that starts like a spreadsheet formula, as in the
    CSV snapshot (a shown table's toolbar downloads it as CSV just as it is shown). Cells guarded already stay."""
    text = [c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c].dtype)]
    if not text:
        return df
    out = df.copy()
    for c in text:
        out[c] = df[c].map(_guarded_cell)
    return out


def _guarded_cell(v):
    return "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v


def facet_table(df: pd.DataFrame, facet: str) -> pd.DataFrame:
    """A facet's values with readable names (countries) and counts."""
    values = [countries.name(v) for v in df["value"]] if facet == "country" else df["value"].tolist()
    return pd.DataFrame({facet.capitalize(): values, "Incidents": df["incident_count"].astype("int64")})


def campaign_table(df: pd.DataFrame) -> pd.DataFrame:
    """Campaigns with readable dates and countries; feed text neutralised as in the CSV."""
    if df.empty:
        return pd.DataFrame(columns=["Campaign", "Actors", "First seen", "Last seen", "Incidents", "Victim countries"])
    safe = neutralise(pa.Table.from_pandas(df[["campaign", "actors"]], preserve_index=False)).to_pandas()
    return pd.DataFrame({
        "Campaign": safe["campaign"], "Actors": safe["actors"],
        "First seen": [f"{d:%Y-%m-%d}" for d in df["first_seen"]],
        "Last seen": [f"{d:%Y-%m-%d}" for d in df["last_seen"]],
        "Incidents": df["incident_count"].astype("int64"),
        "Victim countries": ["; ".join(countries.name(c) for c in (v or "").split("; ") if c) for v in
                             df["victim_countries"]],
    })


def query_table(timings) -> pd.DataFrame:
    """The queries a page ran (store.Timing), as the explorer lists them."""
    return pd.DataFrame({"Query": [t.query for t in timings],
                         "Milliseconds": [round(t.ms, 1) for t in timings],
                         "Rows": [t.rows for t in timings],
                         "From the cache": [t.cached for t in timings],
                         "Plan": [t.plan or "(no variants)" for t in timings]})
