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
    assert fig.data[0].line.color == colours["Kimsuky"] and fig.data[2].line.color == charts.LIGHT_GREY
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


def test_top_countries_names_the_period_it_compares_with(store):
    """With compare=year the tick is the same dates a year earlier, and the chart says so, not 'period before'."""
    victims = data.victim_countries(store, H1, compare="year")
    fig = charts.top_victim_countries(victims, compared="the same dates a year earlier",
                                      compared_short="Jan–Jun 2022")
    assert fig.data[1].name == "Jan–Jun 2022"
    assert "Tick: the same dates a year earlier." in fig.layout.title.subtitle.text.replace("<br>", " ")
    assert "equal length" not in fig.layout.title.subtitle.text


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


@pytest.mark.parametrize("matching, said", [(None, "No incidents match the filters."), (0, "No incidents match"),
                                             (1, "The one matching incident names no victim country."),
                                             (12, "None of the 12 matching incidents names a victim country.")])
def test_country_charts_with_no_country_say_whether_incidents_match(matching, said):
    """Incidents that match but name no victim country are not 'no incidents' on the map or the bars."""
    import pandas as pd

    none = pd.DataFrame(columns=["victim_country", "incident_count", "prev_incident_count"])
    for fig in (charts.victim_map(none, matching=matching), charts.top_victim_countries(none, matching=matching)):
        shown = fig.layout.annotations[0].text
        assert shown.replace("<br>", " ").startswith(said)
        assert all(len(line) <= charts.EMPTY_CHARS for line in shown.split("<br>"))  # fits a narrow column


def test_actor_charts_say_how_many_unattributed_incidents_they_leave_out():
    import pandas as pd

    empty = charts.actor_sector_heatmap(pd.DataFrame(columns=["actor"]), level="top", unattributed=451)
    assert "451 matching incidents name no actor" in empty.layout.annotations[0].text.replace("<br>", " ")
    cells = pd.DataFrame({"actor": ["Kimsuky"], "actor_rank": [1], "actor_incidents": [3], "sector": ["energy"],
                          "sector_id": [3], "incident_count": [3]})
    fig = charts.actor_sector_heatmap(cells, level="top", unattributed=5)
    assert "Not shown: 5 unattributed incidents." in fig.layout.title.subtitle.text
    assert "unattributed" not in charts.actor_sector_heatmap(cells, level="top").layout.title.subtitle.text


@pytest.mark.parametrize("grain, first_labels", [("quarter", ["Q2 2022", "Q4 2022"]), ("year", ["2022", "2023"]),
                                                 ("month", ["Feb 2023", "Apr 2023"])])
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


# --- colours a reader tells apart -----------------------------------------------------------------------------
# Colour vision deficiency as simulated by Machado, Oliveira & Fernandes (2009), "A Physiologically-based Model for
# Simulation of Color Vision Deficiency", IEEE TVCG 15(6): 1291-1298; their matrices for severity 1.0 (dichromacy),
# applied to linear sRGB.
MACHADO_2009 = {
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
}
VISIONS = ["normal", "deuteranopia", "protanopia"]
# Two legend swatches or lines read as different at a glance when their CIEDE2000 difference is at least this
# (about 4 times the just-noticeable difference of 2.3; Okabe-Ito's and Paul Tol's qualitative sets keep their
# colours at least this far apart under deuteranopia and protanopia).
MIN_DELTA_E = 10.0


def _lab(hex_colour: str, vision: str) -> np.ndarray:
    """CIELAB (D65) of an sRGB colour as seen with this colour vision."""
    srgb = np.array([int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)])
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    if vision != "normal":
        linear = np.clip(MACHADO_2009[vision] @ linear, 0, 1)
    xyz = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                    [0.0193339, 0.1191920, 0.9503041]]) @ linear / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> float:
    """The CIEDE2000 colour difference (Sharma, Wu & Dalal 2005, "The CIEDE2000 color-difference formula:
    implementation notes, supplementary test data, and mathematical observations", Color Res. Appl. 30(1))."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    h1, h2 = np.degrees(np.arctan2(b1, a1)) % 360, np.degrees(np.arctan2(b2, a2)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_l, d_c, d_h = l2 - l1, c2 - c1, 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2))
    l_mean, c_mean = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        h_mean = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_mean = (h1 + h2) / 2
    else:
        h_mean = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * np.cos(np.radians(h_mean - 30)) + 0.24 * np.cos(np.radians(2 * h_mean))
         + 0.32 * np.cos(np.radians(3 * h_mean + 6)) - 0.20 * np.cos(np.radians(4 * h_mean - 63)))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / np.sqrt(20 + (l_mean - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_mean, 1 + 0.015 * c_mean * t
    r_t = (-np.sin(np.radians(60 * np.exp(-((h_mean - 275) / 25) ** 2)))
           * 2 * np.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    return float(np.sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h)))


def test_the_colour_difference_is_ciede2000():
    """Sharma et al.'s test pairs 1, 7 and 17, and the simulation leaves grey grey."""
    assert _ciede2000(np.array([50, 2.6772, -79.7751]), np.array([50, 0, -82.7485])) == pytest.approx(2.0425, abs=1e-4)
    assert _ciede2000(np.array([50, 0, 0]), np.array([50, -1, 2])) == pytest.approx(2.3669, abs=1e-4)
    assert _ciede2000(np.array([50, 2.5, 0]), np.array([73, 25, -18])) == pytest.approx(27.1492, abs=1e-4)
    for vision in MACHADO_2009:
        assert _ciede2000(_lab("#777777", vision), _lab("#777777", "normal")) < 0.5


