-- demo_insert_actor: the demo's actors, from the registered frame demo_actor.
INSERT INTO actor (actor_id, name, sponsor_country, motivation, galaxy_uuid, resolved)
SELECT actor_id, name, sponsor_country, motivation, galaxy_uuid, TRUE
FROM demo_actor
ORDER BY actor_id
