"""Feed text escaped so that it stays text: in Streamlit's Markdown-rendering elements (md), and in the cells of
a CSV snapshot or a table a spreadsheet may open (neutralise)."""
from __future__ import annotations

import functools
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


# What a spreadsheet runs as a formula: a cell that starts with =, +, -, @, tab or carriage return. Feed text is
# attacker-controlled, so such a cell gets a leading apostrophe wherever text leaves for a spreadsheet or a table.
FORMULA = r"^([=+\-@\t\r])"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # the characters FORMULA matches

# Text columns whose values the store constrains (schema CHECKs, the taxonomy's names): they cannot start
# like a formula, so neutralise does not spend a regex pass on them.
CONSTRAINED = frozenset({"date_precision", "sponsor_country", "sponsor_as_reported", "sectors", "sector",
                         "victim_country", "tlp"})


def _neutralised(col):
    import pyarrow.compute as pc  # here, not at import: this module is loaded at app start, pyarrow is not

    # Looking at each cell's first character is five times cheaper than the regex replacement, and
    # almost no column has a formula-like cell: the replacement runs only on a column that does.
    first = pc.utf8_slice_codeunits(col, 0, 1)
    if not pc.any(pc.is_in(first, value_set=_formula_starts())).as_py():
        return col
    return pc.replace_substring_regex(col, pattern=FORMULA, replacement=r"'\1")


@functools.cache
def _formula_starts():
    import pyarrow as pa

    return pa.array(FORMULA_STARTS)


def neutralise(batch):
    """An Arrow RecordBatch or Table with an apostrophe before every text cell that starts like a spreadsheet
    formula."""
    import pyarrow as pa

    columns = [_neutralised(col)
               if (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)) and name not in CONSTRAINED
               else col
               for name, col in zip(batch.schema.names, batch.columns)]
    return type(batch).from_arrays(columns, names=batch.schema.names)
