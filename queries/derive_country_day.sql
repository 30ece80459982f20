-- derive_country_day: incidents by TLP level, day and victim country (the days at either end of a range for
-- country_group).
INSERT INTO country_day
WITH cell AS (
    SELECT occurred_on AS day, victim_country, tlp, count(*) AS incidents
    FROM incident
    GROUP BY ALL
)
SELECT c.day, c.victim_country, l.tlp_max, sum(c.incidents)
FROM cell AS c JOIN tlp_level AS l USING (tlp)
GROUP BY ALL
ORDER BY 3, 1  -- a TLP level and a range of days read only their blocks
