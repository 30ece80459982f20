-- source_summary: each source of the stored incidents: how many, how many name an actor (attributed) and how many
-- of those resolved to a directory actor, their first and last date, and when it was last ingested.
SELECT i.source, count(*)::BIGINT AS incidents,
       count(*) FILTER (WHERE i.actor_id <> 0)::BIGINT AS attributed,
       count(*) FILTER (WHERE i.actor_id <> 0 AND a.resolved)::BIGINT AS resolved,
       min(i.occurred_on) AS first_seen, max(i.occurred_on) AS last_seen,
       (SELECT max(l.ingested_at) FROM ingest_log AS l WHERE l.source = i.source) AS last_ingest
FROM incident AS i JOIN actor AS a USING (actor_id)
GROUP BY i.source
ORDER BY incidents DESC, i.source
