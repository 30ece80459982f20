-- ingest_add_unattributed: actor 0, 'Unattributed': the actor of incidents whose source names no known actor
-- (a placeholder such as '?' or 'unknown', or nothing). Actor charts leave it out; totals count its incidents.
INSERT INTO actor (actor_id, name, sponsor_country, motivation, galaxy_uuid, resolved)
SELECT 0, 'Unattributed', NULL, NULL, NULL, FALSE
WHERE NOT EXISTS (SELECT 1 FROM actor WHERE actor_id = 0)
