-- unresolved_names: the names as reported that matched no actor of the directory (kept as reported, unresolved
-- or ambiguous) and that no decision of the team's placed (a 'new' actor's incidents match '… [local]'), with how
-- many incidents report each, their first and last date and one source; most first.
SELECT i.actor_as_reported AS name, count(*)::BIGINT AS incident_count, min(i.occurred_on) AS first_seen,
       max(i.occurred_on) AS last_seen, min(i.source) AS source
FROM incident AS i JOIN actor AS a USING (actor_id)
WHERE NOT a.resolved AND i.actor_id <> 0 AND NOT ends_with(coalesce(i.actor_match, ''), '[local]')
GROUP BY i.actor_as_reported
ORDER BY incident_count DESC, name
LIMIT $limit
