-- demo_insert_actor_alias: each demo actor's canonical name and galaxy synonyms as aliases.
INSERT INTO actor_alias (actor_id, alias, alias_key, source)
SELECT actor_id, alias, alias_key, $alias_source
FROM demo_alias
ORDER BY actor_id, alias_key
