"""Actor profile: one group's names, sponsor, history, targets and campaigns."""
import streamlit as st

from threatscape import charts, countries, data, tables
from threatscape.app import chart, figure, link, setup, table
from threatscape.filters import unfinished_period
from threatscape.resolver import UNATTRIBUTED
from threatscape.safe import md

page = setup("Actor profile", view_options=False)
store, f = page.store, page.filters

if not f.actors:
    st.title("Actor profile")
    options = data.filter_options(store)
    choice = st.selectbox("Choose an actor (type any alias)", options.actors, index=None,
                          placeholder="Kimsuky, Thallium, Emerald Sleet…")
    if choice is None:
        st.info("Pick an actor, or open one from the explorer or the overview's heatmap.")
        st.stop()
    st.query_params["actor"] = options.actor_of[choice]  # as if the link had named it
    st.rerun()

actor = f.actors[0]
if len(f.actors) > 1:
    actor = st.segmented_control("Actor", f.actors, default=f.actors[0], key="profile_actor", format_func=md) \
        or f.actors[0]
scoped = f.with_(actors=(actor,))
data.prefetch_actor(store, scoped, page.view)  # the queries below, started at once on both cores
profile = data.actor_profile(store, actor)
if profile is None:  # the data changed under this session: a new ingest, or a decision about the name
    st.title("Actor profile")
    now, _ = data.resolve_actors(store, [actor])
    st.warning(f"{md(actor)} is not an actor in the data now" + (f"; the name now means {md(now[0])}." if now else "."))
    if now:
        link("actor", f"Open {md(now[0])}", f.with_(actors=(now[0],)).to_query())
    st.stop()

st.title(md(actor))
if actor == UNATTRIBUTED:
    behind = ", ".join(f"{md(r.name)} ({r.incident_count:,})" for r in data.unattributed_names(store).itertuples())
    st.info(f"Not an actor: the incidents whose source names no actor (a placeholder, or nothing). As the sources "
            f"wrote it: {behind}.")
    link("names", "Names to review: a placeholder can be mapped to an actor there", {})
sponsor = countries.name(profile["sponsor_country"]) if isinstance(profile["sponsor_country"], str) else "unknown"
seen = (f"first seen **{profile['first_seen']:%Y-%m-%d}**, last seen **{profile['last_seen']:%Y-%m-%d}**"
        if profile["incidents"] else "no incidents")
motive = f" · motivation: {md(profile['motivation'])}" if isinstance(profile["motivation"], str) else ""
st.markdown(f"Sponsor state: **{sponsor}** · {seen}{motive}")
reported = data.reported_sponsors(store, actor)
if len(reported):
    named = ", ".join(f"{countries.name(r.sponsor_country)} ({r.incident_count:,} incidents)"
                      for r in reported.itertuples(index=False))
    st.warning(f"The sources name another sponsor state: {named}. The directory says {sponsor}.")
cols = st.columns(4)
cols[0].metric("Incidents (all time)", f"{int(profile['incidents']):,}", border=True)
cols[1].metric("Campaigns (all time)", f"{int(profile['campaigns']):,}", border=True)
with st.container(key="wrap-explorer-link"):  # a long name wraps (app.WRAP_LINKS)
    link("explorer", f"All incidents of {md(actor)} in the explorer", scoped.to_query())

aliases = data.actor_aliases(store, actor)
with st.expander("1 name" if len(aliases) == 1 else f"{len(aliases)} names and aliases", expanded=True):
    table(aliases.rename(columns={"alias": "Name", "source": "Source"}), hide_index=True)

st.caption(f"The charts below follow the sidebar filters: {f.since:%d %b %Y} to {f.until:%d %b %Y}.")
left, right = st.columns([3, 2])
with left:
    by_sector = data.sector_period(store, scoped, page.view)
    chart(page, figure(charts.sector_timeseries, by_sector, grain=page.view.grain,
                       title=charts.named_title(actor, "incidents by sector"),
                       unfinished=unfinished_period(f.until, page.view.grain)),
          by_sector, name="actor-sectors-over-time", key="actor_sectors", page_name="actor")
with right:
    victims = data.victim_countries(store, scoped)
    chart(page, figure(charts.top_victim_countries, victims), victims, name="actor-victim-countries",
          key="actor_countries", page_name="actor")

st.subheader("Campaigns", anchor=False)
st.caption("Campaigns active in the period, as the overview counts them: most recently active first, each "
           "with its whole span and incident count, not cut at the period's ends.")
camp = data.campaigns(store, scoped)
table(tables.campaign_table(camp), hide_index=True)

st.subheader("Latest incidents", anchor=False)
latest = tables.incident_table(data.incident_page(store, scoped, page_size=10))
table(latest.drop(columns=["incident_id"]), hide_index=True,
             column_config={"Link": st.column_config.LinkColumn("Link", display_text="open")})
