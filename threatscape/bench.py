"""python -m threatscape bench: replay realistic interactions on demo databases of given sizes (or on one database,
--db) and print numbers.

Each interaction runs the page script itself (pages/*.py) under Streamlit's AppTest, opened by the link the
interaction's filters make or by a click on the page's own buttons, so what is measured is what the page asks
of the store. A benchmark, not a test: it measures, it asserts nothing. Each database runs in its own process,
so peak memory is that of serving the interactions, not of building the database.
"""
from __future__ import annotations

import compileall
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from . import auth, data
from .filters import Filters
from .store import REPO, Store, Timing

BENCH_DIR = REPO / "data" / "bench"
REPEAT = 5
COLD_STARTS = 5  # app processes started per size; one number from one start would be mostly the VM's noise
INGESTS = 3      # ingests of the same file, each the first in its process
LOOP_ADDITIONS = 10_000_000  # the speed check: a pure-Python loop of this many additions
UNTIL = dt.date(2026, 11, 28)
PAGE_TIMEOUT = 600  # seconds one run of a page script may take under AppTest (at 10M incidents, cold)


_repeat: int | None = None  # bench --repeat, passed on to the worker processes


def configure(repeat: int) -> None:
    """Measure every figure `repeat` times: interaction steps, explorer pages, app cold starts and ingests."""
    global REPEAT, COLD_STARTS, INGESTS, _repeat
    REPEAT = COLD_STARTS = INGESTS = _repeat = repeat


def _repeat_option() -> list[str]:
    return ["--repeat", str(_repeat)] if _repeat else []


def _interactions(store: Store):
    """(name, page, filters) as a user would click through: fixed, so every run replays the same script. The page
    is the script under pages/ that answers the link the filters make; "explorer-deep" is the explorer over all the
    data, paged from its last page one back by its own buttons."""
    first, last = store.date_bounds()
    year = Filters(since=last - dt.timedelta(days=364), until=last)
    two = year.with_(since=last - dt.timedelta(days=729))
    return [
        ("open the overview", "overview", year),
        ("change the date range", "overview", two),
        ("pick two actors", "overview", two.with_(actors=("Kimsuky", "MuddyWater"))),
        ("pick a sector", "overview", two.with_(sectors=("energy",))),
        ("drill into a heatmap cell", "explorer", two.with_(actors=("Kimsuky",), sectors=("energy",))),
        ("open the explorer", "explorer", two),
        ("page deep into the explorer", "explorer-deep", Filters(since=first, until=last)),
        ("open an actor profile", "actor", two.with_(actors=("Kimsuky",))),
    ]


class PageFailed(RuntimeError):
    """A page script raised under AppTest."""


def _open_page(page: str, f: Filters):
    """The page's script under AppTest, with the filters' link in its URL (not run yet)."""
    from streamlit.testing.v1 import AppTest

    script = REPO / "pages" / f"{page.removesuffix('-deep')}.py"
    at = AppTest.from_file(str(script), default_timeout=PAGE_TIMEOUT)
    for key, values in f.to_query().items():
        at.query_params[key] = values
    return at


def _checked(at, page: str) -> None:
    if at.exception:
        raise PageFailed(f"pages/{page.removesuffix('-deep')}.py failed (its traceback is in the log above): "
                         + "; ".join(str(e.value) for e in at.exception))


def _button(at, label: str):
    for button in at.button:
        if button.label == label:
            return button
    raise PageFailed(f"the explorer shows no {label!r} button")


def _settle(timeout: float = PAGE_TIMEOUT) -> None:
    """Return once the query threads have finished every data call a page started: a page that stops early
    (st.stop) can leave prefetched queries running, which must not run on into the next step's timing. Each
    thread takes one call that waits for the others, which it can only start once idle."""
    workers = data._threads._max_workers
    gate = threading.Barrier(workers + 1, timeout=timeout)
    data.prefetch(*[partial(gate.wait) for _ in range(workers)])
    gate.wait()


@dataclass
class _Step:
    query_ms: float  # from the start of the first uncached query to the end of the last (page_run_ms without starts)
    page_run_ms: float  # the whole page script's run
    timings: list[Timing]  # the uncached queries
    from_queries: bool  # whether query_ms is the queries' window (every uncached query said when it started)
    rows_caption: str | None = None  # the explorer's "Rows a–b of n"


