"""Command line: python -m threatscape demo | info | export | actor."""
from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import os
import sys
import time
from pathlib import Path

import pycountry

from . import auth, countries, store as store_mod, taxonomy
from .filters import ORDERS, REGISTRY, Filters
from .ingest.formats import FORMATS


class UsageError(Exception):
    """A value on the command line that names nothing known; the message says what and suggests."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _tlp(text: str) -> str:
    """A TLP marking as files write it ('amber', 'TLP:AMBER+STRICT', 'white'): the rule ingest reads them by."""
    from .ingest.normalise import tlp_name

    name = tlp_name(text)
    if name is None:
        raise argparse.ArgumentTypeError(f"not a TLP marking: {text!r} (CLEAR, GREEN, AMBER, AMBER+STRICT, RED)")
    return name


def _positive(text: str) -> int:
    n = int(text.replace("_", ""))
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def _suggest(word: str, candidates) -> str:
    by_key = {}
    for c in candidates:
        by_key.setdefault(c.casefold(), c)
    close = difflib.get_close_matches(word.casefold(), list(by_key), n=5, cutoff=0.6)
    return f"; did you mean: {', '.join(by_key[c] for c in close)}?" if close else ""


def _present(value) -> bool:
    return value is not None and str(value) not in ("NaT", "nan", "None")


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _actor(db: store_mod.Store, name: str) -> None:
    """python -m threatscape actor NAME: the canonical name alone on the first line, then what is known of it.
    Any actor of the directory answers, with incidents in this database or not."""
    from . import data
    from .resolver import UNATTRIBUTED, Resolver

    reference = Resolver.reference()
    try:
        actor = _resolve_actor(db, name)
    except UsageError:
        found = reference.resolve(name)
        if found.status != "resolved":
            raise
        actor = found.name
    print(actor)
    if actor == UNATTRIBUTED:
        print("incidents whose source names no actor (a placeholder such as '?' or 'unknown', or nothing)")
        return
    match = data.resolver(db).resolve(name)
    if match.status != "resolved":
        match = reference.resolve(name)
    if match.rule and match.rule != "exact":
        print(f"matched: {match.matched!r} by the {match.rule} rule")
    profile = data.actor_profile(db, actor)
    known = reference.actors.get(actor)
    sponsor = profile["sponsor_country"] if profile is not None else (known.sponsor_country if known else None)
    print(f"sponsor: {countries.name(sponsor)} ({sponsor})" if isinstance(sponsor, str) else "sponsor: unknown")
    if profile is not None:
        for r in data.reported_sponsors(db, actor).itertuples(index=False):
            print(f"sponsor as sources report it: {countries.name(r.sponsor_country)} ({r.sponsor_country}), "
                  f"{r.incident_count:,} incidents")
    if known is not None and known.attack_id:
        print(f"MITRE ATT&CK: {known.attack_id}")
    incidents = int(profile["incidents"]) if profile is not None else 0
    print(f"incidents in this database: {incidents:,}")
    aliases = data.actor_aliases(db, actor) if profile is not None else None
    rows = ([(r.alias, r.source) for r in aliases.itertuples(index=False)] if aliases is not None and len(aliases)
            else list(known.aliases) if known is not None else [])
    print("aliases:")
    for alias, source in sorted(rows, key=lambda r: r[0].casefold()):
        print(f"  {alias}  [{source}]")
    for note in (known.notes if known is not None else ()):
        print(f"note: {note}")


def _resolve_actor(db: store_mod.Store, name: str) -> str:
    """The canonical actor a name means in this database (data.resolve_actors: the rules ingest uses)."""
    from . import data

    resolved, problems = data.resolve_actors(db, [name])
    if resolved:
        return resolved[0]
    raise UsageError(problems[0].replace("; ignored", ""))


def _country(value: str, what: str) -> str:
    if what == "sponsor" and value.lower() == "unknown":
        return "unknown"
    code = countries.to_alpha2(value)
    if code is None:
        names = [c.name for c in pycountry.countries] + [countries.name(c.alpha_2) for c in pycountry.countries]
        raise UsageError(f"{what} {value!r} is not a known country{_suggest(value, names)}")
    return code


def _sector(value: str) -> str:
    s = taxonomy.SECTOR_BY_NAME.get(value.lower())
    if s is None:
        raise UsageError(f"sector {value!r} is not a known sector{_suggest(value, taxonomy.SECTOR_BY_NAME)}")
    return s.name


# How the command line reads each kind of filter (filters.REGISTRY's widget): names are checked against what is
# known, with suggestions; a value that names nothing known is a UsageError, never a filter silently dropped.
_CLI_VALUE = {"date": _date, "confidence": lambda t: int(t) if t.isdigit() and int(t) <= 100 else _bad_confidence(t),
              "tlp": _tlp, "clearance": _tlp}
_CLI_CHECK = {"actor": lambda db, v: _resolve_actor(db, v), "sector": lambda db, v: _sector(v),
              "country": lambda db, v: _country(v, "country"), "sponsor": lambda db, v: _country(v, "sponsor")}


_METAVAR = {"date": "YYYY-MM-DD", "confidence": "0-100", "tlp": "TLP", "clearance": "TLP", "text": "TEXT",
            "actor": "NAME", "sector": "SECTOR", "country": "COUNTRY", "sponsor": "COUNTRY"}


def _bad_confidence(text: str):
    raise argparse.ArgumentTypeError(f"must be a whole number from 0 to 100: {text!r}")


def add_filter_options(p: argparse.ArgumentParser) -> None:
    """One option per filter (filters.REGISTRY), as the export's and the brief's commands take them."""
    for entry in REGISTRY:
        kwargs = {"help": entry.help, "dest": entry.field, "type": _CLI_VALUE.get(entry.widget),
                  "metavar": _METAVAR.get(entry.widget, "VALUE")}
        if entry.multiple:
            kwargs |= {"action": "append", "default": []}
        p.add_argument(entry.cli, **kwargs)


def filters_from_args(db: store_mod.Store, args) -> Filters:
    """Filters from the filter options (add_filter_options); anything unknown is a UsageError."""
    values = {}
    for entry in REGISTRY:
        value = getattr(args, entry.field)
        check = _CLI_CHECK.get(entry.widget)
        if entry.multiple and check:
            value = tuple(dict.fromkeys(check(db, v) for v in value))
        elif entry.multiple:
            value = entry.parse(entry.key, list(value))[0]  # in the registry's order, as a link gives it
        values[entry.field] = entry.empty if value in (None, 0) and entry.empty is None else value
    f = Filters(**values)
    if f.since and f.until and f.since > f.until:
        raise UsageError(f"--since {f.since} is after --until {f.until}")
    return f.with_(min_confidence=f.min_confidence or None, text=(f.text or "").strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m threatscape", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    db_help = f"database file (default: $THREATSCAPE_DB or {store_mod.DEFAULT_DB})"

    p = sub.add_parser("demo", help="build the deterministic demo database")
    p.add_argument("--db", help=db_help)
    p.add_argument("--incidents", type=_positive, default=20_000, help="number of incidents (default 20,000)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--until", type=_date, help="last day of the demo data (default today)")
    p.add_argument("--lake", metavar="DIR", help="write the demo incidents as a lake (Parquet by year and month, "
                   "threatscape/lake.py) in DIR instead of a database")

    p = sub.add_parser("build", help="build the serving database from a lake (Parquet by year and month)")
    p.add_argument("--from", dest="lake", metavar="DIR", required=True, help="the lake folder (lake.json inside)")
    p.add_argument("--db", help=db_help + " (written, or replaced atomically)")
    p.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                   help="what computes the summaries: DuckDB in this process (default), or Apache Spark (pyspark, "
                        "Java 17; threatscape/spark.py)")
    p.add_argument("--master", default="local[*]", help="the Spark master: local[*] (default), spark://host:7077 "
                                                        "or sc://host (Spark Connect)")
    p.add_argument("--work", metavar="DIR", help="where Spark writes the summaries for DuckDB to read (default: the "
                   "temporary folder; with a cluster, a folder both see); an interrupted build resumes from there")

    p = sub.add_parser("info", help="describe a database")
    p.add_argument("--db", help=db_help)

    p = sub.add_parser("export", help="write a CSV snapshot of the matching incidents and its manifest")
    p.add_argument("--db", help=db_help)
    add_filter_options(p)
    p.add_argument("--order", choices=ORDERS, default="newest")
    p.add_argument("--long", action="store_true", help="one row per incident and sector")
    p.add_argument("--bom", action="store_true", help="start with a UTF-8 byte-order mark (for Excel)")
    p.add_argument("--name", help="file name without extension (default incidents-<UTC time>)")
    p.add_argument("--out", required=True, help="folder to write <name>.csv and <name>.manifest.json into")

    p = sub.add_parser("ingest", help="load incidents from CSV, STIX 2.x, MISP or EuRepoC files",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=INGEST_EXIT_CODES)
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files or folders (every file inside); none with --aliases: apply the decisions only")
    p.add_argument("--db", help=db_help + "; created when missing")
    p.add_argument("--format", choices=("auto",) + FORMATS, default="auto")
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                   help="read FIELD from another CSV column, e.g. --map occurred_on=Date (repeatable)")
    p.add_argument("--delimiter", metavar="CHAR",
                   help="CSV cell delimiter, e.g. ';' or tab (default: found from the header: , ; tab or |)")
    p.add_argument("--encoding", metavar="NAME", help="CSV text encoding, e.g. latin-1 (default: UTF-8, "
                   "UTF-16 with a byte-order mark, else Windows-1252)")
    p.add_argument("--sheet", metavar="NAME", help="the sheet of .xlsx workbooks to read (default: the first)")
    p.add_argument("--dates", choices=("dmy", "mdy"), help="D/M/YYYY dates put the day first (dmy) or the month "
                   "(mdy); default: found per file (day first when some first part is over 12 and no second)")
    p.add_argument("--source", help="source name for these records (default: the feed's own, else the format)")
    p.add_argument("--tlp", type=_tlp, metavar="TLP",
                   help="TLP for records that carry none (default AMBER; EuRepoC CLEAR)")
    p.add_argument("--split", action="append", default=[], metavar="FIELD=SEPARATORS",
                   help="the characters between values in a CSV cell of sectors or victim_country (default "
                        r"; , | / and line breaks), e.g. --split 'sectors=;' ('\n' a line break; repeatable)")
    p.add_argument("--sectors", metavar="FILE", help="the team's own sector crosswalk (CSV: term,sector; an empty "
                   "sector for a term that names none), over the built-in one")
    p.add_argument("--strict", action="store_true", help="any rejected record fails the whole ingest")
    p.add_argument("--dry-run", action="store_true", help="read and count, write nothing")
    p.add_argument("--report", metavar="FILE", help="write the summary and every rejection as JSON")
    p.add_argument("--aliases", metavar="FILE", help="the team's decisions about actor names (CSV: name,decision,"
                   "actor,reason; decision map, placeholder or new), recorded and applied to every incident")
    p.add_argument("--undo", type=int, action="append", default=[], metavar="ID",
                   help="undo a recorded decision about a name (its id from `names`; repeatable)")
    p.add_argument("--by", default="", help="who made the decisions (recorded with them)")
    p.add_argument("--lake", metavar="DIR", help="also write the database, once ingested, as a lake (Parquet by "
                   "year and month, threatscape/lake.py) in DIR, for build --from DIR (e.g. on Spark)")
    p.add_argument("--no-wait", action="store_true", help="fail at once (exit code 4) when another ingest into the "
                   "database is under way, instead of waiting for it to finish")
    # Who asked, for the audit trail (default: the user running the command); the app's Ingest page passes its
    # signed-in user. And the whole outcome as JSON, for the page, which runs the ingest in a process of its own.
    p.add_argument("--audit-user", help=argparse.SUPPRESS)
    p.add_argument("--audit-role", default="admin", help=argparse.SUPPRESS)
    p.add_argument("--audit-clearance", default="RED", help=argparse.SUPPRESS)
    p.add_argument("--result", metavar="FILE", help=argparse.SUPPRESS)

    p = sub.add_parser("names", help="actor names that no actor matched (unresolved or ambiguous), with counts and "
                                     "suggestions, and the decisions in force")
    p.add_argument("--db", help=db_help)
    p.add_argument("--limit", type=_positive, default=50, help="how many names (default 50)")

    p = sub.add_parser("bench", help="replay realistic interactions on demo databases and print timings")
    p.add_argument("--incidents", type=_positive, action="append", help="demo size (repeatable; default 100,000)")
    p.add_argument("--baseline", action="store_true", help="also run a naive pandas version and print the ratio")
    p.add_argument("--json", metavar="FILE", help="write all numbers as JSON")
    p.add_argument("--db", metavar="PATH", help="measure this database instead of demo databases")
    p.add_argument("--repeat", type=_positive, metavar="N", help="measure each figure N times: interaction "
                   "steps, explorer pages, app cold starts, ingests (default 5, 5, 5 and 3)")
    p.add_argument("--variants", action="store_true", help="instead: what each query-plan variant kept for speed "
                   "buys, each step that takes it run with it and without it (plans.VARIANTS)")
    p.add_argument("--clearance", type=_tlp, metavar="TLP", help="measure the app as a reader cleared to this TLP "
                   "sees it (default: every incident)")
    p.add_argument("--build", nargs="*", choices=("duckdb", "spark"), metavar="ENGINE",
                   help="instead: build time and peak memory from a demo lake of each --incidents size, per engine "
                        "(duckdb, spark; default both)")
    p.add_argument("--sessions", type=_positive, metavar="N", help="instead: the load benchmark, N sessions over "
                   "Streamlit's websocket protocol against a server it starts (threatscape/load.py)")
    p.add_argument("--think", type=float, default=5.0, metavar="SECONDS",
                   help="with --sessions: the mean think time between a session's steps (default 5)")
    p.add_argument("--duration", type=float, default=60.0, metavar="SECONDS",
                   help="with --sessions: how long to drive them (default 60)")
    p.add_argument("--url", help="with --sessions: drive this running server instead of starting one")
    p.add_argument("--workers", type=_positive, help="with --sessions: serve with `serve --workers N` (nginx in "
                   "front) instead of one `streamlit run`")
    p.add_argument("--worker", metavar="DB", help=argparse.SUPPRESS)  # one size, in its own process
    p.add_argument("--app-worker", metavar="DB", help=argparse.SUPPRESS)  # the app under AppTest, its own process
    p.add_argument("--launched", type=float, help=argparse.SUPPRESS)  # when the parent started that process
    p.add_argument("--cold-only", action="store_true", help=argparse.SUPPRESS)  # that process: the cold start only

    p = sub.add_parser("brief", help="write the leadership brief (PDF, PNG per section or HTML) and its manifest",
                       epilog="exit codes: 0 written; 1 it could not be made (one line says why); 2 the command "
                              "line is wrong. Without --since/--until: the overview's window, the last 12 complete "
                              "months of data.")
    p.add_argument("--db", help=db_help)
    add_filter_options(p)
    p.add_argument("--compare", choices=("previous", "year"), default="previous",
                   help="compare with the period of equal length before (default) or the same dates a year earlier")
    p.add_argument("--grain", choices=("month", "quarter", "year"), default="month", help="the charts' period")
    p.add_argument("--format", choices=("pdf", "png", "html"), default="pdf",
                   help="pdf (default); png: OUT-<section>.png for each section; html: one self-contained page")
    p.add_argument("--out", required=True, help="the file to write (its manifest goes beside it: "
                                                "<name>.manifest.json)")

    p = sub.add_parser("serve", help="serve a team: N Streamlit workers behind nginx (threatscape/serve.py)")
    p.add_argument("--db", help=db_help)
    p.add_argument("--workers", type=_positive, default=os.cpu_count() or 1,
                   help=f"Streamlit processes (default: the number of cores, {os.cpu_count()})")
    p.add_argument("--address", default="127.0.0.1", help="where nginx listens (default 127.0.0.1; another "
                   "address needs sign-in configured)")
    p.add_argument("--port", type=_positive, default=8501, help="nginx's port (default 8501)")

    p = sub.add_parser("publish", help="put a database file another machine wrote in place of this one's, "
                                       "atomically; the running workers serve it on their next query")
    p.add_argument("source", help="the database file to publish (checked before it replaces anything)")
    p.add_argument("--db", help=db_help + " (the file to replace)")

    p = sub.add_parser("actor", help="resolve a name or alias to its canonical actor and list its aliases")
    p.add_argument("name")
    p.add_argument("--db", help=db_help)
    args = parser.parse_args(argv)

    if args.command == "bench":
        from . import bench

        if args.db and args.incidents:
            parser.error("bench: give --db or --incidents, not both")
        if args.build is not None:
            from . import buildbench

            figures = buildbench.run(args.incidents or [1_000_000], args.build or ["duckdb", "spark"])
            print(buildbench.report(figures))
            if args.json:
                Path(args.json).write_text(json.dumps(figures, indent=2))
            return 0
        if args.sessions:
            from . import load

            if not args.db:
                parser.error("bench --sessions: give the database to serve with --db")
            figures = load.run(Path(args.db), sessions=args.sessions, think=args.think, duration=args.duration,
                               url=args.url, workers=args.workers)
            print(load.report(figures))
            if args.json:
                Path(args.json).write_text(json.dumps(figures, indent=2))
            return 0 if figures["errors"] == 0 else 1
        if args.repeat:
            bench.configure(args.repeat)
        if args.clearance:  # the pages' local user, in this process and the workers it starts (auth.local_user)
            os.environ[auth.LOCAL_CLEARANCE] = args.clearance
        if args.app_worker:
            print(json.dumps(bench.app(Path(args.app_worker), args.launched, cold_only=args.cold_only)))
            return 0
        if args.worker:
            print(json.dumps(bench.variants(Path(args.worker)) if args.variants
                             else bench.measure(Path(args.worker), baseline=args.baseline)))
            return 0
        return bench.main(args.incidents or [100_000], baseline=args.baseline, json_path=args.json, db=args.db,
                          measure_variants=args.variants)
    path = store_mod.database_path(args.db)
    if args.command == "demo" and args.lake:
        from . import lake

        t0 = time.perf_counter()
        lake.write_demo(args.lake, incidents=args.incidents, seed=args.seed, until=args.until)
        print(f"{args.lake}: {args.incidents:,} demo incidents as a lake in {time.perf_counter() - t0:.1f} s")
        return 0
    if args.command == "build":
        from . import lake

        t0 = time.perf_counter()
        try:
            if args.engine == "spark":
                from . import spark

                try:
                    version = spark.build_database(args.lake, path, master=args.master, work_dir=args.work)
                except spark.SparkBuildError as exc:
                    print(f"build: {exc}", file=sys.stderr)
                    return 1
            else:
                version = lake.build_database(args.lake, path)
        except lake.LakeError as exc:
            print(f"build: {exc}", file=sys.stderr)
            return 1
        print(f"{path}: built from {args.lake} with {args.engine} in {time.perf_counter() - t0:.1f} s "
              f"(content version {version})")
        return 0
    if args.command == "demo":
        from .demo import build_demo

        t0 = time.perf_counter()
        version = build_demo(path, incidents=args.incidents, seed=args.seed, until=args.until)
        print(f"{path}: {args.incidents:,} demo incidents in {time.perf_counter() - t0:.1f} s "
              f"(content version {version})")
        return 0
    if args.command == "ingest":
        return _ingest(args, path)
    if args.command == "publish":
        from . import serve

        source = Path(args.source)
        if not source.exists():
            print(f"{source}: no such file", file=sys.stderr)
            return 1
        store_mod.Store(source).dataset()  # a file that is not a Threatscape database fails here, in one line
        serve.publish(source, path)
        print(f"{path}: now {source} (content version {store_mod.Store(path).dataset()['content_version']})")
        return 0
    if args.command == "serve":
        from . import serve

        try:
            return serve.main(path, workers=args.workers, address=args.address, port=args.port)
        except serve.ServeError as exc:
            print(f"serve: {exc}", file=sys.stderr)
            return 1
    if not path.exists():
        print(f"{path}: no such database (build one with: python -m threatscape demo)", file=sys.stderr)
        return 1
    db = store_mod.Store(path)
    try:
        if args.command == "info":
            for k, v in db.dataset().items():
                print(f"{k}: {v}")
            sources = db.query("source_summary")
            print(f"sources: {len(sources):,}")
            for r in sources.itertuples(index=False):
                last = f"last ingested {r.last_ingest:%Y-%m-%d %H:%M} UTC" if _present(r.last_ingest) else "built in"
                print(f"  {r.source}: {r.incidents:,} incidents, {r.first_seen:%Y-%m-%d} to {r.last_seen:%Y-%m-%d}, "
                      f"{r.attributed:,} attributed ({_pct(r.attributed, r.incidents)}), {r.resolved:,} resolved "
                      f"({_pct(r.resolved, r.attributed)}), {last}")
            decisions = db.query("active_decisions")
            if len(decisions):
                print(f"name decisions in force: {len(decisions):,}")
        elif args.command == "export":
            from .export import write_incidents

            f = filters_from_args(db, args)
            t0 = time.perf_counter()
            # read as a reader cleared to --clearance (default: every incident) reads: the data layer's rule
            csv_path, manifest_path = write_incidents(db.cleared(f.clearance), f, args.out, name=args.name,
                                                      order_by=args.order, long=args.long, bom=args.bom)
            print(csv_path)
            print(manifest_path)
            print(f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
        elif args.command == "brief":
            from . import brief
            from .filters import View

            f = filters_from_args(db, args)
            t0 = time.perf_counter()
            try:  # read as a reader cleared to --clearance (default: every incident) reads
                written = brief.write(db.cleared(f.clearance), f, args.out, fmt=args.format, compare=args.compare,
                                      view=View(grain=args.grain, compare=args.compare))
            except brief.BriefError as exc:
                print(f"{args.out}: {exc}", file=sys.stderr)
                return 1
            for path in written:
                print(path)
            print(f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
        elif args.command == "actor":
            _actor(db, args.name)
        elif args.command == "names":
            _names(db, args.limit)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


INGEST_EXIT_CODES = """exit codes:
  0  every record was stored (added, updated, or an exact repeat skipped)
  1  nothing was written: a file could not be read, the files hold no incident to store, or --strict and a
     record was rejected
  2  the command line is wrong (an unknown option, field or value)
  3  some records were rejected (listed, with file, row and field); the rest were stored
  4  nothing was written: another ingest into the database was under way and --no-wait was given
     (without --no-wait an ingest waits for the one under way to finish, and says so)
