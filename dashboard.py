"""Threatscape: run with `streamlit run dashboard.py`. Sets the frame; each page composes its own content."""
import streamlit as st

from threatscape import app, launch
from threatscape.store import QueryTimeout

# Only the pages this user may open are routed: another page's deep link finds no page. Navigation links are drawn
# by each page's setup() (so they also exist on a deep link to a page), which checks the user again.
user = app.current_user()  # an anonymous visitor, with sign-in configured, sees the sign-in page and nothing else
pages = [st.Page(f"pages/{stem}.py", title=title, default=stem == "overview") for stem, title in app.pages_for(user)]
page = st.navigation(pages, position="hidden")
launch.warm(default_overview=page is pages[0] and not st.query_params)  # before the page imports pandas
try:
    page.run()
except QueryTimeout as exc:  # a runaway query was stopped (store.QUERY_SECONDS): say so, not a generic error
    st.error(str(exc), icon=":material/timer_off:")
launch.settle()  # once per process, after its first page: the garbage collector leaves the imported modules be
