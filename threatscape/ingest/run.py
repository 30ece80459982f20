"""Ingest: read files of any supported format, normalise, and merge into a new database file atomically."""
from __future__ import annotations

import collections
import functools
import hashlib
import importlib
import importlib.abc
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import audit, build, sql, writelock
from ..actors import alias_key
from ..resolver import UNATTRIBUTED, Decision, Resolver, choose, read_decisions, split_reported
from ..schema import dataset_kind
from . import columnar
from .columnar import STAGED_SCHEMA
from .csvfile import CONTIGUOUS_BYTES, as_numpy
from .model import Rejection, Skipped, UnreadableFile
from .normalise import UNREADABLE_TLP, Normaliser, read_sector_terms


from .formats import FORMATS, READERS, Format  # noqa: E402,F401 (the registry of input formats)


# The formats the ingest reads column-wise. Each can be read record by record too: the tests empty this set to
# compare the two.
COLUMNAR = {name for name, fmt in READERS.items() if fmt.columns}


class IngestFailed(Exception):
    """Nothing was written: --strict and something was rejected, or the files given hold no incident to store."""

    def __init__(self, report: "Report", why: str | None = None):
        super().__init__(why or f"{len(report.rejections)} record(s) rejected; --strict, so nothing was written")
        self.report = report


def _nothing_to_store(report: "Report") -> str:
    """Why an ingest of files that hold no incident it can store writes nothing (rather than a database without
    them: the demo data replaced by nothing, a description naming files that added nothing)."""
    read = report.totals()["read"]
    if read:
        return ("the one record read was rejected" if read == 1 else
                f"every one of the {read:,} records read was rejected") + ", so nothing was written"
    files = list(report.files)
    if not files:  # a folder of none: every file in it was skipped
        return f"no file of a known format ({_known_formats()}) among those given, so nothing was written"
    where = files[0] if len(files) == 1 else f"the {len(files):,} files given"
    skipped = sum(report.skipped_objects.values())
    held = f" (it holds {skipped:,} other objects)" if skipped and len(files) == 1 else \
        f" (they hold {skipped:,} other objects)" if skipped else ""
    return f"{where}: no incidents{held}, so nothing was written"


@dataclass
class FileCount:
    format: str
    read: int = 0
    added: int = 0
    updated: int = 0
    duplicates: int = 0
    merged: int = 0        # rows of an incident that another source already holds (same source URL)
    rejected: int = 0
    notes: list[str] = field(default_factory=list)  # how the file was read, when not as UTF-8 with commas


FILES_LISTED = 20  # files the summary lists one by one
# the ingest command's exit codes
EXIT_STORED, EXIT_FAILED, EXIT_USAGE, EXIT_SOME_REJECTED, EXIT_BUSY = 0, 1, 2, 3, 4