"""


def _names(db: store_mod.Store, limit: int) -> None:
    """python -m threatscape names: what an analyst reviews (the app's Names page shows the same)."""
    from . import names

    review = names.review(db, limit=limit)
    print(f"{review.unresolved_incidents:,} of {review.attributed:,} attributed incidents name no known actor "
          f"({len(review.names):,} names shown)")
    for r in review.names:
        hint = f"  suggested: {', '.join(r.suggestions)}" if r.suggestions else ""
        print(f"  {r.name} [{r.status}]: {r.incidents:,} incidents{hint}")
    for d in review.decisions:
        undone = f"; undone by {d.undone_by or 'unknown'}, {d.undone_at}" if d.undone_at else ""
        actor = f" {d.actor}" if isinstance(d.actor, str) and d.actor else ""  # (a missing one reads as NaN)
        print(f"decision {d.decision_id}: {d.name!r} {d.decision}{actor}"
              f" ({d.decided_by or 'unknown'}, {d.decided_at}{undone}){': ' + d.reason if d.reason else ''}")


def _ingest(args, path) -> int:
    """python -m threatscape ingest: one summary, or one clear line and a non-zero exit."""
    from . import audit
    from .ingest.csvfile import COLUMNS, delimiter_named, encoding_named
    from .ingest.model import UnreadableFile
    from .ingest.normalise import SPLIT_FIELDS
    from .ingest.run import EXIT_BUSY, IngestFailed, arrow_without_pandas, ingest
    from .schema import OutdatedDatabase
    from .writelock import Busy

    arrow_without_pandas()
    mapping = {}
    for item in args.map:
        name, sep, column = item.partition("=")
        if not sep or name not in COLUMNS or not column:
            print(f"error: --map {item!r}: use FIELD=COLUMN with FIELD one of {', '.join(COLUMNS)}", file=sys.stderr)
            return 2
        mapping[name] = column
    split = {}
    for item in args.split:
        name, sep, separators = item.partition("=")
        if not sep or name not in SPLIT_FIELDS:
            print(f"error: --split {item!r}: use FIELD=SEPARATORS with FIELD one of {', '.join(SPLIT_FIELDS)}",
                  file=sys.stderr)
            return 2
        split[name] = separators.replace("\\n", "\n")
    try:
        delimiter = delimiter_named(args.delimiter) if args.delimiter is not None else None
        encoding = encoding_named(args.encoding) if args.encoding is not None else None
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    def progress(n: int) -> None:
        print(f"… {n:,} records read", file=sys.stderr, flush=True)

    def write_report(report) -> None:
        if args.report:
            with open(args.report, "w", encoding="utf-8") as f:
                json.dump(report.to_json(), f, indent=2, ensure_ascii=False, default=str)

    def result(code: int, report=None, error: str | None = None) -> int:
        """The exit code; with --result, also the outcome as JSON (the Ingest page reads it)."""
        if args.result:
            with open(args.result, "w", encoding="utf-8") as f:
                json.dump({"exit_code": code, "error": error, "summary": report.summary() if report else None,
                           "report": report.to_json() if report else None}, f, ensure_ascii=False, default=str)
        return code

    def waiting(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    if not args.paths and not args.aliases and not args.undo:
        print("error: ingest needs a PATH, or --aliases FILE / --undo ID to apply decisions about names",
              file=sys.stderr)
        return 2
    try:
        report = ingest(args.paths, path, fmt=args.format, mapping=mapping, source=args.source, strict=args.strict,
                        dry_run=args.dry_run, default_tlp=args.tlp, progress=progress,
                        delimiter=delimiter, encoding=encoding, sheet=args.sheet, dates=args.dates,
                        aliases_file=args.aliases, undo=args.undo, who=args.by, split=split,
                        sectors_file=args.sectors, wait=not args.no_wait, on_wait=waiting,
                        audit_as={"user": args.audit_user or audit.command_line_user(), "role": args.audit_role,
                                  "clearance": args.audit_clearance})
    except Busy as exc:
        print(f"error: {exc}; try again when it has finished, or leave out --no-wait to wait for it",
              file=sys.stderr)
        return result(EXIT_BUSY, error=str(exc))
    except (UnreadableFile, OutdatedDatabase) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return result(1, error=str(exc))
    except IngestFailed as exc:
        print(exc.report.summary(), file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        write_report(exc.report)
        return result(1, exc.report, str(exc))
    print(report.summary())
    write_report(report)
    if args.lake and not args.dry_run:
        from . import lake

        manifest = lake.write_database(path, args.lake)
        print(f"{args.lake}: the database's {manifest['incidents']:,} incidents as a lake")
    return result(3 if report.rejections else 0, report)
