-- derive_campaign_actor_change: starts and ends per actor and day of the campaigns that one actor carried out.
INSERT INTO campaign_actor_change
SELECT actor_id, day, sum(started), sum(ended)
FROM (SELECT actor_id, first_seen AS day, 1 AS started, 0 AS ended FROM campaign WHERE actor_id IS NOT NULL
      UNION ALL SELECT actor_id, last_seen, 0, 1 FROM campaign WHERE actor_id IS NOT NULL)
GROUP BY actor_id, day
ORDER BY actor_id, day
