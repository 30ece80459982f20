-- ingest_add_aliases: aliases of the staged actors that their actor does not have yet.
INSERT INTO actor_alias
SELECT DISTINCT ON (a.actor_id, x.alias_key) a.actor_id, x.alias, x.alias_key, x.source
FROM staged_alias AS x JOIN actor AS a ON a.name = x.name
WHERE NOT EXISTS (SELECT 1 FROM actor_alias AS y WHERE y.actor_id = a.actor_id AND y.alias_key = x.alias_key)
ORDER BY a.actor_id, x.alias_key, x.alias