def _step(store: Store, page: str, f: Filters, *, keep_version_state: bool) -> _Step:
    """One interaction: the real page script, run under AppTest with cold caches, as the link to it or a click on it
    runs it in the app. "explorer-deep" opens the explorer and clicks Last first, untimed; the timed step is the
    click on Previous that follows (a page deep down, read backward). When every match fits on one page those
    buttons are disabled, as they are in the app, and the step reruns the explorer on its only page."""
    at = _open_page(page, f)
    action = at.run
    if page == "explorer-deep":
        at.run()
        _checked(at, page)
        last = _button(at, "Last")
        if not last.disabled:
            last.click().run()
            _checked(at, page)
        previous = _button(at, "Previous")
        if not previous.disabled:
            action = previous.click().run
        _settle()
    forget(store, keep_version_state=keep_version_state)
    store.timings.clear()
    t0 = time.perf_counter()
    action()
    page_run_ms = (time.perf_counter() - t0) * 1000
    _settle()
    _checked(at, page)
    fresh = [t for t in list(store.timings) if not t.cached]
    from_queries = all(t.started > 0 for t in fresh)
    if not fresh:
        query_ms = 0.0
    elif from_queries:
        query_ms = (max(t.started + t.ms / 1000 for t in fresh) - min(t.started for t in fresh)) * 1000
    else:  # the store gave no start times: the whole run is the closest measure of the queries' window
        query_ms = page_run_ms
    rows = next((m.value for m in at.markdown if m.value.startswith("Rows ")), None) if page.startswith(
        "explorer") else None
    return _Step(query_ms, page_run_ms, fresh, from_queries, rows)


VARIANT_ROUNDS = 3  # bench --variants: alternations of with and without each variant, REPEAT runs of each


def variants(db: Path) -> list[dict]:
    """What each variant kept for speed (plans.VARIANTS' `buys`) buys: every step of the script that takes it (and an
    overview of one victim country), run with it and without it (the choice then falls to the next variant that
    answers), alternately, VARIANT_ROUNDS times REPEAT runs each, cold caches. One dict per variant and step."""
    from . import plans
    from .store import get_store

    os.environ["THREATSCAPE_DB"] = str(db)
    store = get_store(db)
    script = [s for s in _interactions(store) if s[1] != "explorer-deep"]
    country = store.query("victim_country_options")["victim_country"].iloc[0]
    script.append((f"an overview of one victim country ({country})", "overview",
                   script[1][2].with_(countries=(country,))))
    full = {macro: tuple(vs) for macro, vs in plans.VARIANTS.items()}

    def use(without: str | None = None) -> None:
        plans.VARIANTS.update({m: tuple(v for v in vs if v.schema != without) for m, vs in full.items()})

    def taken(step: _Step) -> set[str]:
        return {p for t in step.timings for p in t.plan.split(",") if p}

    out = []
    try:
        for v in [v for vs in full.values() for v in vs if v.buys]:
            use()
            steps = [(name, page, f) for name, page, f in script
                     if v.schema in taken(_step(store, page, f, keep_version_state=True))]
            for name, page, f in steps:
                with_it, without_it = [], []
                for _ in range(VARIANT_ROUNDS):
                    use()
                    with_it += [_step(store, page, f, keep_version_state=True).query_ms for _ in range(REPEAT)]
                    use(v.schema)
                    without_it += [_step(store, page, f, keep_version_state=True).query_ms for _ in range(REPEAT)]
                a, b = statistics.median(with_it), statistics.median(without_it)
                out.append({"variant": v.schema, "step": name, "with_ms": round(a, 1), "without_ms": round(b, 1),
                            "buys_pct": round(100 * (b - a) / b, 1) if b else 0.0})
            if not steps:
                out.append({"variant": v.schema, "step": None})
    finally:
        use()
    return out


def print_variants(rows: list[dict]) -> None:
    print("  what each variant kept for speed buys (median ms of its steps with it, without it):")
    for r in rows:
        if r["step"] is None:
            print(f"    {r['variant']:<11} no step of the script takes it")
        else:
            print(f"    {r['variant']:<11} {r['step']:<42} {r['with_ms']:>7.1f} {r['without_ms']:>7.1f}  "
                  f"buys {r['buys_pct']:>5.1f}%")


