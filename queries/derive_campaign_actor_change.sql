-- derive_campaign_actor_change: starts and ends per actor and day of the campaigns that one actor carried out.
INSERT INTO campaign_actor_change
SELECT tlp_max, actor_id, day, sum(started), sum(ended)
FROM (SELECT tlp_max, actor_id, first_seen AS day, 1 AS started, 0 AS ended FROM campaign WHERE actor_id IS NOT NULL
      UNION ALL SELECT tlp_max, actor_id, last_seen, 0, 1 FROM campaign WHERE actor_id IS NOT NULL)
GROUP BY tlp_max, actor_id, day
ORDER BY tlp_max, actor_id, day  -- by TLP level first: every read is of one level
