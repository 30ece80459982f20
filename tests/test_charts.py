"""Chart builders: what the figure shows, read from fig.data and fig.layout."""
import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from threatscape import charts, data
from threatscape.filters import Filters, View

H1 = Filters(since=dt.date(2023, 1, 1), until=dt.date(2023, 6, 30))


def _values(trace_array):
    return np.asarray(trace_array).tolist()


def _json_is_int(fig, key="y", trace=0):
    """Integers must reach plotly.js as integers: a typed int array or a list of ints."""
    sent = json.loads(fig.to_json())["data"][trace][key]
    if isinstance(sent, dict):
        return sent["dtype"][0] in "iu"
    flat = [v for row in sent for v in row] if sent and isinstance(sent[0], list) else sent  # z: rows of cells
    return all(isinstance(v, int) for v in flat)


def test_heatmap_rows_columns_and_counts(store):
    fig = charts.actor_sector_heatmap(data.actor_sector(store, H1, View(level="top")), level="top")
    hm = fig.data[0]
    assert list(hm.y) == ["Kimsuky (4)", "Gamaredon Group (2)", "MuddyWater (2)"]
    assert list(hm.x) == ["government", "technology", "telecommunications", "energy"]
    assert _values(hm.z) == [[2, 1, 0, 2], [1, 0, 0, 1], [1, 1, 1, 1]]
    assert _json_is_int(fig, "z")
    assert "once in each sector" in fig.layout.title.subtitle.text
    assert fig.layout.yaxis.autorange == "reversed"  # most active actor on top


def test_timeseries_one_line_per_actor_with_fixed_colours(store):
    colours = charts.actor_colours(data.actor_colours_source(store))
    fig = charts.actor_timeseries(data.actor_period(store, H1, View(grain="month", top=2)), colours, grain="month")
    assert [t.name for t in fig.data] == ["Kimsuky", "Gamaredon Group", "Other actors"]
    assert _values(fig.data[0].y) == [2, 1, 1, 0, 0, 0]
    assert _json_is_int(fig)
    assert fig.data[0].line.color == colours["Kimsuky"] and fig.data[2].line.color == charts.GREY
    assert fig.layout.yaxis.title.text == "Incidents per month"


def test_actor_colour_does_not_depend_on_the_filters(store):
    colours = charts.actor_colours(data.actor_colours_source(store))
    a = charts.actor_timeseries(data.actor_period(store, H1, View(top=5)), colours, grain="month")
    b = charts.actor_timeseries(data.actor_period(store, H1.with_(countries=("UA",)), View(top=5)), colours,
                                grain="month")
    colour_a = {t.name: t.line.color for t in a.data}
    colour_b = {t.name: t.line.color for t in b.data}
    assert colour_b["Gamaredon Group"] == colour_a["Gamaredon Group"]
    assert len(set(colour_a.values())) == len(colour_a)  # distinct colours within a chart


def test_sponsor_mix_is_a_percent_stack_with_country_names(store):
    fig = charts.sponsor_mix(data.sponsor_period(store, H1, View(grain="quarter")), grain="quarter")
    assert [t.name for t in fig.data] == ["North Korea", "Iran", "Russia"]
    assert fig.layout.barmode == "stack" and fig.layout.barnorm == "percent"
    assert _values(fig.data[0].y) == [4, 0]


def test_top_countries_shows_names_and_the_previous_period(store):
    fig = charts.top_victim_countries(data.victim_countries(store, H1))
    assert list(fig.data[0].y) == ["South Korea (4)", "Ukraine (2)", "Türkiye (1)", "United States (1)"]
    assert _values(fig.data[0].x) == [4, 2, 1, 1]
    assert _values(fig.data[1].x) == [0, 0, 0, 1]
    assert _json_is_int(fig, "x")


