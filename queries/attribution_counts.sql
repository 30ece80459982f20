-- attribution_counts: all incidents, those that name an actor (attributed), and of those the ones that matched
-- no actor of the directory (unresolved or ambiguous).
SELECT count(*)::BIGINT AS incidents, count(*) FILTER (WHERE i.actor_id <> 0)::BIGINT AS attributed,
       count(*) FILTER (WHERE i.actor_id <> 0 AND NOT a.resolved)::BIGINT AS unresolved
FROM incident AS i JOIN actor AS a USING (actor_id)
