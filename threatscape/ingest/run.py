"""Ingest: read files of any supported format, normalise, and merge into a new database file atomically."""
from __future__ import annotations

import collections
import importlib
import importlib.abc
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import build, sql
from ..actors import alias_key
from ..store import dataset_kind
from . import columnar
from .columnar import STAGED_SCHEMA
from .csvfile import CONTIGUOUS_BYTES, as_numpy
from .model import Rejection, Skipped, UnreadableFile
from .normalise import AliasMap, Normaliser

FORMATS = ("eurepoc", "misp", "stix", "csv")  # detection order: the most specific first
MODULES = {"eurepoc": "eurepoc", "misp": "misp", "stix": "stix", "csv": "csvfile"}
PUBLIC_FORMATS = {"eurepoc"}  # public research data: CLEAR unless it says otherwise
COLUMNAR = {"csv"}  # formats read and normalised column-wise (columnar.py); the others record by record


class IngestFailed(Exception):
    """--strict and something was rejected: nothing was written."""

    def __init__(self, report: "Report"):
        super().__init__(f"{len(report.rejections)} record(s) rejected; --strict, so nothing was written")
        self.report = report


@dataclass
class FileCount:
    format: str
    read: int = 0
    added: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0


@dataclass
class Report:
    database: str
    dry_run: bool
    files: dict[str, FileCount] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    skipped_objects: collections.Counter = field(default_factory=collections.Counter)
    skipped_files: list[str] = field(default_factory=list)
    normaliser: Normaliser | None = None
    replaced_demo: bool = False
    seconds: float = 0.0

    def totals(self) -> dict[str, int]:
        return {k: sum(getattr(c, k) for c in self.files.values())
                for k in ("read", "added", "updated", "duplicates", "rejected")}

    def to_json(self) -> dict:
        n = self.normaliser
        return self.totals() | {
            "database": self.database, "dry_run": self.dry_run, "replaced_demo_data": self.replaced_demo,
            "seconds": round(self.seconds, 3),
            "files": {f: c.__dict__ for f, c in self.files.items()},
            "rejections": [{"file": r.file, "row": r.locator, "field": r.field, "reason": r.reason}
                           for r in self.rejections],
            "skipped_objects": dict(self.skipped_objects), "skipped_files": self.skipped_files,
            "actors": {"alias_map_version": n.aliases.version, **dict(n.actor_status),
                       "unresolved": dict(n.unresolved_actors.most_common()),
                       "ambiguous": dict(n.ambiguous_actors.most_common()),
                       "incidents_naming_several_actors": n.several_actors} if n else {},
            "unmapped_sectors": dict(n.unmapped_sectors.most_common()) if n else {},
            "unmapped_countries": dict(n.unmapped_countries.most_common()) if n else {},
            "incidents_with_several_victim_countries": n.several_countries if n else 0,
        }

    def summary(self) -> str:
        t, n = self.totals(), self.normaliser
        lines = [("Dry run, nothing written: " if self.dry_run else "") +
                 f"read {t['read']:,}, added {t['added']:,}, updated {t['updated']:,}, "
                 f"duplicates skipped {t['duplicates']:,}, rejected {t['rejected']:,} ({self.seconds:.1f} s)"]
        if self.replaced_demo:
            lines.append("The demo data was replaced: the database now holds only ingested sources.")
        for f, c in self.files.items():
            lines.append(f"  {f} [{c.format}]: read {c.read:,}, added {c.added:,}, updated {c.updated:,}, "
                         f"duplicates {c.duplicates:,}, rejected {c.rejected:,}")
        if n and sum(n.actor_status.values()):
            total = sum(n.actor_status.values())
            lines.append(f"Actors: {n.actor_status['resolved']:,} of {total:,} incidents resolved to a "
                         f"galaxy actor ({100 * n.actor_status['resolved'] / total:.0f}%), "
                         f"{n.actor_status['unresolved']:,} kept as reported, {n.actor_status['ambiguous']:,} "
                         f"ambiguous ({n.aliases.version})")
            for label, counter in (("Unresolved actor names", n.unresolved_actors),
                                   ("Ambiguous actor names", n.ambiguous_actors),
                                   ("Unmapped sectors", n.unmapped_sectors),
                                   ("Unmapped countries", n.unmapped_countries)):
                if counter:
                    lines.append(f"{label}: " + ", ".join(f"{k} ({v})" for k, v in counter.most_common(10))
                                 + (", …" if len(counter) > 10 else ""))
        if self.skipped_objects:
            lines.append("Skipped objects (not incidents): " +
                         ", ".join(f"{k} ({v})" for k, v in self.skipped_objects.most_common()))
        if self.skipped_files:
            lines.append(f"Skipped files of no known format: {', '.join(self.skipped_files[:10])}")
        for r in self.rejections[:20]:
            lines.append(f"  rejected {r.file} {r.locator} [{r.field}]: {r.reason}")
        if len(self.rejections) > 20:
            lines.append(f"  … and {len(self.rejections) - 20:,} more rejections (--report FILE lists all)")
        return "\n".join(lines)


