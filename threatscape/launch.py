"""What dashboard.py needs before a page runs: the list of pages, and the warm start of a process.

The first page a process draws imports pandas (0.65-0.95 s on the 2-core VM), and nothing else happened
meanwhile. warm() opens the database on a thread at that moment and runs the first queries: the dataset row,
the filter options and, for a visitor who lands on the overview without parameters, the overview's queries
for the default filters. DuckDB runs them on the other core while the page imports; the page's own calls then
find their results in the store, or wait for the one still running (Store.query runs none twice). Nothing
here imports pandas: a result becomes a DataFrame after its query has run, once the page has loaded pandas.
"""
from __future__ import annotations

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
