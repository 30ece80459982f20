-- derive_incident_month: the monthly summary of incident (see schema.sql) for every incident (sector_filter 0)
-- and for each one-sector filter, in (sector_filter, month) order. Incidents are counted by sector combination
-- first, so that only those groups, not every incident, are joined to the filters they match.
INSERT INTO incident_month
WITH cell AS (
    SELECT date_trunc('month', occurred_on)::DATE AS month, actor_id, victim_country, date_precision, tlp, sector_mask,
           count(*) AS incidents
    FROM incident
    GROUP BY ALL
),
level AS (
    SELECT c.month, c.actor_id, c.victim_country, c.date_precision, l.tlp_max, c.sector_mask, sum(c.incidents) AS incidents
    FROM cell AS c JOIN tlp_level AS l USING (tlp)
    GROUP BY ALL
)
SELECT 0::UBIGINT AS sector_filter, month, actor_id, victim_country, date_precision, tlp_max, sum(incidents),
       bit_or(sector_mask)
FROM level
GROUP BY ALL
UNION ALL
SELECT f.sector_filter, c.month, c.actor_id, c.victim_country, c.date_precision, c.tlp_max, sum(c.incidents),
       bit_or(c.sector_mask)
FROM level AS c JOIN sector_mask_filter AS f USING (sector_mask)
GROUP BY ALL
ORDER BY 6, 1, 2  -- a TLP level, a sector filter and a date range read only their blocks
