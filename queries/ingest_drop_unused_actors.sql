-- ingest_drop_unused_actors: names kept as reported that no incident reports any more (a decision mapped them to
-- an actor): gone, so that the name finds the actor it now maps to (ingest_drop_unused_aliases runs first).
DELETE FROM actor WHERE NOT resolved AND actor_id <> 0
  AND actor_id NOT IN (SELECT DISTINCT actor_id FROM new_incident)
