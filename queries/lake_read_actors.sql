-- lake_read_actors: a lake's actor directory ($path: actor.parquet) into the actor table.
INSERT INTO actor (actor_id, name, sponsor_country, motivation, galaxy_uuid, resolved)
SELECT actor_id, name, sponsor_country, motivation, galaxy_uuid, resolved
FROM read_parquet($path)
ORDER BY actor_id
