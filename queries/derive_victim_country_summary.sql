-- derive_victim_country_summary: how many incidents hit each victim country (all time), per TLP level.
INSERT INTO victim_country_summary
WITH cell AS (
    SELECT victim_country, tlp, count(*) AS incidents
    FROM incident
    WHERE victim_country IS NOT NULL
    GROUP BY ALL
)
SELECT l.tlp_max, c.victim_country, sum(c.incidents)
FROM cell AS c JOIN tlp_level AS l USING (tlp)
GROUP BY ALL
ORDER BY 1, 2