def arrow_without_pandas() -> None:
    """Let pyarrow find pandas absent, in a process that has not imported it: the ingest command.

    pyarrow imports pandas (0.3 s or more) at its first pa.array() call, only to tell whether what it converts
    is a pandas object, and the ingest never hands it one. pyarrow looks once and remembers: Table.to_pandas
    and Table.from_pandas still import pandas when called, but pa.array would then take a pandas Series for a
    plain sequence (a categorical one becomes strings). Hence only for a process that converts no pandas
    objects, and the ingest reads no query result as a DataFrame (store.dataset_kind)."""
    if "pandas" in sys.modules:
        return

    class NoPandas(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "pandas":
                raise ImportError("pandas is not needed here")
            return None

    blocker = NoPandas()
    sys.meta_path.insert(0, blocker)
    try:
        pa.lib._pandas_api.have_pandas  # its first look, remembered
    finally:
        sys.meta_path.remove(blocker)


def _reader(fmt: str):
    return importlib.import_module(f".{MODULES[fmt]}", __package__)


def detect(path: Path) -> str | None:
    """The format of a file, from its name and first bytes; None when it is none of them."""
    with open(path, "rb") as f:
        head = f.read(4096)
    for fmt in FORMATS:
        if _reader(fmt).looks_like(path, head):
            return fmt
    return None


def _files(paths: list[Path], fmt: str, report: Report) -> dict[str, list[Path]]:
    """Input files grouped by format; a folder means every file inside it (unknown ones are skipped)."""
    grouped: dict[str, list[Path]] = collections.defaultdict(list)
    for p in paths:
        if not p.exists():
            raise UnreadableFile(f"{p}: no such file or folder")
        inside = sorted(x for x in p.rglob("*") if x.is_file() and not x.name.startswith(".")) if p.is_dir() else [p]
        for f in inside:
            kind = fmt if fmt != "auto" else detect(f)
            if kind is None:
                if p.is_dir():
                    report.skipped_files.append(str(f))
                    continue
                raise UnreadableFile(f"{f}: not a CSV, STIX 2.x bundle, MISP event or EuRepoC file")
            grouped[kind].append(f)
    return grouped


def ingest(paths: list[str | Path], db: str | Path, *, fmt: str = "auto", mapping: dict[str, str] | None = None,
           source: str | None = None, strict: bool = False, dry_run: bool = False,
           default_tlp: str | None = None, progress: Callable[[int], None] | None = None) -> Report:
    """Read, normalise and merge; the database is replaced atomically only when everything worked."""
    t0 = time.perf_counter()
    db = Path(db)
    report = Report(database=str(db), dry_run=dry_run)
    grouped = _files([Path(p) for p in paths], fmt, report)
    rows: dict[str, list] = collections.defaultdict(list)  # the row-by-row formats' staged rows
    tables: list[pa.Table] = []                             # CSV files' staged rows, column-wise
    galaxy_of = {}
    seen = n_staged = 0

    def advance(count: int) -> None:
        nonlocal seen
        if progress:
            for mark in range((seen // 100_000 + 1) * 100_000, seen + count + 1, 100_000):
                progress(mark)
        seen += count

    # While the first file is read (Arrow's CSV reader runs without the GIL), a thread loads the galaxy's alias
    # map and starts the new database file (build.create).
    pool = ThreadPoolExecutor(1)
    aliases = pool.submit(AliasMap)
    fresh = pool.submit(build.create, db)
    pool.shutdown(wait=False)
    try:
        def normaliser_for(kind: str, module) -> Normaliser:
            """The normaliser, set up for reading this format."""
            if report.normaliser is None:
                report.normaliser = Normaliser(aliases=aliases.result())
            report.normaliser.use_format(
                default_tlp=default_tlp or ("CLEAR" if kind in PUBLIC_FORMATS else "AMBER"),
                extra_sectors=getattr(module, "RECEIVER_CATEGORIES", {}))
            return report.normaliser

        for kind, files in grouped.items():
            module = _reader(kind)
            for f in files:
                report.files.setdefault(str(f), FileCount(kind))
            kwargs = {"mapping": mapping} if kind == "csv" else {}
            if kind in COLUMNAR:  # the same rows, rejections and counts as record by record below
                for i, f in enumerate(files):
                    cells = module.read_table(f, source=source, **kwargs)
                    normaliser = normaliser_for(kind, module) if i == 0 else report.normaliser
                    table, rejections, galaxies = columnar.normalise(normaliser, cells, n_staged)
                    count = report.files[str(f)]
                    count.read += cells.records
                    count.rejected += len(rejections)
                    report.rejections.extend(rejections)
                    galaxy_of.update(galaxies)
                    tables.append(table)
                    n_staged += table.num_rows
                    advance(cells.records)
                    del cells, table
                continue
            normaliser = normaliser_for(kind, module)
            # Readers may name a file by its path or its name; the report keys files by path.
            key_of = {f.name: str(f) for f in files} | {str(f): str(f) for f in files}
            for item in module.read(files, source=source, **kwargs):
                if isinstance(item, Skipped):
                    report.skipped_objects[item.kind] += 1
                    continue
                item_file = key_of.get(item.file, item.file)
                count = report.files.setdefault(item_file, FileCount(kind))
                count.read += 1
                advance(1)
                row = item if isinstance(item, Rejection) else normaliser.row(item)
                if isinstance(row, Rejection):
                    report.rejections.append(row)
                    count.rejected += 1
                    continue
                row["file"] = item_file
                if (g := row.pop("galaxy")) is not None:
                    galaxy_of[row["actor"]] = g
                for k, v in row.items():
                    rows[k].append(v)
                rows["ord"].append(n_staged)
                n_staged += 1
        if report.normaliser is None:  # no file to read
            report.normaliser = Normaliser(aliases=aliases.result())
        if strict and report.rejections:
            report.seconds = time.perf_counter() - t0
            raise IngestFailed(report)
        if rows or not tables:  # an empty table would add a chunk to every column, and _contiguous a copy of each
            tables.append(pa.table({c: rows.pop(c, []) for c in STAGED_SCHEMA.names}, schema=STAGED_SCHEMA))
        staged_rows = _contiguous(pa.concat_tables(tables))
        tables.clear()
        pa.default_memory_pool().release_unused()  # give the file's bytes and cells back before DuckDB sorts
        _merge(db, staged_rows, galaxy_of, report, fresh.result())
    except BaseException:
        if fresh.exception() is None:  # (waits for it) the new file, unless it is in place already
            fresh.result().discard()
        raise
    report.seconds = time.perf_counter() - t0
    return report


def _contiguous(table: pa.Table) -> pa.Table:
    """Each column in one chunk where it fits one: DuckDB scans a table of one chunk per column fastest."""
    return pa.table([c.combine_chunks() if c.num_chunks > 1 and c.nbytes < CONTIGUOUS_BYTES else c
                     for c in table.columns], schema=table.schema)


class _DryRun(Exception):
    pass


def _merge(db: Path, staged: pa.Table, galaxy_of: dict, report: Report, fresh: build.Fresh) -> None:
    previous = None
    if db.exists():
        if dataset_kind(db) == "demo":
            report.replaced_demo = True
        else:
            previous = db
    version = report.normaliser.aliases.version
    actors, aliases = _actor_frames(staged, galaxy_of, version)
    try:
        with build.new_database(db, fresh) as con:
            if previous is not None:
                con.execute("ATTACH $path AS previous (READ_ONLY)", {"path": str(previous)})
                for name in ("ingest_keep_actor", "ingest_keep_actor_alias", "ingest_stored_previous"):
                    con.execute(sql.text(name))
            else:
                con.execute(sql.text("ingest_stored_nothing"))
            con.register("staged", staged)
            con.register("staged_actor", actors)
            con.register("staged_alias", aliases)
            for name in ("ingest_add_actors", "ingest_add_aliases", "ingest_classify"):
                con.execute(sql.text(name))
            for file, outcome, n in con.execute(sql.text("ingest_outcomes")).fetchall():
                count = report.files[file]
                setattr(count, {"duplicate": "duplicates"}.get(outcome, outcome),
                        getattr(count, {"duplicate": "duplicates"}.get(outcome, outcome)) + n)
            if report.dry_run:
                raise _DryRun
            con.execute(sql.text("ingest_new_incident"))
            facts = con.sql(sql.text("ingest_new_incident_facts")).to_arrow_table()
            sources = sorted(str(s) for s in pc.unique(staged.column("source")).to_pylist())
            build.finish(con, kind="sources", alias_map_version=version, insert=sql.text("ingest_insert_incidents"),
                         facts=facts,
                         description="Ingested sources: " + ", ".join(sources) if sources else "Ingested sources")
            con.execute("DROP VIEW new_incident")
            con.execute("DROP VIEW stored")
            if previous is not None:
                con.execute("DETACH previous")
    except _DryRun:
        pass


def _actor_frames(staged: pa.Table, galaxy_of: dict, version: str) -> tuple[pa.Table, pa.Table]:
    """New actor rows (galaxy facts, or just the reported name when unresolved) and their aliases."""
    actors, aliases = [], []
    # Each (actor, actor_resolved) pair once, in the order the rows first hold them. (Table.group_by would import
    # pyarrow.dataset, and with it pandas: 0.4 s.)
    names = pc.dictionary_encode(staged.column("actor").combine_chunks())
    is_resolved = as_numpy(staged.column("actor_resolved"))
    _, first = np.unique(as_numpy(names.indices).astype(np.int64) * 2 + is_resolved, return_index=True)
    first.sort()
    for name, resolved in zip(names.dictionary.take(names.indices.take(first)).to_pylist(),
                              is_resolved[first].tolist()):
        g = galaxy_of.get(name) if resolved else None
        actors.append((name, g.sponsor_country if g else None, g.motivation if g else None,
                       g.uuid if g else None, g is not None))
        for alias in ((g.name,) + g.synonyms) if g else (name,):
            aliases.append((name, alias, alias_key(alias), version if g else "as reported"))
    return (pa.table(list(zip(*actors)) if actors else [[]] * 5, schema=ACTOR_SCHEMA),
            pa.table(list(zip(*aliases)) if aliases else [[]] * 4, schema=ALIAS_SCHEMA))


ACTOR_SCHEMA = pa.schema([("name", pa.string()), ("sponsor_country", pa.string()), ("motivation", pa.string()),
                          ("galaxy_uuid", pa.string()), ("resolved", pa.bool_())])
ALIAS_SCHEMA = pa.schema([("name", pa.string()), ("alias", pa.string()), ("alias_key", pa.string()),
                          ("source", pa.string())])
