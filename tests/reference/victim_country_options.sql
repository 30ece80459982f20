-- victim_country_options: every victim country with its incident_count (all time), most hit first.
SELECT victim_country, count(*)::BIGINT AS incident_count
FROM incident WHERE victim_country IS NOT NULL
GROUP BY victim_country ORDER BY incident_count DESC, victim_country
