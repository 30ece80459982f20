-- ingest_drop_unused_aliases: the aliases of the actors that ingest_drop_unused_actors removes.
DELETE FROM actor_alias WHERE actor_id IN (
    SELECT actor_id FROM actor WHERE NOT resolved AND actor_id <> 0
      AND actor_id NOT IN (SELECT DISTINCT actor_id FROM new_incident))
