-- mask_group: the matching incidents from f_since to f_until counted by (month, actor_id, sector_mask), with
-- incidents (how many). Queries that count incidents per sector read this, not incident.
-- As incident_group, with incident_month_mask for the whole months inside the range when only date, actor,
-- sponsor and sector filters are in use; the days at either end, or every day when a country, confidence,
-- TLP or text filter is in use, are counted from incident.
CREATE MACRO mask_group(f_since, f_until, f_actor_ids, f_sector_mask, f_countries,
              f_min_confidence, f_tlps, f_text) AS TABLE
SELECT m.month, m.actor_id, m.sector_mask, m.incidents
FROM incident_month_mask AS m
WHERE NOT (len(f_countries) > 0 OR f_min_confidence IS NOT NULL OR len(f_tlps) > 0 OR f_text <> '')
  AND m.month >= CASE WHEN f_since IS NULL THEN DATE '0001-01-01' WHEN day(f_since) = 1 THEN f_since
                      ELSE (date_trunc('month', f_since) + INTERVAL 1 MONTH)::DATE END
  AND m.month < CASE WHEN f_until IS NULL THEN DATE '9999-12-01' ELSE date_trunc('month', f_until + 1)::DATE END
  AND (f_actor_ids IS NULL OR list_contains(f_actor_ids, m.actor_id))
  AND (f_sector_mask = 0 OR m.sector_mask & f_sector_mask <> 0)
UNION ALL
SELECT date_trunc('month', occurred_on)::DATE, actor_id, sector_mask, count(*)
FROM filtered_incident(f_since, f_until, f_actor_ids, f_sector_mask, f_countries, f_min_confidence, f_tlps, f_text)
WHERE (len(f_countries) > 0 OR f_min_confidence IS NOT NULL OR len(f_tlps) > 0 OR f_text <> '')
   -- the days before the first whole month, and after the last
   OR occurred_on < CASE WHEN f_since IS NULL THEN DATE '0001-01-01' WHEN day(f_since) = 1 THEN f_since
                          ELSE (date_trunc('month', f_since) + INTERVAL 1 MONTH)::DATE END
   OR occurred_on >= CASE WHEN f_until IS NULL THEN DATE '9999-12-01' ELSE date_trunc('month', f_until + 1)::DATE END
GROUP BY ALL
