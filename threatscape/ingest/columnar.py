"""Column-wise normalisation of a CSV file: each distinct value goes once through the Normaliser's own rules
(parse_date, the alias map, the sector crosswalk, countries, TLP, confidence), and Arrow spreads the results
back over the rows. The rows, rejections, counts (and the order in which the counters first meet each value)
are those that Normaliser.row gives record by record; tests/test_ingest_columnar.py holds the two side by side.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import sql
from .csvfile import COLUMNS, CsvTable, as_numpy
from .model import Rejection
from ..resolver import NO_NAME, UNATTRIBUTED, choose, split_reported
from .normalise import DIGEST_CHARS, GLOBAL_ID, TITLE_JOIN, UNREADABLE_TLP, Normaliser, own_id, parse_date

# The staged rows of an ingest, whatever their format: what queries/ingest_*.sql read as `staged`.
STAGED_SCHEMA = pa.schema([
    ("incident_id", pa.string()), ("occurred_on", pa.date32()), ("date_precision", pa.string()),
    ("actor", pa.string()), ("actor_resolved", pa.bool_()), ("actor_as_reported", pa.string()),
    ("actor_match", pa.string()), ("sector_mask", pa.uint64()), ("victim_country", pa.string()),
    ("campaign", pa.string()), ("title", pa.string()), ("summary", pa.string()), ("confidence", pa.int16()),
    ("tlp", pa.string()), ("source", pa.string()), ("source_url", pa.string()), ("file", pa.string()),
    ("ord", pa.int64()), ("sponsor_as_reported", pa.string()),
])


class _Distinct:
    """A column's distinct non-null values, in the order the rows first hold them, and per row the index of its
    value among them (-1 for null)."""

    def __init__(self, column: pa.ChunkedArray | pa.Array):
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        encoded = pc.dictionary_encode(column)
        self.values: list[str] = encoded.dictionary.to_pylist()
        self.index = as_numpy(encoded.indices.fill_null(-1)).astype(np.int64)
        self._arrow_index = encoded.indices

    def take(self, rows: np.ndarray) -> _Distinct:
        """The same values, over the given rows only."""
        out = object.__new__(_Distinct)
        out.values, out.index, out._arrow_index = self.values, self.index[rows], self._arrow_index.take(rows)
        return out

    def spread(self, results: list, type_: pa.DataType) -> pa.Array:
        """results[i] on each row that holds value i; null on rows whose cell is null."""
        return pa.array(results, type_).take(self._arrow_index)

    def counts(self) -> list[tuple[int, int]]:
        """(value index, number of rows holding it), in the order the rows first hold the values."""
        present = self.index[self.index >= 0]
        return list(enumerate(np.bincount(present, minlength=len(self.values)).tolist()))


def _distinct(cells: pa.Table, names: tuple[str, ...]) -> list[_Distinct]:
    """_Distinct of each named column, the columns on threads of their own: Arrow encodes a column without
    the GIL, and the two cores took 15-30 ms off the normalisation of a 200,000-row file."""
    with ThreadPoolExecutor(len(names)) as pool:
        return list(pool.map(lambda name: _Distinct(cells.column(name)), names))


def _check(values: list[str], check) -> tuple[np.ndarray, list, list[str | None]]:
    """(whether each value passes, then a True for null cells; check's result per value; why each one fails)."""
    ok, results, reasons = np.ones(len(values) + 1, bool), [], []
    for i, v in enumerate(values):
        try:
            results.append(check(v))
            reasons.append(None)
        except ValueError as exc:
            ok[i] = False
            results.append(None)
            reasons.append(str(exc))
    return ok, results, reasons


def normalise(n: Normaliser, t: CsvTable, first_ord: int) -> tuple[pa.Table, list[Rejection], dict]:
    """(staged rows numbered from first_ord, the file's rejections in line order, galaxy actor by canonical name);
    counts into n as Normaliser.row would, record after record."""
    cells = t.cells
    lines = as_numpy(cells.column("line"))

    # Rejections: only a date that is missing or cannot be read rejects a record, as in Normaliser.row.
    date = _Distinct(cells.column("occurred_on"))
    date_ok, days, date_reasons = _check(date.values, lambda v: parse_date(str(v)))
    no_date = date.index < 0
    bad_date = ~no_date & ~date_ok[date.index]
    rejected = no_date | bad_date
    rejections = list(t.too_wide)
    for i in np.flatnonzero(rejected).tolist():
        if no_date[i]:
            why = ("occurred_on", "no date")
        else:
            why = ("occurred_on", date_reasons[date.index[i]])
        rejections.append(Rejection(t.file, f"line {lines[i]}", *why))
    rejections.sort(key=lambda r: int(r.locator.removeprefix("line ")))

    keep = np.flatnonzero(~rejected)
    if len(keep) < cells.num_rows:
        cells = cells.take(pa.array(keep))
        date = date.take(keep)
    rows = cells.num_rows

    # Kept whatever they hold: an unreadable confidence left empty, an unreadable TLP stored as RED, each
    # counted once per record, in the order the kept records first hold them.
    conf, tlp, actor, sector, country = _distinct(cells, ("confidence", "tlp", "actor", "sectors",
                                                          "victim_country"))
    conf_ok, confidences, _ = _check(conf.values, n.confidence)
    tlp_ok, tlps, _ = _check(tlp.values, n.tlp)
    for i, count in conf.counts():
        if not conf_ok[i]:
            n.count_unreadable(conf.values[i], None, count)
    for i, count in tlp.counts():
        if not tlp_ok[i]:
            n.count_unreadable(None, tlp.values[i], count)
            tlps[i] = UNREADABLE_TLP

    # Counted once per record: the actor, each unmapped sector term and place, several countries.
    if t.reported_names:  # a snapshot's names as reported: each tried, as Normaliser.row tries a record's names
        each = [[n.aliases.resolve(x) for x in split_reported(v)] for v in actor.values]
        resolutions = [choose(names) for names in each]
        for i, count in actor.counts():
            n.several_actors += count * (len({r.name for r in each[i] if r.status != "unattributed"}) > 1)
    else:
        resolutions = [n.aliases.resolve(v) for v in actor.values]
    galaxy_of = {r.name: r.actor for r in resolutions if r.actor is not None}
    for i, count in actor.counts():
        n.count_actor(resolutions[i], count)
    if unnamed := int(np.count_nonzero(actor.index < 0)):  # no actor named: unattributed, as Normaliser.row says
        n.count_actor(NO_NAME, unnamed)
    masks = [n.sectors(n.split("sectors", cell)) for cell in sector.values]
    for i, count in sector.counts():
        for term in masks[i][1]:
            n.unmapped_sectors[term] += count
    codes = [n.countries(n.split("victim_country", cell)) for cell in country.values]
    for i, count in country.counts():
        for place in codes[i][1]:
            n.unmapped_countries[place] += count
        n.several_countries += count * (len(codes[i][0]) > 1)

    canonical = pc.fill_null(actor.spread([r.name for r in resolutions], pa.string()), _text(UNATTRIBUTED))
    iso = date.spread([d[0].isoformat() if d else None for d in days], pa.string())
    staged = {
        "incident_id": _incident_ids(t.namespace or t.source, cells.column("incident_id"),
                                     cells.column("record") if "record" in cells.column_names else
                                     pc.binary_join_element_wise(*(pc.fill_null(cells.column(c), _text(""))
                                                                   for c in COLUMNS), _text("\x1f"))),
        "occurred_on": date.spread([d[0] if d else None for d in days], pa.date32()),
        "date_precision": date.spread([d[1] if d else None for d in days], pa.string()),
        "actor": canonical,
        "actor_resolved": pc.fill_null(actor.spread([r.status == "resolved" for r in resolutions], pa.bool_()),
                                       pa.scalar(False, pa.bool_())),
        "actor_as_reported": pc.fill_null(cells.column("actor"), _text(UNATTRIBUTED)),
        "actor_match": pc.if_else(pc.is_null(cells.column("actor")), _text(NO_NAME.match),
                                  actor.spread([r.match for r in resolutions], pa.string())),
        "sector_mask": pc.fill_null(sector.spread([m for m, _ in masks], pa.uint64()), 0),
        "victim_country": country.spread([c[0] if c else None for c, _ in codes], pa.string()),
        "campaign": cells.column("campaign"),
        "title": pc.coalesce(cells.column("title"), pc.binary_join_element_wise(canonical, iso, _text(TITLE_JOIN))),
        "summary": cells.column("summary"),
        "confidence": conf.spread(confidences, pa.int16()),
        "tlp": pc.fill_null(tlp.spread(tlps, pa.string()), _text(n.default_tlp)),
        "source": pc.fill_null(cells.column("source"), _text(t.source)),  # the row's own, else the file's
        "source_url": cells.column("source_url"),
        "file": pa.nulls(rows, pa.string()).fill_null(_text(t.file)),
        "ord": pa.array(np.arange(first_ord, first_ord + rows), pa.int64()),
        "sponsor_as_reported": _sponsors(n, cells.column("sponsor")),
    }
    return pa.table(staged, schema=STAGED_SCHEMA), rejections, galaxy_of


def _sponsors(n: Normaliser, column: pa.ChunkedArray) -> pa.Array:
    """Normaliser.sponsor of every row, each distinct value once (counted once per row, as record by record)."""
    values = _Distinct(column)
    found = [n.sponsor(v) for v in values.values]
    for i, count in values.counts():
        if found[i][1]:
            n.unmapped_sponsors[found[i][1]] += count
    return values.spread([code for code, _ in found], pa.string())


def _text(value: str) -> pa.Scalar:
    """A string scalar, typed: pyarrow imports pandas to infer the type of a Python string."""
    return pa.scalar(value, pa.string())


def _incident_ids(namespace: str, own: pa.ChunkedArray, record: pa.ChunkedArray | None) -> pa.Array:
    """normalise.stable_id of every row: the source's own id (normalise.own_id), else a SHA-1 (by DuckDB) of the
    whole record as read."""
    own = own.combine_chunks()
    ids = pc.if_else(pc.match_substring_regex(own, GLOBAL_ID), own,
                     pc.binary_join_element_wise(_text(own_id(namespace, "x")[:-1]), own, _text("")))
    if not ids.null_count:
        return ids
    missing = pc.is_null(ids)
    rows = pa.array(np.flatnonzero(as_numpy(missing)))
    text = record.combine_chunks().take(rows)
    con = duckdb.connect()
    try:
        con.register("content", pa.table({"pos": pa.array(np.arange(len(rows)), pa.int64()), "content": text}))
        digests = con.sql(sql.text("ingest_content_digest"), params={"chars": DIGEST_CHARS}).to_arrow_table()
    finally:
        con.close()
    derived = pc.binary_join_element_wise(_text("sha1:"), digests.column("digest"), _text(""))
    return pc.replace_with_mask(ids, missing, derived.combine_chunks())
