-- derive_actor_month: incident_month by sector filter, month and actor, with the victim countries as bits.
INSERT INTO actor_month
SELECT sector_filter, month, actor_id, tlp_max, sum(incidents),
       coalesce(sum(incidents) FILTER (WHERE date_precision = 'month'), 0),
       coalesce(sum(incidents) FILTER (WHERE date_precision = 'year'), 0), bit_or(sector_bits),
       bitstring_agg((ascii(victim_country[1]) - 65) * 26 + ascii(victim_country[2]) - 65, 0, 675)
FROM incident_month
GROUP BY ALL
ORDER BY 4, 1, 2  -- by TLP level first: every read is of one level
