-- derive_campaign_part: the span and size of each part of each campaign that one actor carried out against
-- one combination of sectors in one victim country.
INSERT INTO campaign_part
SELECT campaign, actor_id, sector_mask, victim_country, min(occurred_on), max(occurred_on), count(*)
FROM incident
WHERE campaign IS NOT NULL
GROUP BY campaign, actor_id, sector_mask, victim_country
ORDER BY actor_id  -- stored by actor: an actor filter reads only its blocks
