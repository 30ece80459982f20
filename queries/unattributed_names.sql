-- unattributed_names: the names as reported of the incidents that name no actor (placeholders such as '?'), with
-- how many incidents report each, most first.
SELECT actor_as_reported AS name, count(*)::BIGINT AS incident_count
FROM incident
WHERE actor_id = 0
GROUP BY actor_as_reported
ORDER BY incident_count DESC, name
LIMIT $limit
