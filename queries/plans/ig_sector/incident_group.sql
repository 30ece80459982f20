-- incident_group: the matching incidents in the filters' range counted in groups: (month, actor_id, victim_country,
-- date_precision) with incidents (how many) and sector_bits (every sector any of them hit). The range is
-- f.day_from..f.day_to, and its whole months f.month_from..f.month_to (before the second): none of them NULL
-- (plans.date_range).
-- This variant, the summaries (threatscape/plans.py: date, actor, country, one sector, TLP level): the whole
-- months from incident_month's rows for the sector filter (0: every incident) and TLP level, the days at either
-- end counted from incident in one scan that skips other blocks.
CREATE MACRO ig_sector.incident_group(f) AS TABLE
SELECT m.month, m.actor_id, m.victim_country, m.date_precision, m.incidents, m.sector_bits
FROM incident_month AS m
WHERE m.sector_filter = f['sector_mask']
  AND m.month >= f['month_from']
  AND m.month < f['month_to']
  AND m.tlp_max = f['tlp_max']
  AND match_actor(f, m.actor_id)
  AND match_country(f, m.victim_country)
UNION ALL
SELECT date_trunc('month', occurred_on)::DATE, actor_id, victim_country, date_precision, count(*), bit_or(sector_mask)
FROM filtered_incident(f)
WHERE end_day(occurred_on, f)
GROUP BY ALL
