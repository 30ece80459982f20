"""Chart layout in a real Chromium, on a wide and a phone-sized screen: what a reader sees of each chart's labels.

Each case loads a page at 1440x900 or 390x844 and reads the drawn SVG of every plotly chart: where each label
(tick labels, axis titles, title and subtitle, annotations, legend) lies on the screen, rotation included
(its getBBox() mapped through getScreenCTM(), so a label turned by -45 degrees is the rotated box, not its
bounding rectangle). It asserts that no two labels of a chart overlap, that none sticks out of its chart's SVG,
that a chart wider than the screen can be scrolled to, and that the heatmap's cells get a plot area a reader can
use (at least MIN_HEATMAP_PLOT_PX wide). Uses the app server and browser of tests/test_browser.py.
"""
from __future__ import annotations

import pytest

from test_browser import (DRAW_MS, DRAWN_CHARTS_JS, Session, browser_page, check_clean, chromium,  # noqa: F401
                          streamlit_app)

pytestmark = pytest.mark.browser

WIDE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
PAGES = {"/": 6, "/?level=detail": 6, "/actor?actor=Kimsuky": 2}  # page -> charts it draws
MIN_HEATMAP_PLOT_PX = 300
OVERLAP_PX = 1.5  # glyph boxes that touch by less than this do not hide each other's text
LABELS = (".xtick text, .ytick text, .annotation-text-g, .g-xtitle, .g-ytitle, .gtitle, .gtitle-subtitle, "
          ".legend, .colorbar")

# Every chart: its title, SVG box, plot area, whether an ancestor scrolls it sideways, and each visible label as
# the four corners of its box on the screen.
MEASURE_JS = """
(selector) => [...document.querySelectorAll('.js-plotly-plot')].map(plot => {
    const svg = plot.querySelector('.main-svg').getBoundingClientRect();
    const area = plot.querySelector('.nsewdrag');
    let scrolls = false;
    for (let el = plot.parentElement; el && el !== document.body; el = el.parentElement) {
        const style = getComputedStyle(el);
        if (['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1) { scrolls = true; }
    }
    const labels = [...plot.querySelectorAll(selector)].flatMap(el => {
        const style = getComputedStyle(el);
        if (style.display === 'none' || style.visibility === 'hidden' || el.closest('[display="none"]')) return [];
        if (el.parentElement.closest(selector)) return [];  // part of a legend or colour bar, measured whole
        const text = (el.textContent || '').trim();
        const box = el.getBBox();
        if (!text || box.width < 1 || box.height < 1) return [];
        const m = el.getScreenCTM();
        const corners = [[box.x, box.y], [box.x + box.width, box.y], [box.x + box.width, box.y + box.height],
                         [box.x, box.y + box.height]].map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
        return [{kind: el.getAttribute('class') || el.tagName, text: text.slice(0, 60), corners}];
    });
    const title = plot.querySelector('.gtitle');
    const box = area ? area.getBoundingClientRect() : null;
    return {title: title ? title.textContent : '(untitled)', heatmap: !!plot.querySelector('g.hm'),
            svg: {left: svg.left, top: svg.top, right: svg.right, bottom: svg.bottom, width: svg.width},
            plotWidth: box ? box.width : 0, scrolls, labels};
})
"""


def _open(s: Session, app, path: str, viewport: dict) -> list[dict]:
    """Load path at this screen size, wait (bounded) until its charts are drawn and their labels stop moving
    (Streamlit sizes each chart to its column after the first draw), and return the measurement."""
    page = s.page
    page.set_viewport_size(viewport)
    page.goto(app.url + path, wait_until="domcontentloaded", timeout=DRAW_MS)
    page.wait_for_function(f"({DRAWN_CHARTS_JS})() >= {PAGES[path]}", timeout=DRAW_MS)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=DRAW_MS)
    settled = f"""() => {{
        const now = JSON.stringify(({MEASURE_JS})({LABELS!r}));
        const same = window.__chartLayout === now;
        window.__chartLayout = now;
        return same;
    }}"""
    page.wait_for_function(settled, timeout=DRAW_MS, polling=500)
    return page.evaluate(MEASURE_JS, LABELS)


def _overlap(a: list, b: list) -> float:
    """How far two convex quadrilaterals (screen corners) overlap: the smallest overlap of their projections on
    the edge normals of either (separating axis theorem); 0 when they do not meet."""
    depth = float("inf")
    for quad in (a, b):
        for i in range(4):
            (x1, y1), (x2, y2) = quad[i], quad[(i + 1) % 4]
            nx, ny = y1 - y2, x2 - x1
            norm = (nx * nx + ny * ny) ** 0.5
            if norm == 0:
                continue
            pa = [(x * nx + y * ny) / norm for x, y in a]
            pb = [(x * nx + y * ny) / norm for x, y in b]
            depth = min(depth, min(max(pa), max(pb)) - max(min(pa), min(pb)))
            if depth <= 0:
                return 0.0
    return depth


CASES = [(path, size) for path in PAGES for size in (WIDE, PHONE)]


@pytest.mark.parametrize("path, viewport", CASES, ids=[f"{p}@{v['width']}" for p, v in CASES])
def test_chart_labels_neither_overlap_nor_stick_out(browser_page, streamlit_app, path, viewport):
    session, app = browser_page, streamlit_app
    charts = _open(session, app, path, viewport)
    assert len(charts) >= PAGES[path]
    problems = []
    for chart in charts:
        name, svg, labels = chart["title"], chart["svg"], chart["labels"]
        assert labels, f"{name}: no labels drawn"
        for label in labels:
            xs = [x for x, _ in label["corners"]]
            ys = [y for _, y in label["corners"]]
            if (min(xs) < svg["left"] - 1 or max(xs) > svg["right"] + 1 or min(ys) < svg["top"] - 1
                    or max(ys) > svg["bottom"] + 1):
                problems.append(f"{name}: {label['kind']} {label['text']!r} sticks out of the chart")
        for i, a in enumerate(labels):
            for b in labels[i + 1:]:
                depth = _overlap(a["corners"], b["corners"])
                if depth > OVERLAP_PX:
                    problems.append(f"{name}: {a['kind']} {a['text']!r} overlaps {b['kind']} {b['text']!r} "
                                    f"by {depth:.0f} px")
        if svg["right"] > viewport["width"] + 1 or svg["left"] < -1:
            if not chart["scrolls"]:
                problems.append(f"{name}: wider than the screen ({svg['width']:.0f} px) and cannot be scrolled to")
    assert not problems, f"{path} at {viewport['width']} px:\n" + "\n".join(problems)
    check_clean(session, app)


@pytest.mark.parametrize("path", ["/", "/?level=detail"])
@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1440", "390"])
def test_heatmap_cells_get_room_on_every_screen(browser_page, streamlit_app, path, viewport):
    charts = _open(browser_page, streamlit_app, path, viewport)
    heatmaps = [c for c in charts if c["heatmap"]]
    assert len(heatmaps) == 1
    assert heatmaps[0]["plotWidth"] >= MIN_HEATMAP_PLOT_PX, (
        f"the heatmap's cells get {heatmaps[0]['plotWidth']:.0f} px at {viewport['width']} px")
