"""The filters: one declarative entry per filter (REGISTRY), and the immutable value (Filters) that maps to and
from the URL, the command line, the export manifest and the queries' parameters by reading it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Callable, Mapping, Sequence

from . import countries, taxonomy

GRAINS = ("month", "quarter", "year")
TLPS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
ORDERS = ("newest", "oldest", "confidence")  # the explorer's and the export's incident orders
MAX_TEXT = 200
LEVELS = ("top", "detail")
UNKNOWN_SPONSOR = "unknown"
DEFAULT_MONTHS = 12


def _dedupe(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


# -- parsing: each takes the URL's values for one key (repeated parameters, stripped, none empty) and returns
# -- (value, problems); a value it cannot read is left out and named in a problem.

def _parse_date(key: str, values: list[str]):
    if not values:
        return None, []
    try:
        return dt.date.fromisoformat(values[-1]), []
    except ValueError:
        return None, [f"{key}={values[-1]!r} is not a date (YYYY-MM-DD); ignored"]


def _parse_names(key: str, values: list[str]):
    return _dedupe(values), []  # actor names and aliases: resolved against the data by data.resolve_actors


def _parse_each(read, what: str, order=None):
    """A parser of repeated values that reads each with `read` (None: not one; named in a problem as `what`),
    in the order given or, with `order`, sorted by it."""
    def parse(key: str, values: list[str]):
        out, problems = [], []
        for v in values:
            found = read(v)
            if found is None:
                problems.append(f"{key}={v!r} {what}; ignored")
            else:
                out.append(found)
        return _dedupe(sorted(out, key=order) if order else out), problems
    return parse


def _sector(v: str) -> str | None:
    s = taxonomy.SECTOR_BY_NAME.get(v.lower())
    return s.name if s else None


def _sponsor(v: str) -> str | None:
    return UNKNOWN_SPONSOR if v.lower() == UNKNOWN_SPONSOR else countries.to_alpha2(v)


def tlp_marking(v: str) -> str | None:
    """A TLP marking as a link or a person writes it ('amber', 'TLP:RED', TLP 1.0's 'white' = CLEAR)."""
    t = v.strip().upper().removeprefix("TLP:")
    t = "CLEAR" if t == "WHITE" else t
    return t if t in TLPS else None


def _parse_clearance(key: str, values: list[str]):
    if not values:
        return None, []
    t = tlp_marking(values[-1])
    if t is None:
        return None, [f"{key}={values[-1]!r} must be one of {', '.join(TLPS)}; ignored"]
    return t, []


def _parse_confidence(key: str, values: list[str]):
    if not values:
        return None, []
    if values[-1].isdigit() and 0 <= int(values[-1]) <= 100:
        return int(values[-1]) or None, []
    return None, [f"{key}={values[-1]!r} must be a whole number from 0 to 100; ignored"]


def _parse_text(key: str, values: list[str]):
    return " ".join(values[-1:])[:MAX_TEXT], []


def _sector_mask(sectors) -> int:
    mask = 0
    for s in sectors:
        mask |= taxonomy.rollup_mask(s)
    return mask


def _cleared(clearance: str | None) -> list[str] | None:
    """The TLP markings a clearance may read: its own and every one below it."""
    return None if clearance is None else list(TLPS[:TLPS.index(clearance) + 1])


@dataclass(frozen=True)
class Filter:
    """One filter, declared once. Filters (its field), the URL and the sidebar widget (key), the command line
    (cli), the export manifest, the SQL parameter and the filter struct's field (sql), and the plan choice
    (summary: the dimension a summary table must hold to answer it) all read this entry.

    empty: the value meaning "any". to_sql: the value as filtered_incident reads it (sql_type), where
    queries/filtered_incident.sql holds its predicate. summary: a dimension of the summary tables (plans.py:
    'date', 'actor', 'sector', 'country', 'tlp'), or None when only the incident rows hold it, so that a query
    with this filter set counts from the incidents."""

    field: str
    key: str
    label: str
    widget: str  # how the sidebar draws it (app.py): date, actor, sector, country, sponsor, confidence, tlp, text
    cli: str
    help: str
    parse: Callable[[str, list[str]], tuple[object, list[str]]]
    empty: object
    sql: str
    sql_type: str
    to_sql: Callable[[object], object] = lambda v: v
    summary: str | None = None
    multiple: bool = False  # repeatable on the command line and in the URL

    def to_url(self, value) -> list[str]:
        if value == self.empty or value is None:
            return []
        if isinstance(value, tuple):
            return list(value)
        return [value.isoformat() if isinstance(value, dt.date) else str(value)]


REGISTRY: tuple[Filter, ...] = (
    Filter("since", "since", "From", "date", "--since", "first day (YYYY-MM-DD)", _parse_date, None,
           "since", "DATE", summary="date"),
    Filter("until", "until", "To", "date", "--until", "last day (YYYY-MM-DD)", _parse_date, None,
           "until", "DATE", summary="date"),
    Filter("actors", "actor", "Actors", "actor", "--actor", "actor name or any alias (repeatable)", _parse_names,
           (), "actors", "VARCHAR[]", list, summary="actor", multiple=True),
    Filter("sectors", "sector", "Sectors", "sector", "--sector", "sector; includes the sectors below it",
           _parse_each(_sector, "is not a known sector"), (), "sector_mask", "UBIGINT", _sector_mask, summary="sector",
           multiple=True),
    Filter("countries", "country", "Victim countries", "country", "--country", "victim country: name or ISO code",
           _parse_each(countries.to_alpha2, "is not a known country"), (), "countries", "VARCHAR[]", list,
           summary="country", multiple=True),
    Filter("sponsors", "sponsor", "Sponsor states", "sponsor", "--sponsor",
           "sponsor state: name, ISO code or 'unknown'", _parse_each(_sponsor, "is not a known country"), (),
           "sponsors", "VARCHAR[]", list, summary="actor", multiple=True),
    Filter("min_confidence", "confidence", "Minimum confidence", "confidence", "--min-confidence",
           "attribution confidence at least this (0-100)", _parse_confidence, None, "min_confidence", "INTEGER"),
    Filter("tlps", "tlp", "TLP", "tlp", "--tlp", f"TLP marking ({', '.join(TLPS)}; repeatable)",
           _parse_each(tlp_marking, f"must be one of {', '.join(TLPS)}", order=TLPS.index), (),
           "tlps", "VARCHAR[]", list, summary="tlp", multiple=True),
    Filter("clearance", "clearance", "Cleared to", "clearance", "--clearance",
           "read as a reader cleared to this TLP: only incidents marked at most it", _parse_clearance,
           None, "clearance", "VARCHAR[]", _cleared, summary="tlp"),
    Filter("text", "q", "Title or summary contains", "text", "--text", "in title or summary (case-insensitive)",
           _parse_text, "", "text", "VARCHAR", str.strip),
)
BY_SQL = {f.sql: f for f in REGISTRY}


@dataclass(frozen=True)
class Filters:
    """What the user selected, one field per REGISTRY entry. Empty tuples mean "any"; since/until None mean
    "from the start/to the end"."""

    since: dt.date | None = None
    until: dt.date | None = None
    actors: tuple[str, ...] = ()     # canonical actor names
    sectors: tuple[str, ...] = ()    # taxonomy names; each includes the sectors below it
    countries: tuple[str, ...] = ()  # victim countries, ISO alpha-2
    sponsors: tuple[str, ...] = ()   # sponsor states, ISO alpha-2 or "unknown"
    min_confidence: int | None = None  # attribution confidence at least this (0-100)
    tlps: tuple[str, ...] = ()       # TLP markings
    clearance: str | None = None     # TLP markings up to this one (a reader's clearance)
    text: str = ""                   # in title or summary, case-insensitive

    URL_KEYS = {f.field: f.key for f in REGISTRY}

    @classmethod
    def from_query(cls, query: Mapping[str, Sequence[str] | str]) -> tuple["Filters", list[str]]:
        """Parse URL parameters; return the filters and a list of problems for values it ignored."""
        problems: list[str] = []
        values = {}
        for entry in REGISTRY:
            raw = query.get(entry.key, [])
            raw = [raw] if isinstance(raw, str) else list(raw)
            values[entry.field], found = entry.parse(entry.key, [v.strip() for v in raw if v.strip()])
            problems += found
        since, until = values["since"], values["until"]
        if since and until and since > until:
            problems.append(f"since={since} is after until={until}; swapped")
            values["since"], values["until"] = until, since
        return cls(**values), problems

    def to_query(self) -> dict[str, list[str]]:
        """URL parameters for these filters (empty filters are left out)."""
        q = {entry.key: entry.to_url(getattr(self, entry.field)) for entry in REGISTRY}
        return {k: v for k, v in q.items() if v}

    def params(self) -> dict:
        """The filters as the queries' $parameters (each entry's sql name): the store builds the filter struct
        that every macro reads from them (store.filter_struct)."""
        return {entry.sql: entry.to_sql(getattr(self, entry.field)) for entry in REGISTRY}

    def describe(self) -> dict:
        """The filters as plain JSON values, by field (the export manifest)."""
        return {e.field: (lambda v: v.isoformat() if isinstance(v, dt.date) else list(v) if isinstance(v, tuple)
                          else v)(getattr(self, e.field)) for e in REGISTRY}

    def previous_period(self) -> "Filters":
        """The same filters over the period of equal length that ends the day before `since`: as many whole months
        when the period is whole months (Jan-Jun 2023: Jul-Dec 2022), else as many days."""
        if not (self.since and self.until):
            raise ValueError("the previous period needs both since and until")
        if self.since.day == 1 and (self.until + dt.timedelta(days=1)).day == 1:
            months = (self.until.year - self.since.year) * 12 + self.until.month - self.since.month + 1
            start = self.since.year * 12 + self.since.month - 1 - months
            return replace(self, since=dt.date(start // 12, start % 12 + 1, 1),
                           until=self.since - dt.timedelta(days=1))
        days = (self.until - self.since).days + 1
        return replace(self, since=self.since - dt.timedelta(days=days),
                       until=self.since - dt.timedelta(days=1))

    def year_earlier(self) -> "Filters":
        """The same filters over the same days a year earlier (29 February: the 28th)."""
        if not (self.since and self.until):
            raise ValueError("the year before needs both since and until")

        def back(day: dt.date) -> dt.date:
            return day.replace(year=day.year - 1, day=min(day.day, 28) if day.month == 2 else day.day)
        return replace(self, since=back(self.since), until=back(self.until))

    def compared(self, compare: str) -> "Filters":
        """The period the overview compares with (View.compare): the one before, or the same a year earlier."""
        return self.year_earlier() if compare == "year" else self.previous_period()

    def with_(self, **changes) -> "Filters":
        return replace(self, **changes)


def tlp_max(tlps, clearance) -> str | None:
    """The summaries' TLP level (queries/schema.sql, tlp_level) that answers a TLP filter and a clearance together,
    given as their SQL parameters (tlps: the markings selected, [] any; clearance: those cleared, None any): the
    highest marking they allow when they allow exactly the markings up to it ('RED' when they allow every one);
    None when they allow some other set, which only the incidents answer."""
    allowed = set(tlps or TLPS) & set(TLPS if clearance is None else clearance)
    top = max((TLPS.index(t) for t in allowed), default=-1)
    return TLPS[top] if allowed and allowed == set(TLPS[:top + 1]) else None


def sql_struct_type() -> str:
    """The filter struct every macro takes (CREATE TYPE filters in the store's catalog): the date range as the
    summaries read it, the campaign window, then one field per REGISTRY entry that the store passes."""
    fields = ["since DATE", "until DATE", "day_from DATE", "day_to DATE", "month_from DATE", "month_to DATE",
              "window_since DATE", "window_until DATE", "actor_ids INTEGER[]", "tlp_max UTINYINT"]
    fields += [f"{e.sql} {e.sql_type}" for e in REGISTRY
               if e.sql not in ("since", "until", "actors", "sponsors")]  # actors and sponsors become actor_ids
    return f"STRUCT({', '.join(fields)})"


@dataclass(frozen=True)
class View:
    """How the overview draws the filtered data: time grain, sector level and how many actors."""

    grain: str = "month"
    level: str = "top"
    top: int = 8
    compare: str = "previous"  # what the KPIs compare with: the period before, or the same period a year earlier

    URL_KEYS = ("grain", "level", "top", "compare")
    TOP_CHOICES = (5, 8, 10, 15, 20)
    COMPARES = ("previous", "year")

    @classmethod
    def from_query(cls, query: Mapping[str, Sequence[str] | str]) -> tuple["View", list[str]]:
        problems: list[str] = []

        def last(key: str) -> str | None:
            raw = query.get(key)
            if raw is None:
                return None
            raw = [raw] if isinstance(raw, str) else list(raw)
            return raw[-1].strip().lower() if raw else None

        view = cls()
        grain, level, top, compare = last("grain"), last("level"), last("top"), last("compare")
        if grain is not None:
            if grain in GRAINS:
                view = replace(view, grain=grain)
            else:
                problems.append(f"grain={grain!r} must be one of {', '.join(GRAINS)}; ignored")
        if level is not None:
            if level in LEVELS:
                view = replace(view, level=level)
            else:
                problems.append(f"level={level!r} must be one of {', '.join(LEVELS)}; ignored")
        if top is not None:
            if top.isdigit() and int(top) in cls.TOP_CHOICES:
                view = replace(view, top=int(top))
            else:
                problems.append(f"top={top!r} must be one of {cls.TOP_CHOICES}; ignored")
        if compare is not None:
            if compare in cls.COMPARES:
                view = replace(view, compare=compare)
            else:
                problems.append(f"compare={compare!r} must be one of {', '.join(cls.COMPARES)}; ignored")
        return view, problems

    def to_query(self) -> dict[str, list[str]]:
        defaults = View()
        return {k: [str(getattr(self, k))] for k in self.URL_KEYS if getattr(self, k) != getattr(defaults, k)}


def period_bounds(start: dt.date, grain: str) -> tuple[dt.date, dt.date]:
    """First and last day of the month, quarter or year that starts on `start`."""
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    m = start.year * 12 + start.month - 1 + months
    return start, dt.date(m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)


def drill_down(f: Filters, point: Mapping, *, chart: str, grain: str = "month") -> Filters | None:
    """The explorer's filters for a clicked chart point: a heatmap cell (actor, sector), a map's country or a
    time-series point (actor, period). None when the point carries nothing to drill into."""
    custom = point.get("customdata")
    if chart == "heatmap" and isinstance(custom, (list, tuple)) and len(custom) == 2:
        return f.with_(actors=(str(custom[0]),), sectors=(str(custom[1]),))
    if chart == "map" and isinstance(custom, (list, tuple)) and custom and custom[0]:
        return f.with_(countries=(str(custom[0]),))
    if chart == "timeseries" and point.get("x"):
        start, end = period_bounds(dt.date.fromisoformat(str(point["x"])[:10]), grain)
        since, until = max(start, f.since or start), min(end, f.until or end)
        actor = custom[0] if isinstance(custom, (list, tuple)) else custom
        actors = f.actors if actor in (None, "Other actors") else (str(actor),)
        return f.with_(since=since, until=until, actors=actors)
    return None


def default_filters(first_day: dt.date, last_day: dt.date, today: dt.date | None = None) -> Filters:
    """No filters over the last DEFAULT_MONTHS complete months of data, to the end of its last month: what the
    overview shows a new visitor. The month holding today is not over, so it is left out (a series that ends in it
    would end in a cliff); when the data holds nothing before this month, the window is all of it."""
    today = today or dt.date.today()
    until = period_bounds(last_day.replace(day=1), "month")[1]  # whole months: the data's last, to its end
    if (until.year, until.month) >= (today.year, today.month):
        until = dt.date(today.year, today.month, 1) - dt.timedelta(days=1)  # the end of the last complete month
        if until < first_day:
            return Filters(since=first_day, until=last_day)
    month = until.year * 12 + until.month - 1 - (DEFAULT_MONTHS - 1)
    since = dt.date(month // 12, month % 12 + 1, 1)
    return Filters(since=max(first_day, since), until=until)


def period_words(since: dt.date, until: dt.date, *, short: bool = False) -> str:
    """A period as a reader says it: whole months as months ('Dec 2025 to Nov 2026', 'Mar 2026'), else days
    ('03 Jan 2026 to 17 Feb 2026'). short: as a label beside a number says it ('Jan–Dec 2025', 'Dec 2025–Nov 2026',
    '03 Jan–17 Feb 2026')."""
    whole = since.day == 1 and (until + dt.timedelta(days=1)).day == 1
    if whole and (since.year, since.month) == (until.year, until.month):
        return f"{since:%b %Y}"
    if not short:
        return f"{since:%b %Y} to {until:%b %Y}" if whole else f"{since:%d %b %Y} to {until:%d %b %Y}"
    first, last = ("%b", "%b %Y") if whole else ("%d %b", "%d %b %Y")
    if since.year != until.year:
        first = last
    return f"{since.strftime(first)}–{until.strftime(last)}"


def unfinished_period(until: dt.date | None, grain: str, today: dt.date | None = None) -> dt.date | None:
    """The start of the month, quarter or year that holds `until` when it is not over yet (it holds today or is
    later): the charts label it "to date", as its count is not final. None when every period shown is over."""
    if until is None:
        return None
    today = today or dt.date.today()
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    start = dt.date(until.year, (until.month - 1) // months * months + 1, 1)
    return start if period_bounds(start, grain)[1] >= today else None
