-- derive_incident_day: the daily summary of incident (see schema.sql), in day order.
INSERT INTO incident_day
SELECT occurred_on, actor_id, victim_country, date_precision, count(*), bit_or(sector_mask)
FROM incident
GROUP BY ALL
ORDER BY 1  -- a range of days reads only its blocks
