-- ingest_stored_actor_names: each distinct (names as reported, actor, match) of the stored incidents, with how
-- many incidents hold it: what the resolver reads again when the actor directory or a decision changes.
SELECT actor_as_reported, actor, actor_match, count(*) AS incidents
FROM stored
GROUP BY ALL
