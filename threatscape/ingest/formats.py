"""The input formats the ingest reads: one entry per format (a module of its own, imported without the readers'
numpy and pyarrow, so that the command line and the Ingest page can list the formats at no cost)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    """An input format: its reader module (in this package) and how the ingest reads it.

    The module has looks_like(path, head) -> bool (the file's name and first 4 KiB) and read(paths, *, source,
    **options), which yields a RawIncident, Rejection or Skipped per record or object. A format read column-wise
    also has read_table(path, *, source, **options), which gives a csvfile.CsvTable that columnar.normalise
    stages, with the same rows, rejections and counts as read; a module's RECEIVER_CATEGORIES (a dict, optional)
    maps its own sector terms. Adding a format is an entry in READERS and its module."""
    module: str
    described: str           # what the format is called in the message for a file of no known format
    columns: bool = False    # read and normalised column-wise (read_table); otherwise record by record (read)
    options: tuple[str, ...] = ()  # the ingest's reading options (keywords of ingest) that its reader takes
    default_tlp: str = "AMBER"     # the TLP of a record that states none, unless the ingest is given one
    multi_valued_cells: bool = False  # several sectors or countries in one cell (Normaliser.split)


READERS = {  # detection order: the most specific first
    "eurepoc": Format("eurepoc", "EuRepoC file", default_tlp="CLEAR"),  # public research data
    "misp": Format("misp", "MISP event"),
    "stix": Format("stix", "STIX 2.x bundle"),
    "csv": Format("csvfile", "CSV", columns=True, options=("mapping", "delimiter", "encoding", "sheet", "dates"),
                  multi_valued_cells=True),  # CSV, TSV or text files, and .xlsx workbooks
}
FORMATS = tuple(READERS)
