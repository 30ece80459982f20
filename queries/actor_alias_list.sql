-- actor_alias_list: every alias (with its source) of every actor, by actor then alias.
SELECT a.name AS actor, al.alias, al.alias_key, al.source
FROM actor_alias AS al JOIN actor AS a USING (actor_id)
ORDER BY a.name, al.alias_key
