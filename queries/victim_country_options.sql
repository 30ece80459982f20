-- victim_country_options: every victim country with its incident_count (all time), most hit first.
SELECT victim_country, incidents::BIGINT AS incident_count
FROM victim_country_summary
ORDER BY incident_count DESC, victim_country
