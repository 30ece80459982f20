-- derive_incident_month_mask: the monthly summary by actor and sector combination, in month order.
INSERT INTO incident_month_mask
WITH cell AS (
    SELECT date_trunc('month', occurred_on)::DATE AS month, actor_id, sector_mask, tlp, count(*) AS incidents
    FROM incident
    GROUP BY ALL
)
SELECT c.month, c.actor_id, c.sector_mask, l.tlp_max, sum(c.incidents)
FROM cell AS c JOIN tlp_level AS l USING (tlp)
GROUP BY ALL
ORDER BY 4, 1  -- a TLP level and a date range read only their blocks