def forget(store: Store, *, keep_version_state: bool) -> None:
    """Cold caches: drop every query result the store and the pages hold. keep_version_state puts back what a
    running app computes once per data version and no filter change recomputes (the dataset row and the filter
    options), so that what is timed is one filter change on the running app. The date bounds and the content
    version are read when the database is opened, and stay."""
    store.clear_cache()
    data._options.clear()
    if keep_version_state:
        store.dataset(), data.filter_options(store)


@dataclass
class _Replay:
    queries_ms: dict = field(default_factory=dict)  # {step: [ms, ...]}: the queries' window
    page_run_ms: dict = field(default_factory=dict)  # {step: [ms, ...]}: the whole page run
    timings: list = field(default_factory=list)  # (page, Timing) of every uncached query
    from_queries: bool = True  # every step's figure is its queries' window
    deep_rows: str | None = None  # the explorer's row caption on the deep page


def _replay(store: Store, script, *, keep_version_state: bool) -> _Replay:
    """Each step of the script REPEAT times with cold caches."""
    out = _Replay()
    for name, page, f in script:
        out.queries_ms[name], out.page_run_ms[name] = [], []
        for _ in range(REPEAT):
            step = _step(store, page, f, keep_version_state=keep_version_state)
            out.queries_ms[name].append(step.query_ms)
            out.page_run_ms[name].append(step.page_run_ms)
            out.timings += [(page, t) for t in step.timings]
            out.from_queries &= step.from_queries
            if page == "explorer-deep":
                out.deep_rows = step.rows_caption
    return out


