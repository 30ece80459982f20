-- derive_incident_month: the monthly summary of incident (see schema.sql), in month order.
INSERT INTO incident_month
SELECT date_trunc('month', occurred_on)::DATE, actor_id, victim_country, date_precision, count(*), bit_or(sector_mask)
FROM incident
GROUP BY ALL
ORDER BY 1  -- month order: a date range reads only its blocks
