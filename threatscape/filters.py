"""The shared filter set: one immutable value that maps to and from the URL and to query parameters."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from . import countries, taxonomy

GRAINS = ("month", "quarter", "year")
TLPS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
ORDERS = ("newest", "oldest", "confidence")  # the explorer's and the export's incident orders
MAX_TEXT = 200
LEVELS = ("top", "detail")
UNKNOWN_SPONSOR = "unknown"
DEFAULT_MONTHS = 12


class FilterError(ValueError):
    """A URL value that cannot be a filter; the message names the parameter and the value."""


def _dedupe(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


@dataclass(frozen=True)
class Filters:
    """What the user selected. Empty tuples mean "any"; since/until None mean "from the start/to the end"."""

    since: dt.date | None = None
    until: dt.date | None = None
    actors: tuple[str, ...] = ()     # canonical actor names
    sectors: tuple[str, ...] = ()    # taxonomy names; each includes the sectors below it
    countries: tuple[str, ...] = ()  # victim countries, ISO alpha-2
    sponsors: tuple[str, ...] = ()   # sponsor states, ISO alpha-2 or "unknown"
    min_confidence: int | None = None  # attribution confidence at least this (0-100)
    tlps: tuple[str, ...] = ()       # TLP markings
    text: str = ""                   # in title or summary, case-insensitive

    # URL parameter for each field; the sidebar widgets use the same names as keys.
    URL_KEYS = {"since": "since", "until": "until", "actors": "actor", "sectors": "sector",
                "countries": "country", "sponsors": "sponsor", "min_confidence": "confidence",
                "tlps": "tlp", "text": "q"}

    @classmethod
    def from_query(cls, query: Mapping[str, Sequence[str] | str]) -> tuple["Filters", list[str]]:
        """Parse URL parameters; return the filters and a list of problems for values it ignored."""
        problems: list[str] = []

        def values(key: str) -> list[str]:
            raw = query.get(key, [])
            raw = [raw] if isinstance(raw, str) else list(raw)
            return [v.strip() for v in raw if v.strip()]  # repeated parameters; names may hold commas

        def date(key: str) -> dt.date | None:
            vals = values(key)
            if not vals:
                return None
            try:
                return dt.date.fromisoformat(vals[-1])
            except ValueError:
                problems.append(f"{key}={vals[-1]!r} is not a date (YYYY-MM-DD); ignored")
                return None

        sectors = []
        for v in values("sector"):
            s = taxonomy.SECTOR_BY_NAME.get(v.lower())
            if s is None:
                problems.append(f"sector={v!r} is not a known sector; ignored")
            else:
                sectors.append(s.name)
        country_codes = []
        for v in values("country"):
            code = countries.to_alpha2(v)
            if code is None:
                problems.append(f"country={v!r} is not a known country; ignored")
            else:
                country_codes.append(code)
        sponsor_codes = []
        for v in values("sponsor"):
            code = UNKNOWN_SPONSOR if v.lower() == UNKNOWN_SPONSOR else countries.to_alpha2(v)
            if code is None:
                problems.append(f"sponsor={v!r} is not a known country; ignored")
            else:
                sponsor_codes.append(code)
        min_confidence = None
        conf = values("confidence")
        if conf:
            if conf[-1].isdigit() and 0 <= int(conf[-1]) <= 100:
                min_confidence = int(conf[-1]) or None
            else:
                problems.append(f"confidence={conf[-1]!r} must be a whole number from 0 to 100; ignored")
        tlps = []
        for v in values("tlp"):
            t = v.upper().removeprefix("TLP:")
            t = "CLEAR" if t == "WHITE" else t  # TLP 1.0's WHITE is 2.0's CLEAR
            if t in TLPS:
                tlps.append(t)
            else:
                problems.append(f"tlp={v!r} must be one of {', '.join(TLPS)}; ignored")
        text = " ".join(values("q")[-1:])[:MAX_TEXT]
        since, until = date("since"), date("until")
        if since and until and since > until:
            problems.append(f"since={since} is after until={until}; swapped")
            since, until = until, since
        return cls(since=since, until=until, actors=_dedupe(values("actor")), sectors=_dedupe(sectors),
                   countries=_dedupe(country_codes), sponsors=_dedupe(sponsor_codes),
                   min_confidence=min_confidence, tlps=_dedupe(sorted(tlps, key=TLPS.index)), text=text), problems

    def to_query(self) -> dict[str, list[str]]:
        """URL parameters for these filters (empty filters are left out)."""
        q: dict[str, list[str]] = {}
        if self.since:
            q["since"] = [self.since.isoformat()]
        if self.until:
            q["until"] = [self.until.isoformat()]
        for attr in ("actors", "sectors", "countries", "sponsors"):
            if getattr(self, attr):
                q[self.URL_KEYS[attr]] = list(getattr(self, attr))
        if self.min_confidence:
            q["confidence"] = [str(self.min_confidence)]
        if self.tlps:
            q["tlp"] = list(self.tlps)
        if self.text:
            q["q"] = [self.text]
        return q

    def params(self) -> dict:
        """The $parameters of filtered_incident that every query passes on."""
        mask = 0
        for s in self.sectors:
            mask |= taxonomy.rollup_mask(s)
        return {"since": self.since, "until": self.until, "actors": list(self.actors),
                "sector_mask": mask, "countries": list(self.countries), "sponsors": list(self.sponsors),
                "min_confidence": self.min_confidence, "tlps": list(self.tlps), "text": self.text.strip()}

    def previous_period(self) -> "Filters":
        """The same filters over the period of equal length that ends the day before `since`."""
        if not (self.since and self.until):
            raise ValueError("the previous period needs both since and until")
        days = (self.until - self.since).days + 1
        return replace(self, since=self.since - dt.timedelta(days=days),
                       until=self.since - dt.timedelta(days=1))

    def with_(self, **changes) -> "Filters":
        return replace(self, **changes)


@dataclass(frozen=True)
class View:
    """How the overview draws the filtered data: time grain, sector level and how many actors."""

    grain: str = "month"
    level: str = "top"
    top: int = 8

    URL_KEYS = ("grain", "level", "top")
    TOP_CHOICES = (5, 8, 10, 15, 20)

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
        grain, level, top = last("grain"), last("level"), last("top")
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
        return view, problems

    def to_query(self) -> dict[str, list[str]]:
        defaults = View()
        return {k: [str(getattr(self, k))] for k in self.URL_KEYS if getattr(self, k) != getattr(defaults, k)}

    def params(self) -> dict:
        return {"grain": self.grain, "level": self.level, "top_n": self.top}


def period_bounds(start: dt.date, grain: str) -> tuple[dt.date, dt.date]:
    """First and last day of the month, quarter or year that starts on `start`."""
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    m = start.year * 12 + start.month - 1 + months
    return start, dt.date(m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)


def drill_down(f: Filters, point: Mapping, *, chart: str, grain: str = "month") -> Filters | None:
    """The explorer's filters for a clicked chart point: a heatmap cell (actor, sector) or a time-series
    point (actor, period). None when the point carries nothing to drill into."""
    custom = point.get("customdata")
    if chart == "heatmap" and isinstance(custom, (list, tuple)) and len(custom) == 2:
        return f.with_(actors=(str(custom[0]),), sectors=(str(custom[1]),))
    if chart == "timeseries" and point.get("x"):
        start, end = period_bounds(dt.date.fromisoformat(str(point["x"])[:10]), grain)
        since, until = max(start, f.since or start), min(end, f.until or end)
        actor = custom[0] if isinstance(custom, (list, tuple)) else custom
        actors = f.actors if actor in (None, "Other actors") else (str(actor),)
        return f.with_(since=since, until=until, actors=actors)
    return None


def default_filters(first_day: dt.date, last_day: dt.date) -> Filters:
    """No filters over the last DEFAULT_MONTHS whole months of data (the current month included): what the
    overview shows a new visitor."""
    month = last_day.year * 12 + last_day.month - 1 - (DEFAULT_MONTHS - 1)
    since = dt.date(month // 12, month % 12 + 1, 1)
    return Filters(since=max(first_day, since), until=last_day)
