-- derive_actor_day: incident_day by day and actor, with the victim countries as bits (as in actor_month).
INSERT INTO actor_day
SELECT day, actor_id, sum(incidents),
       coalesce(sum(incidents) FILTER (WHERE date_precision = 'month'), 0),
       coalesce(sum(incidents) FILTER (WHERE date_precision = 'year'), 0), bit_or(sector_bits),
       bitstring_agg((ascii(victim_country[1]) - 65) * 26 + ascii(victim_country[2]) - 65, 0, 675)
FROM incident_day
GROUP BY ALL
ORDER BY 1
