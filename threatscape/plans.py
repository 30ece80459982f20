"""Which variant of each summary macro answers a query, chosen from the filters in use.

The macros that read the summary tables have variants in queries/plans/<schema>/: each reads some summary tables
and so can answer only filters on the dimensions those tables hold. A filter's dimension is its REGISTRY entry's
`summary` (threatscape/filters.py); the choice below is the first variant, in VARIANTS' order, that holds every
dimension in use. A variant that holds all of them (ANY) reads filtered_incident: the incidents themselves.

    dimension  set by                                    held by
    actor      the actor and sponsor filters (actor_ids) every summary but country_month / country_day
    sector     a filter on one sector (with those below)  the summaries kept per one-sector filter (sector_filter)
    sectors    a filter on several sectors               incident_month_mask and campaign_part (sector_mask)
    country    a filter on one victim country            the summaries with victim_country, campaign_country_change
    countries  a filter on several                       the summaries with victim_country
    tlp        the TLP and clearance filters, when they    the summaries, by level (tlp_max: the incidents marked
               allow the markings up to one (tlp_max)     at most that level); another set of markings is 'row'
    row        confidence, text: no summary holds them   only the incidents

Date ranges are held by every variant: the whole months of a range come from the monthly summaries, the days at
either end from the daily ones or the incidents (date_range below; queries/end_day.sql).

Choosing here, rather than in SQL with conditions on the parameters, means DuckDB binds and optimises only the
variant taken, which at 10 million incidents was half of an interaction's time. The store sets each cursor's
search_path to the chosen schemas (names from SCHEMAS only) before it runs a query; the query text never changes,
and each Timing records the variants that answered (answered_by). tests/test_optimised.py checks every variant
against the straightforward queries, and that its cases take every variant. docs/benchmarks.md gives what each
variant buys over the plain pair of its macro (the summary variant that holds most, and the scan).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable

from .filters import REGISTRY, tlp_max

ANY = None  # a variant that answers any filters: it reads the incidents


@dataclass(frozen=True)
class Variant:
    schema: str
    holds: frozenset[str] | None  # the dimensions it can filter on (ANY: every one)
    when: Callable[[dict], bool] | None = None  # a further condition on the query's other parameters
    needs: frozenset[str] = frozenset()  # one of these dimensions must be in use (it reads only their rows)
    buys: str = ""  # what it buys over the plain variants, measured (bench --variants); "" for a plain one


def _v(schema: str, *dims: str, when=None, needs=(), buys="") -> Variant:
    return Variant(schema, frozenset(dims), when, frozenset(needs), buys)


_TOP = (lambda p: p.get("level") == "top")
# For each macro, its variants in order of preference. Those without a figure are its plain pair: the summaries (the
# whole months from the monthly summary kept per one-sector filter and TLP level, the days at either end from the
# incidents) and the incidents (ANY); heat_cell's hc_mask and campaign_change_of's cc_span read through mask_group
# and matching_campaign, which choose between their own. Any other variant is kept for what it buys over the plain
# ones: `buys`, its share of the benchmark steps that take it, at 10M incidents (bench --variants measures it, with
# and without the variant, alternately; docs/benchmarks.md). A variant is kept only when it buys at least 10% of a
# step that takes it. Created in this order too, each macro after those it calls (incident_group before actor_group's
# ag_fine, mask_group before heat_cell's hc_mask, matching_campaign before campaign_change_of's cc_span).
VARIANTS: dict[str, tuple[Variant, ...]] = {
    "incident_group": (_v("ig_month", "actor", "country", "countries", "tlp",
                          buys="10-12% of picking two actors (the ends from incident_day)"),
                       _v("ig_sector", "actor", "country", "countries", "tlp", "sector"),
                       Variant("ig_scan", ANY)),
    "actor_group": (_v("ag_month", "actor", "tlp", buys="17-20% of opening the overview (the ends from actor_day)"),
                    _v("ag_sector", "actor", "tlp", "sector"),
                    Variant("ag_fine", ANY)),
    "country_group": (_v("cg_month", "country", "countries", "tlp",
                         buys="26% of opening the overview (the ends from country_day)"),
                      _v("cg_sector", "country", "countries", "tlp", "sector"),
                      Variant("cg_fine", ANY)),
    "mask_group": (_v("mg_month", "actor", "sector", "sectors", "tlp"), Variant("mg_scan", ANY)),
    "heat_cell": (_v("hc_node", "actor", "tlp", "sector", when=_TOP, buys="4-12% of each overview step (median 6%)"),
                  _v("hc_country", "actor", "country", "countries", "tlp", "sector", when=_TOP,
                     needs=("country", "countries"), buys="25% of an overview of one victim country"),
                  Variant("hc_mask", ANY)),
    "matching_campaign": (_v("mc_actor", "actor", "tlp", needs=("actor",), buys="52% of opening an actor profile"),
                          _v("mc_part", "actor", "sector", "sectors", "country", "countries", "tlp"),
                          Variant("mc_scan", ANY)),
    "campaign_member": (_v("cm_whole", "actor", "tlp", buys="37% of opening an actor profile"),
                        _v("cm_part", "actor", "sector", "sectors", "country", "countries", "tlp"),
                        Variant("cm_scan", ANY)),
    "campaign_change_of": (_v("cc_sector", "sector", "tlp", buys="13-72% of each overview step (72%: a sector)"),
                           _v("cc_country", "country", "sector", "tlp", needs=("country",),
                              buys="65% of an overview of one victim country"),
                           Variant("cc_span", ANY)),
}
# page_keys is chosen by the explorer's order and direction, not by the filters: DuckDB's top-N skips blocks only
# when it sorts on a column in a literal direction (pk_seq_desc), and the pk_level variants read one confidence
# level by seq instead of the whole confidence order (data.incident_page).
PAGE_KEYS = ("pk_seq_desc", "pk_seq_asc", "pk_conf_desc", "pk_conf_asc", "pk_level_desc", "pk_level_asc")
SCHEMAS = tuple(v.schema for vs in VARIANTS.values() for v in vs) + PAGE_KEYS
_MACRO_OF = {v.schema: macro for macro, vs in VARIANTS.items() for v in vs} | {s: "page_keys" for s in PAGE_KEYS}


def dimensions(params: dict, one_sector_filters=frozenset()) -> frozenset[str]:
    """The dimensions a variant must hold to answer these query parameters (the filters' `sql` names, with the
    actor and sponsor filters as actor_ids): one per filter in use, from its REGISTRY entry."""
    dims = set()
    if params.get("actor_ids") is not None:
        dims.add("actor")
    level = tlp_max(params.get("tlps"), params.get("clearance"))
    if level != "RED":  # the TLP and clearance filters: one level of the summaries, or only the incidents
        dims.add("tlp" if level else "row")
    for entry in REGISTRY:
        if entry.summary in ("date", "actor", "tlp") or entry.sql not in params:
            continue
        value = params[entry.sql]
        if value == entry.to_sql(entry.empty) or (isinstance(value, (list, tuple)) and not value
                                                  and entry.empty == ()):
            continue
        if entry.summary == "sector":
            dims.add("sector" if value in one_sector_filters else "sectors")
        elif entry.summary == "country":
            dims.add("country" if len(value) == 1 else "countries")
        else:
            dims.add(entry.summary or "row")
    return frozenset(dims)


def choose(macro: str, dims: frozenset[str], params: dict) -> str:
    """The schema of the first variant of `macro` that holds every dimension in dims."""
    for v in VARIANTS[macro]:
        if ((v.holds is ANY or dims <= v.holds) and (v.when is None or v.when(params))
                and (not v.needs or v.needs & dims)):
            return v.schema
    raise AssertionError(f"no variant of {macro} answers {sorted(dims)}")  # the last of each holds ANY


def search_path(params: dict, one_sector_filters=frozenset()) -> str:
    """The schemas, in order, whose macros answer a query with these parameters. one_sector_filters: the
    rollup masks of single sectors (the sector table's), under which the summaries are kept too."""
    dims = dimensions(params, one_sector_filters)
    path = [choose(macro, dims, params) for macro in VARIANTS]
    path.append(page_keys(params.get("order_by"), bool(params.get("backward")), params.get("level")))
    return ",".join(path + ["main"])


def needs_incident_spans(params: dict) -> bool:
    """Whether campaign spans may be read from the incidents (mc_scan and cm_scan), in the window that
    queries/campaign_window.sql gives: when a filter that no summary holds is in use."""
    return "row" in dimensions(params)


_CALL = re.compile(r"\b(" + "|".join(list(VARIANTS) + ["page_keys"]) + r")\s*\(")


def answered_by(query_text: str, path: str, variant_text: Callable[[str], str]) -> str:
    """The variants on `path` that a query runs: those of the macros its text calls, and of the macros those
    call, in the order first called (variant_text: a schema's macro text)."""
    by_macro = {_MACRO_OF[s]: s for s in path.split(",") if s in _MACRO_OF}
    taken: list[str] = []
    todo = [m for m in _CALL.findall(query_text)]
    while todo:
        schema = by_macro.get(todo.pop(0))
        if schema and schema not in taken:
            taken.append(schema)
            body = variant_text(schema).split("AS TABLE", 1)[-1]
            todo += _CALL.findall(body)
    return ",".join(taken)


def page_keys(order_by: str | None, backward: bool, level: int | None = None) -> str:
    """The page_keys variant that walks the store in the direction the page is read: the display order of
    order_by ('newest' when None), or its reverse going backward; in confidence order, within one level when
    level is set."""
    if order_by == "confidence":
        if level is not None:
            return "pk_level_asc" if backward else "pk_level_desc"
        return "pk_conf_asc" if backward else "pk_conf_desc"
    return "pk_seq_asc" if (order_by == "oldest") != backward else "pk_seq_desc"


_LAST_MONTH = dt.date(9999, 12, 1)  # the first day of the last month a date can be in here


def date_range(since: dt.date | None, until: dt.date | None) -> dict:
    """The range since..until (None: open) as the summary macros read it, none of it NULL: day_from and day_to,
    its first and last day (0001-01-01 and 9999-12-31 when open), and its whole months, from the first day of
    month_from up to the day before month_to, which come from the monthly summaries. The days from day_from to
    month_from and from month_to to day_to come from the daily ones (queries/end_day.sql). A range with no whole
    month in it has month_from = month_to = day_from: every day of it is an end day."""
    day_from, day_to = since or dt.date.min, until or dt.date.max
    month_from = _month_start(day_from.year * 12 + day_from.month - 1 + (day_from.day > 1))
    after = day_to + dt.timedelta(days=1) if day_to < dt.date.max else None
    month_to = _month_start(after.year * 12 + after.month - 1) if after else _LAST_MONTH
    if not day_from <= month_from <= month_to:
        month_from = month_to = day_from
    return {"day_from": day_from, "day_to": day_to, "month_from": month_from, "month_to": month_to}


def _month_start(index: int) -> dt.date:
    """The first day of month `index` (year * 12 + month - 1), or of the last month when it is later."""
    return dt.date(index // 12, index % 12 + 1, 1) if index < 9999 * 12 + 12 else _LAST_MONTH
