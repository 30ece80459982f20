"""Chart builders: pure functions from a query's DataFrame to a plotly Figure (no Streamlit here)."""
from __future__ import annotations

import html
from typing import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import get_colorscale, qualitative

from . import countries

OTHER_ACTORS = "Other actors"
GREY = "#9aa0a6"
# Distinct colours, most distinct first: an actor's colour is fixed by its all-time activity rank.
PALETTE = qualitative.D3 + qualitative.Dark24 + qualitative.Alphabet
SPONSOR_COLOURS = {"CN": "#d62728", "RU": "#1f77b4", "IR": "#2ca02c", "KP": "#9467bd", "US": "#8c564b",
                   "IN": "#e377c2", "PK": "#bcbd22", "VN": "#17becf", "TR": "#ff7f0e",
                   "other": "#7f7f7f", "unknown": "#c7c7c7"}
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


def actor_colours(actor_options: pd.DataFrame) -> dict[str, str]:
    """One fixed colour per actor, from actor_options' colour_rank (independent of the filters)."""
    colours = {row.actor: PALETTE[(int(row.colour_rank) - 1) % len(PALETTE)]
               for row in actor_options.itertuples(index=False)}
    colours[OTHER_ACTORS] = GREY
    return colours


def _figure(traces: list[dict], title: str, subtitle: str, *, height: int = 420, xaxis: dict | None = None,
            yaxis: dict | None = None, annotations: list[dict] | None = None, **layout) -> go.Figure:
    """The figure, from plain trace and layout dicts written in the form plotly's validation gives (colour scales
    as lists, titles as {"text": ...}, no None values). Plotly's per-property validation is skipped (its
    `_validate` flag, not part of its public API): it was a third of a filter change's Python time, and
    tests/test_charts.py checks that every chart is sent exactly as validation would send it."""
    spec = {
        "title": {"text": title, "subtitle": {"text": subtitle}, "x": 0, "xanchor": "left"},
        "template": TEMPLATE, "height": height, "margin": {"l": 10, "r": 10, "t": 100, "b": 10},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        "hoverlabel": {"namelength": -1}, "font": {"size": 13}, **layout}
    for name, axis in (("xaxis", xaxis), ("yaxis", yaxis)):
        axis = {k: {"text": v} if k == "title" and isinstance(v, str) else v
                for k, v in (axis or {}).items() if v is not None}
        if axis:
            spec[name] = axis
    if annotations:
        spec["annotations"] = annotations
    return go.Figure({"data": [_lists(t) for t in traces], "layout": spec}, _validate=False)


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
    return _figure([], title, "", height=300, xaxis={"visible": False}, yaxis={"visible": False}, annotations=[
        {"text": message, "showarrow": False, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper",
         "font": {"size": 15, "color": GREY}}])


def _no_actor(title: str, unattributed: int) -> go.Figure:
    """The empty actor chart: no incidents match, or all that match name no actor."""
    if unattributed:
        return _empty(title, f"The {unattributed:,} matching incidents name no actor (unattributed).")
    return _empty(title)


def _unattributed_note(unattributed: int) -> str:
    """What an actor chart leaves out, said on the chart."""
    return f" Not shown: {unattributed:,} unattributed incidents." if unattributed else ""


def _ints(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


MAX_PERIOD_TICKS = 6  # labels a half-width chart (about 450 px at 1440) shows side by side


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
    return {"title": None, "tickmode": "array", "tickvals": _list(shown.to_numpy()), "ticktext": text}


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
         "colorbar": {"title": {"text": "Incidents"}}},
        {"type": "scatter", "x": [sectors[c] for c in cols], "y": [labels[r] for r in rows], "mode": "markers",
         "showlegend": False, "marker": {"symbol": "square", "size": 30, "color": "rgba(0,0,0,0)"},
         "customdata": np.array([[actors["actor"].iloc[r], sectors[c]] for r, c in zip(rows, cols)], dtype=object),
         "text": [str(n) for n in z[rows, cols]], "name": "",
         "hovertemplate": "%{y}<br>%{x}: %{text:,} incidents<br><i>Click to list them</i><extra></extra>",
         "selected": {"marker": {"opacity": 1}}, "unselected": {"marker": {"opacity": 1}}},
    ]
    scope = "top-level sectors (sub-sectors rolled up)" if level == "top" else "sectors"
    return _figure(traces, title,
                   f"Incidents per actor and {scope}. {SECTOR_RULE}<br>"
                   "Beside each actor: its distinct incidents (a row can add up to more)."
                   + _unattributed_note(unattributed),
                   height=max(380, 200 + 38 * len(labels)),
                   xaxis={"title": None, "side": "bottom", "tickangle": -35, "automargin": True},
                   yaxis={"autorange": "reversed", "title": None})