def test_concurrency_calls_out_the_peak(store):
    fig = charts.campaign_concurrency(data.campaign_concurrency(store, H1, View(grain="month")), grain="month")
    assert _values(fig.data[1].y) == [1, 2, 1, 1, 1, 0]
    assert fig.data[1].line.shape == "hv"
    assert fig.layout.annotations[0].text == "Peak: 2 at once"


@pytest.mark.parametrize("builder, frame", [
    (lambda df: charts.actor_sector_heatmap(df, level="top"), "actor_sector"),
    (lambda df: charts.actor_timeseries(df, {}, grain="month"), "actor_period"),
    (lambda df: charts.sponsor_mix(df, grain="month"), "sponsor_period"),
    (charts.top_victim_countries, "victim_countries"),
    (lambda df: charts.campaign_concurrency(df, grain="month"), "campaign_concurrency"),
])
def test_no_matching_incidents_gives_a_message_not_an_error(store, builder, frame):
    f = H1.with_(countries=("FR",))
    fn = getattr(data, frame)
    df = fn(store, f) if frame == "victim_countries" else fn(store, f, View())
    fig = builder(df)
    assert fig.layout.annotations and "No " in fig.layout.annotations[0].text


def test_every_chart_says_how_it_counts(store):
    v = View()
    colours = charts.actor_colours(data.actor_colours_source(store))
    figs = [charts.actor_sector_heatmap(data.actor_sector(store, H1, v), level="top"),
            charts.actor_timeseries(data.actor_period(store, H1, v), colours, grain="month"),
            charts.sponsor_mix(data.sponsor_period(store, H1, v), grain="month"),
            charts.top_victim_countries(data.victim_countries(store, H1)),
            charts.campaign_concurrency(data.campaign_concurrency(store, H1, v), grain="month")]
    for fig in figs:
        sub = fig.layout.title.subtitle.text
        assert "Counts:" in sub or "campaign runs from" in sub, fig.layout.title.text


def test_untrusted_actor_names_are_not_markup(store):
    evil = "<img src=x onerror=alert(1)>"
    df = pd.DataFrame({"period": pd.to_datetime(["2023-01-01"]), "actor": [evil], "series_rank": [1],
                       "incident_count": [3]})
    fig = charts.actor_timeseries(df, {}, grain="month")
    assert fig.data[0].name == "&lt;img src=x onerror=alert(1)&gt;"
    assert "<img" not in fig.data[0].hovertemplate
    heat = pd.DataFrame({"actor": [evil], "actor_rank": [1], "actor_incidents": [3], "sector": ["energy"],
                         "sector_id": [10], "incident_count": [3]})
    assert list(charts.actor_sector_heatmap(heat, level="top").data[0].y) == ["&lt;img src=x onerror=alert(1)&gt; (3)"]


def _all_figures(store):
    """Every chart builder's figure on the fixture data, and each one's empty form."""
    v = View()
    colours = charts.actor_colours(data.actor_colours_source(store))
    none = H1.with_(countries=("FR",))
    figs = []
    for f in (H1, none):
        figs += [charts.actor_sector_heatmap(data.actor_sector(store, f, v), level="top"),
                 charts.actor_sector_heatmap(data.actor_sector(store, f, View(level="detail")), level="detail"),
                 charts.actor_timeseries(data.actor_period(store, f, v), colours, grain="month"),
                 charts.sponsor_mix(data.sponsor_period(store, f, View(grain="quarter")), grain="quarter"),
                 charts.top_victim_countries(data.victim_countries(store, f)),
                 charts.campaign_concurrency(data.campaign_concurrency(store, f, v), grain="month"),
                 charts.sector_timeseries(data.sector_period(store, f, v), grain="month")]
    return figs


