"""A tiny hand-made incident database whose answers are worked out by hand in the tests."""
from __future__ import annotations

import datetime as dt

from threatscape import build, taxonomy
from threatscape.actors import alias_key

ACTORS = [
    # actor_id, name, sponsor, aliases
    (1, "Kimsuky", "KP", ["Thallium", "APT43", "Emerald Sleet"]),
    (2, "Gamaredon Group", "RU", ["Shuckworm", "Shared Name", "MuddyWater"]),  # a vendor's confusion
    (3, "MuddyWater", "IR", ["Seedworm", "Shared Name"]),
    (4, "Unknown Crew", None, []),
]

D = dt.date
INCIDENTS = [
    # id, occurred_on, precision, actor_id, as reported, sectors, country, campaign
    # [, title, summary, confidence, tlp, source_url] (defaults: "Incident <id>", NULL, 80, GREEN, NULL)
    ("i01", D(2023, 1, 10), "day", 1, "Kimsuky", ["software", "energy"], "KR", "C-Alpha"),
    ("i02", D(2023, 1, 20), "day", 1, "Thallium", ["oil and gas"], "KR", "C-Alpha"),
    ("i03", D(2023, 2, 15), "day", 1, "APT43", ["government"], "KR", "C-Beta"),
    ("i04", D(2023, 3, 1), "month", 1, "Kimsuky", ["government", "diplomacy"], "US", None),
    ("i05", D(2023, 2, 5), "day", 2, "Gamaredon Group", ["government"], "UA", "C-Gamma"),
    ("i06", D(2023, 4, 20), "day", 2, "Shuckworm", ["energy", "electric power"], "UA", "C-Gamma"),
    ("i07", D(2023, 1, 1), "year", 3, "MuddyWater", ["oil and gas", "software", "government"], "KR", None),
    ("i08", D(2023, 5, 5), "day", 3, "Seedworm", ["telecommunications"], "TR", "C-Delta"),
    ("i09", D(2022, 12, 20), "day", 4, "Unknown Crew", ["finance"], "US", None),
    ("i10", D(2022, 11, 11), "day", 1, "Kimsuky", ["software"], "JP", "C-Alpha"),
]


def write_fixture(path, *, incidents=INCIDENTS, kind: str = "sources") -> str:
    """Write the fixture database to `path`; return its content version."""
    with build.new_database(path) as con:
        for actor_id, name, sponsor, aliases in ACTORS:
            con.execute("INSERT INTO actor VALUES ($id, $name, $sponsor, NULL, NULL, TRUE)",
                        {"id": actor_id, "name": name, "sponsor": sponsor})
            for alias in [name] + aliases:
                con.execute("INSERT INTO actor_alias VALUES ($id, $alias, $key, 'fixture')",
                            {"id": actor_id, "alias": alias, "key": alias_key(alias)})
        for iid, day, precision, actor_id, reported, sectors, country, campaign, *more in incidents:
            extra = dict(zip(["title", "summary", "confidence", "tlp", "source_url"], more))
            con.execute(
                "INSERT INTO incident VALUES ($id, $day, $precision, $actor_id, $reported, $mask, $country, "
                "$campaign, $title, $summary, $confidence, $tlp, 'fixture', $url, NULL, $reported, NULL)",
                {"id": iid, "day": day, "precision": precision, "actor_id": actor_id, "reported": reported,
                 "mask": taxonomy.mask_of(sectors), "country": country, "campaign": campaign,
                 "title": extra.get("title", f"Incident {iid}"), "summary": extra.get("summary"),
                 "confidence": extra.get("confidence", 80), "tlp": extra.get("tlp", "GREEN"),
                 "url": extra.get("source_url")})
        return build.finish(con, kind=kind, description="Hand-made test fixture", alias_map_version="fixture")
