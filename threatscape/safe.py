"""Feed text shown in Streamlit's Markdown-rendering elements: escaped so it stays text."""
from __future__ import annotations

import re

# Markdown and Streamlit directive characters (":red[...]", ":material/x:"), plus HTML's < and >.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:<>&])")


def md(text) -> str:
    """`text` as literal Markdown: no links, images, emphasis, HTML or Streamlit directives."""
    return _SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")
