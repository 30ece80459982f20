"""Threatscape: run with `streamlit run dashboard.py`. Sets the frame; each page composes its own content."""
import streamlit as st

pages = [
    st.Page("pages/overview.py", title="Overview", default=True),
    st.Page("pages/explorer.py", title="Explorer"),
    st.Page("pages/actor.py", title="Actor profile"),
]
st.navigation(pages).run()
