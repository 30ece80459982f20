-- derive_actor_day: incident_day by TLP level, day and actor (the days at either end of a range for actor_group),
-- with how many are dated only to the month or the year, the sectors hit and the victim countries as bits (as in
-- actor_month).
INSERT INTO actor_day
SELECT day, actor_id, tlp_max, sum(incidents),
       coalesce(sum(incidents) FILTER (WHERE date_precision = 'month'), 0),
       coalesce(sum(incidents) FILTER (WHERE date_precision = 'year'), 0), bit_or(sector_bits),
       bitstring_agg((ascii(victim_country[1]) - 65) * 26 + ascii(victim_country[2]) - 65, 0, 675)
FROM incident_day
GROUP BY ALL
ORDER BY 3, 1  -- a TLP level and a range of days read only their blocks