def _page_sweep(store: Store, n: int) -> dict[str, list[float]]:
    """The explorer's page query alone, REPEAT times each with cold caches, for every order: the first page, and a
    page deep down read forward ("Next") and backward ("Previous"): {kind: [ms, ...]}."""
    f = Filters()
    # Deep cursors, each about 90% of the way down its order: newest first, below seq n/10; oldest first, above
    # seq 0.9n; highest confidence first, in the lowest confidence level (found untimed: the smallest sort_key,
    # the first row going backward from before everything) halfway up the seq range.
    lowest = store.query("incident_page", data._params(store, f) | {
        "order_by": "confidence", "cursor": -1, "backward": True, "page_size": 1, "seq_lo": None, "seq_hi": None,
        "level": None})
    cursors = {"newest": max(1, n // 10), "oldest": -(n - n // 10),
               "confidence": int(lowest["sort_key"].iloc[0]) + n // 2 if len(lowest) else None}
    out = {}
    for order_by, deep in cursors.items():
        for kind, cursor, backward in (("first page", None, False), ("deep, next", deep, False),
                                       ("deep, previous", deep, True)):
            out[f"{order_by}: {kind}"] = times = []
            for _ in range(REPEAT):
                forget(store, keep_version_state=True)
                t0 = time.perf_counter()
                data.incident_page(store, f, order_by=order_by, cursor=cursor, backward=backward)
                times.append((time.perf_counter() - t0) * 1000)
    return out


def speed_check() -> float:
    """Seconds for a pure-Python loop of LOOP_ADDITIONS additions: how fast the machine is running just now.
    A shared VM's speed drifts (on ours the same Python work took up to twice as long from one hour to the
    next), and every figure here drifts with it; the check before and after a size's measurements says which
    conditions they met."""
    t0 = time.perf_counter()
    total = 0
    for i in range(LOOP_ADDITIONS):
        total += i
    return round(time.perf_counter() - t0, 2)


def measure(db: Path, *, baseline: bool) -> dict:
    """Everything for one database, measured in this process."""
    from .store import get_store

    before = speed_check()
    os.environ["THREATSCAPE_DB"] = str(db)  # the pages open it, and get_store hands back the Store they use
    clearance = auth.local_user().clearance  # bench --clearance: the pages' reader, and this one
    store = get_store(db).cleared(clearance)
    n = int(store.query("incident_count", Filters().params()).iloc[0, 0])
    script = _interactions(store)
    for page in dict.fromkeys(page for _, page, _ in script):  # imports and first draws, untimed
        _step(store, page, script[0][2], keep_version_state=True)
    ran = _replay(store, script, keep_version_state=True)
    all_cold = _replay(store, script, keep_version_state=False)
    slowest, queries, plans, explorer = {}, {}, {}, {"incident_page": [], "incident_count": []}
    for page, t in ran.timings:
        slowest[t.query] = max(slowest.get(t.query, 0), t.ms)
        queries.setdefault(t.query, []).append(t.ms)
        answered = plans.setdefault(t.query, {})
        answered[t.plan] = answered.get(t.plan, 0) + 1
        if page.startswith("explorer") and t.query in explorer:
            explorer[t.query].append(t.ms)
    pages = _page_sweep(store, n)
    explorer["incident_page"] += [t for ts in pages.values() for t in ts]
    every = [t for ts in ran.queries_ms.values() for t in ts]
    every_run = [t for ts in ran.page_run_ms.values() for t in ts]
    every_cold = [t for ts in all_cold.queries_ms.values() for t in ts]
    out = {
        "incidents": n,
        "clearance": clearance,
        "interaction_ms_median": round(statistics.median(every), 1),
        "interaction_ms_p95": round(_p95(every), 1),
        "interaction_ms_from": "queries" if ran.from_queries and all_cold.from_queries else "page_run",
        "page_run_ms_median": round(statistics.median(every_run), 1),
        "page_run_ms_p95": round(_p95(every_run), 1),
        "interactions": {k: {"median_ms": round(statistics.median(v), 1), "p95_ms": round(_p95(v), 1),
                             "page_run_ms_median": round(statistics.median(ran.page_run_ms[k]), 1),
                             "page_run_ms_p95": round(_p95(ran.page_run_ms[k]), 1)}
                         for k, v in ran.queries_ms.items()},
        "interaction_all_cold_ms_median": round(statistics.median(every_cold), 1),
        "interaction_all_cold_ms_p95": round(_p95(every_cold), 1),
        "slowest_query": max(slowest, key=slowest.get),
        "slowest_query_ms": round(max(slowest.values()), 1),
        "queries": {k: {"median_ms": round(statistics.median(v), 1), "max_ms": round(max(v), 1),
                        "plans": dict(sorted(plans[k].items(), key=lambda kv: -kv[1]))}
                    for k, v in sorted(queries.items(), key=lambda kv: -statistics.median(kv[1]))},
        "explorer_page_ms_max": round(max(explorer["incident_page"]), 1),
        "explorer_pages": {k: round(statistics.median(v), 1) for k, v in pages.items()},
        "explorer_page_kind_ms_max": round(max(statistics.median(v) for v in pages.values()), 1),
        "explorer_count_ms_max": round(max(explorer["incident_count"]), 1),
        "explorer_deep_rows": ran.deep_rows,
        "db_mb": round(db.stat().st_size / 2**20, 1),
    }
    out |= _export(store, n)
    if baseline:
        out |= _baseline(db, script, out["interaction_ms_median"])
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["speed_check_s"] = [before, speed_check()]
    return out


def _export(store: Store, n: int) -> dict:
    from .export import write_incidents

    rows = min(n, 1_000_000)
    since = None
    if n > rows:  # the newest million incidents
        since = store.query("incident_page", Filters().params() | {"order_by": "newest", "cursor": None,
                            "backward": False, "page_size": None, "seq_lo": n - rows + 1, "seq_hi": n - rows + 1,
                            "level": None}
                            ).iloc[0]["occurred_on"].date()
    with tempfile.TemporaryDirectory() as work:
        t0 = time.perf_counter()
        csv_path, _ = write_incidents(store, Filters(since=since), work, name="bench")
        seconds = time.perf_counter() - t0
        size = csv_path.stat().st_size
        rows_written = sum(1 for _ in open(csv_path, "rb")) - 1
        sample = Path(work) / "sample.csv"
        with open(csv_path, "rb") as src, open(sample, "wb") as dst:
            for i, line in enumerate(src):
                if i > 200_000:
                    break
                dst.write(line)
        from .ingest.run import ingest

        t0 = time.perf_counter()
        report = ingest([sample], Path(work) / "ingest.duckdb", fmt="csv")
        rates = [report.totals()["read"] / (time.perf_counter() - t0)]
        for i in range(1, INGESTS):  # the same file again, each time by the command line in a new process
            report_path = Path(work) / f"ingest-{i}.json"
            subprocess.run([sys.executable, "-m", "threatscape", "ingest", str(sample), "--format", "csv",
                            "--db", str(Path(work) / f"ingest-{i}.duckdb"), "--report", str(report_path)],
                           check=True, capture_output=True)
            done = json.loads(report_path.read_text())  # its own timing: from reading the file to the rename
            rates.append(done["read"] / done["seconds"])
    return {"export_rows": rows_written, "export_mb_per_s": round(size / 2**20 / seconds, 1),
            "export_s": round(seconds, 2), "ingest_rows_per_s": round(statistics.median(rates)),
            "ingest_rows_per_s_runs": [round(r) for r in rates]}


def _baseline(db: Path, script, ours_median: float) -> dict:
    """The same interactions the way most Streamlit dashboards do it: the whole table in pandas."""
    import duckdb
    import numpy as np

    from . import taxonomy

    t0 = time.perf_counter()
    con = duckdb.connect(str(db), read_only=True)
    # Only the columns the interactions use (a whole-row load at 10M would need over 10 GB): this favours
    # the baseline, which still pays for holding and filtering every incident in pandas.
    df = con.execute("SELECT i.seq, i.occurred_on, i.actor_id, i.sector_mask, i.victim_country, i.campaign, "
                     "a.name AS actor, a.sponsor_country FROM incident i JOIN actor a USING (actor_id)").df()
    load_s = time.perf_counter() - t0
    tops = [(s.name, taxonomy.rollup_mask(s.name)) for s in taxonomy.sectors() if s.parent is None]
    mask = df["sector_mask"].to_numpy(dtype=np.uint64)
    day = df["occurred_on"]

    def run(page, f):
        m = np.ones(len(df), dtype=bool)
        if f.since:
            m &= (day >= np.datetime64(f.since)).to_numpy()
        if f.until:
            m &= (day <= np.datetime64(f.until)).to_numpy()
        if f.actors:
            m &= df["actor"].isin(f.actors).to_numpy()
        if f.sectors:
            want = np.uint64(sum(taxonomy.rollup_mask(s) for s in f.sectors))
            m &= (mask & want) != 0
        sel = df[m]
        if page in ("overview", "actor"):
            sel[["actor_id", "victim_country", "campaign"]].nunique()
            top = sel["actor"].value_counts().head(8).index
            part = sel[sel["actor"].isin(top)]
            pm = part["sector_mask"].to_numpy(dtype=np.uint64)
            for _, rm in tops:
                part[(pm & np.uint64(rm)) != 0].groupby("actor").size()
            sel.groupby([sel["occurred_on"].dt.to_period("M"), "actor"]).size()
            sel["victim_country"].value_counts().head(15)
            sel.groupby([sel["occurred_on"].dt.to_period("M"), "sponsor_country"]).size()
            spans = sel.dropna(subset=["campaign"]).groupby("campaign")["occurred_on"].agg(["min", "max"])
            len(spans)
        elif page == "explorer":
            len(sel), sel.sort_values("seq", ascending=False).head(50), sel["actor"].value_counts().head(8)
        elif page == "explorer-deep":  # the page before the last, newest first
            sel.sort_values("seq", ascending=False).iloc[max(0, len(sel) - 2 * data.PAGE_SIZE):][:data.PAGE_SIZE]

    times = []
    for _, page, f in script:
        for _ in range(REPEAT):
            t0 = time.perf_counter()
            run(page, f)
            times.append((time.perf_counter() - t0) * 1000)
    median = statistics.median(times)
    return {"baseline_interaction_ms_median": round(median, 1), "baseline_load_s": round(load_s, 2),
            "speedup_vs_baseline": round(median / ours_median, 1) if ours_median else None}


def _p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, int(round(0.95 * len(xs))) - 1)]


