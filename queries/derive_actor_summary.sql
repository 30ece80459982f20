-- derive_actor_summary: each actor's whole history (incidents, first and last day, campaigns).
INSERT INTO actor_summary
SELECT i.actor_id, i.incidents, i.first_seen, i.last_seen, coalesce(c.campaigns, 0)
FROM (SELECT actor_id, count(*) AS incidents, min(occurred_on) AS first_seen, max(occurred_on) AS last_seen
      FROM incident GROUP BY actor_id) AS i
LEFT JOIN (SELECT actor_id, count(DISTINCT campaign) AS campaigns FROM campaign_part WHERE tlp_max = 4
           GROUP BY actor_id) AS c USING (actor_id)  -- level RED: every incident
ORDER BY i.actor_id
