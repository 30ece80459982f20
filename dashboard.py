"""Threatscape: run with `streamlit run dashboard.py`. Sets the frame; each page composes its own content."""
import streamlit as st

from threatscape.app import PAGES

# Navigation links are drawn by each page's setup() (so they also exist on a deep link to a page).
pages = [st.Page(f"pages/{stem}.py", title=title, default=stem == "overview") for stem, title in PAGES]
st.navigation(pages, position="hidden").run()
