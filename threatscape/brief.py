"""The leadership brief: the overview's numbers for one set of filters, on 2-4 A4 pages a CISO takes to a board.

    build(store, filters, compare)  -> Brief: the same data calls as the overview (so every number is the dashboard's)
    pdf(brief) / html(brief) / pngs(brief)  -> the brief as a PDF, one self-contained HTML page, or a PNG per section
    write(store, filters, compare, out, fmt)  -> the file(s) and, beside them, <out>.manifest.json

The charts are drawn as static images by Kaleido (a headless Chromium: Debian's /usr/bin/chromium), with the world
map's outlines read from static/ and MathJax off, so nothing is fetched from the network; the PDF is laid out with
fpdf2. Every page carries a TLP 2.0 marking at the highest TLP of the incidents the brief counts (the reader's
store is cleared to their clearance, so that is never above it). The manifest gives, for every chart, the query
and the sha256 of its data as the chart's "Data behind this chart" download writes it (export.frame_csv), so each
number can be re-derived.
"""
from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import html as htmlmod
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import changes, charts, data, export
from .filters import Filters, View, default_filters, period_words, unfinished_period
from .store import Store

STATIC = Path(__file__).resolve().parent.parent / "static"
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu",)  # Debian's fonts-dejavu-core
CHART_PX = 800  # a chart's width when drawn; it fills the page's 180 mm (13 px type prints at 8 pt)
SCALE = 2  # pixels per CSS pixel: sharp on paper
RENDER_TIMEOUT_S = 120
# TLP 2.0 (https://www.first.org/tlp/): the label's colour, on black.
TLP_COLOURS = {"CLEAR": "#FFFFFF", "GREEN": "#33FF00", "AMBER": "#FFC000", "AMBER+STRICT": "#FFC000",
               "RED": "#FF2B2B"}
FORMATS = ("pdf", "png", "html")
KPIS = [("Incidents", "incidents"), ("Active actors", "actors"), ("Sectors hit", "sectors"),
        ("Countries hit", "countries"), ("Active campaigns", "campaigns")]
CHANGES_SHOWN = 22  # what fits page 1 under the KPIs


class BriefError(RuntimeError):
    """A brief could not be made; one line for the user."""


@dataclass
class Chart:
    name: str  # as the chart's data download names it
    figure: object
    data: pd.DataFrame
    query: str


@dataclass
class Brief:
    title: str
    period: str
    comparison: str
    filters: Filters
    compare: str
    tlp: str
    kpis: list[tuple[str, int, int | None]]  # (label, value, value in the period compared with; None: no data then)
    changes: list[changes.Change]
    charts: list[Chart]
    rules: list[str]
    provenance: list[tuple[str, str]]
    generated_at: str
    made_by: export.Maker
    manifest: dict = field(default_factory=dict)


def _on_paper(fig):
    """The figure as paper shows it: no sentence that asks to hover or click, series told apart without colour."""
    fig = type(fig)(fig)  # a copy: the app's cached figure stays as it is
    sub = fig.layout.title.subtitle.text or ""
    kept = [s for s in re.split(r"(?<=\.)\s*(?:<br>)?\s*", sub.replace("<br>", " ")) if s
            and not re.search(r"\b(Hover|Click)\b", s)]
    fig.update_layout(title_subtitle_text=charts._wrap(" ".join(kept), 90), width=CHART_PX)
    lines = [t for t in fig.data if t.type == "scatter" and t.mode and "lines" in t.mode]
    for i, t in enumerate(lines):  # greyscale: each line its own dash and marker
        t.line.dash = charts.DASHES[i % len(charts.DASHES)]
        t.marker.symbol = ["circle", "square", "diamond", "triangle-up", "x", "cross", "star", "hexagon"][i % 8]
        if t.visible == "legendonly":
            t.visible = False
    return fig


