-- ingest_add_actors: actors of the staged incidents not stored yet, numbered after the highest actor_id.
INSERT INTO actor
SELECT (SELECT coalesce(max(actor_id), 0) FROM actor) + row_number() OVER (ORDER BY s.name),
       s.name, s.sponsor_country, s.motivation, s.galaxy_uuid, s.resolved
FROM staged_actor AS s
WHERE s.name NOT IN (SELECT name FROM actor)