@dataclass
class Report:
    database: str
    dry_run: bool
    remapped: int = 0                     # stored incidents whose actor a decision or the directory changed
    decisions: list = field(default_factory=list)  # decisions this ingest recorded
    undone: list = field(default_factory=list)     # ids of the decisions it undid
    who: str = ""                                  # who asked for it (the signed-in user, when there is one)
    files: dict[str, FileCount] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    skipped_objects: collections.Counter = field(default_factory=collections.Counter)
    skipped_files: list[str] = field(default_factory=list)
    normaliser: Normaliser | None = None
    replaced_demo: bool = False
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # after the write: what did not go as it should

    def totals(self) -> dict[str, int]:
        return {k: sum(getattr(c, k) for c in self.files.values())
                for k in ("read", "added", "updated", "duplicates", "merged", "rejected")}

    def to_json(self) -> dict:
        n = self.normaliser
        return self.totals() | {
            "database": self.database, "dry_run": self.dry_run, "replaced_demo_data": self.replaced_demo,
            "seconds": round(self.seconds, 3),
            "files": {f: c.__dict__ for f, c in self.files.items()},
            "rejections": [{"file": r.file, "row": r.locator, "field": r.field, "reason": r.reason}
                           for r in self.rejections],
            "skipped_objects": dict(self.skipped_objects), "skipped_files": self.skipped_files,
            "remapped_stored_incidents": self.remapped,
            "actors": {"alias_map_version": n.aliases.version, **dict(sorted(n.actor_status.items())),
                       "rules": dict(_ranked(n.match_rules)),
                       "placeholders": dict(_ranked(n.placeholder_names)),
                       "unresolved": dict(_ranked(n.unresolved_actors)),
                       "ambiguous": dict(_ranked(n.ambiguous_actors)),
                       "incidents_naming_several_actors": n.several_actors} if n else {},
            "unmapped_sectors": dict(_ranked(n.unmapped_sectors)) if n else {},
            "unmapped_countries": dict(_ranked(n.unmapped_countries)) if n else {},
            "unmapped_sponsors": dict(_ranked(n.unmapped_sponsors)) if n else {},
            "incidents_with_several_victim_countries": n.several_countries if n else 0,
            "unreadable_confidence": dict(_ranked(n.unreadable_confidence)) if n else {},
            "unreadable_tlp": dict(_ranked(n.unreadable_tlp)) if n else {},
        }

    def summary(self) -> str:
        t, n = self.totals(), self.normaliser
        lines = [("Dry run, nothing written: " if self.dry_run else "") +
                 f"read {t['read']:,}, added {t['added']:,}, updated {t['updated']:,}, "
                 f"duplicates skipped {t['duplicates']:,}, merged {t['merged']:,}, rejected {t['rejected']:,} "
                 f"({self.seconds:.1f} s)"]
        if self.replaced_demo:
            lines.append("The demo data was replaced: the database now holds only ingested sources.")
        # files that held incidents (a folder of STIX objects has many that hold only context), at most 20
        shown = [(f, c) for f, c in self.files.items() if c.read or c.notes]
        for f, c in shown[:FILES_LISTED]:
            lines.append(f"  {f} [{c.format}]: read {c.read:,}, added {c.added:,}, updated {c.updated:,}, "
                         f"duplicates {c.duplicates:,}, merged {c.merged:,}, rejected {c.rejected:,}")
            lines.extend(f"  {f}: {note}" for note in c.notes)
        if len(shown) > FILES_LISTED:
            lines.append(f"  … and {len(shown) - FILES_LISTED:,} more files (--report FILE lists all)")
        if n and sum(n.actor_status.values()):
            total = sum(n.actor_status.values())
            attributed = total - n.actor_status["unattributed"]
            lines.append(f"Actors: {attributed:,} of {total:,} incidents attributed ({_share(attributed, total)}); "
                         f"of those, {n.actor_status['resolved']:,} resolved to a directory actor "
                         f"({_share(n.actor_status['resolved'], attributed)}), {n.actor_status['unresolved']:,} "
                         f"kept as reported, {n.actor_status['ambiguous']:,} ambiguous ({n.aliases.version})")
            if n.match_rules:
                lines.append("Matched by rule: " + ", ".join(f"{k} {v:,}" for k, v in _ranked(n.match_rules)))
            for label, counter in (("Placeholder names (unattributed)", n.placeholder_names),
                                   ("Unresolved actor names", n.unresolved_actors),
                                   ("Ambiguous actor names", n.ambiguous_actors),
                                   ("Unmapped sectors", n.unmapped_sectors),
                                   ("Unmapped countries", n.unmapped_countries),
                                   ("Unmapped sponsor states", n.unmapped_sponsors),
                                   ("Unreadable confidence (left empty)", n.unreadable_confidence),
                                   (f"Unreadable TLP (stored as {UNREADABLE_TLP})", n.unreadable_tlp)):
                if counter:
                    lines.append(f"{label}: " + ", ".join(f"{k} ({v})" for k, v in _ranked(counter)[:10])
                                 + (", …" if len(counter) > 10 else ""))
        if self.remapped:
            lines.append(f"Stored incidents given another actor by the names' decisions: {self.remapped:,}")
        if self.skipped_objects:
            lines.append("Skipped objects (not incidents): " +
                         ", ".join(f"{k} ({v})" for k, v in self.skipped_objects.most_common()))
        if self.skipped_files:
            lines.append("Skipped files of no known format (a CSV needs columns for occurred_on and actor, or "
                         f"--map): {', '.join(self.skipped_files[:10])}")
        for r in self.rejections[:20]:
            lines.append(f"  rejected {r.file} {r.locator} [{r.field}]: {r.reason}")
        if len(self.rejections) > 20:
            lines.append(f"  … and {len(self.rejections) - 20:,} more rejections (--report FILE lists all)")
        lines.extend(f"Warning: {w}" for w in self.warnings)
        return "\n".join(lines)


