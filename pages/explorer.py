"""Analyst explorer: narrow the incidents down, read them page by page, export a reproducible snapshot."""
import streamlit as st

from threatscape import data, tables
from threatscape.app import ROWS, incident_snapshot, link, setup, table
from threatscape.paging import Position
from threatscape.safe import md


def position() -> Position:
    """Where the list is: the URL's `rows` (app.setup keeps it, and starts again at page 1 on a filter change)."""
    return Position.from_url(st.session_state.get(ROWS)) or Position()


def prefetch(store, f, view):
    """The rows on screen start on a query thread as soon as the filters are known (the sort order's widget
    state is seeded by then); the count and the facets once the rows are read."""
    order_by = st.session_state.get("sort") or data.ORDERS[0]
    pos = position()
    return data.prefetch_explorer(store, f, order_by=order_by, cursor=pos.cursor, backward=pos.backward)


EXPLORER_QUERIES = ("incident_page", "confidence_range", "incident_count", "incident_facets")
page = setup("Explorer", extra={"sort": data.ORDERS}, prefetch=prefetch, paged=True)
store, f = page.store, page.filters
order_by = page.extra["sort"]

st.title("Incident explorer")
pos = position()
rows = data.incident_page(store, f, order_by=order_by, cursor=pos.cursor, backward=pos.backward)
data.prefetch_totals(store, f)
total = data.incident_count(store, f)
st.markdown(f"**{total:,}** {'incident matches' if total == 1 else 'incidents match'}, "
            f"{f.since:%d %b %Y} to {f.until:%d %b %Y}.")
pos = pos.settle(len(rows), total)
keys = {"first_key": int(rows["sort_key"].iloc[0]) if len(rows) else None,
        "last_key": int(rows["sort_key"].iloc[-1]) if len(rows) else None,
        "shown": len(rows), "total": total, "page_size": data.PAGE_SIZE}


def move(to: str) -> None:
    st.session_state[ROWS] = pos.move(to, **keys).to_url()


ROW_PX = 35  # st.dataframe's row (and header) height
TABLE_HEIGHT = ROW_PX * 31 + ROW_PX // 2 + 2  # header, 30.5 rows, the frame's border
FACET_NAME_PX, FACET_COUNT_PX = 96, 90  # they widen in proportion to fill the side column (about 196 px at 1280)


@st.fragment
def incidents(rows, shown) -> None:
    """The page of incidents and the one selected: choosing a row reruns only this, not the page (its queries,
    facets, sidebar and snapshot are as they were)."""
    # What a reader scans first (date, title, who, where) leads; at 1440 px they fit without scrolling sideways.
    # The height shows 30 and a half rows of a 50-row page (the half row says the table scrolls).
    picked = table(
        shown, hide_index=True, on_select="rerun", selection_mode="single-row", key="incident_table",
        height=TABLE_HEIGHT, column_order=tables.INCIDENT_COLUMNS,
        column_config={
            "Date": st.column_config.TextColumn("Date", width=92),
            "Title": st.column_config.TextColumn("Title", width="large"),
            "Actor": st.column_config.TextColumn("Actor", width=170),
            "Sectors": st.column_config.TextColumn("Sectors", width=160),
            "Country": st.column_config.TextColumn("Country", width=120),
            "Campaign": st.column_config.TextColumn("Campaign", width=180),
            "Confidence": st.column_config.NumberColumn("Confidence", format="%d", width=88,
                                                        help="Attribution confidence, 0 to 100."),
            "TLP": st.column_config.TextColumn("TLP", width=104),
            "Source": st.column_config.TextColumn("Source", width=150),
            "Link": st.column_config.LinkColumn("Link", display_text="open", width=56,
                                                help="Only http(s) links open."),
        })
    st.caption("Select a row to read the incident. Sorting by a column header sorts this page only; "
               "the order above sorts every match.")
    chosen = picked.selection.rows if picked else []
    if chosen and chosen[0] < len(rows):
        row = rows.iloc[chosen[0]]
        with st.container(border=True):
            st.subheader(md(row["title"]), anchor=False)  # the stored text: a heading is not downloaded
            st.text(row["summary"] or "(no summary)")
            st.markdown(f"{md(row['incident_id'])} · {shown['Date'].iloc[chosen[0]]} ({row['date_precision']} "
                        f"precision) · {md(row['sectors'])}")
            link("actor", f"Profile of {md(row['actor'])}", f.with_(actors=(row["actor"],)).to_query())


left, right = st.columns([3, 1])  # the side tables need about 230 px to show names and counts
with left:
    c1, c2, c3, c4, c5, c6 = st.columns([2, 1, 1, 1, 1, 2], vertical_alignment="bottom")
    c1.selectbox("Order", data.ORDERS, key="sort",
                 format_func={"newest": "Newest first", "oldest": "Oldest first",
                              "confidence": "Highest confidence first"}.get)
    at_start, at_end = pos.start == 0, pos.start + len(rows) >= total
    c2.button("First", on_click=move, args=("first",), disabled=at_start, width="stretch")
    c3.button("Previous", on_click=move, args=("previous",), disabled=at_start, width="stretch")
    c4.button("Next", on_click=move, args=("next",), disabled=at_end, width="stretch")
    c5.button("Last", on_click=move, args=("last",), disabled=at_end, width="stretch")
    if total:
        c6.markdown(f"Rows {pos.start + 1:,}–{pos.start + len(rows):,} of {total:,}")

    incidents(rows, tables.incident_table(rows))

with right:
    st.markdown("**In this selection**")
    top = data.facets(store, f)
    for facet, heading in (("actor", "Top actors"), ("sector", "Top sectors"), ("country", "Top countries")):
        st.caption(heading + (" (an incident once per sector)" if facet == "sector" else ""))
        facet_rows = tables.facet_table(top[facet], facet)
        # A narrow name column (a long name is cut; hovering it shows it whole) leaves the counts in view.
        # The bars compare each value with the selection's top one.
        table(facet_rows, hide_index=True,
                     column_config={
                         facet.capitalize(): st.column_config.TextColumn(facet.capitalize(), width=FACET_NAME_PX),
                         "Incidents": st.column_config.ProgressColumn(
                             "Incidents", format="%d", min_value=0, width=FACET_COUNT_PX,
                             max_value=max(int(facet_rows["Incidents"].max()) if len(facet_rows) else 0, 1))})
    if len(f.actors) == 1:
        link("actor", f"Profile of {md(f.actors[0])}", f.to_query())

st.divider()
st.subheader("CSV snapshot", anchor=False)
st.caption(f"All {total:,} matching incidents (not only this page), in the order above, with a manifest "
           "(filters, link to this view, data version, row count, SHA-256) that lets anyone re-derive it.")
o1, o2, o3 = st.columns([1, 1, 2], vertical_alignment="bottom")
long_form = o1.checkbox("One row per sector", help="Long form: an incident that hit three sectors is three rows.")
bom = o2.checkbox("Excel (BOM)", help="Start the file with a UTF-8 byte-order mark so Excel reads accents right.")


incident_snapshot(page, order_by=order_by, long=long_form, bom=bom, total=total, container=o3)

with st.expander("The queries behind this page"):
    st.caption("Each query in queries/*.sql that this page ran, how long it took, and the plan that answered it: "
               "the summary tables' or the incidents' variant of each macro it reads (threatscape/plans.py). The "
               "snapshot's manifest names the plan of its query too.")
    table(tables.query_table(page.queries(EXPLORER_QUERIES)), hide_index=True)
