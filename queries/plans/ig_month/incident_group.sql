-- incident_group (see ig_sector) with no sector filter (threatscape/plans.py: date, actor, countries, TLP level):
-- the whole months from incident_month, the days at either end from incident_day.
CREATE MACRO ig_month.incident_group(f) AS TABLE
SELECT m.month, m.actor_id, m.victim_country, m.date_precision, m.incidents, m.sector_bits
FROM incident_month AS m
WHERE m.sector_filter = 0
  AND m.month >= f['month_from']
  AND m.month < f['month_to']
  AND m.tlp_max = f['tlp_max']
  AND match_actor(f, m.actor_id)
  AND match_country(f, m.victim_country)
UNION ALL
SELECT date_trunc('month', d.day)::DATE, d.actor_id, d.victim_country, d.date_precision, sum(d.incidents),
       bit_or(d.sector_bits)
FROM incident_day AS d
WHERE end_day(d.day, f)
  AND d.tlp_max = f['tlp_max']
  AND match_actor(f, d.actor_id)
  AND match_country(f, d.victim_country)
GROUP BY ALL
