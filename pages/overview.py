"""Leadership overview: who is hitting which sectors, where, and how that changed."""
import streamlit as st

from threatscape import changes, charts, data
from threatscape.app import brief_button, chart, figure, go, link, setup
from threatscape.safe import md
from threatscape.filters import drill_down, period_words, unfinished_period

# The queries below start at once on both cores, as soon as the filters are known (before the sidebar is drawn).
page = setup("Overview", view_options=True, prefetch=data.prefetch_overview)
SHOWN_CHANGES, MORE_CHANGES = 8, 12  # "what changed": the first lines, then at most this many in an expander
store, f, v = page.store, page.filters, page.view

st.title("Threat landscape")
prev = f.compared(v.compare)
which = "the same dates a year earlier" if v.compare == "year" else "the period of equal length before"
# Nothing to compare with when that period lies wholly before the data: no change is shown, and it says why.
comparable = prev.until >= page.first_day
if not comparable:
    st.caption(f"{period_words(f.since, f.until)}. Nothing to compare with: {which} ("
               f"{period_words(prev.since, prev.until)}) lies before the data, which starts on "
               f"{page.first_day:%d %b %Y}.")
else:
    partly = f" (the data starts on {page.first_day:%d %b %Y}, within it)" if prev.since < page.first_day else ""
    # A year earlier, a period longer than a year overlaps the one it is compared with: the days in both count in
    # each, which the reader must know to read a change.
    overlap = (f" The two overlap: {period_words(f.since, prev.until, short=True)} is in both, and its incidents "
               f"count in each." if prev.until >= f.since else "")
    st.caption(f"{period_words(f.since, f.until)}, compared with {period_words(prev.since, prev.until)}, "
               f"{which}{partly}: each change in the totals below is against "
               f"{period_words(prev.since, prev.until, short=True)}.{overlap}")

brief_button(page)

k = data.kpis(store, f, v.compare)
unfinished = unfinished_period(f.until, v.grain)  # a period not over yet: its charts' label says "to date"
cols = st.columns(5)
for col, (label, key, help_text) in zip(cols, [
    ("Incidents", "incidents", "Distinct incidents in the period."),
    ("Active actors", "actors", "Actors with at least one incident in the period."),
    ("Sectors hit", "sectors", "Sectors (of 30) that at least one incident hit."),
    ("Countries hit", "countries", "Victim countries with at least one incident."),
    ("Active campaigns", "campaigns", "Campaigns running at some point in the period "
                                      "(a campaign runs from its first to its last incident)."),
]):
    change = int(k[key]) - int(k["prev_" + key])
    if not comparable:
        col.metric(label, f"{int(k[key]):,}", border=True, help=f"{help_text} No data before this period.")
        continue
    col.metric(label, f"{int(k[key]):,}", delta=f"{change:+,}" if change else "no change",
               delta_color="inverse" if change else "off", delta_arrow="auto" if change else "off", border=True,
               help=f"{help_text} {period_words(prev.since, prev.until)}: {int(k['prev_' + key]):,}.")

st.caption(data.attribution_note(k))

# What changed: sentences from the numbers (threatscape/changes.py), each opening the incidents behind it.
if comparable:
    said = changes.sentences(data.what_changed(store, f, v.compare), data.campaign_concurrency(store, f, v), f, prev,
                             v.grain)
    st.subheader("What changed", anchor=False)
    st.caption(f"Rises, falls and actors gone quiet are against {period_words(prev.since, prev.until, short=True)}, "
               f"{which}; an actor is new with no incident before the period, and a target new to an actor with "
               f"none in the twelve months before it. A count moves only from {changes.FLOOR} incidents; each line "
               "opens the incidents behind it.")
    if not said:
        st.caption("Nothing rose, fell, appeared or went quiet by enough to say.")
    with st.container(key="what-changed"):  # (app.WRAP_LINKS: a sentence wraps, it is never cut)
        for change in said[:SHOWN_CHANGES]:
            link("explorer", md(change.text), change.filters.to_query(), icon=changes.ICONS[change.kind])
        more = said[SHOWN_CHANGES:SHOWN_CHANGES + MORE_CHANGES]
        if more:
            with st.expander(f"{len(more)} more changes"):
                for change in more:
                    link("explorer", md(change.text), change.filters.to_query(), icon=changes.ICONS[change.kind])

colours = charts.actor_colours(data.actor_colours_source(store))
cells = data.actor_sector(store, f, v)
unattributed = int(k["unattributed"])  # left out of the actor charts, and said on each
clicked = chart(page, figure(charts.actor_sector_heatmap, cells, level=v.level, unattributed=unattributed), cells,
                name="actors-by-sector",
                key="heatmap", clickable=True)
if clicked and clicked.selection.points:
    target = drill_down(f, clicked.selection.points[0], chart="heatmap")
    if target:
        go("explorer", target.to_query())
if not cells.empty:
    heatmap_actors = cells.drop_duplicates("actor")["actor"].tolist()
    st.caption("Click a cell for the incidents behind it, or open an actor's profile:")
    with st.container(horizontal=True, wrap=True):  # each link as wide as its name, wrapping on a narrow screen
        for actor in heatmap_actors:
            link("actor", md(actor), f.with_(actors=(actor,)).to_query())

places = data.victim_countries(store, f, compare=v.compare)
clicked = chart(page, figure(charts.victim_map, places, compared=which,
                             compared_short=period_words(prev.since, prev.until, short=True),
                             matching=int(k["incidents"])),
                places, name="victim-map", key="map", clickable=True)
if clicked and clicked.selection.points:
    target = drill_down(f, clicked.selection.points[0], chart="map")
    if target:
        go("explorer", target.to_query())

left, right = st.columns([3, 2])
with left:
    series = data.actor_period(store, f, v)
    clicked = chart(page, figure(charts.actor_timeseries, series, colours, grain=v.grain, unattributed=unattributed,
                           unfinished=unfinished),
                    series,
                    name="incidents-by-actor-over-time", key="actor_timeseries", clickable=True)
    if clicked and clicked.selection.points:
        target = drill_down(f, clicked.selection.points[0], chart="timeseries", grain=v.grain)
        if target:
            go("explorer", target.to_query())
    precision = data.date_precision(store, f, v.compare)
    coarse = precision["month"] + precision["year"] if v.grain == "month" else precision["year"]
    if coarse and v.grain != "year":
        st.caption(f"{coarse:,} {'incident is' if coarse == 1 else 'incidents are'} known only to the month or "
                   f"year; each is counted in the "
                   f"{v.grain} holding the first day of its month or year.")
with right:
    chart(page, figure(charts.top_victim_countries, places, compared=which,
                       compared_short=period_words(prev.since, prev.until, short=True), matching=int(k["incidents"])),
          places, name="victim-countries", key="countries")

left, right = st.columns(2)
with left:
    sponsors = data.sponsor_period(store, f, v)
    chart(page, figure(charts.sponsor_mix, sponsors, grain=v.grain, unattributed=unattributed,
                       unfinished=unfinished), sponsors,
          name="sponsor-states-over-time",
          key="sponsors")
with right:
    running = data.campaign_concurrency(store, f, v)
    chart(page, figure(charts.campaign_concurrency, running, grain=v.grain, unfinished=unfinished), running,
          name="campaigns-at-once",
          key="campaigns")
