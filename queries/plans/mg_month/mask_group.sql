-- mask_group (threatscape/plans.py) when only date, actor, sponsor and sector filters are in use:
-- the whole months inside the range come from incident_month_mask, and only the days at either end are
-- counted from incident.
CREATE MACRO mg_month.mask_group(f_since, f_until, f_month_from, f_month_to, f_actor_ids, f_sector_mask,
                                 f_countries, f_min_confidence, f_tlps, f_text) AS TABLE
SELECT m.month, m.actor_id, m.sector_mask, m.incidents
FROM incident_month_mask AS m
WHERE m.month >= f_month_from
  AND m.month < f_month_to
  AND (f_actor_ids IS NULL OR list_contains(f_actor_ids, m.actor_id))
  AND (f_sector_mask = 0 OR m.sector_mask & f_sector_mask <> 0)
UNION ALL
SELECT date_trunc('month', occurred_on)::DATE, actor_id, sector_mask, count(*)
FROM summarised_incident(f_since, f_until, f_actor_ids, f_sector_mask, f_countries)
WHERE end_day(occurred_on, f_since, f_until, f_month_from, f_month_to)
GROUP BY ALL