def actor_timeseries(df: pd.DataFrame, colours: Mapping[str, str], *, grain: str,
                     unattributed: int = 0, unfinished=None) -> go.Figure:
    """Lines of incident_count per period for each actor series (top actors, then 'Other actors')."""
    title = "Incidents over time by actor"
    if df.empty or df["incident_count"].sum() == 0:
        return _no_actor(title, unattributed)
    traces = []
    for actor, series in df.sort_values(["series_rank", "period"]).groupby("actor", sort=False):
        other = actor == OTHER_ACTORS
        traces.append({
            "type": "scatter", "x": series["period"].to_numpy(), "y": _ints(series["incident_count"]),
            "name": label(actor), "mode": "lines+markers",
            "line": {"color": colours.get(actor, GREY), "width": 2, "dash": "dot" if other else "solid"},
            "marker": {"size": 7}, "customdata": np.array([actor] * len(series), dtype=object),
            "visible": "legendonly" if other else True,
            "hovertemplate": "%{fullData.name}<br>%{x|%b %Y}: %{y:,} incidents<br><i>Click to list them</i>"
                             "<extra></extra>"})
    return _figure(traces, title, f"Most active actors in the selection. {TOTAL_RULE} Empty periods show as 0.<br>"
                                  "Click 'Other actors' in the legend to add everyone else."
                                  + _unattributed_note(unattributed),
                   xaxis=_period_axis(df["period"], grain, unfinished),
                   yaxis=_count_axis(int(df["incident_count"].max()), f"Incidents per {GRAIN_WORD[grain]}"))


def sponsor_mix(df: pd.DataFrame, *, grain: str, unattributed: int = 0, unfinished=None) -> go.Figure:
    """Stacked bars of each sponsor state's share of incidents per period (of the attributed ones)."""
    title = "Sponsor states behind the incidents"
    if df.empty or df["incident_count"].sum() == 0:
        return _no_actor(title, unattributed)
    traces = []
    for code, series in df.sort_values(["series_rank", "period"]).groupby("sponsor_country", sort=False):
        name = {"other": "Other states", "unknown": "Unknown sponsor"}.get(code) or countries.name(code)
        traces.append({
            "type": "bar", "x": series["period"].to_numpy(), "y": _ints(series["incident_count"]), "name": name,
            "marker": {"color": SPONSOR_COLOURS.get(code, PALETTE[sum(map(ord, code)) % len(PALETTE)])},
            "hovertemplate": "%{fullData.name}<br>%{x|%b %Y}: %{y:,} incidents<extra></extra>"})
    return _figure(traces, title, f"Share of each {GRAIN_WORD[grain]}'s incidents by the actor's suspected "
                                  f"sponsor state.<br>{TOTAL_RULE} Hover for counts."
                                  + ("<br>" + _unattributed_note(unattributed).strip() if unattributed else ""),
                   xaxis=_period_axis(df["period"], grain, unfinished), yaxis={"title": "Share of incidents (%)", "ticksuffix": "%"},
                   barmode="stack", barnorm="percent", bargap=0.15)


def top_victim_countries(df: pd.DataFrame) -> go.Figure:
    """Horizontal bars of incident_count per victim country, with the previous period as a marker."""
    title = "Most-hit victim countries"
    if df.empty:
        return _empty(title)
    plain = np.array([countries.name(c) for c in df["victim_country"]], dtype=object)
    names = [f"{c} ({n:,})" for c, n in zip(plain, df["incident_count"])]
    top = int(max(df["incident_count"].max(), df["prev_incident_count"].max()))
    traces = [
        {"type": "bar", "x": _ints(df["incident_count"]), "y": names, "orientation": "h", "name": "Selected period",
         "marker": {"color": "#c0392b"}, "customdata": plain,
         "hovertemplate": "%{customdata}: %{x:,} incidents<extra></extra>"},
        {"type": "scatter", "x": _ints(df["prev_incident_count"]), "y": names, "mode": "markers",
         "name": "Previous period",
         "marker": {"symbol": "line-ns-open", "size": 18, "color": "#34495e", "line": {"width": 3}},
         "customdata": plain,
         "hovertemplate": "%{customdata}: %{x:,} incidents in the previous period<extra></extra>"},
    ]
    return _figure(traces, title, f"{TOTAL_RULE}<br>Tick: the period of equal length before.",
                   height=max(360, 110 + 28 * len(names)),
                   xaxis=_count_axis(top) | {"range": [0, top * 1.05]}, yaxis={"autorange": "reversed", "title": None})


def campaign_concurrency(df: pd.DataFrame, *, grain: str, unfinished=None) -> go.Figure:
    """Peak number of campaigns running on the same day, per period, with the peak called out."""
    title = "Campaigns running at the same time"
    if df.empty or df["active_campaigns"].sum() == 0:
        return _empty(title, "No campaigns among the matching incidents.")
    peak = df.loc[df["peak_campaigns"].idxmax()]
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
                   | {"range": [0, int(df["active_campaigns"].max()) * 1.25]},
                   annotations=[{"x": peak["period"], "y": int(peak["peak_campaigns"]),
                                 "text": f"Peak: {int(peak['peak_campaigns']):,} at once", "showarrow": True,
                                 "arrowhead": 2, "ay": -35, "font": {"color": "#8e44ad"}}],
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
