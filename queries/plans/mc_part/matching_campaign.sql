-- matching_campaign (see mc_actor) from the summaries (threatscape/plans.py: actor, sectors, countries, TLP
-- level): from campaign_part (each actor's part of each campaign against each combination of sectors in each
-- country, per TLP level).
CREATE MACRO mc_part.matching_campaign(f) AS TABLE
SELECT c.campaign, min(c.first_seen) AS first_seen, max(c.last_seen) AS last_seen, sum(c.incidents) AS incidents
FROM campaign_part AS c
WHERE match_actor(f, c.actor_id)
  AND match_sector(f, c.sector_mask)
  AND match_country(f, c.victim_country)
  AND c.tlp_max = f['tlp_max']
GROUP BY c.campaign
HAVING min(c.first_seen) <= coalesce(f['until'], DATE '9999-12-31') AND max(c.last_seen) >= coalesce(f['since'], DATE '0001-01-01')
