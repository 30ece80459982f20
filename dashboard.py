"""Threatscape: run with `streamlit run dashboard.py`. Sets the frame; each page composes its own content."""
import streamlit as st

from threatscape import launch

# Navigation links are drawn by each page's setup() (so they also exist on a deep link to a page).
pages = [st.Page(f"pages/{stem}.py", title=title, default=stem == "overview") for stem, title in launch.PAGES]
page = st.navigation(pages, position="hidden")
launch.warm(default_overview=page is pages[0] and not st.query_params)  # before the page imports pandas
page.run()
