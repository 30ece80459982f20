-- derive_actor_day: incidents by TLP level, day and actor (the days at either end of a range for actor_group), with
-- how many are dated only to the month or the year, the sectors hit and the victim countries as bits (as in
-- actor_month).
INSERT INTO actor_day
WITH cell AS (
    SELECT occurred_on AS day, actor_id, tlp, date_precision, victim_country, bit_or(sector_mask) AS sector_bits,
           count(*) AS incidents
    FROM incident
    GROUP BY ALL
)
SELECT c.day, c.actor_id, l.tlp_max, sum(c.incidents),
       coalesce(sum(c.incidents) FILTER (WHERE c.date_precision = 'month'), 0),
       coalesce(sum(c.incidents) FILTER (WHERE c.date_precision = 'year'), 0), bit_or(c.sector_bits),
       bitstring_agg((ascii(c.victim_country[1]) - 65) * 26 + ascii(c.victim_country[2]) - 65, 0, 675)
FROM cell AS c JOIN tlp_level AS l USING (tlp)
GROUP BY ALL
ORDER BY 3, 1  -- a TLP level and a range of days read only their blocks
