-- actor_by_alias: canonical actors having a name or alias whose key is one of alias_keys (see actors.alias_key).
SELECT DISTINCT al.alias_key, a.name AS actor
FROM actor_alias AS al JOIN actor AS a USING (actor_id)
WHERE list_contains($alias_keys::VARCHAR[], al.alias_key)
ORDER BY al.alias_key, actor
