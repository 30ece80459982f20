-- derive_actor_summary: each actor's whole history (incidents, first and last day, campaigns), per TLP level.
INSERT INTO actor_summary
WITH cell AS (
    SELECT actor_id, tlp, count(*) AS incidents, min(occurred_on) AS first_seen, max(occurred_on) AS last_seen
    FROM incident
    GROUP BY ALL
), by_level AS (
    SELECT l.tlp_max, c.actor_id, sum(c.incidents) AS incidents, min(c.first_seen) AS first_seen,
           max(c.last_seen) AS last_seen
    FROM cell AS c JOIN tlp_level AS l USING (tlp)
    GROUP BY ALL
)
SELECT i.tlp_max, i.actor_id, i.incidents, i.first_seen, i.last_seen, coalesce(c.campaigns, 0)
FROM by_level AS i
LEFT JOIN (SELECT tlp_max, actor_id, count(DISTINCT campaign) AS campaigns FROM campaign_part
           GROUP BY ALL) AS c USING (tlp_max, actor_id)
ORDER BY i.tlp_max, i.actor_id
