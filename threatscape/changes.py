"""What changed, in words: short sentences generated from the numbers of data.what_changed, each with the explorer
view that shows the incidents behind it. Pure and deterministic: the same numbers give the same sentences, in the
same order (ties are broken by name).

The rules:
- A rise or fall is between the period and the period compared with (the period before, or the same dates a year
  earlier), which the words around the sentences name. A name moves only with at least FLOOR incidents in one of the two periods, and a change is given as a
  percentage only when the earlier count is at least FLOOR, so that 1 -> 3 is "up from 1", never "+200%".
- An emerging pair is an actor and a sector (top level) or victim country with at least PAIR_FLOOR incidents in the
  period and none in the twelve months before it, of an actor that was active in those twelve months (an actor
  that was not is a rise "up from 0", or new).
- An actor is new when the data holds none of its incidents before the period (for the same filters), and gone
  quiet when it had at least FLOOR incidents in the period compared with and none in the period.
- An incident counts once for its actor, once in each top-level sector it hit and once for its victim country.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from . import countries
from .filters import Filters, period_words

FLOOR = 5
PAIR_FLOOR = 2
MOVERS = 3  # rises and falls said per kind
PAIRS = 5
ACTORS = 5
# Each kind's mark beside its sentence on the overview (Material icons, as Streamlit names them).
ICONS = {"rise": ":material/trending_up:", "fall": ":material/trending_down:", "pair": ":material/call_split:",
         "new": ":material/fiber_new:", "quiet": ":material/bedtime:", "peak": ":material/stacked_line_chart:"}


@dataclass(frozen=True)
class Change:
    """One sentence, what it is about, and the explorer's filters for the incidents behind it."""

    kind: str  # 'rise', 'fall', 'pair', 'new', 'quiet', 'peak'
    text: str  # plain words; names in it are feed text (escape them for Markdown: safe.md)
    filters: Filters
    about: str = ""  # what rose or fell: 'actor', 'sector' or 'country'


def _n(count: int, one: str = "incident", many: str = "incidents") -> str:
    return f"{count:,} {one if count == 1 else many}"


def _name(kind: str, name: str) -> str:
    return countries.name(name) if kind == "country" else name.strip()


def _month(month) -> str:
    return f"{pd.Timestamp(month):%b %Y}"


def _narrowed(f: Filters, kind: str, name: str) -> Filters:
    field = {"actor": "actors", "sector": "sectors", "country": "countries"}[kind]
    return f.with_(**{field: (name,)})


def movers(counts: pd.DataFrame, f: Filters, prev: Filters) -> list[Change]:
    """The actors, sectors and victim countries that rose or fell most (changes_counts). Plain Python over the rows
    (a few hundred): in pandas this took 15 ms of each overview run."""
    out = []
    for kind in ("actor", "sector", "country"):
        rows = [(now, then, _name(kind, name), name)
                for k, name, now, then in zip(counts["kind"], counts["name"], counts["now_count"].tolist(),
                                              counts["then_count"].tolist())
                if k == kind and max(now, then) >= FLOOR]
        rises = sorted((r for r in rows if r[0] > r[1]), key=lambda r: (r[1] - r[0], r[2]))
        falls = sorted((r for r in rows if r[0] < r[1]), key=lambda r: (r[0] - r[1], r[2]))
        for way, picked in (("rise", rises), ("fall", falls)):
            for now, then, label, name in picked[:MOVERS]:
                now, then = int(now), int(then)
                share = f" ({(now - then) / then:+.0%})" if then >= FLOOR else ""
                subject = {"actor": f"{label}: {_n(now)}", "sector": f"{label.capitalize()} was hit in {_n(now)}",
                           "country": f"Victims in {label}: {_n(now)}"}[kind]
                word = "up" if way == "rise" else "down"
                target = _narrowed(f, kind, name)
                if way == "fall" and now == 0:  # nothing to open in the period: the incidents of the one before
                    target = _narrowed(prev, kind, name)
                out.append(Change(way, f"{subject}, {word} from {then:,}{share}.", target, kind))
    return out


