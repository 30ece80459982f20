"""Which variant of each summary macro answers a query, chosen from the filters in use.

The macros that read the summary tables, and the explorer's page_keys, have variants in
queries/plans/<schema>/, each exact for some parameters and cheapest among those that are:

    incident_group     ig_month   no sector, confidence, TLP or text filter: incident_month + incident_day
                       ig_sector  a one-sector filter: incident_month's rows for it + a scan of the end days
                       ig_scan    anything else: every matching incident
    actor_group        ag_month / ag_sector / ag_fine: as above, from actor_month + actor_day, but a country
                       filter goes to ag_fine (regrouped from incident_group)
    country_group      cg_month / cg_sector / cg_fine: as above, from country_month + country_day, but an
                       actor or sponsor filter goes to cg_fine
    mask_group         mg_month (incident_month_mask) unless a country, confidence, TLP or text filter: mg_scan
    heat_cell          hc_node (actor_month per top-level sector) at level 'top' with no or one-sector, no
                       country, confidence, TLP or text filter; hc_country (incident_month per top-level
                       sector) the same with a country filter; hc_mask (mask_group) otherwise
    matching_campaign  mc_all (no filter), mc_actor (actor or sponsor only: campaign, and shared_campaign_part
                       for shared campaigns), mc_part (campaign_part), mc_scan (incidents: confidence, TLP, text)
    campaign_member    cm_whole (campaign and shared_campaign_part, no sector or country filter), cm_part,
                       cm_scan, as matching_campaign
    campaign_change_of cc_sector (no filter, or one sector), cc_country (one victim country, with no filter or
                       one sector besides), cc_actor (actor or sponsor only), cc_span (else)
    page_keys          by the explorer's order and direction (order_by, backward): pk_seq_desc (newest first, or
                       back in oldest first), pk_seq_asc (the other two), pk_conf_desc / pk_conf_asc (confidence),
                       pk_level_desc / pk_level_asc (confidence, within one level: the level parameter is set)

The summary macros (incident_group, actor_group, country_group, mask_group, heat_cell) take a date range as its
first and last day and its whole months (date_range below, which the store works out from a query's since and
until): the whole months come from the monthly summaries, the days at either end from the daily ones or the
incidents. Worked out in SQL instead, those bounds were about a fifth of the overview's planning time. The
variants chosen only when no confidence, TLP or text filter is in use (ig_sector, ag_sector, cg_sector,
hc_node, hc_country, mg_month) read those days through summarised_incident, which binds the five other
filters, not filtered_incident's eight.

Choosing here, rather than in SQL with conditions on the parameters, means DuckDB binds and optimises only
the variant taken, which at 10 million incidents was half of an interaction's time. The store sets each
cursor's search_path to the chosen schemas (names from SCHEMAS only) before it runs a query; the query
text never changes. tests/test_optimised.py checks every variant against the straightforward queries.
"""
from __future__ import annotations

import datetime as dt

# Created in this order, each macro after those it calls (incident_group before actor_group's ag_fine, ...).
SCHEMAS = ("ig_month", "ig_sector", "ig_scan", "ag_month", "ag_sector", "ag_fine", "cg_month", "cg_sector",
           "cg_fine", "mg_month", "mg_scan", "hc_node", "hc_country", "hc_mask", "mc_all", "mc_actor", "mc_part",
           "mc_scan", "cm_whole", "cm_part", "cm_scan", "cc_sector", "cc_country", "cc_actor", "cc_span",
           "pk_seq_desc", "pk_seq_asc", "pk_conf_desc", "pk_conf_asc", "pk_level_desc", "pk_level_asc")


def in_use(params: dict) -> tuple[bool, bool, bool, bool]:
    """(actor, sector, country, other): which kinds of filter the query parameters set. Actor covers
    the sponsor filter (both become actor_ids); other is confidence, TLP or text."""
    # Exactly the values that filtered_incident reads as "any"; anything else goes to the incidents.
    actor = params.get("actor_ids") is not None
    sector = params.get("sector_mask", 0) != 0
    countries, tlps = params.get("countries", []), params.get("tlps", [])
    country = countries is None or len(countries) > 0
    other = (params.get("min_confidence") is not None or tlps is None or len(tlps) > 0
             or params.get("text", "") != "")
    return actor, sector, country, other


def needs_incident_spans(params: dict) -> bool:
    """Whether campaign spans must be read from the incidents (the mc_scan and cm_scan variants), in the
    window that queries/campaign_window.sql gives: confidence, TLP and text are in no summary."""
    return in_use(params)[3]


def search_path(params: dict, one_sector_filters=frozenset()) -> str:
    """The schemas, in order, whose macros answer a query with these parameters. one_sector_filters: the
    rollup masks of single sectors (the sector table's), under which the summaries are kept too."""
    actor, sector, country, other = in_use(params)
    one_sector = sector and params.get("sector_mask") in one_sector_filters
    summarised = not sector or one_sector  # incident_month, actor_month and campaign_change hold it
    countries = params.get("countries")
    one_country = isinstance(countries, (list, tuple)) and len(countries) == 1 and isinstance(countries[0], str)
    path = [
        "ig_scan" if other or not summarised else "ig_sector" if sector else "ig_month",
        "ag_fine" if country or other or not summarised else "ag_sector" if sector else "ag_month",
        "cg_fine" if actor or other or not summarised else "cg_sector" if sector else "cg_month",
        "mg_scan" if country or other else "mg_month",
        "hc_mask" if params.get("level") != "top" or not summarised or other or countries is None
        else "hc_country" if country else "hc_node",
        "mc_scan" if other else "mc_part" if sector or country else "mc_actor" if actor else "mc_all",
        "cm_scan" if other else "cm_part" if sector or country else "cm_whole",
        "cc_span" if other or (sector and not one_sector) or (actor and (sector or country))
        or (country and not one_country)
        else "cc_country" if country else "cc_actor" if actor else "cc_sector",
        page_keys(params.get("order_by"), bool(params.get("backward")), params.get("level")),
    ]
    return ",".join(path + ["main"])


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
