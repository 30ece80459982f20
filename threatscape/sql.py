"""The SQL statements in queries/*.sql, by name, and the $parameters each one takes."""
from __future__ import annotations

import functools
import re
from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
_PARAM = re.compile(r"(?<![\w$])\$([a-z_][a-z0-9_]*)", re.IGNORECASE)
_COMMENT = re.compile(r"--[^\n]*")
_VARIABLE = re.compile(r"getvariable\('([a-z_]+)'\)")
_CAST = re.compile(r"(?<![\w$])\$([a-z_][a-z0-9_]*)(::)?", re.IGNORECASE)


# The filters' predicates, one scalar macro each (queries/match_*.sql, end_day.sql): the one definition of each, which
# text() writes out in place of every call. DuckDB binds a call of a scalar macro anew at every use, and the
# filters' calls in a query's expanded macros cost 1-3 ms of its planning (the explorer's page query: 17.7 ->
# 16.0 ms at 10M incidents with the calls written out); written out, the statements DuckDB runs are the same.
PREDICATES = ("match_date", "match_actor", "match_sector", "match_country", "match_tlp", "end_day")
_MACRO = re.compile(r"CREATE MACRO (\w+)\(([\w, ]+)\) AS\s+(.*)", re.DOTALL)


@functools.lru_cache(maxsize=None)
def text(name: str) -> str:
    """The statement in queries/<name>.sql, with every call of a filter predicate (PREDICATES) written out."""
    if not re.fullmatch(r"[a-z0-9_/]+", name):
        raise ValueError(f"not a query name: {name!r}")
    statement = (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return statement if name in PREDICATES else _inline(statement)


@functools.lru_cache(maxsize=1)
def _predicates() -> dict[str, tuple[list[str], str]]:
    """Each predicate macro's parameters and body (its expression, comments removed)."""
    out = {}
    for name in PREDICATES:
        found = _MACRO.search(_COMMENT.sub("", text(name)))
        out[found.group(1)] = ([p.strip() for p in found.group(2).split(",")], " ".join(found.group(3).split()))
    return out


def _inline(statement: str) -> str:
    """The statement with each call of a predicate whose arguments are names (f, m.actor_id) written out."""
    macros = _predicates()
    call = re.compile(r"(?<![\w.])(" + "|".join(macros) + r")\(([\w.]+(?:, [\w.]+)*)\)")

    def expand(m: re.Match) -> str:
        params, body = macros[m.group(1)]
        args = m.group(2).split(", ")
        if len(args) != len(params):
            raise ValueError(f"{m.group(0)}: {m.group(1)} takes {', '.join(params)}")
        by_param = dict(zip(params, args))
        name = re.compile(r"(?<![\w.'])(" + "|".join(params) + r")(?![\w'])")
        return "(" + name.sub(lambda p: by_param[p.group(1)], body) + ")"

    return call.sub(expand, statement)


@functools.lru_cache(maxsize=None)
def params(name: str) -> frozenset[str]:
    """The $named parameters that queries/<name>.sql uses."""
    return frozenset(_PARAM.findall(_COMMENT.sub("", text(name))))


@functools.lru_cache(maxsize=None)
def variables(name: str) -> frozenset[str]:
    """The session variables that queries/<name>.sql reads (getvariable('filters')): the filter structs, which the
    store sets on the query's cursor before it runs it (store.STRUCTS)."""
    return frozenset(_VARIABLE.findall(_COMMENT.sub("", text(name))))


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
