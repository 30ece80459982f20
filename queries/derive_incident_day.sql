-- derive_incident_day: incidents by TLP level, day, actor, victim country and date precision, with every sector they
-- hit: the days at either end of a range for incident_group (ig_month).
INSERT INTO incident_day
WITH cell AS (
    SELECT occurred_on, actor_id, victim_country, date_precision, tlp, count(*) AS incidents,
           bit_or(sector_mask) AS sector_bits
    FROM incident
    GROUP BY ALL
)
SELECT c.occurred_on, c.actor_id, c.victim_country, c.date_precision, l.tlp_max, sum(c.incidents), bit_or(c.sector_bits)
FROM cell AS c JOIN tlp_level AS l USING (tlp)
GROUP BY ALL
ORDER BY 5, 1  -- a TLP level and a range of days read only their blocks
