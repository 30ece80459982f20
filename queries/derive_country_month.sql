-- derive_country_month: incident_month by sector filter, month and victim country.
INSERT INTO country_month
SELECT sector_filter, month, victim_country, sum(incidents)
FROM incident_month
GROUP BY ALL
ORDER BY 1, 2
