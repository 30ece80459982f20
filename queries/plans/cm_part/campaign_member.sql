-- campaign_member: (campaign, actor_id, victim_country) for the incidents of each campaign in f_campaigns that match
-- the filters, at any date (repeats possible). This variant (threatscape/plans.py: actor, sectors, countries, TLP
-- level): from campaign_part.
CREATE MACRO cm_part.campaign_member(f, f_campaigns) AS TABLE
SELECT c.campaign, c.actor_id, c.victim_country
FROM campaign_part AS c
WHERE match_actor(f, c.actor_id)
  AND match_sector(f, c.sector_mask)
  AND match_country(f, c.victim_country)
  AND c.tlp_max = f['tlp_max']
  AND list_contains(f_campaigns, c.campaign)
