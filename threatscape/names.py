"""The names analysts review: what matched no actor, the suggestions, and the team's decisions about names.

A decision is applied to every stored incident at once (an ingest of no files, threatscape/ingest/run.py), and
recorded with who, when and why; undoing it keeps it in the history. The CLI (`names`, `ingest --aliases`) and
the app's Names page both use this module.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from .resolver import Decision, Resolver
from .store import Store


@dataclass(frozen=True)
class Name:
    name: str
    status: str                      # 'unresolved' or 'ambiguous' (by the reference directory and decisions)
    incidents: int
    first_seen: object
    last_seen: object
    source: str
    suggestions: tuple[str, ...]     # the actors it could be: an ambiguous name's candidates, or near misses


@dataclass(frozen=True)
class Review:
    incidents: int
    attributed: int
    unresolved_incidents: int
    unresolved_names: int            # all of them; `names` holds the first `limit`
    names: list[Name]
    decisions: list                  # decision_history rows (namedtuples), newest first


_reviews: dict[tuple, Review] = {}  # (database path, content version, reader level, limit) -> its review
_reviews_lock = threading.Lock()


def review(store: Store, limit: int = 200) -> Review:
    """What is left to resolve in this database, most incidents first; built once per data version (a decision
    changes the version): the suggestions take a second for 200 names."""
    key = (store.path, store.version, store.level, limit)
    with _reviews_lock:
        found = _reviews.get(key)
        if found is None:
            found = _review(store, limit)
            _reviews.clear()
            _reviews[key] = found
    return found


def _review(store: Store, limit: int) -> Review:
    counts = store.query("attribution_counts").iloc[0]
    resolver = Resolver.reference()
    names = []
    for r in store.query("unresolved_names", {"limit": limit}).itertuples(index=False):
        parts = [p for p in r.name.split("; ") if p.strip()]
        found = [resolver.resolve(p) for p in parts]
        ambiguous = [f for f in found if f.status == "ambiguous"]
        suggestions = tuple(dict.fromkeys(c for f in ambiguous for c in f.candidates)) or tuple(
            dict.fromkeys(s for p in parts for s in resolver.suggest(p)))
        names.append(Name(r.name, "ambiguous" if ambiguous else "unresolved", int(r.incident_count),
                          _day(r.first_seen), _day(r.last_seen), r.source, suggestions))
    history = list(store.query("decision_history").itertuples(index=False))
    return Review(int(counts["incidents"]), int(counts["attributed"]), int(counts["unresolved"]),
                  int(counts["names"]), names, history)


def _day(value):
    """A date column's value as a date (DuckDB hands DATE columns to pandas as timestamps)."""
    return value.date() if hasattr(value, "date") else value


def examples(store: Store, name: str, limit: int = 5):
    """The newest incidents that report a name: the rows behind it, dated to the day."""
    rows = store.query("name_examples", {"name": name, "limit": limit}).copy()  # (a cached frame: not in place)
    rows["occurred_on"] = [_day(v) for v in rows["occurred_on"]]
    return rows


def actor_choices() -> list[str]:
    """Every actor of the reference directory, by name: what a name can be mapped to."""
    return sorted(Resolver.reference().actors, key=str.casefold)


def _as(user) -> dict | None:
    """Who decides, as the audit trail records them (an auth.User; None: not recorded)."""
    return None if user is None else {"user": user.name, "role": user.role, "clearance": user.clearance}


def decide(store: Store, decision: Decision, who: str = "", user=None):
    """Record a decision and apply it to every stored incident; the ingest report (its `remapped` count). user: who
    decided (auth.User), recorded in the audit trail."""
    from .ingest.run import ingest

    return ingest([], store.path, decide=[decision], who=who, audit_as=_as(user))


def undo(store: Store, decision_id: int, who: str = "", user=None):
    """Undo a recorded decision and apply that to every stored incident; the ingest report."""
    from .ingest.run import ingest

    return ingest([], store.path, undo=[decision_id], who=who, audit_as=_as(user))
