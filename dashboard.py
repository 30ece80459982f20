"""Threatscape: run with `streamlit run dashboard.py`. Sets the frame; each page composes its own content."""
import streamlit as st

pages = [
    st.Page("pages/overview.py", title="Overview", icon="📊", default=True),
]
st.navigation(pages).run()
