-- derive_country_day: incident_day by day and victim country.
INSERT INTO country_day
SELECT day, victim_country, sum(incidents)
FROM incident_day
GROUP BY ALL
ORDER BY 1
