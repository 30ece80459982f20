-- lake_read_aliases: a lake's aliases ($path: actor_alias.parquet) into the actor_alias table.
INSERT INTO actor_alias (actor_id, alias, alias_key, source)
SELECT actor_id, alias, alias_key, source
FROM read_parquet($path)
ORDER BY actor_id, alias_key
