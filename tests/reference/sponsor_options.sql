-- sponsor_options: every sponsor state ('unknown' when none is known) with its incident_count (all time).
SELECT coalesce(a.sponsor_country, 'unknown') AS sponsor_country, count(*)::BIGINT AS incident_count
FROM incident AS i JOIN actor AS a USING (actor_id)
GROUP BY 1 ORDER BY incident_count DESC, sponsor_country
