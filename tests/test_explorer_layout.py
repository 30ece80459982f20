"""The explorer's layout in a real Chromium: what a reader sees of the incident table and the side tables.

Streamlit's st.dataframe draws on a canvas (glide-data-grid). The grid's accessible table (role=grid inside
the canvas) names the columns and rows near the view, but its cells have no boxes of their own (0 x 0). Where
each column and row is drawn comes from the grid's own layout (column widths, row and header heights, scroll
offsets, read from the props of the component that draws the canvas), placed on the page at the canvas's box;
the part of the grid a reader sees is its scroller's box less the scrollbars, within the window.

Uses the app server, browser and checks of test_browser.py (a 3,000-incident demo).
"""
from __future__ import annotations

import pytest

from test_browser import DRAW_MS, browser_page, check_clean, chromium, streamlit_app  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
FACETS = ("Actor", "Sector", "Country")
COUNT = "Incidents"
EDGE = 1  # px: a border's width of rounding

# Every st.dataframe on the page: the frame and visible box in page pixels, the columns (accessible names and
# drawn boxes) and the data rows (drawn boxes), or null for a grid that is not drawn (yet, or in a closed expander).
GRIDS_JS = """
() => [...document.querySelectorAll('[data-testid=stDataFrame]')].map(el => {
    const canvas = el.querySelector('canvas[data-testid=data-grid-canvas]');
    const scroller = el.querySelector('.dvn-scroller');
    const frame = el.querySelector('[data-testid=stDataFrameResizable]');
    if (!canvas || !scroller || !frame) return null;
    const key = Object.keys(canvas).find(k => k.startsWith('__reactFiber$'));
    let grid = null;
    for (let f = key && canvas[key], i = 0; f && !grid && i < 12; f = f.return, i++) {
        const p = f.memoizedProps;
        if (p && Array.isArray(p.columns) && typeof p.headerHeight === 'number' && p.rowHeight !== undefined
            && typeof p.rows === 'number') grid = p;
    }
    if (!grid) return null;
    const c = canvas.getBoundingClientRect(), s = scroller.getBoundingClientRect(),
          r = frame.getBoundingClientRect();
    const view = {left: Math.max(s.left, 0), top: s.top,
                  right: Math.min(s.left + scroller.clientWidth, window.innerWidth),
                  bottom: s.top + scroller.clientHeight};
    let x = c.left - scroller.scrollLeft, stuck = c.left;
    const columns = grid.columns.map(col => {
        const left = col.sticky ? stuck : x;
        if (col.sticky) stuck += col.width;
        x += col.width;
        return {title: col.title, left, right: left + col.width};
    });
    const height = i => typeof grid.rowHeight === 'number' ? grid.rowHeight : grid.rowHeight(i);
    const rows = [];
    for (let i = 0, y = c.top + grid.headerHeight - scroller.scrollTop; i < grid.rows; y += height(i), i++)
        rows.push({top: y, bottom: y + height(i)});
    return {frame: {left: r.left, top: r.top, right: r.right, bottom: r.bottom}, view,
            header: {top: c.top, bottom: c.top + grid.headerHeight}, columns, rows};
})
"""


def open_explorer(session, app, viewport, path="/explorer"):
    """Load the explorer at `viewport` and wait (bounded) until its run has finished and every table is drawn."""
    page = session.page
    page.set_viewport_size(viewport)
    page.goto(app.url + path, wait_until="domcontentloaded", timeout=DRAW_MS)
    try:
        page.get_by_text("incidents match").first.wait_for(timeout=DRAW_MS)
        page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=DRAW_MS)
        page.wait_for_function(f"(() => {{ const g = ({GRIDS_JS})(); "
                               "return g.filter(x => x).length >= 4; })()", timeout=DRAW_MS)
    except Exception as exc:  # noqa: BLE001 - add what the page and server said to the failure
        pytest.fail(f"{path}: the explorer's tables were not drawn ({exc}).\nBrowser errors: {session.errors}\n"
                    f"Page text:\n{page.inner_text('body')[:3000]}\nServer log:\n{app.log()}", pytrace=False)
    return [g for g in page.evaluate(GRIDS_JS) if g]  # (the queries' table is in a closed expander)