@pytest.mark.parametrize("database", ["fixture_path", "demo_path"])
def test_charts_send_exactly_what_plotly_validation_would(database, request):
    """Figures are built without plotly's per-property validation (it was a third of a filter change's
    Python time): each spec must already be in the form validation gives, or plotly.js would draw
    something else (a colour scale name it does not know, say)."""
    import plotly.graph_objects as go

    from threatscape.store import Store

    for fig in _all_figures(Store(request.getfixturevalue(database))):
        sent = json.loads(fig.to_json())
        validated = json.loads(go.Figure(fig.to_dict()).to_json())
        assert sent == validated, fig.layout.title.text


def test_actor_charts_say_how_many_unattributed_incidents_they_leave_out():
    import pandas as pd

    empty = charts.actor_sector_heatmap(pd.DataFrame(columns=["actor"]), level="top", unattributed=451)
    assert "451 matching incidents name no actor" in empty.layout.annotations[0].text
    cells = pd.DataFrame({"actor": ["Kimsuky"], "actor_rank": [1], "actor_incidents": [3], "sector": ["energy"],
                          "sector_id": [3], "incident_count": [3]})
    fig = charts.actor_sector_heatmap(cells, level="top", unattributed=5)
    assert "Not shown: 5 unattributed incidents." in fig.layout.title.subtitle.text
    assert "unattributed" not in charts.actor_sector_heatmap(cells, level="top").layout.title.subtitle.text


@pytest.mark.parametrize("grain, first_labels", [("quarter", ["Q1 2022", "Q2 2022"]), ("year", ["2022", "2023"]),
                                                 ("month", ["Jan 2023", "Feb 2023"])])
def test_periods_are_labelled_at_their_starts_in_their_own_words(store, grain, first_labels):
    f = Filters(since=dt.date(2022, 1, 1), until=dt.date(2023, 6, 30)) if grain != "month" else H1
    v = View(grain=grain)
    colours = charts.actor_colours(data.actor_colours_source(store))
    for fig in (charts.actor_timeseries(data.actor_period(store, f, v), colours, grain=grain),
                charts.sector_timeseries(data.sector_period(store, f, v), grain=grain),
                charts.sponsor_mix(data.sponsor_period(store, f, v), grain=grain)):
        axis = fig.layout.xaxis
        assert list(axis.ticktext[:2]) == first_labels, (fig.layout.title.text, axis.ticktext)
        periods = {str(x)[:10] for trace in fig.data for x in trace.x}
        assert {str(t)[:10] for t in axis.tickvals} <= periods  # a label only where a period starts
        assert len(axis.tickvals) <= charts.MAX_PERIOD_TICKS


def test_count_axes_show_whole_numbers(store):
    colours = charts.actor_colours(data.actor_colours_source(store))
    figs = [charts.actor_timeseries(data.actor_period(store, H1, View()), colours, grain="month"),
            charts.sector_timeseries(data.sector_period(store, H1, View()), grain="month"),
            charts.campaign_concurrency(data.campaign_concurrency(store, H1, View()), grain="month")]
    for fig in figs:
        assert fig.layout.yaxis.tickformat == ",d" and fig.layout.yaxis.dtick == 1, fig.layout.title.text
    victims = charts.top_victim_countries(data.victim_countries(store, H1))
    assert victims.layout.xaxis.tickformat == ",d"


def test_a_period_not_over_yet_is_labelled_to_date(store):
    from threatscape.filters import unfinished_period

    f = Filters(since=dt.date(2023, 1, 1), until=dt.date(2023, 5, 20))
    assert unfinished_period(f.until, "month", today=dt.date(2023, 5, 20)) == dt.date(2023, 5, 1)
    assert unfinished_period(f.until, "quarter", today=dt.date(2023, 5, 20)) == dt.date(2023, 4, 1)
    assert unfinished_period(f.until, "month", today=dt.date(2023, 6, 1)) is None  # May is over
    fig = charts.sector_timeseries(data.sector_period(store, f, View()), grain="month",
                                   unfinished=dt.date(2023, 5, 1))
    labels = list(fig.layout.xaxis.ticktext)
    assert labels[-1] == "May 2023<br>(to date)" and not any("to date" in t for t in labels[:-1])
