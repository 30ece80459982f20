-- derive_country_day: incident_day by TLP level, day and victim country (the days at either end of a range for
-- country_group).
INSERT INTO country_day
SELECT day, victim_country, tlp_max, sum(incidents)
FROM incident_day
GROUP BY ALL
ORDER BY 3, 1  -- a TLP level and a range of days read only their blocks