def app(db: Path, launched: float, *, cold_only: bool = False) -> dict:
    """The app process, run under AppTest in a new process (this one): cold start to the first complete
    overview, reruns with nothing changed, reruns after each filter change with every query result cleared
    (forget), the largest chart payload sent to the browser, and the process's peak memory. cold_only: the
    cold start alone."""
    from streamlit.testing.v1 import AppTest

    from .store import get_store

    os.environ["THREATSCAPE_DB"] = str(db)
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=600)
    at.run()
    cold = time.time() - launched
    if at.exception:
        raise RuntimeError(f"the overview failed: {at.exception}")
    if cold_only:
        return {"cold_start_s": round(cold, 2)}
    payloads = [el.proto.ByteSize() for el in at.get("plotly_chart")]
    store = get_store(db)

    def timed(step) -> float:
        t0 = time.perf_counter()
        step().run()
        if at.exception:
            raise RuntimeError(f"the overview failed: {at.exception}")
        payloads.extend(el.proto.ByteSize() for el in at.get("plotly_chart"))
        return (time.perf_counter() - t0) * 1000

    warm = [timed(lambda: at) for _ in range(REPEAT)]
    options = store.query("actor_options")["actor"].tolist()
    countries = store.query("victim_country_options")["victim_country"].tolist()
    changes = [
        lambda: at.sidebar.multiselect(key="sector").set_value(["energy"]),
        lambda: at.sidebar.multiselect(key="country").set_value(countries[:1]),
        lambda: at.sidebar.multiselect(key="actor").set_value(options[:2]),
        lambda: at.sidebar.multiselect(key="actor").set_value([]),
        lambda: at.sidebar.multiselect(key="country").set_value([]),
        lambda: at.sidebar.multiselect(key="sector").set_value([]),
        lambda: at.sidebar.selectbox(key="top").set_value(15),
        lambda: at.sidebar.selectbox(key="top").set_value(8),
    ]
    cold_reruns = []
    for _ in range(REPEAT):  # the list ends where it began: each pass makes the same changes
        for change in changes:
            forget(store, keep_version_state=True)
            cold_reruns.append(timed(change))
    return {"cold_start_s": round(cold, 2),
            "apptest_rerun_ms_median": round(statistics.median(warm), 1),
            "apptest_filter_change_ms_median": round(statistics.median(cold_reruns), 1),
            "apptest_filter_change_ms_p95": round(_p95(cold_reruns), 1),
            "chart_payload_kb_max": round(max(payloads) / 1024, 1),
            "app_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def _app_process(db: Path) -> dict:
    """The app measured in new processes: everything in the first, the cold start alone in COLD_STARTS - 1 more;
    cold_start_s is the median start."""
    # Our modules' bytecode, written as Python writes it at a first import (or pip at install) unless
    # PYTHONDONTWRITEBYTECODE is set, as it is on our VM: there every start compiled them again (about 0.1 s).
    compileall.compile_dir(REPO / "threatscape", quiet=1)
    runs = []
    for i in range(COLD_STARTS):
        # The worker's export and ingest files were just deleted: let the kernel finish writing and discarding
        # them first, or that I/O lands on the cold start (about 0.5 s more than the same start a minute later).
        os.sync()
        launched = time.time()
        out = subprocess.run([sys.executable, "-m", "threatscape", "bench", "--app-worker", str(db),
                              "--launched", repr(launched)] + _repeat_option() + (["--cold-only"] if i else []),
                             capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(out.stderr[-3000:])
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    starts = [r["cold_start_s"] for r in runs]
    return runs[0] | {"cold_start_s": round(statistics.median(starts), 2), "cold_start_s_runs": starts}


def database(n: int) -> tuple[Path, float | None]:
    """The demo database of n incidents (built once, then reused) and its build time if built now."""
    from .startup import outdated_demo

    path = BENCH_DIR / f"demo-{n}.duckdb"
    if path.exists() and not outdated_demo(path):
        return path, None
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "threatscape", "demo", "--db", str(path), "--incidents", str(n),
                    "--until", UNTIL.isoformat()], check=True, capture_output=True)
    return path, round(time.perf_counter() - t0, 1)


