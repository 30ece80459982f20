-- actor_aliases: every alias of one actor (by canonical name) with where it came from.
SELECT al.alias, al.source
FROM actor_alias AS al JOIN actor AS a USING (actor_id)
WHERE a.name = $actor
ORDER BY lower(al.alias)