def build(store: Store, f: Filters, compare: str = "previous", *, view: View | None = None,
          made_by: export.Maker | None = None) -> Brief:
    """The brief's content for filters f (without dates: the overview's default window), compared with the period
    before or the same dates a year earlier; store is the reader's (cleared to their clearance)."""
    first, last = store.date_bounds()
    if first is None:
        raise BriefError("the database holds no incidents")
    if not (f.since and f.until):
        window = default_filters(first, last)
        f = f.with_(since=f.since or window.since, until=f.until or window.until)
    v = (view or View()).__class__(**{**(view or View()).__dict__, "compare": compare})
    prev = f.compared(compare)
    which = "the same dates a year earlier" if compare == "year" else "the period of equal length before"
    comparable = prev.until >= first
    k = data.kpis(store, f, compare)
    kpis = [(label, int(k[key]), int(k["prev_" + key]) if comparable else None) for label, key in KPIS]
    unfinished = unfinished_period(f.until, v.grain)
    cells = data.actor_sector(store, f, v)
    series = data.actor_period(store, f, v)
    places = data.victim_countries(store, f, compare=compare)
    running = data.campaign_concurrency(store, f, v)
    colours = charts.actor_colours(data.actor_colours_source(store))
    unattributed = int(k["unattributed"])
    short = period_words(prev.since, prev.until, short=True)
    figures = [
        Chart("actors-by-sector", charts.actor_sector_heatmap(cells, level=v.level, unattributed=unattributed), cells,
              "incidents_by_actor_sector"),
        Chart("incidents-by-actor-over-time", charts.actor_timeseries(series, colours, grain=v.grain,
                                                                      unattributed=unattributed,
                                                                      unfinished=unfinished), series,
              "incidents_by_period"),
        Chart("victim-map", charts.victim_map(places, compared=which, compared_short=short,
                                              matching=int(k["incidents"])), places,
              "incidents_by_victim_country"),
        Chart("campaigns-at-once", charts.campaign_concurrency(running, grain=v.grain, unfinished=unfinished), running,
              "concurrent_campaigns_by_period"),
    ]
    said = changes.sentences(data.what_changed(store, f, compare), running, f, prev, v.grain) if comparable else []
    made_by = made_by or export.command_line(store)
    ds = store.dataset()
    sources = store.query("source_summary")
    tlp = export.highest_tlp(store, f) or "CLEAR"
    generated = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if comparable:
        comparison = (f"Compared with {period_words(prev.since, prev.until)}, {which}: each change is against "
                      f"{short}.")
    else:
        comparison = (f"Nothing to compare with: {which} ({period_words(prev.since, prev.until)}) lies before the "
                      f"data, which starts on {first:%d %b %Y}.")
    rules = [charts.TOTAL_RULE.replace("Counts:", "A total counts") + " A per-sector count counts it once in each "
             "sector it hit (the heatmap), so a row can add up to more than its total.",
             data.attribution_note(k),
             f"Rises and falls need at least {changes.FLOOR} incidents in one of the two periods, and a percentage "
             f"an earlier count of at least {changes.FLOOR}. An emerging pair is an actor active in the twelve "
             "months before the period that hit a sector or country it had not hit in them.",
             "A campaign runs from its first to its last incident; 'at once' is the most campaigns under way on one "
             "day."]
    if unfinished:
        rules.append(f"The last {v.grain} is not over: its figures are to date.")
    provenance = [
        ("Filters", _filters_words(f)),
        ("Data version", str(ds["content_version"])[:12]),
        ("Alias map", str(ds["alias_map_version"])),
        ("Dataset", f"{ds['description']} (built {pd.Timestamp(ds['built_at']):%Y-%m-%d %H:%M})"),
        ("Sources", "; ".join(f"{r.source} ({int(r.incidents):,} incidents)"
                              for r in sources.itertuples(index=False))),
        ("Generated", f"{generated} by {made_by.name} ({made_by.role}, cleared to TLP:{made_by.clearance})"),
        ("Overview link", "/" + export.view_url("", f, v)),
    ]
    return Brief(title="Threat landscape brief", period=period_words(f.since, f.until), comparison=comparison,
                 filters=f, compare=compare, tlp=tlp, kpis=kpis, changes=said, charts=figures, rules=rules,
                 provenance=provenance, generated_at=generated, made_by=made_by)


