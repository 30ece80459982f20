-- attribution_counts: all incidents, those that name an actor (attributed), of those the ones that matched no
-- actor of the directory (unresolved or ambiguous), and how many distinct names those report.
SELECT count(*)::BIGINT AS incidents, count(*) FILTER (WHERE i.actor_id <> 0)::BIGINT AS attributed,
       count(*) FILTER (WHERE i.actor_id <> 0 AND NOT a.resolved)::BIGINT AS unresolved,
       count(DISTINCT i.actor_as_reported) FILTER (WHERE i.actor_id <> 0 AND NOT a.resolved)::BIGINT AS names
FROM incident AS i JOIN actor AS a USING (actor_id)
