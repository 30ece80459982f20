-- sponsor_options: every sponsor state ('unknown' when none is known) with its incident_count (all time); the
-- unattributed incidents (actor 0) have no actor, so no sponsor state, known or not.
SELECT coalesce(a.sponsor_country, 'unknown') AS sponsor_country, sum(s.incidents)::BIGINT AS incident_count
FROM actor_summary AS s JOIN actor AS a USING (actor_id)
WHERE s.actor_id <> 0
GROUP BY 1 ORDER BY incident_count DESC, sponsor_country
