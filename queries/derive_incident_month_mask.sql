-- derive_incident_month_mask: the monthly summary by actor and sector combination, in month order.
INSERT INTO incident_month_mask
SELECT date_trunc('month', occurred_on)::DATE, actor_id, sector_mask, count(*)
FROM incident
GROUP BY ALL
ORDER BY 1  -- month order: a date range reads only its blocks
