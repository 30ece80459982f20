-- name_examples: a few incidents that report one name (as reported), newest first: the source rows behind it.
SELECT incident_id, occurred_on, title, source, source_url
FROM incident
WHERE actor_as_reported = $name
ORDER BY occurred_on DESC, incident_id
LIMIT $limit
