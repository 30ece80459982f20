"""Feed text shown in Streamlit's Markdown-rendering elements: escaped so it stays text."""
from __future__ import annotations

import re

# Markdown and Streamlit directive characters (":red[...]", ":material/x:"), plus HTML's < and >.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:<>&])")


# What a renderer turns into a link or an icon even when escaped: a scheme's ':' ('http://'), 'www.', an e-mail's
# '@', and ':name:' shortcodes. A zero-width space after ':' and '@' and inside 'www' breaks each; it is not seen.
_AUTOLINK = re.compile(r"(?i)(\\:|@|(?<=w)(?=ww))")


def md(text) -> str:
    """`text` as literal Markdown: no links (not even a bare web address), images, emphasis, HTML, icons or
    Streamlit directives."""
    return _AUTOLINK.sub("\\1\u200b", _SPECIAL.sub(r"\\\1", str(text)).replace("\n", " "))