def _ranked(counter: collections.Counter) -> list[tuple[str, int]]:
    """Most first, then by name: the same order whichever path counted them, and in whichever order."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def arrow_without_pandas() -> None:
    """Let pyarrow find pandas absent, in a process that has not imported it: the ingest command.

    pyarrow imports pandas (0.3 s or more) at its first pa.array() call, only to tell whether what it converts
    is a pandas object, and the ingest never hands it one. pyarrow looks once and remembers: Table.to_pandas
    and Table.from_pandas still import pandas when called, but pa.array would then take a pandas Series for a
    plain sequence (a categorical one becomes strings). Hence only for a process that converts no pandas
    objects, and the ingest reads no query result as a DataFrame (schema.dataset_kind)."""
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
    """The reader module of a format (READERS), imported on first use."""
    return importlib.import_module(f".{READERS[fmt].module}", __package__)


def detect(path: Path) -> str | None:
    """The format of a file, from its name and first bytes; None when it is none of them."""
    with open(path, "rb") as f:
        head = f.read(4096)
    for fmt in FORMATS:
        if _reader(fmt).looks_like(path, head):
            return fmt
    return None


def _known_formats() -> str:
    """'CSV, STIX 2.x bundle, MISP event or EuRepoC file': the formats, the most general (the commonest) first."""
    names = [fmt.described for fmt in reversed(READERS.values())]
    return f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]


def _files(paths: list[Path], fmt: str, report: Report, mapping: dict[str, str] | None = None
           ) -> dict[str, list[Path]]:
    """Input files grouped by format; a folder means every file inside it (unknown ones are skipped, and CSVs
    without the columns a record needs: csvfile.names_fields)."""
    grouped: dict[str, list[Path]] = collections.defaultdict(list)
    for p in paths:
        if not p.exists():
            raise UnreadableFile(f"{p}: no such file or folder")
        inside = sorted(x for x in p.rglob("*") if x.is_file() and not x.name.startswith(".")) if p.is_dir() else [p]
        for f in inside:
            kind = fmt if fmt != "auto" else detect(f)
            if kind == "csv" and p.is_dir() and not _reader("csv").names_fields(f, mapping or {}):
                kind = None
            if kind is None:
                if p.is_dir():
                    report.skipped_files.append(str(f))
                    continue
                raise UnreadableFile(f"{f}: not a {_known_formats()}")
            grouped[kind].append(f)
    return grouped


class _Staged:
    """The rows an ingest has read and normalised, staged for the merge, counted in its report as they come: the
    column-wise formats' tables, the record-by-record formats' rows, and the galaxy of each actor they name."""

    def __init__(self, report: Report, progress: Callable[[int], None] | None):
        self.report, self.progress = report, progress
        self.rows: dict[str, list] = collections.defaultdict(list)  # the record-by-record formats' rows
        self.tables: list[pa.Table] = []                             # the column-wise formats' rows
        self.galaxy_of: dict = {}
        self.count = 0  # rows staged: the next one's 'ord'
        self.seen = 0   # records read
        # Where each staged row was read, for a rejection found at the merge (a conflicting id): per column-wise
        # file, its first ord and the line of each of its staged rows; per record-by-record row, its locator.
        self.spans: list[tuple[int, str, np.ndarray]] = []
        self.locators: dict[int, tuple[str, str]] = {}

    def advance(self, count: int) -> None:
        if self.progress:
            for mark in range((self.seen // 100_000 + 1) * 100_000, self.seen + count + 1, 100_000):
                self.progress(mark)
        self.seen += count

    def read_columns(self, kind: str, module, files: list[Path], normaliser: Callable[[], Normaliser],
                     **options) -> None:
        """Each file through module.read_table and columnar.normalise: the same rows, rejections and counts as
        read_records."""
        report = self.report
        for i, f in enumerate(files):
            cells = module.read_table(f, **options)
            report.files[str(f)].notes.extend(cells.notes)
            n = normaliser() if i == 0 else report.normaliser
            table, rejections, galaxies = columnar.normalise(n, cells, self.count)
            lines = as_numpy(cells.cells.column("line"))
            dropped = [int(r.locator.removeprefix("line ")) for r in rejections if r.locator.startswith("line ")]
            kept = lines[~np.isin(lines, dropped)] if dropped else lines
            if len(kept) == table.num_rows:
                self.spans.append((self.count, str(f), kept.astype(np.int32)))
            count = report.files[str(f)]
            count.read += cells.records
            count.rejected += len(rejections)
            report.rejections.extend(rejections)
            self.galaxy_of.update(galaxies)
            self.tables.append(table)
            self.count += table.num_rows
            self.advance(cells.records)
            del cells, table

    def read_records(self, kind: str, module, files: list[Path], normaliser: Callable[[], Normaliser],
                     **options) -> None:
        """The files through module.read, one record at a time, each normalised (Normaliser.row)."""
        report, rows, n = self.report, self.rows, normaliser()
        # Readers may name a file by its path or its name; the report keys files by path.
        key_of = {f.name: str(f) for f in files} | {str(f): str(f) for f in files}
        for item in module.read(files, **options):
            if isinstance(item, Skipped):
                report.skipped_objects[item.kind] += 1
                continue
            item_file = key_of.get(item.file, item.file)
            count = report.files.setdefault(item_file, FileCount(kind))
            count.read += 1
            self.advance(1)
            row = item if isinstance(item, Rejection) else n.row(item)
            if isinstance(row, Rejection):
                report.rejections.append(row)
                count.rejected += 1
                continue
            row["file"] = item_file
            if (g := row.pop("galaxy")) is not None:
                self.galaxy_of[row["actor"]] = g
            for k, v in row.items():
                rows[k].append(v)
            rows["ord"].append(self.count)
            self.locators[self.count] = (item_file, item.locator)
            self.count += 1

    def where(self, ord_: int) -> tuple[str, str]:
        """(file, row) of the staged row numbered ord_."""
        if ord_ in self.locators:
            return self.locators[ord_]
        for first, file, lines in reversed(self.spans):
            if first <= ord_ < first + len(lines):
                return file, f"line {lines[ord_ - first]}"
        return "?", "?"

    def table(self) -> pa.Table:
        """Every staged row, in one table (given up here: the staged parts are cleared)."""
        tables = self.tables
        if self.rows or not tables:  # an empty table would add a chunk to every column, and _contiguous a copy
            tables.append(pa.table({c: self.rows.pop(c, []) for c in STAGED_SCHEMA.names}, schema=STAGED_SCHEMA))
        self.rows.clear()
        staged = _contiguous(pa.concat_tables(tables))
        tables.clear()
        return staged


def ingest(paths: list[str | Path], db: str | Path, *, fmt: str = "auto", mapping: dict[str, str] | None = None,
           source: str | None = None, strict: bool = False, dry_run: bool = False,
           default_tlp: str | None = None, progress: Callable[[int], None] | None = None,
           delimiter: str | None = None, encoding: str | None = None, sheet: str | None = None,
           dates: str | None = None,
           aliases_file: str | Path | None = None, decide: list[Decision] = (), undo: list[int] = (),
           who: str = "", split: dict[str, str] | None = None, sectors_file: str | Path | None = None,
           wait: bool = True, on_wait: Callable[[str], None] | None = None,
           audit_as: dict[str, str] | None = None) -> Report:
    """Read, normalise and merge; the database is replaced atomically only when everything worked.

    aliases_file, decide: decisions about names to record (threatscape/resolver.py); undo: ids of recorded
    decisions to undo. Every stored incident is read again under the decisions in force, without its file.
    split: per field of multi-valued CSV cells (sectors, victim_country), the characters between values;
    sectors_file: a team's 'term,sector' CSV crosswalk, over every format's own (normalise.read_sector_terms).

    The whole read-modify-replace holds the database's write lock (threatscape/writelock.py): with another write
    under way, wait=True waits for it (on_wait is called once with a line to show), wait=False raises
    writelock.Busy at once. audit_as (user, role, clearance): who asked, recorded in the audit trail
    (threatscape/audit.py) when the ingest has written the database."""
    db = Path(db)
    # What can be checked without the database (the command line, the input files) fails before any wait.
    try:
        extra = list(read_decisions(aliases_file)) if aliases_file else []
    except ValueError as exc:
        raise UnreadableFile(str(exc)) from None
    team_sectors = read_sector_terms(sectors_file) if sectors_file else {}
    report = Report(database=str(db), dry_run=dry_run, who=who)
    grouped = _files([Path(p) for p in paths], fmt, report, mapping)
    with writelock.hold(db, wait=wait, on_wait=on_wait):
        t0 = time.perf_counter()  # the ingest's own time, not the wait
        _ingest(grouped, db, report, t0, fmt=fmt, mapping=mapping, source=source, strict=strict,
                default_tlp=default_tlp, progress=progress, delimiter=delimiter, encoding=encoding, sheet=sheet,
                dates=dates, decisions=extra + list(decide), undo=undo, who=who, split=split,
                team_sectors=team_sectors, audit_as=audit_as, paths=[Path(p) for p in paths])
    return report


def _ingest(grouped: dict[str, list[Path]], db: Path, report: Report, t0: float, *, fmt, mapping, source, strict,
            default_tlp, progress, delimiter, encoding, sheet, dates, decisions, undo, who, split, team_sectors,
            audit_as, paths) -> None:
    """ingest(), holding the write lock."""
    options = {"mapping": mapping, "delimiter": delimiter, "encoding": encoding, "sheet": sheet, "dates": dates}
    hashes = None
    if audit_as is not None and not report.dry_run:  # the files' digests, on a thread of their own meanwhile
        hasher = ThreadPoolExecutor(1)
        hashes = hasher.submit(_file_digests, paths, grouped)
        hasher.shutdown(wait=False)
    staged = _Staged(report, progress)

    # While the first file is read (Arrow's CSV reader runs without the GIL), a thread loads the galaxy's alias
    # map and starts the new database file (build.create).
    pool = ThreadPoolExecutor(1)
    aliases = pool.submit(_resolver, db, decisions, list(undo), who, report)
    fresh = pool.submit(build.create, db)
    pool.shutdown(wait=False)
    try:
        def normaliser_for(reader: Format, module) -> Normaliser:
            """The normaliser, set up for reading this format."""
            if report.normaliser is None:
                report.normaliser = Normaliser(aliases=aliases.result(), team_sectors=team_sectors,
                                               separators=dict(split or {}))
            report.normaliser.use_format(default_tlp=default_tlp or reader.default_tlp,
                                         extra_sectors=getattr(module, "RECEIVER_CATEGORIES", {}),
                                         split_cells=reader.multi_valued_cells)
            return report.normaliser

        for kind, files in grouped.items():
            reader, module = READERS[kind], _reader(kind)
            for f in files:
                report.files.setdefault(str(f), FileCount(kind))
            read = staged.read_columns if kind in COLUMNAR else staged.read_records
            read(kind, module, files, functools.partial(normaliser_for, reader, module), source=source,
                 **{name: options[name] for name in reader.options})
        if report.normaliser is None:  # no file to read
            report.normaliser = Normaliser(aliases=aliases.result())
        if strict and report.rejections:
            report.seconds = time.perf_counter() - t0
            raise IngestFailed(report)
        staged_rows = staged.table()
        if paths and not staged_rows.num_rows:
            report.seconds = time.perf_counter() - t0
            raise IngestFailed(report, _nothing_to_store(report))
        pa.default_memory_pool().release_unused()  # give the file's bytes and cells back before DuckDB sorts
        version = _merge(db, staged_rows, staged.galaxy_of, report, fresh.result(), where=staged.where, strict=strict)
    except BaseException:
        if fresh.exception() is None:  # (waits for it) the new file, unless it is in place already
            fresh.result().discard()
        raise
    report.seconds = time.perf_counter() - t0
    if hashes is not None and version is not None:
        try:
            _audit(db, report, audit_as, hashes.result(), version)
        except OSError as exc:  # the data is written: say that the trail misses it, rather than that it failed
            report.warnings.append(f"not recorded in the audit trail: {exc.strerror or exc}")


def _file_digests(paths: list[Path], grouped: dict[str, list[Path]]) -> list[dict]:
    """name, sha256 and bytes of every file ingested, for the audit trail. The name is the file's own, or its path
    from the folder given (never where that folder is: an upload's temporary folder, a server path)."""
    out = []
    for files in grouped.values():
        for f in files:
            given = next((p for p in paths if p == f or p in f.parents), None)
            name = f.name if given is None or given == f else str(f.relative_to(given.parent))
            digest, size = hashlib.sha256(), 0
            with open(f, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)
                    size += len(chunk)
            out.append({"name": name, "sha256": digest.hexdigest(), "bytes": size})
    return out


def _audit(db: Path, report: Report, who: dict[str, str], files: list[dict], version: str) -> None:
    """The audit trail's events for a written ingest: the ingest of its files, and the decisions about names it
    recorded or undid (an ingest of no files records only those)."""
    user = {"user": who.get("user", ""), "role": who.get("role", ""), "clearance": who.get("clearance", "")}
    if files or not (report.decisions or report.undone):
        audit.record(db, "ingest", **user, files=files, **report.totals(), replaced_demo=report.replaced_demo,
                     content_version=version)
    if report.decisions or report.undone:
        audit.record(db, "alias-decision", **user,
                     decisions=[{"name": d.name, "decision": d.decision, "actor": d.actor or None,
                                 "reason": d.reason} for d in report.decisions],
                     undone=list(report.undone), remapped=report.remapped, content_version=version)


def _contiguous(table: pa.Table) -> pa.Table:
    """Each column in one chunk where it fits one: DuckDB scans a table of one chunk per column fastest."""
    return pa.table([c.combine_chunks() if c.num_chunks > 1 and c.nbytes < CONTIGUOUS_BYTES else c
                     for c in table.columns], schema=table.schema)


class _DryRun(Exception):
    pass


def _resolver(db: Path, decide: list[Decision], undo: list[int], who: str, report: Report) -> Resolver:
    """The resolver for this ingest: the reference directory and the decisions in force in the database being
    added to, less those undone, plus the new ones (recorded in report.decisions)."""
    active = []
    if db.exists() and dataset_kind(db) == "sources":
        with duckdb.connect(str(db), read_only=True) as con:
            active = [dict(zip(("decision_id", "name", "decision", "actor", "reason", "decided_by", "decided_at"), r))
                      for r in con.execute(sql.text("active_decisions")).fetchall()]
    unknown = set(undo) - {d["decision_id"] for d in active}
    if unknown:
        raise UnreadableFile(f"{db}: no decision in force with id {', '.join(map(str, sorted(unknown)))}")
    kept = [Decision(**{k: v or "" for k, v in d.items() if k != "decision_id"}) for d in active
            if d["decision_id"] not in set(undo)]
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    in_force = {(alias_key(d.name), d.decision, alias_key(d.actor or "")) for d in kept}
    for d in decide:
        if (alias_key(d.name), d.decision, alias_key(d.actor or "")) in in_force:
            continue  # the same decision again (an aliases file ingested twice) records nothing
        # a newer decision about the same name replaces the one in force
        for old in [a for a in active if alias_key(a["name"]) == alias_key(d.name) and a["decision_id"] not in undo]:
            undo = list(undo) + [old["decision_id"]]
            kept = [k for k in kept if alias_key(k.name) != alias_key(d.name)]
        d = Decision(d.name, d.decision, d.actor, d.reason, d.decided_by or who, d.decided_at or now)
        kept.append(d)
        report.decisions.append(d)
        in_force.add((alias_key(d.name), d.decision, alias_key(d.actor or "")))
    report.undone = list(undo)
    try:
        return Resolver.reference(kept)
    except ValueError as exc:
        raise UnreadableFile(str(exc)) from None


def _merge(db: Path, staged: pa.Table, galaxy_of: dict, report: Report, fresh: build.Fresh, *,
           where: Callable[[int], tuple[str, str]], strict: bool) -> str | None:
    """Merge the staged rows with what `db` holds into `fresh` and put it in place; the new content version (None
    for a dry run, which puts nothing in place). where(ord): the file and row a staged row was read from."""
    previous = None
    if db.exists():
        if dataset_kind(db) == "demo":
            report.replaced_demo = True
        else:
            previous = db
    resolver = report.normaliser.aliases
    version = resolver.version
    try:
        with build.new_database(db, fresh) as con:
            if previous is not None:
                con.execute("ATTACH $path AS previous (READ_ONLY)", {"path": str(previous)})
                for name in ("ingest_keep_actor", "ingest_keep_reported_alias", "ingest_keep_decisions",
                             "ingest_keep_log", "ingest_stored_previous"):
                    con.execute(sql.text(name))
            else:
                con.execute(sql.text("ingest_stored_nothing"))
            remap = _remap(resolver, con.execute(sql.text("ingest_stored_actor_names")).fetchall(), report)
            actors, aliases = _actor_frames(staged, remap, resolver)
            con.register("staged", staged)
            con.register("staged_actor", actors)
            con.register("staged_alias", aliases)
            con.register("stored_remap", remap)
            for d in report.decisions:
                con.execute(sql.text("ingest_add_decision"), {
                    "name": d.name, "decision": d.decision, "actor": d.actor or None, "reason": d.reason,
                    "decided_by": d.decided_by, "decided_at": d.decided_at})
            for decision_id in report.undone:
                con.execute(sql.text("ingest_undo_decision"), {
                    "decision_id": decision_id, "undone_by": report.who,
                    "undone_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
            # Merges need two sources: with one, no source URL need be normalised (0.5 s for 200,000 rows).
            sources = sorted({part for (listed,) in con.execute(sql.text("ingest_sources")).fetchall() if listed
                              for part in listed.split("; ")})
            several = len(sources) > 1
            for name in ("ingest_add_unattributed", "ingest_add_actors", "ingest_add_aliases", "ingest_classify",
                         "ingest_find_merges" if several else "ingest_no_merges", "ingest_add_merges",
                         "ingest_add_id_merges"):
                con.execute(sql.text(name))
            for file, outcome, n in con.execute(sql.text("ingest_outcomes")).fetchall():
                count = report.files[file]
                name = {"duplicate": "duplicates", "conflict": "rejected"}.get(outcome, outcome)
                setattr(count, name, getattr(count, name) + n)
            for file, n in con.execute(sql.text("ingest_rewrites")).fetchall():
                report.files[file].notes.append(
                    f"{n:,} of its updates change an incident's date, actor and title at once: if this is another "
                    "feed than the one stored with the same columns, its ids name other incidents (give them "
                    "ids of their own, or a prefix)")
            for ord_, _id, first in con.execute(sql.text("ingest_conflicts")).fetchall():
                file, row = where(ord_)
                first_file, first_row = where(first)
                earlier = first_row if first_file == file else f"{first_file} {first_row}"
                report.rejections.append(Rejection(
                    file, row, "incident_id", f"the same id as {earlier} with other content: two records are two "
                                              f"incidents, so {earlier} is kept and this one rejected (give each its "
                                              "own id)"))
            if strict and report.rejections:
                raise IngestFailed(report)
            if report.dry_run:
                raise _DryRun
            con.execute(sql.text("ingest_new_incident"))
            for name in ("ingest_drop_unused_aliases", "ingest_drop_unused_actors"):
                con.execute(sql.text(name))
            con.register("ingest_files", _log_rows(staged, report))
            con.execute(sql.text("ingest_add_log"), {"ingested_at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                                  time.gmtime())})
            facts = con.sql(sql.text("ingest_new_incident_facts")).to_arrow_table()
            # the sources of every incident the database holds, not only of this ingest's files
            content_version = build.finish(
                con, kind="sources", alias_map_version=version, insert=sql.text("ingest_insert_incidents"),
                facts=facts, description="Ingested sources: " + ", ".join(sources) if sources else "Ingested sources")
            con.execute("DROP VIEW new_incident")
            con.execute("DROP VIEW stored")
            if previous is not None:
                con.execute("DETACH previous")
    except _DryRun:
        return None
    return content_version


def _remap(resolver: Resolver, stored: list[tuple], report: Report) -> pa.Table:
    """The stored (names as reported, actor) pairs that the resolver now reads otherwise, with their new actor
    and match. A name the resolver still cannot place keeps the actor it had (a STIX alias may have placed it),
    unless the team's decision that placed it was undone."""
    rows = []
    for reported, actor, match, incidents in stored:
        names = split_reported(reported) if reported != UNATTRIBUTED else []
        now = choose([resolver.resolve(n) for n in names])
        if len(names) > 1:  # or one name, as a CSV cell naming two actors ("APT28; Kimsuky") is: read as it was
            whole = resolver.resolve(reported)
            if (whole.name, whole.match) == (actor, match) or (whole.status == "resolved" and now.status != "resolved"):
                now = whole
        was_local = bool(match) and match.endswith("[local]")
        if now.status in ("resolved", "unattributed") or was_local:
            if (now.name, now.match) != (actor, match):
                rows.append((reported, actor, now.name, now.match, now.status == "resolved"))
                report.remapped += incidents
    return pa.table(list(zip(*rows)) if rows else [[]] * 5, schema=REMAP_SCHEMA)


REMAP_SCHEMA = pa.schema([("actor_as_reported", pa.string()), ("old_actor", pa.string()), ("actor", pa.string()),
                          ("actor_match", pa.string()), ("resolved", pa.bool_())])


def _actor_frames(staged: pa.Table, remap: pa.Table, resolver: Resolver) -> tuple[pa.Table, pa.Table]:
    """The actor directory (every actor of the resolver, with or without incidents), the names kept as reported
    (unresolved) of the staged and remapped incidents, and every alias with its provenance."""
    actors, aliases = [], []
    for a in resolver.actors.values():
        actors.append((a.name, a.sponsor_country, a.motivation, a.galaxy_uuid, True))
    for actor, alias, source in resolver.aliases():
        aliases.append((actor, alias, alias_key(alias), source))
    known = set(resolver.actors) | {UNATTRIBUTED}
    # Each unresolved name once, in the order the rows first hold them. (Table.group_by would import
    # pyarrow.dataset, and with it pandas: 0.4 s.)
    names = pc.dictionary_encode(staged.column("actor").combine_chunks())
    is_resolved = as_numpy(staged.column("actor_resolved"))
    _, first = np.unique(as_numpy(names.indices).astype(np.int64) * 2 + is_resolved, return_index=True)
    first.sort()
    unresolved = [name for name, resolved in zip(names.dictionary.take(names.indices.take(first)).to_pylist(),
                                                 is_resolved[first].tolist()) if not resolved]
    unresolved += [r["actor"] for r in remap.to_pylist() if not r["resolved"]]
    for name in dict.fromkeys(unresolved):
        if name not in known:
            actors.append((name, None, None, None, False))
            aliases.append((name, name, alias_key(name), "as reported"))
            known.add(name)
    return (pa.table(list(zip(*actors)) if actors else [[]] * 5, schema=ACTOR_SCHEMA),
            pa.table(list(zip(*aliases)) if aliases else [[]] * 4, schema=ALIAS_SCHEMA))


def _log_rows(staged: pa.Table, report: Report) -> pa.Table:
    """One row per file of this ingest for ingest_log: its source, name, format and counts."""
    sources = {}
    if staged.num_rows:
        files = pc.dictionary_encode(staged.column("file").combine_chunks())
        _, first = np.unique(as_numpy(files.indices), return_index=True)
        for f, src in zip(files.dictionary.to_pylist(),
                          staged.column("source").combine_chunks().take(pa.array(first)).to_pylist()):
            sources.setdefault(f, src)
    rows = [(sources.get(f, "-"), Path(f).name, c.format, c.read, c.added, c.updated, c.duplicates, c.merged,
             c.rejected) for f, c in report.files.items()]
    names = ["source", "file", "format", "read", "added", "updated", "duplicates", "merged", "rejected"]
    types = [pa.string()] * 3 + [pa.int64()] * 6
    return pa.table({n: pa.array([r[i] for r in rows], t) for i, (n, t) in enumerate(zip(names, types))})


ACTOR_SCHEMA = pa.schema([("name", pa.string()), ("sponsor_country", pa.string()), ("motivation", pa.string()),
                          ("galaxy_uuid", pa.string()), ("resolved", pa.bool_())])
ALIAS_SCHEMA = pa.schema([("name", pa.string()), ("alias", pa.string()), ("alias_key", pa.string()),
                          ("source", pa.string())])
