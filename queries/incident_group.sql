-- incident_group: the matching incidents from f_since to f_until counted in groups: (month, actor_id,
-- victim_country, date_precision) with incidents (how many) and sector_bits (every sector any of them hit).
-- Queries that only count incidents by month, actor, sponsor, country or precision read this, not incident.
-- When only date, actor, sponsor and country filters are in use, the whole months inside the range come
-- from incident_month and only the days at either end (before the first whole month, after the last) are
-- counted from incident; any other filter (sector, confidence, TLP, text) counts every day from incident.
-- The conditions on filter values are on constants: the planner drops the branch not taken and reads only
-- the blocks of incident that hold the end days.
CREATE MACRO incident_group(f_since, f_until, f_actor_ids, f_sector_mask, f_countries,
              f_min_confidence, f_tlps, f_text) AS TABLE
SELECT m.month, m.actor_id, m.victim_country, m.date_precision, m.incidents, m.sector_bits
FROM incident_month AS m
WHERE NOT (f_sector_mask <> 0 OR f_min_confidence IS NOT NULL OR len(f_tlps) > 0 OR f_text <> '')
  AND m.month >= CASE WHEN f_since IS NULL THEN DATE '0001-01-01' WHEN day(f_since) = 1 THEN f_since
                      ELSE (date_trunc('month', f_since) + INTERVAL 1 MONTH)::DATE END
  AND m.month < CASE WHEN f_until IS NULL THEN DATE '9999-12-01' ELSE date_trunc('month', f_until + 1)::DATE END
  AND (f_actor_ids IS NULL OR list_contains(f_actor_ids, m.actor_id))
  AND (len(f_countries) = 0 OR list_contains(f_countries, m.victim_country))
UNION ALL
SELECT date_trunc('month', occurred_on)::DATE, actor_id, victim_country, date_precision, count(*), bit_or(sector_mask)
FROM filtered_incident(f_since, f_until, f_actor_ids, f_sector_mask, f_countries, f_min_confidence, f_tlps, f_text)
WHERE (f_sector_mask <> 0 OR f_min_confidence IS NOT NULL OR len(f_tlps) > 0 OR f_text <> '')
   -- the days before the first whole month, and after the last
   OR occurred_on < CASE WHEN f_since IS NULL THEN DATE '0001-01-01' WHEN day(f_since) = 1 THEN f_since
                          ELSE (date_trunc('month', f_since) + INTERVAL 1 MONTH)::DATE END
   OR occurred_on >= CASE WHEN f_until IS NULL THEN DATE '9999-12-01' ELSE date_trunc('month', f_until + 1)::DATE END
GROUP BY ALL
