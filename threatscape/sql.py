"""The SQL statements in queries/*.sql, by name, and the $parameters each one takes."""
from __future__ import annotations

import functools
import re
from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
_PARAM = re.compile(r"(?<![\w$])\$([a-z_][a-z0-9_]*)", re.IGNORECASE)
_COMMENT = re.compile(r"--[^\n]*")
_CAST = re.compile(r"(?<![\w$])\$([a-z_][a-z0-9_]*)(::)?", re.IGNORECASE)


@functools.lru_cache(maxsize=None)
def text(name: str) -> str:
    """The statement in queries/<name>.sql."""
    if not re.fullmatch(r"[a-z0-9_/]+", name):
        raise ValueError(f"not a query name: {name!r}")
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=None)
def params(name: str) -> frozenset[str]:
    """The $named parameters that queries/<name>.sql uses."""
    return frozenset(_PARAM.findall(_COMMENT.sub("", text(name))))


@functools.lru_cache(maxsize=None)
def cast_params(name: str) -> frozenset[str]:
    """The $parameters that queries/<name>.sql casts wherever it uses them ($since::DATE): DuckDB may receive
    them as text, which the cast reads as it would the value itself."""
    uses = _CAST.findall(_COMMENT.sub("", text(name)))
    return frozenset(p for p, _ in uses) - {p for p, cast in uses if not cast}


def names() -> list[str]:
    """Every query that the app may run (schema and macros excluded)."""
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql") if p.stem != "schema")


def plan_macros(schema: str) -> list[str]:
    """The macro variants in queries/plans/<schema>/, as names for text()."""
    return sorted(f"plans/{schema}/{p.stem}" for p in (QUERIES_DIR / "plans" / schema).glob("*.sql"))