def emerging(pairs: pd.DataFrame, f: Filters) -> list[Change]:
    """Actor-sector and actor-country pairs active in the period and not in the twelve months before (changes_pairs)."""
    out = []
    shown = pairs[(pairs["now_count"] >= PAIR_FLOOR) & pairs["actor_before"]]
    for r in shown.sort_values(["now_count", "actor", "kind", "target"], ascending=[False, True, False, True]).head(
            PAIRS).itertuples(index=False):
        target = _name(r.kind, r.target)
        verb = f"hit {target}" if r.kind == "sector" else f"hit victims in {target}"
        narrowed = _narrowed(_narrowed(f, "actor", r.actor), r.kind, r.target)
        out.append(Change("pair", f"{r.actor.strip()} {verb} {_times(int(r.now_count))}; it had not in the twelve "
                                  "months before.", narrowed))
    return out


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count:,} times"


def actors(found: pd.DataFrame, f: Filters, prev: Filters) -> list[Change]:
    """Actors seen for the first time, and actors gone quiet (data.what_changed, from changes_counts)."""
    out = []
    then_words = period_words(prev.since, prev.until, short=True)
    order = {"by": ["count", "actor"], "ascending": [False, True]}
    for r in found[found["kind"] == "new"].sort_values(**order).head(ACTORS).itertuples(index=False):
        out.append(Change("new", f"{r.actor.strip()} appears for the first time: {_n(int(r.count))}, the first in "
                                 f"{_month(r.month)}.", _narrowed(f, "actor", r.actor)))
    quiet = found[(found["kind"] == "quiet") & (found["count"] >= FLOOR)]
    for r in quiet.sort_values(**order).head(ACTORS).itertuples(index=False):
        out.append(Change("quiet", f"{r.actor.strip()} has gone quiet: no incidents, after {_n(int(r.count))} in "
                                   f"{then_words} (the last in {_month(r.month)}).", _narrowed(prev, "actor", r.actor)))
    return out


def peak(concurrency: pd.DataFrame, f: Filters, grain: str) -> list[Change]:
    """The most campaigns running at once, and in which period (concurrent_campaigns_by_period)."""
    if concurrency.empty or int(concurrency["peak_campaigns"].max()) == 0:
        return []
    top = concurrency.sort_values(["peak_campaigns", "period"], ascending=[False, True]).iloc[0]
    start = pd.Timestamp(top["period"]).date()
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    end_month = start.year * 12 + start.month - 1 + months
    end = dt.date(end_month // 12, end_month % 12 + 1, 1) - dt.timedelta(days=1)
    since, until = max(start, f.since), min(end, f.until)
    most = int(top["peak_campaigns"])
    ran = "One campaign at most ran at a time" if most == 1 else \
        f"At most {most:,} campaigns ran at the same time"
    return [Change("peak", f"{ran}, in {period_words(since, until)}.", f.with_(since=since, until=until))]


def sentences(numbers: dict[str, pd.DataFrame], concurrency: pd.DataFrame, f: Filters, prev: Filters,
              grain: str) -> list[Change]:
    """Every "what changed" sentence, the most telling of each kind first: the largest rise and fall of an actor, of
    a sector and of a country, the largest emerging pair, the largest new and quiet actor and the campaign peak, then
    the second of each, and so on (so that the first few lines, which the overview shows, tell of every kind)."""
    said = movers(numbers["counts"], f, prev) + emerging(numbers["pairs"], f) + actors(numbers["actors"], f, prev) \
        + peak(concurrency, f, grain)
    order = [(about, kind) for about in ("actor", "sector", "country") for kind in ("rise", "fall")] \
        + [("", "pair"), ("", "new"), ("", "quiet"), ("", "peak")]
    groups = [[c for c in said if (c.about, c.kind) == key] for key in order]
    return [group[i] for i in range(max(map(len, groups), default=0)) for group in groups if i < len(group)]
