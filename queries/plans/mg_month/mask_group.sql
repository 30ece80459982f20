-- mask_group: the matching incidents in the filters' range counted by (month, actor_id, sector_mask).
-- This variant, the summaries (threatscape/plans.py: date, actor, any sectors, TLP level): the whole months from
-- incident_month_mask, the days at either end counted from incident.
CREATE MACRO mg_month.mask_group(f) AS TABLE
SELECT m.month, m.actor_id, m.sector_mask, m.incidents
FROM incident_month_mask AS m
WHERE m.month >= f['month_from']
  AND m.month < f['month_to']
  AND m.tlp_max = f['tlp_max']
  AND match_actor(f, m.actor_id)
  AND match_sector(f, m.sector_mask)
UNION ALL
SELECT date_trunc('month', occurred_on)::DATE, actor_id, sector_mask, count(*)
FROM filtered_incident(f)
WHERE end_day(occurred_on, f)
GROUP BY ALL
