"""What dashboard.py needs before a page runs: the list of pages, and the warm start of a process.

The first page a process draws imports pandas (0.65-0.95 s on the 2-core VM), and nothing else happened
meanwhile. warm() opens the database on a thread at that moment and runs the first queries: the dataset row,
the filter options and, for a visitor who lands on the overview without parameters, the overview's queries
for the default filters. DuckDB runs them on the other core while the page imports; the page's own calls then
find their results in the store, or wait for the one still running (Store.query runs none twice). Nothing
here imports pandas: a result becomes a DataFrame after its query has run, once the page has loaded pandas.
"""
from __future__ import annotations

import atexit
import gc
import logging
import threading
from concurrent.futures import ThreadPoolExecutor, wait

from . import data
from .filters import View, default_filters
from .store import database_path, get_store

log = logging.getLogger(__name__)

# The app's pages (file stem, title), in navigation order; dashboard.py registers them, app.setup links them.
PAGES = (("overview", "Overview"), ("explorer", "Explorer"), ("actor", "Actor profile"), ("names", "Names"),
         ("ingest", "Ingest"), ("audit", "Audit trail"))

_warmed: set = set()  # database paths this process has warmed
_lock = threading.Lock()


def warm(*, default_overview: bool) -> threading.Thread | None:
    """Once per process and database: open it on a thread, and with default_overview (the overview, no URL
    parameters) start the overview's queries for the default filters. Returns at once: the thread, or None
    when this database was warmed already."""
    path = database_path()
    with _lock:
        if path in _warmed:
            return None
        _warmed.add(path)
    thread = threading.Thread(target=_warm, args=(path, default_overview), name="threatscape-warm", daemon=True)
    thread.start()
    return thread


def _warm(path, default_overview: bool) -> None:
    try:
        if not path.exists():
            return  # the page builds the demo database, and says so
        store = get_store(path)
        # Opens the database. It raises OutdatedDatabase for an older schema (the page rebuilds a demo database,
        # or says what to do); opening it first to ask outdated_demo would cost as much again.
        first_day, last_day = store.date_bounds()
        # Each query on a thread of its own: each runs in DuckDB and then waits for pandas to turn its result
        # into a DataFrame. On the page's two query threads, four of them would wait their turn behind two that
        # wait for pandas. They run in DuckDB one at a time (Store.one_at_a_time), on one core: the import of
        # pandas has the other.
        with store.one_at_a_time(), ThreadPoolExecutor(16, thread_name_prefix="threatscape-warm") as threads:
            started = [threads.submit(store.query, name) for name in ("dataset_info", *data.OPTION_QUERIES)]
            if default_overview and last_day is not None:
                started += data.prefetch_overview(store, default_filters(first_day, last_day), View(),
                                                  threads=threads)
            wait(started)
        data.filter_options(store)  # from those results
    except Exception:  # any: the page's own calls run again, meet the same error and show it
        log.debug("warm start of %s failed", path, exc_info=True)


# Python's cyclic garbage collector, in a server process. Once the first page has run, the process holds about
# 200,000 long-lived objects (Streamlit, pandas, plotly's validators, DuckDB's bindings) that will never be
# garbage, yet every full collection walks all of them again (50-60 ms each, several a minute under load, holding
# the interpreter's lock). settle() moves them out of the collector's sight once (gc.freeze), and collects the
# young generation less often, so that short-lived objects (a rerun's frames and messages) die before it looks.
# Measured under load (20 sessions at 1M incidents, one worker, 45 s): the collector took 1.9 s of the server's
# 62 CPU-seconds before, 0.7 s after (full collections 9 -> 4, each walking a fifth of the objects).
GC_THRESHOLDS = (20_000, 20, 20)
SETTLE_AFTER_S = 2.0
_settled = threading.Event()


def settle() -> None:
    """Once per process, after its first page run: freeze the objects that exist by then (gc.freeze) and set
    GC_THRESHOLDS. On a timer thread, SETTLE_AFTER_S later, so that the first visitor's page is not held up."""
    from streamlit.runtime import Runtime

    if _settled.is_set() or not (Runtime.exists() and type(Runtime.instance()) is Runtime):  # not under AppTest
        return
    _settled.set()
    timer = threading.Timer(SETTLE_AFTER_S, _freeze)
    timer.daemon = True
    timer.start()


def _freeze() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    atexit.register(gc.unfreeze)  # at exit, what was frozen is collected as usual (and DuckDB's objects released)
