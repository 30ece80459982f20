-- derive_country_month: incident_month by sector filter, month and victim country.
INSERT INTO country_month
SELECT sector_filter, month, victim_country, tlp_max, sum(incidents)
FROM incident_month
GROUP BY ALL
ORDER BY 4, 1, 2  -- by TLP level first: every read is of one level
