"""Ingest: upload incident files (CSV, STIX 2.x, MISP, EuRepoC) and see exactly what was taken.

The uploads are written to disk in slices and ingested by `python -m threatscape ingest` in a process of its own
(threatscape/ingest/upload.py): parsing never grows the server's memory, and the ingest waits for any other write of
the database (threatscape/writelock.py)."""
import re
import tempfile

import pandas as pd
import streamlit as st

from threatscape.app import link, setup, table
from threatscape.ingest import upload
from threatscape.ingest.formats import FORMATS
from threatscape.safe import md

page = setup("Ingest", without_incidents=True, filters=False)  # the way to fill an empty database
st.title("Ingest incidents")
st.markdown("Load CSV (Threatscape columns), STIX 2.0/2.1 bundles, MISP event JSON or the EuRepoC Global "
            "Database CSV. Actors, sectors and countries are normalised; every record is counted as added, "
            "updated, duplicate or rejected. The database is replaced only when the ingest succeeds, and every "
            "page shows the new data on its next query. Same code as `python -m threatscape ingest`.")
demo = page.dataset["kind"] == "demo"
if demo:
    st.info("The app is showing demo data: the first ingest replaces it with your sources.")

uploads = st.file_uploader("Files", accept_multiple_files=True, type=["csv", "tsv", "txt", "xlsx", "json"])
c1, c2, c3, c4 = st.columns(4)
fmt = c1.selectbox("Format", ("auto",) + FORMATS)
source = c2.text_input("Source name", placeholder="the feed's own (STIX creator, MISP org), else the format")
strict = c3.checkbox("Strict", help="Any rejected record fails the whole ingest; nothing is written.")
dry_run = c4.checkbox("Dry run", help="Read and count only; write nothing.")

# The demo data is replaced, not added to: asked first (a dry run writes nothing, so it need not be).
replace = not demo or dry_run or st.checkbox(
    "Replace the demo data", help="The demo incidents are removed; the database then holds only what you ingest.")
if st.button("Ingest", type="primary", disabled=not uploads or not replace,
             help=None if replace else "Tick 'Replace the demo data' first."):
    user = page.user  # who asked, for the audit trail (the local user without sign-in)
    with tempfile.TemporaryDirectory(prefix="threatscape-upload-") as work:
        # each upload under its own name (never a path from the client), in a folder of its own: the names the
        # command line would give the same files
        local = re.compile(re.escape(work) + r"/\d+/")

        def plain(text: str) -> str:
            return local.sub("", text)

        try:
            paths = upload.save(uploads, work)
        except upload.TooLarge as exc:
            st.error(md(str(exc)))
            st.stop()
        note = st.empty()

        def show(line: str) -> None:
            if line.startswith(upload.WAITING):
                note.info("Another ingest into this database is under way; this one starts when it has finished…",
                          icon=":material/hourglass_top:")
            elif line.startswith("…"):
                note.caption(line)

        with st.spinner("Ingesting…"):
            outcome = upload.run(paths, page.store.path, work, on_line=show, fmt=fmt, source=source or None,
                                 strict=strict, dry_run=dry_run, user=user.name, role=user.role,
                                 clearance=user.clearance)
        if outcome.waited:
            note.caption("This ingest waited for another ingest into this database to finish first.")
        else:
            note.empty()
    report = outcome.report
    if report is None:  # nothing was read: an unreadable file, or the process failed
        st.error(md(plain(outcome.error or "The ingest failed.")))
        st.stop()
    if not outcome.stored:  # why, in the ingest's own words (no incident to store, or --strict and a rejection)
        st.error(md(plain(outcome.error or "Nothing was written.")))
    cols = st.columns(6)
    for col, key in zip(cols, ("read", "added", "updated", "duplicates", "merged", "rejected")):
        col.metric(key.capitalize(), f"{report[key]:,}", border=True)
    st.text(plain(outcome.summary or ""))
    actors = report.get("actors") or {}
    if actors.get("unresolved") or actors.get("ambiguous"):
        link("names", "Review the actor names that matched no actor", {}, icon=":material/badge:")
    if report["rejections"]:
        st.subheader("Rejected records", anchor=False)
        table(pd.DataFrame([{"file": plain(r["file"]), "row": r["row"], "field": r["field"],
                                    "reason": r["reason"]} for r in report["rejections"]]), hide_index=True)
