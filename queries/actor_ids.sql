-- actor_ids: the ids of the actors that the actor filter (canonical names) and the sponsor filter (states,
-- 'unknown' for none known) both allow: NULL when neither filter is set, an empty list when no actor passes.
SELECT CASE WHEN len($actors::VARCHAR[]) = 0 AND len($sponsors::VARCHAR[]) = 0 THEN NULL
            ELSE coalesce(list(actor_id ORDER BY actor_id), []::INTEGER[]) END AS actor_ids
FROM actor
WHERE (len($actors::VARCHAR[]) = 0 OR list_contains($actors::VARCHAR[], name))
  AND (len($sponsors::VARCHAR[]) = 0 OR list_contains($sponsors::VARCHAR[], coalesce(sponsor_country, 'unknown')))
