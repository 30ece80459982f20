"""Audit trail: who signed in, ingested, downloaded or decided what, and when (threatscape/audit.py). Admins only."""
import json

import pandas as pd
import streamlit as st

from threatscape import audit
from threatscape.app import setup, table
from threatscape.export import frame_csv

page = setup("Audit trail", without_incidents=True, filters=False)
st.title("Audit trail")
st.markdown("Every sign-in and sign-out, ingest (files, counts, SHA-256), snapshot and chart-data download (filters, "
            "rows, SHA-256, the highest TLP inside) and alias decision, newest first. The trail is a file beside the "
            "database that is only ever appended to; each entry carries the SHA-256 of the one before it, so an "
            "edited or removed entry shows below.")
events = audit.read(page.store.path)
problems = audit.verify(page.store.path)
if problems:
    st.error(f"The trail is not whole: {len(problems)} entr{'y' if len(problems) == 1 else 'ies'} do not follow "
             f"the one before them (first: {problems[0]}).", icon=":material/gpp_bad:")
elif events:
    st.success(f"{len(events):,} {'entry' if len(events) == 1 else 'entries'}; the chain of hashes is whole.",
               icon=":material/verified_user:")
if not events:
    st.info("Nothing recorded yet.")
    st.stop()

BASE = ("at", "action", "user", "role", "clearance")
rows = [{**{k: e.get(k, "") for k in BASE},
         "details": json.dumps({k: v for k, v in e.items() if k not in BASE + ("prev",)}, ensure_ascii=False)}
        for e in reversed(events)]
trail = pd.DataFrame(rows, columns=list(BASE) + ["details"])
actions = st.multiselect("Actions", sorted(trail["action"].unique()), placeholder="Every action")
shown = trail[trail["action"].isin(actions)] if actions else trail
table(shown, hide_index=True, column_config={"details": st.column_config.TextColumn("Details", width="large")})


def _export() -> bytes:
    audit.record(page.store.path, "audit-export", user=page.user.name, role=page.user.role,
                 clearance=page.user.clearance, rows=len(shown))
    return frame_csv(shown.astype(str))


st.download_button("Download the trail (CSV)", data=_export, file_name="threatscape-audit.csv", mime="text/csv",
                   icon=":material/download:", on_click="ignore")