def incident_grid(grids):
    found = [g for g in grids if "Title" in [c["title"] for c in g["columns"]]]
    assert len(found) == 1, f"expected one incident table (with a Title column), found {len(found)}"
    return found[0]


def side_grids(grids):
    found = {}
    for g in grids:
        titles = [c["title"] for c in g["columns"]]
        for facet in FACETS:
            if facet in titles and COUNT in titles:
                found[facet] = g
    assert sorted(found) == sorted(FACETS), f"expected the side tables {FACETS}, found {sorted(found)}"
    return found


def column(grid, title):
    return next(c for c in grid["columns"] if c["title"] == title)


def visible_rows(grid):
    view = grid["view"]
    top = max(view["top"], grid["header"]["bottom"])
    return [r for r in grid["rows"] if r["top"] >= top - EDGE and r["bottom"] <= view["bottom"] + EDGE]


def within(span, view) -> bool:
    return span["left"] >= view["left"] - EDGE and span["right"] <= view["right"] + EDGE


def test_title_is_in_view_without_scrolling_sideways(browser_page, streamlit_app):
    session, app = browser_page, streamlit_app
    table = incident_grid(open_explorer(session, app, DESKTOP))
    title, view = column(table, "Title"), table["view"]
    assert within(title, view), (f"at {DESKTOP['width']} px the Title column spans x {title['left']:.0f}–"
                                 f"{title['right']:.0f}, the table shows x {view['left']:.0f}–{view['right']:.0f}")
    check_clean(session, app)


def test_most_of_a_page_of_rows_fits(browser_page, streamlit_app):
    session, app = browser_page, streamlit_app
    table = incident_grid(open_explorer(session, app, DESKTOP))
    assert len(table["rows"]) >= 30, f"the demo's first page holds {len(table['rows'])} rows, expected 50"
    shown = visible_rows(table)
    assert len(shown) >= 30, (f"{len(shown)} of the page's {len(table['rows'])} rows are visible in the table "
                              f"(box {table['view']['top']:.0f}–{table['view']['bottom']:.0f} px high)")
    check_clean(session, app)


@pytest.mark.parametrize("viewport", [DESKTOP, LAPTOP], ids=lambda v: f"{v['width']}px")
def test_side_tables_show_their_counts(browser_page, streamlit_app, viewport):
    session, app = browser_page, streamlit_app
    for facet, grid in side_grids(open_explorer(session, app, viewport)).items():
        count, view = column(grid, COUNT), grid["view"]
        assert within(count, view), (f"the {facet} side table's {COUNT} column spans x {count['left']:.0f}–"
                                     f"{count['right']:.0f}, its frame shows x {view['left']:.0f}–{view['right']:.0f}")
        assert within(column(grid, facet), view), f"the {facet} side table's names run past its frame"
        assert len(visible_rows(grid)) == len(grid["rows"]) > 0, f"the {facet} side table hides some of its rows"
    check_clean(session, app)


def test_a_phone_shows_the_title_and_the_counts(browser_page, streamlit_app):
    """At 390 px the table scrolls sideways, but it opens with the Title in view next to the date; the side
    tables (stacked under it) show their counts, and the page itself does not scroll sideways."""
    session, app = browser_page, streamlit_app
    grids = open_explorer(session, app, PHONE)
    table = incident_grid(grids)
    title, view = column(table, "Title"), table["view"]
    seen = min(title["right"], view["right"]) - max(title["left"], view["left"])
    assert seen >= (view["right"] - view["left"]) / 2, (
        f"at {PHONE['width']} px only {max(seen, 0):.0f} px of the Title column are in view "
        f"(the table shows x {view['left']:.0f}–{view['right']:.0f}, Title spans {title['left']:.0f}–"
        f"{title['right']:.0f})")
    assert within(column(table, "Date"), view), "the Date column is not in view"
    assert len(visible_rows(table)) >= 10, "the table shows fewer than 10 rows on a phone"
    for facet, grid in side_grids(grids).items():
        assert within(column(grid, COUNT), grid["view"]), f"the {facet} side table's counts run past its frame"
    wide = session.page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"the page is {wide} px wide, wider than the phone's {PHONE['width']} px"
    check_clean(session, app)