def _alike(series: list[tuple[str, str, str]], vision: str) -> list[str]:
    """The pairs of (name, colour, style) a reader with this colour vision cannot tell apart: same line style, and
    colours less than MIN_DELTA_E apart."""
    pairs = []
    for i, (name_a, colour_a, style_a) in enumerate(series):
        for name_b, colour_b, style_b in series[i + 1:]:
            if style_a != style_b:
                continue
            difference = _ciede2000(_lab(colour_a, vision), _lab(colour_b, vision))
            if difference < MIN_DELTA_E:
                pairs.append(f"{name_a} {colour_a} / {name_b} {colour_b}: {difference:.1f}")
    return pairs


DEMO_YEAR = Filters(since=dt.date(2025, 12, 1), until=dt.date(2026, 11, 28))


def _demo_selections():
    """What a reader of the demo picks: the last year, all of it, and the last year in one victim country."""
    everything = Filters(since=dt.date(2010, 1, 1), until=dt.date(2026, 11, 28))
    return [DEMO_YEAR, everything] + [DEMO_YEAR.with_(countries=(c,)) for c in ("KR", "UA", "US", "DE", "IL", "IN")]


def _colliding_actors(options: pd.DataFrame) -> pd.DataFrame:
    """A time series of eight actors whose all-time ranks are far apart (1, 9, 17, ...; 4, 12, ...): actors that
    rarely appear together, until a filter makes them the most active."""
    ranks = [1, 9, 17, 4, 12, 20, 2, 10]
    actors = options.set_index("colour_rank").loc[ranks, "actor"].tolist()
    return pd.DataFrame({"period": pd.Timestamp("2026-01-01"), "actor": actors, "series_rank": range(1, 9),
                         "incident_count": range(8, 0, -1)})


@pytest.mark.parametrize("vision", VISIONS)
def test_the_actors_shown_together_are_told_apart_in_every_colour_vision(demo_path, vision):
    from threatscape.store import Store

    store = Store(demo_path)
    options = data.actor_colours_source(store)
    colours = charts.actor_colours(options)
    figures = [charts.actor_timeseries(data.actor_period(store, f, View(top=top)), colours, grain="month")
               for f in _demo_selections() for top in (5, 8)]
    figures.append(charts.actor_timeseries(_colliding_actors(options), colours, grain="month"))
    figures.append(charts.actor_timeseries(data.actor_period(store, DEMO_YEAR, View(top=20)), colours,
                                           grain="month"))
    for fig in figures:
        shown = [(t.name, t.line.color, t.line.dash) for t in fig.data if t.visible is True]
        assert len(shown) >= 5
        assert not _alike(shown, vision), (vision, [t.name for t in fig.data], _alike(shown, vision))


@pytest.mark.parametrize("vision", VISIONS)
def test_the_sponsor_states_shown_together_are_told_apart_in_every_colour_vision(demo_path, vision):
    from threatscape.store import Store

    store = Store(demo_path)
    figures = [charts.sponsor_mix(data.sponsor_period(store, f, View(grain="quarter")), grain="quarter")
               for f in _demo_selections()]
    # The two Koreas, side by side with the four states behind most incidents, "other" and "unknown".
    states = ["CN", "RU", "KP", "KR", "IR", "PS", "other", "unknown"]
    figures.append(charts.sponsor_mix(pd.DataFrame({
        "period": pd.Timestamp("2026-01-01"), "sponsor_country": states, "series_rank": range(1, len(states) + 1),
        "incident_count": range(len(states), 0, -1)}), grain="quarter"))
    for fig in figures:
        shown = [(t.name, t.marker.color, "bar") for t in fig.data]
        assert not _alike(shown, vision), (vision, _alike(shown, vision))
    assert max(len(fig.data) for fig in figures[:-1]) >= 6  # the demo's selections show several states at once


def test_a_chart_title_naming_an_actor_keeps_to_one_line():
    """The actor profile's chart title names the actor when that fits one line; a longer name is left to the page's
    heading (a 107-character name wrapped the title to four lines, and its first went out of the chart)."""
    long = ("Italian cyber police - National Anti-Crime Computer Centre for Critical Infrastructure "
            "Protection(CNAIPIC)")
    assert charts.named_title(long, "incidents by sector") == "Incidents by sector"
    assert charts.named_title("Kimsuky", "incidents by sector") == "Kimsuky: incidents by sector"
    assert charts.named_title("<b>X</b>", "incidents") == "&lt;b&gt;X&lt;/b&gt;: incidents"
