-- derive_campaign_actor: the span and size of each actor's part of each campaign.
INSERT INTO campaign_actor
SELECT campaign, actor_id, min(occurred_on), max(occurred_on), count(*)
FROM incident
WHERE campaign IS NOT NULL
GROUP BY campaign, actor_id
ORDER BY actor_id  -- stored by actor: an actor filter reads only its blocks