def _filters_words(f: Filters) -> str:
    described = {k: v for k, v in f.describe().items() if v not in (None, "", [], ()) and k not in ("since", "until")}
    if not described:
        return "none: every incident in the period"
    return "; ".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, (list, tuple)) else v}"
                     for k, v in described.items())


def manifest(brief: Brief, files: dict[str, bytes]) -> dict:
    """What the brief holds and how to re-derive every number: per chart its query and the sha256 of its data as the
    chart's data download writes it; the KPIs; the files written and their sha256."""
    return {
        "generated_at": brief.generated_at,
        "made_by": {"user": brief.made_by.name, "role": brief.made_by.role,
                    "clearance": f"TLP:{brief.made_by.clearance}"},
        "tlp": f"TLP:{brief.tlp}",
        "period": brief.period, "comparison": brief.comparison, "compare": brief.compare,
        "filters": brief.filters.describe(),
        "provenance": dict(brief.provenance),
        "kpis": [{"name": label, "value": value, "compared_with": then} for label, value, then in brief.kpis],
        "what_changed": [{"kind": c.kind, "text": c.text, "explorer": export.view_url("explorer", c.filters)}
                         for c in brief.changes],
        "charts": [{"name": c.name, "query": c.query, "rows": len(c.data),
                    "sha256": hashlib.sha256(export.frame_csv(c.data)).hexdigest()} for c in brief.charts],
        "files": {name: hashlib.sha256(body).hexdigest() for name, body in files.items()},
    }


# --- drawing the charts ---------------------------------------------------------------------------------------------

def render_charts(brief: Brief) -> list[bytes]:
    """Each chart as a PNG, drawn by Kaleido in one headless Chromium, offline."""
    figures = [_on_paper(c.figure) for c in brief.charts]

    async def draw():
        import kaleido

        async with kaleido.Kaleido(mathjax=False, timeout=RENDER_TIMEOUT_S) as k:
            out = []
            for fig in figures:
                out.append(await k.calc_fig(fig, opts={"format": "png", "width": CHART_PX,
                                                       "height": int(fig.layout.height or 420), "scale": SCALE},
                                            topojson=STATIC.as_uri() + "/"))
            return out

    try:
        return asyncio.run(draw())
    except Exception as exc:  # noqa: BLE001 - Kaleido's and Chromium's errors, as one line
        raise BriefError(f"drawing the charts failed (Kaleido, Chromium): {type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")) from exc


# --- the PDF --------------------------------------------------------------------------------------------------------

def _font_dir() -> Path:
    for d in FONT_DIRS:
        if (Path(d) / "DejaVuSans.ttf").is_file():
            return Path(d)
    raise BriefError("the brief needs the DejaVu fonts: apt-get install fonts-dejavu-core")


