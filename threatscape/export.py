"""CSV snapshots: every matching row, streamed from DuckDB to a file, with a manifest that proves what it holds.

The CSV is UTF-8 (optionally with a BOM for Excel), RFC 4180 (CRLF line ends, quoted text), ISO dates.
Text cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return)
get a leading apostrophe (safe.neutralise): feed text is attacker-controlled.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import queue
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from . import __version__, audit
from .filters import TLPS, Filters, View
from .safe import neutralise
from .store import Store

INCIDENT_QUERY = "incident_page"  # the explorer's query: the snapshot is exactly what the explorer lists
CHUNK_ROWS = 100_000  # rows per keyset page: bounds memory whatever the export's size
CSV_COLUMNS = ["incident_id", "occurred_on", "date_precision", "actor", "actor_as_reported", "sponsor_country",
               "sponsor_as_reported",
               "sectors", "victim_country", "campaign", "title", "summary", "confidence", "tlp", "source",
               "source_url"]
BOM = "\ufeff".encode()
WRITE_OPTIONS = pacsv.WriteOptions(eol="\r\n", quoting_style="needed")


def _long_form(batch: pa.RecordBatch) -> pa.RecordBatch:
    """One row per incident and sector: 'sectors' split into a 'sector' column."""
    parts = pc.split_pattern(batch.column("sectors"), "; ")
    rows = batch.take(pc.list_parent_indices(parts))
    i = rows.schema.get_field_index("sectors")
    return rows.set_column(i, "sector", pc.list_flatten(parts))


class _HashingSink(io.RawIOBase):
    """A binary file that counts and hashes what goes through it."""

    def __init__(self, raw):
        self.raw, self.sha256, self.bytes = raw, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        b = memoryview(b)  # the writer's buffer, hashed and written without a copy
        self.sha256.update(b)
        self.bytes += b.nbytes
        return self.raw.write(b)


def _ahead(items, depth: int = 2):
    """What `items` yields, produced on a thread of its own up to `depth` items ahead: DuckDB reads the next rows
    while the CSV of these is written, each mostly without Python's lock. At most depth items wait, so memory
    does not grow with the export. An error while producing is raised here; when the consumer stops early (an
    error of its own), the producer stops too and closes `items`."""
    waiting: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                waiting.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for item in items:
                if not put((True, item)):
                    return
            put((False, None))
        except BaseException as exc:  # handed to the consumer, which raises it
            put((False, exc))
        finally:
            items.close()

    producer = threading.Thread(target=produce, name="threatscape-export", daemon=True)
    producer.start()
    try:
        while True:
            more, item = waiting.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        producer.join()


def view_url(page: str, filters: Filters, view: View | None = None, extra: dict | None = None) -> str:
    """The app URL path that shows the same view, e.g. 'explorer?since=2023-01-01&actor=Kimsuky'."""
    query = filters.to_query() | (view.to_query() if view else {}) | (extra or {})
    return page + ("?" + urlencode(query, doseq=True) if query else "")


def manifest(*, store: Store, filters: Filters, query: str, url: str, csv_name: str, rows: int,
             size: int, sha256: str, options: dict, plan: str = "", made_by: Maker | None = None,
             highest_tlp: str | None = None) -> dict:
    """What a snapshot holds and how to re-derive it, who made it and the highest TLP inside."""
    ds = store.dataset()
    made_by = made_by or command_line(store)
    return {
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "app_version": __version__,
        "made_by": {"user": made_by.name, "role": made_by.role, "clearance": f"TLP:{made_by.clearance}"},
        # the highest TLP marking of the incidents inside (None: none inside); handle the file at least that way
        "tlp": None if highest_tlp is None else f"TLP:{highest_tlp}",
        "dataset": {"kind": ds["kind"], "description": ds["description"],
                    "content_version": ds["content_version"], "alias_map_version": ds["alias_map_version"],
                    "built_at": ds["built_at"].isoformat()},
        # the team's decisions about actor names that the dataset's actors reflect (threatscape/names.py)
        "name_decisions": [{"name": d.name, "decision": d.decision, "actor": d.actor if isinstance(d.actor, str)
                            else None, "reason": d.reason, "decided_by": d.decided_by, "decided_at": d.decided_at}
                           for d in store.query("active_decisions").itertuples(index=False)],
        "query": query,
        "plan": plan,  # the macro variants that answered the query (threatscape/plans.py); the same rows either way
        "filters": filters.describe(),
        "url": url,
        "csv": {"file": csv_name, "rows": rows, "bytes": size, "sha256": sha256, "encoding": "utf-8",
                "line_end": "CRLF", "formula_cells": "prefixed with an apostrophe", **options},
    }


@dataclass(frozen=True)
class Maker:
    """Who makes a snapshot, as its manifest and the audit trail name them (auth.User has these fields)."""
    name: str
    role: str
    clearance: str


def command_line(store: Store) -> Maker:
    """The user running a command on this machine, reading as `store` is cleared."""
    return Maker(audit.command_line_user(), "admin", store.clearance or TLPS[-1])


class Busy(RuntimeError):
    """Too many snapshots are being written at once; one line, for the user."""


# Snapshots written at once, in this process: each reads and writes every matching incident (a core and up to a few
# hundred MB each at 10M incidents); the ones past this many are refused with Busy rather than slowing everyone.
MAX_CONCURRENT_SNAPSHOTS = 2
_snapshots = threading.BoundedSemaphore(MAX_CONCURRENT_SNAPSHOTS)


def highest_marking(rank: int | None) -> str | None:
    return None if rank is None else TLPS[rank]


def _write_atomically(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_incidents(store: Store, filters: Filters, out_dir: str | os.PathLike, *, name: str | None = None,
                    order_by: str = "newest", long: bool = False, bom: bool = False,
                    made_by: Maker | None = None) -> tuple[Path, Path]:
    """Write every incident matching `filters` that `store`'s reader may read to out_dir/<name>.csv and
    <name>.manifest.json, and record it in the audit trail. The default name carries the highest TLP inside:
    incidents-TLP-AMBER-<UTC time>. Raises Busy when MAX_CONCURRENT_SNAPSHOTS are being written already."""
    if not _snapshots.acquire(blocking=False):
        raise Busy(f"{MAX_CONCURRENT_SNAPSHOTS} snapshots are being written right now; try again in a moment.")
    try:
        return _write_incidents(store, filters, out_dir, name=name, order_by=order_by, long=long, bom=bom,
                                made_by=made_by or command_line(store))
    finally:
        _snapshots.release()


def _write_incidents(store: Store, filters: Filters, out_dir: str | os.PathLike, *, name: str | None,
                     order_by: str, long: bool, bom: bool, made_by: Maker) -> tuple[Path, Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%SZ}"
    work_path = out_dir / f".{name or 'incidents'}.{os.getpid()}.{threading.get_ident()}.csv.tmp"
    params = filters.params() | {"order_by": order_by, "cursor": None, "backward": False, "page_size": None,
                                 "seq_lo": None, "seq_hi": None, "level": None}
    state = {}

    def batches():
        if order_by == "confidence":  # one sort over every match: memory grows with the export
            with store.stream(INCIDENT_QUERY, params) as reader:
                yield from reader
            return
        # Date order: the same query over slices of the store's date-order rank (seq), CHUNK_ROWS at a
        # time, so only one slice is ever sorted and held, whatever the export's size.
        # Only the ranks of the filters' date range are walked.
        bounds = store.query("seq_bounds", {"since": filters.since, "until": filters.until}).iloc[0]
        if pd.isna(bounds["min_seq"]):
            return
        first, last = int(bounds["min_seq"]), int(bounds["max_seq"])
        starts = range(last, first - 1, -CHUNK_ROWS) if order_by == "newest" else range(first, last + 1, CHUNK_ROWS)
        for start in starts:
            lo, hi = ((max(first, start - CHUNK_ROWS + 1), start) if order_by == "newest"
                      else (start, min(last, start + CHUNK_ROWS - 1)))
            with store.stream(INCIDENT_QUERY, params | {"seq_lo": lo, "seq_hi": hi}) as reader:
                yield from reader

    def write(f):
        sink = _HashingSink(f)
        if bom:
            sink.write(BOM)
        rows = 0
        writer = None
        markings: set[str] = set()
        with contextlib.closing(_ahead(batches())) as read:  # a failed write stops the reader here and now
            for batch in read:
                batch = neutralise(batch.select(CSV_COLUMNS))
                markings.update(pc.unique(batch.column("tlp")).to_pylist())
                if long:
                    batch = _long_form(batch)
                if writer is None:
                    writer = pacsv.CSVWriter(sink, batch.schema, write_options=WRITE_OPTIONS)
                writer.write_batch(batch)
                rows += batch.num_rows
        if writer is None:  # no rows: still a header
            columns = [("sector" if long and c == "sectors" else c) for c in CSV_COLUMNS]
            sink.write((",".join(f'"{c}"' for c in columns) + "\r\n").encode())
        else:
            writer.close()
        state.update(rows=rows, bytes=sink.bytes, sha256=sink.sha256.hexdigest(),
                     tlp=max(markings, key=TLPS.index) if markings else None)

    try:
        with open(work_path, "wb") as f:
            write(f)
        name = name or f"incidents-TLP-{state['tlp'] or 'CLEAR'}-{stamp}"
        csv_path, manifest_path = out_dir / f"{name}.csv", out_dir / f"{name}.manifest.json"
        os.replace(work_path, csv_path)
    finally:
        work_path.unlink(missing_ok=True)
    doc = manifest(store=store, filters=filters, query=INCIDENT_QUERY, plan=store.plan(INCIDENT_QUERY, params),
                   url=view_url("explorer", filters, extra={"sort": [order_by]} if order_by != "newest" else None),
                   csv_name=csv_path.name, rows=state["rows"], size=state["bytes"], sha256=state["sha256"],
                   options={"form": "long: one row per incident and sector" if long else
                            "one row per incident, sectors joined by '; '", "bom": bom, "order": order_by},
                   made_by=made_by, highest_tlp=state["tlp"])
    _write_atomically(manifest_path, lambda f: f.write(json.dumps(doc, indent=2, ensure_ascii=False).encode()))
    audit.record(store.path, "snapshot", user=made_by.name, role=made_by.role, clearance=made_by.clearance,
                 file=csv_path.name, filters=filters.describe(), rows=state["rows"], sha256=state["sha256"],
                 tlp=doc["tlp"])
    return csv_path, manifest_path


def frame_csv(df: pd.DataFrame, *, bom: bool = False) -> bytes:
    """A small query result (a chart's data) as snapshot CSV bytes."""
    table = neutralise(pa.Table.from_pandas(df, preserve_index=False))
    buf = io.BytesIO()
    if bom:
        buf.write(BOM)
    pacsv.write_csv(table, buf, write_options=WRITE_OPTIONS)
    return buf.getvalue()


def highest_tlp(store: Store, filters: Filters) -> str | None:
    """The highest TLP marking among the incidents `filters` match that the store's reader may read (None: none)."""
    rank = store.query("highest_tlp", filters.params()).iloc[0, 0]
    return None if pd.isna(rank) else TLPS[int(rank)]


def chart_snapshot_zip(store: Store, df: pd.DataFrame, *, name: str, filters: Filters,
                       view: View | None, page: str = "", query: str | None = None,
                       made_by: Maker | None = None) -> bytes:
    """A zip holding <name>.csv (a chart's data: the frame its query returned) and <name>.manifest.json; recorded
    in the audit trail with the highest TLP of the incidents it counts."""
    made_by = made_by or command_line(store)
    query = query or df.attrs.get("query", "")
    data = frame_csv(df)
    sha256 = hashlib.sha256(data).hexdigest()
    tlp = highest_tlp(store, filters)
    doc = manifest(store=store, filters=filters, query=query, url=view_url(page, filters, view),
                   plan=df.attrs.get("plan", ""),
                   csv_name=f"{name}.csv", rows=len(df), size=len(data), sha256=sha256,
                   options={"view": view.__dict__ if view else None}, made_by=made_by, highest_tlp=tlp)
    audit.record(store.path, "chart-data", user=made_by.name, role=made_by.role, clearance=made_by.clearance,
                 file=f"{name}.zip", query=query, filters=filters.describe(), rows=len(df), sha256=sha256,
                 tlp=doc["tlp"])
    return _zip({f"{name}.csv": data, f"{name}.manifest.json": json.dumps(doc, indent=2, ensure_ascii=False).encode()})


def incidents_zip(store: Store, filters: Filters, *, order_by: str = "newest", long: bool = False,
                  bom: bool = False, work_dir: str | os.PathLike, made_by: Maker | None = None) -> Path:
    """Write an incident snapshot into work_dir and zip the CSV and its manifest; return the zip's path (its name
    carries the highest TLP inside, as the CSV's does)."""
    csv_path, manifest_path = write_incidents(store, filters, work_dir, order_by=order_by, long=long, bom=bom,
                                              made_by=made_by)
    zip_path = csv_path.with_suffix(".zip")
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.write(csv_path, csv_path.name)
        z.write(manifest_path, manifest_path.name)
    csv_path.unlink()
    manifest_path.unlink()
    return zip_path


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for n, b in files.items():
            z.writestr(n, b)
    return buf.getvalue()
