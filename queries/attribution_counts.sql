-- attribution_counts: all incidents, those that name an actor (attributed), of those the ones left to review (open:
-- they matched no actor of the directory, unresolved or ambiguous, and no decision of the team's placed them, as
-- unresolved_names), and how many distinct names those report.
SELECT count(*)::BIGINT AS incidents, count(*) FILTER (WHERE attributed)::BIGINT AS attributed,
       count(*) FILTER (WHERE open)::BIGINT AS unresolved,
       count(DISTINCT name) FILTER (WHERE open)::BIGINT AS names
FROM (SELECT i.actor_id <> 0 AS attributed, i.actor_as_reported AS name,
             i.actor_id <> 0 AND NOT a.resolved AND NOT ends_with(coalesce(i.actor_match, ''), '[local]') AS open
      FROM incident AS i JOIN actor AS a USING (actor_id))
