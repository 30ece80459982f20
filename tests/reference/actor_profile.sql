-- actor_profile: one actor's canonical facts and its whole history: first_seen, last_seen, incident and
-- campaign counts (no filters), by canonical name.
SELECT a.name AS actor, a.sponsor_country, a.motivation, a.galaxy_uuid, a.resolved,
       min(i.occurred_on) AS first_seen, max(i.occurred_on) AS last_seen,
       count(i.incident_id)::BIGINT AS incidents, count(DISTINCT i.campaign)::BIGINT AS campaigns
FROM actor AS a LEFT JOIN incident AS i USING (actor_id)
WHERE a.name = $actor
GROUP BY ALL
