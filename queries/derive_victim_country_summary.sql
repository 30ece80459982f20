-- derive_victim_country_summary: how many incidents hit each victim country (all time).
INSERT INTO victim_country_summary
SELECT victim_country, count(*)
FROM incident
WHERE victim_country IS NOT NULL
GROUP BY victim_country
ORDER BY victim_country