def pdf(brief: Brief, images: list[bytes] | None = None) -> bytes:
    """The brief as an A4 PDF: page 1 the period, the KPIs and what changed; then the charts, two a page; then the
    counting rules and provenance. The TLP marking heads and foots every page."""
    from fpdf import FPDF

    images = images if images is not None else render_charts(brief)
    fonts = _font_dir()
    tlp = brief.tlp

    class Doc(FPDF):
        def header(self):
            self.set_font("Sans", "B", 9)
            label = f"TLP:{tlp}"
            w = self.get_string_width(label) + 6
            self.set_xy(self.w - self.r_margin - w, 8)
            self.set_fill_color(0, 0, 0)
            self.set_text_color(*_rgb(TLP_COLOURS[tlp]))
            self.cell(w, 6, label, fill=True, align="C")
            self.set_text_color(90, 90, 90)
            self.set_font("Sans", "", 8)
            self.set_xy(self.l_margin, 8)
            self.cell(0, 6, f"{brief.title} · {brief.period}")
            self.set_text_color(0, 0, 0)
            self.set_y(20)

        def footer(self):
            self.set_y(-13)
            self.set_font("Sans", "", 8)
            self.set_text_color(90, 90, 90)
            self.cell(0, 5, f"TLP:{tlp} · generated {brief.generated_at} · page {self.page_no()} of {{nb}}")
            self.set_text_color(0, 0, 0)

    doc = Doc(format="A4", unit="mm")
    doc.set_margins(15, 15, 15)
    doc.set_auto_page_break(True, margin=18)
    doc.add_font("Sans", "", str(fonts / "DejaVuSans.ttf"))
    doc.add_font("Sans", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    doc.set_title(f"{brief.title}, {brief.period}")
    doc.set_author(brief.made_by.name)
    doc.set_creator("Threatscape")
    width = doc.w - doc.l_margin - doc.r_margin

    doc.add_page()
    doc.set_font("Sans", "B", 20)
    doc.cell(0, 11, brief.title, new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Sans", "B", 12)
    doc.cell(0, 7, brief.period, new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Sans", "", 9.5)
    doc.multi_cell(0, 5, brief.comparison, align="L", new_x="LMARGIN", new_y="NEXT")
    doc.multi_cell(0, 5, f"Filters: {dict(brief.provenance)['Filters']}", align="L", new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    # KPIs: five boxes, value large, the change under it
    box = width / len(brief.kpis)
    top = doc.get_y()
    for i, (label, value, then) in enumerate(brief.kpis):
        x = doc.l_margin + i * box
        doc.set_draw_color(180, 180, 180)
        doc.rect(x + 1, top, box - 2, 24)
        doc.set_xy(x + 3, top + 2)
        doc.set_font("Sans", "", 8.5)
        doc.cell(box - 6, 4, label)
        doc.set_xy(x + 3, top + 7)
        doc.set_font("Sans", "B", 15)
        doc.cell(box - 6, 8, f"{value:,}")
        doc.set_xy(x + 3, top + 16)
        doc.set_font("Sans", "", 8)
        change = "no data to compare" if then is None else (
            "no change" if value == then else f"{value - then:+,} (from {then:,})")
        doc.cell(box - 6, 4, change)
    doc.set_y(top + 28)
    doc.set_font("Sans", "B", 13)
    doc.cell(0, 8, "What changed", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Sans", "", 9.5)
    if not brief.changes:
        doc.multi_cell(0, 5, "Nothing to say: " + ("no period to compare with." if brief.kpis[0][2] is None else
                                                  "nothing rose, fell, appeared or went quiet by enough."),
                       new_x="LMARGIN", new_y="NEXT")
    for c in brief.changes[:CHANGES_SHOWN]:
        doc.set_x(doc.l_margin)
        doc.cell(4, 5, "•")
        doc.multi_cell(0, 5, c.text, align="L", new_x="LMARGIN", new_y="NEXT")
        doc.ln(0.6)
    if len(brief.changes) > CHANGES_SHOWN:
        doc.set_font("Sans", "", 8)
        doc.multi_cell(0, 4.5, f"{len(brief.changes) - CHANGES_SHOWN} more in the manifest and on the overview.",
                       new_x="LMARGIN", new_y="NEXT")

    # the charts, as many a page as fit
    doc.add_page()
    for chart, png in zip(brief.charts, images):
        from PIL import Image
        import io

        w_px, h_px = Image.open(io.BytesIO(png)).size
        h = width * h_px / w_px
        if doc.get_y() + h > doc.h - 18:
            doc.add_page()
        doc.image(io.BytesIO(png), x=doc.l_margin, w=width, h=h)
        doc.ln(4)

    # the rules and provenance
    if doc.get_y() > doc.h - 120:
        doc.add_page()
    doc.set_font("Sans", "B", 12)
    doc.cell(0, 8, "How the numbers are counted", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Sans", "", 9)
    for rule in brief.rules:
        doc.cell(4, 4.8, "•")
        doc.multi_cell(0, 4.8, rule, align="L", new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    doc.set_font("Sans", "B", 12)
    doc.cell(0, 8, "Where the data comes from", new_x="LMARGIN", new_y="NEXT")
    for name, value in brief.provenance:
        doc.set_font("Sans", "B", 9)
        doc.cell(28, 4.8, name)
        doc.set_font("Sans", "", 9)
        doc.multi_cell(0, 4.8, value, align="L", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Sans", "", 8)
    doc.ln(2)
    doc.multi_cell(0, 4.5, "The manifest beside this file (and attached to it) gives each chart's query and the "
                           "SHA-256 of its data, as the chart's 'Data behind this chart' download in the app writes "
                           "it for the same filters.", new_x="LMARGIN", new_y="NEXT")
    # the manifest travels inside the PDF too (without the PDF's own hash, which it cannot know)
    doc.embed_file(basename="manifest.json", desc="What this brief holds and how to re-derive each number",
                   bytes=json.dumps(manifest(brief, {}), indent=2, ensure_ascii=False).encode())
    return bytes(doc.output())


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


# --- HTML and PNG ---------------------------------------------------------------------------------------------------

def html(brief: Brief, images: list[bytes] | None = None) -> bytes:
    """One self-contained page (charts inline as PNG, no script, no outside request), printable as it is."""
    images = images if images is not None else render_charts(brief)
    e = htmlmod.escape
    colour = TLP_COLOURS[brief.tlp]
    marking = f'<div class="tlp">TLP:{e(brief.tlp)}</div>'
    kpis = "".join(f"<div class='kpi'><div>{e(label)}</div><b>{value:,}</b><small>"
                   f"{'no data to compare' if then is None else 'no change' if value == then else f'{value - then:+,} (from {then:,})'}"
                   "</small></div>" for label, value, then in brief.kpis)
    said = "".join(f"<li>{e(c.text)}</li>" for c in brief.changes)
    figs = "".join(f"<img alt='{e(c.name)}' src='data:image/png;base64,{base64.b64encode(png).decode()}'>"
                   for c, png in zip(brief.charts, images))
    rules = "".join(f"<li>{e(r)}</li>" for r in brief.rules)
    prov = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in brief.provenance)
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>{e(brief.title)}, {e(brief.period)}</title><style>
body{{font-family:"DejaVu Sans",Arial,sans-serif;max-width:800px;margin:2em auto;color:#111}}
.tlp{{float:right;background:#000;color:{colour};font-weight:bold;padding:2px 8px}}
.kpis{{display:flex;gap:8px}}.kpi{{flex:1;border:1px solid #bbb;padding:6px}}.kpi b{{display:block;font-size:1.6em}}
img{{width:100%;margin:1em 0;break-inside:avoid}}th{{text-align:left;padding-right:1em;vertical-align:top}}
@page{{size:A4;margin:15mm}}
</style></head><body>{marking}<h1>{e(brief.title)}</h1><h2>{e(brief.period)}</h2><p>{e(brief.comparison)}</p>
<div class="kpis">{kpis}</div><h2>What changed</h2><ul>{said or '<li>Nothing to say.</li>'}</ul>{figs}
<h2>How the numbers are counted</h2><ul>{rules}</ul><h2>Where the data comes from</h2><table>{prov}</table>
{marking}</body></html>"""
    return page.encode()


def pngs(brief: Brief, images: list[bytes] | None = None) -> dict[str, bytes]:
    """One PNG per section: the charts as drawn, and the PDF's first and last pages' sections are text, so the
    KPIs and what changed come as a table drawn by Kaleido too."""
    import plotly.graph_objects as go

    images = images if images is not None else render_charts(brief)
    rows = [[label for label, _, _ in brief.kpis], [f"{v:,}" for _, v, _ in brief.kpis],
            ["—" if t is None else f"{v - t:+,} (from {t:,})" for _, v, t in brief.kpis]]
    summary = go.Figure(go.Table(header={"values": ["", *rows[0]]},
                                 cells={"values": [["Now", "Change"]] + [[rows[1][i], rows[2][i]]
                                                                         for i in range(len(rows[0]))]}))
    summary.update_layout(title={"text": f"TLP:{brief.tlp} · {brief.title}, {brief.period}<br><sub>"
                                         f"{htmlmod.escape(brief.comparison)}</sub>"}, height=300, width=CHART_PX)
    said = go.Figure(go.Table(header={"values": ["What changed"]},
                              cells={"values": [[htmlmod.escape(c.text) for c in brief.changes] or ["Nothing to say."]],
                                     "align": "left"}))
    said.update_layout(title={"text": f"TLP:{brief.tlp} · What changed"}, width=CHART_PX,
                       height=120 + 28 * max(1, len(brief.changes)))

    async def draw():
        import kaleido

        async with kaleido.Kaleido(mathjax=False, timeout=RENDER_TIMEOUT_S) as k:
            return [await k.calc_fig(fig, opts={"format": "png", "width": CHART_PX, "height": fig.layout.height,
                                                "scale": SCALE}) for fig in (summary, said)]

    first = asyncio.run(draw())
    out = {"1-summary": first[0], "2-what-changed": first[1]}
    out.update({f"{i + 3}-{c.name}": png for i, (c, png) in enumerate(zip(brief.charts, images))})
    return out


def for_download(store: Store, f: Filters, view: View, *, made_by: export.Maker | None = None) -> bytes:
    """The PDF the app's brief button gives (its manifest inside it), recorded in the audit trail."""
    b = build(store, f, view.compare, view=view, made_by=made_by)
    body = pdf(b)
    _record(store, b, {"brief.pdf": body})
    return body


def _record(store: Store, b: Brief, files: dict[str, bytes]) -> None:
    from . import audit

    audit.record(store.path, "brief", user=b.made_by.name, role=b.made_by.role, clearance=b.made_by.clearance,
                 filters=b.filters.describe(), compare=b.compare, tlp=f"TLP:{b.tlp}",
                 files={name: hashlib.sha256(body).hexdigest() for name, body in files.items()})


# --- writing --------------------------------------------------------------------------------------------------------

def write(store: Store, f: Filters, out: str | os.PathLike, *, fmt: str = "pdf", compare: str = "previous",
          view: View | None = None, made_by: export.Maker | None = None) -> list[Path]:
    """Write the brief to `out` (for png: out-<section>.png each), and <out>.manifest.json beside it; the files are
    written whole or not at all. Returns the paths written."""
    if fmt not in FORMATS:
        raise BriefError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    out = Path(out)
    if not out.parent.is_dir():
        raise BriefError(f"{out.parent}: no such folder")
    brief = build(store, f, compare, view=view, made_by=made_by)
    images = render_charts(brief)
    if fmt == "pdf":
        files = {out.name: pdf(brief, images)}
    elif fmt == "html":
        files = {out.name: html(brief, images)}
    else:
        files = {f"{out.stem}-{section}.png": png for section, png in pngs(brief, images).items()}
    doc = manifest(brief, files)
    _record(store, brief, files)
    files[f"{out.stem}.manifest.json"] = json.dumps(doc, indent=2, ensure_ascii=False).encode()
    written = []
    for name, body in files.items():
        path = out.parent / name
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(body)
        os.replace(tmp, path)
        written.append(path)
    return written