def interpreter() -> dict:
    """The Python running the benchmark: its build moves every figure that Python computes (imports above all)."""
    return {"version": platform.python_version(), "base": sys.base_prefix,
            "venv": sys.prefix if sys.prefix != sys.base_prefix else None}


def unusable(path: Path) -> str | None:
    """Why the benchmark cannot replay its script on this file, in one line (None: it can)."""
    import duckdb

    from .schema import OutdatedDatabase, dataset_kind

    if not path.is_file():
        return f"{path}: no such database file"
    try:
        dataset_kind(path)
        first_day, _ = Store(path).date_bounds()
    except OutdatedDatabase as exc:
        return str(exc)
    except duckdb.Error as exc:
        return f"{path} is not a readable DuckDB database ({str(exc).splitlines()[0]})"
    if first_day is None:
        return f"{path} holds no incidents: there is nothing to replay the interactions on"
    return None


def main(sizes: list[int], *, baseline: bool, json_path: str | None, db: str | None = None,
         measure_variants: bool = False) -> int:
    """Measure each demo size, or the database at db alone; print the figures, and write them to json_path."""
    if db is not None:
        problem = unusable(Path(db))
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 1
    python = interpreter()
    print(f"Python {python['version']} from {python['base']}"
          + (f", in the virtual environment {python['venv']}" if python["venv"] else ", no virtual environment"))
    results = []
    for path, built in [(Path(db), None)] if db is not None else map(database, sizes):
        worker = subprocess.run([sys.executable, "-m", "threatscape", "bench", "--worker", str(path)]
                                + _repeat_option() + (["--baseline"] if baseline else [])
                                + (["--variants"] if measure_variants else []), capture_output=True, text=True)
        if worker.returncode:
            print(worker.stderr, file=sys.stderr)
            return worker.returncode
        r = json.loads(worker.stdout.strip().splitlines()[-1])
        if measure_variants:
            print(f"\n== {path}")
            print_variants(r)
            results.append({"database": str(path), "variants": r})
            continue
        r["demo_build_s"] = built
        r["python"] = python
        r |= _app_process(path)
        results.append(r)
        _print(r)
    if json_path:
        Path(json_path).write_text(json.dumps(results, indent=2))
    return 0


