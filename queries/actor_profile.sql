-- actor_profile: one actor's canonical facts and its whole history: first_seen, last_seen, incident and
-- campaign counts (no filters), by canonical name.
SELECT a.name AS actor, a.sponsor_country, a.motivation, a.galaxy_uuid, a.resolved,
       s.first_seen, s.last_seen, coalesce(s.incidents, 0)::BIGINT AS incidents,
       coalesce(s.campaigns, 0)::BIGINT AS campaigns
FROM actor AS a LEFT JOIN actor_summary AS s USING (actor_id)
WHERE a.name = $actor
