"""Ingest: upload incident files (CSV, STIX 2.x, MISP, EuRepoC) and see exactly what was taken."""
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from threatscape.app import link, setup
from threatscape.ingest.formats import FORMATS
from threatscape.ingest.model import UnreadableFile
from threatscape.ingest.run import IngestFailed, ingest
from threatscape.safe import md

page = setup("Ingest", without_incidents=True)  # the way to fill an empty database
st.title("Ingest incidents")
st.markdown("Load CSV (Threatscape columns), STIX 2.0/2.1 bundles, MISP event JSON or the EuRepoC Global "
            "Database CSV. Actors, sectors and countries are normalised; every record is counted as added, "
            "updated, duplicate or rejected. The database is replaced only when the ingest succeeds, and every "
            "page shows the new data on its next query. Same code as `python -m threatscape ingest`.")
if page.dataset["kind"] == "demo":
    st.info("The app is showing demo data: the first ingest replaces it with your sources.")

uploads = st.file_uploader("Files", accept_multiple_files=True, type=["csv", "tsv", "txt", "xlsx", "json"])
c1, c2, c3, c4 = st.columns(4)
fmt = c1.selectbox("Format", ("auto",) + FORMATS)
source = c2.text_input("Source name", placeholder="the feed's own (STIX creator, MISP org), else the format")
strict = c3.checkbox("Strict", help="Any rejected record fails the whole ingest; nothing is written.")
dry_run = c4.checkbox("Dry run", help="Read and count only; write nothing.")

if st.button("Ingest", type="primary", disabled=not uploads):
    with tempfile.TemporaryDirectory(prefix="threatscape-upload-") as work:
        paths = []
        for i, up in enumerate(uploads):
            target = Path(work) / f"{i:03d}-{Path(up.name).name}"  # keep the name, never a path from the client
            target.write_bytes(up.getvalue())
            paths.append(target)
        try:
            with st.spinner("Ingesting…"):
                report = ingest(paths, page.store.path, fmt=fmt, source=source or None, strict=strict,
                                dry_run=dry_run)
        except UnreadableFile as exc:
            st.error(md(str(exc).replace(work + "/", "")))
            st.stop()
        except IngestFailed as exc:
            report = exc.report
            st.error(f"{len(report.rejections):,} record(s) rejected; strict, so nothing was written.")
    totals = report.totals()
    cols = st.columns(6)
    for col, key in zip(cols, ("read", "added", "updated", "duplicates", "merged", "rejected")):
        col.metric(key.capitalize(), f"{totals[key]:,}", border=True)
    st.text(report.summary().replace(work + "/", ""))
    n = report.normaliser
    if n is not None and (n.actor_status["unresolved"] or n.actor_status["ambiguous"]):
        link("names", "Review the actor names that matched no actor", {}, icon=":material/badge:")
    if report.rejections:
        st.subheader("Rejected records", anchor=False)
        st.dataframe(pd.DataFrame([{"file": r.file.replace(work + "/", ""), "row": r.locator, "field": r.field,
                                    "reason": r.reason} for r in report.rejections]), hide_index=True)