def _print(r: dict) -> None:
    print(f"\n== {r['incidents']:,} incidents (database {r['db_mb']} MB"
          + (f", built in {r['demo_build_s']} s" if r.get("demo_build_s") else "") + ")")
    print(f"  speed check: {LOOP_ADDITIONS:,} additions in Python took {r['speed_check_s'][0]} s before and "
          f"{r['speed_check_s'][1]} s after the queries, export and ingest (lower is a faster machine)")
    timed_by = ("its queries, from the first uncached one's start to the last one's end"
                if r["interaction_ms_from"] == "queries" else
                "the whole page run (the store gave no start times for its queries)")
    print(f"  each step runs its page under AppTest with cold caches ({REPEAT} runs); a step's time is {timed_by}, "
          "then the whole page run")
    for name, t in r["interactions"].items():
        print(f"  {name:<30} median {t['median_ms']:>8.1f} ms   p95 {t['p95_ms']:>8.1f} ms   "
              f"page run median {t['page_run_ms_median']:>8.1f} ms   p95 {t['page_run_ms_p95']:>8.1f} ms")
    print(f"  all interactions: median {r['interaction_ms_median']} ms, p95 {r['interaction_ms_p95']} ms "
          f"(page runs: median {r['page_run_ms_median']} ms, p95 {r['page_run_ms_p95']} ms); "
          f"slowest query {r['slowest_query']} ({r['slowest_query_ms']} ms)")
    print(f"  with the per-version state cold too (dataset row, filter options): median "
          f"{r['interaction_all_cold_ms_median']} ms, p95 {r['interaction_all_cold_ms_p95']} ms")
    print(f"  explorer: slowest page {r['explorer_page_ms_max']} ms, slowest count {r['explorer_count_ms_max']} ms; "
          f"slowest kind of page {r['explorer_page_kind_ms_max']} ms (median of {REPEAT}): " + ", ".join(
              f"{k} {v:.0f}" for k, v in r["explorer_pages"].items())
          + f"; the deep page showed {r['explorer_deep_rows']}")
    print("  queries the steps ran uncached: median / max ms, then the plan (macro variants) that answered, times:")
    for k, v in r["queries"].items():
        print(f"    {k:<34} {v['median_ms']:>7.1f} / {v['max_ms']:>7.1f}   " + "; ".join(
            f"{plan or '(no variant named)'} x{count}" for plan, count in v["plans"].items()))
    print(f"  app under AppTest: cold start to first overview {r['cold_start_s']} s (median of "
          f"{', '.join(map(str, r['cold_start_s_runs']))}); rerun median "
          f"{r['apptest_rerun_ms_median']} ms; rerun after a filter change median "
          f"{r['apptest_filter_change_ms_median']} ms, p95 {r['apptest_filter_change_ms_p95']} ms; "
          f"largest chart {r['chart_payload_kb_max']} KB; app peak memory {r['app_peak_rss_mb']} MB")
    print(f"  benchmark worker peak memory {r['peak_rss_mb']} MB (queries, export and ingest)")
    print(f"  export {r['export_rows']:,} rows at {r['export_mb_per_s']} MB/s ({r['export_s']} s); "
          f"CSV ingest {r['ingest_rows_per_s']:,} rows/s (median of "
          f"{', '.join(f'{x:,}' for x in r['ingest_rows_per_s_runs'])})")
    if "speedup_vs_baseline" in r:
        print(f"  naive pandas baseline: median {r['baseline_interaction_ms_median']} ms per interaction "
              f"after {r['baseline_load_s']} s loading; Threatscape is {r['speedup_vs_baseline']}x faster")
