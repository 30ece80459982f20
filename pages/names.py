"""Names: the actor names that matched no actor, and the team's decisions about them (threatscape/names.py)."""
import pandas as pd
import streamlit as st

from threatscape import names
from threatscape.app import link, setup, table
from threatscape.ingest.model import UnreadableFile
from threatscape.resolver import Decision
from threatscape.safe import md

EXAMPLE_COLUMNS = {"incident_id": "Incident", "occurred_on": "Date", "title": "Title", "source": "Source",
                   "source_url": st.column_config.TextColumn("Source URL")}  # text: never a link
HISTORY_COLUMNS = {"decision_id": "Id", "name": "Name", "decision": "Decision", "actor": "Actor", "reason": "Why",
                   "decided_by": "By", "decided_at": "When", "undone_by": "Undone by", "undone_at": "Undone"}


def _incidents(n: int) -> str:
    return "incident" if n == 1 else "incidents"


page = setup("Names", without_incidents=True, filters=False)
store = page.store
st.title("Actor names to review")
st.markdown("Names as the sources wrote them that matched no actor of the directory (the MISP galaxy and "
            "MITRE ATT&CK, with the team's own decisions). Map a name to an actor, mark it a placeholder "
            "(it means *unknown*: the incidents count as unattributed), or make it a new actor. A decision applies "
            "to every stored incident at once, is recorded with who, when and why, can be undone, and changes "
            "the alias-map version that snapshots record. Same as `python -m threatscape ingest --aliases FILE`.")
if page.dataset["kind"] == "demo":
    st.info("The demo data's actors all resolve: ingest your own sources to review their names.")

review = names.review(store)
cols = st.columns(3)
cols[0].metric("Incidents", f"{review.incidents:,}", border=True)
cols[1].metric("Attributed", f"{review.attributed:,}", border=True,
               help="Incidents whose source names an actor (not a placeholder such as '?' or 'unknown').")
resolved = review.attributed - review.unresolved_incidents
cols[2].metric("Resolved", f"{100 * resolved / review.attributed:.0f}%" if review.attributed else "-",
               border=True, help=f"{resolved:,} of {review.attributed:,} attributed incidents name a known actor.")

who = "" if page.user.local else page.user.name  # who decided, as the decision records them


def _apply(decision=None, undo=None) -> None:
    try:
        with st.spinner("Applying to every incident…"):
            report = (names.decide(store, decision, who, page.user) if decision is not None
                      else names.undo(store, undo, who, page.user))
    except (UnreadableFile, ValueError) as exc:
        st.error(md(str(exc).replace(str(store.path), "the database")))
        return
    changed = "now have" if report.remapped != 1 else "now has"
    st.session_state["names_done"] = (f"Done: {report.remapped:,} {_incidents(report.remapped)} {changed} "
                                      "another actor.")
    st.rerun()


if done := st.session_state.pop("names_done", None):
    st.success(done)

if not review.names:
    st.success("Every attributed incident names a known actor.")
else:
    listed = pd.DataFrame([{"Name as reported": n.name, "Incidents": n.incidents, "Status": n.status,
                           "Suggested": ", ".join(n.suggestions), "First seen": n.first_seen,
                           "Last seen": n.last_seen, "A source": n.source} for n in review.names])
    shown = f"; the {len(review.names):,} with most incidents below" if len(review.names) < review.unresolved_names else ""
    st.subheader(f"{review.unresolved_incidents:,} {_incidents(review.unresolved_incidents)} under "
                 f"{review.unresolved_names:,} names{shown}", anchor=False)
    table(listed, hide_index=True, column_config={"Incidents": st.column_config.NumberColumn(format="%d")})
    name = st.selectbox("Name to decide on", review.names, index=None, key="name_to_decide",
                        format_func=lambda n: f"{n.name} ({n.incidents:,} {_incidents(n.incidents)})",
                        placeholder="Choose a name to see the incidents behind it")
    if name is not None:
        st.subheader(md(name.name), anchor=False)
        table(names.examples(store, name.name), hide_index=True, column_config=EXAMPLE_COLUMNS)
        link("explorer", f"All {name.incidents:,} {_incidents(name.incidents)} reported as {md(name.name)}",
             {"actor": [name.name], "since": [str(name.first_seen)], "until": [str(name.last_seen)]})
        with st.form("decide"):
            kind = st.radio("Decision", ("map", "placeholder", "new"), horizontal=True,
                            format_func={"map": "Map to an actor", "placeholder": "A placeholder (unknown actor)",
                                         "new": "A new actor"}.get)
            choices = list(name.suggestions) + [a for a in names.actor_choices() if a not in name.suggestions]
            # never preselected: a suggestion is a near miss, and Apply must not map a name by default
            actor = st.selectbox("Actor (for a mapping)", choices, index=None, key="map_to",
                                 placeholder="Suggested actors first; type any actor name")
            new_name = st.text_input("New actor's name (for a new actor)", value=name.name)
            reason = st.text_input("Why", placeholder="e.g. typo of Kimsuky in feed X")
            if st.form_submit_button("Apply", type="primary"):  # (key: the form's)
                if kind == "map" and not actor:
                    st.error("Choose the actor the name maps to.")
                else:
                    _apply(Decision(name.name, kind, actor if kind == "map" else new_name if kind == "new" else None,
                                    reason))

if review.decisions:
    st.subheader("Decisions", anchor=False)
    history = pd.DataFrame([d._asdict() for d in review.decisions]).fillna("")
    table(history, hide_index=True, column_config=HISTORY_COLUMNS)
    in_force = [d for d in review.decisions if not isinstance(d.undone_at, str)]
    if in_force:
        c1, c2 = st.columns([3, 1])
        target = c1.selectbox("Undo a decision", in_force, format_func=lambda d: f"{d.decision_id}: {d.name} → "
                              f"{d.decision}{' ' + d.actor if isinstance(d.actor, str) else ''}", index=None,
                              key="undo_decision")
        if c2.button("Undo", disabled=target is None, key="undo"):
            _apply(undo=target.decision_id)
