"""Command line: python -m threatscape demo|info."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from . import store


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _positive(text: str) -> int:
    n = int(text.replace("_", ""))
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m threatscape", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="build the deterministic demo database")
    p.add_argument("--db", help=f"database file (default: $THREATSCAPE_DB or {store.DEFAULT_DB})")
    p.add_argument("--incidents", type=_positive, default=20_000, help="number of incidents (default 20,000)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--until", type=_date, help="last day of the demo data (default today)")
    p = sub.add_parser("info", help="describe a database")
    p.add_argument("--db", help=f"database file (default: $THREATSCAPE_DB or {store.DEFAULT_DB})")
    args = parser.parse_args(argv)

    path = store.database_path(args.db)
    if args.command == "demo":
        from .demo import build_demo

        t0 = time.perf_counter()
        version = build_demo(path, incidents=args.incidents, seed=args.seed, until=args.until)
        print(f"{path}: {args.incidents:,} demo incidents in {time.perf_counter() - t0:.1f} s "
              f"(content version {version})")
        return 0
    if args.command == "info":
        if not path.exists():
            print(f"{path}: no such database (build one with: python -m threatscape demo)", file=sys.stderr)
            return 1
        db = store.Store(path)
        meta = db.dataset()
        for k, v in meta.items():
            print(f"{k}: {v}")
        return 0
    return 2
