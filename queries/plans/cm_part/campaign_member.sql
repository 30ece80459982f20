-- campaign_member: (campaign, actor_id, victim_country) for the incidents of each campaign in f_campaigns
-- that match the filters, at any date (repeats possible). This variant (threatscape/plans.py), when a
-- sector or country filter but no confidence, TLP or text filter is in use: from campaign_part.
CREATE MACRO cm_part.campaign_member(f_campaigns, f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                                     f_min_confidence, f_tlps, f_text) AS TABLE
SELECT c.campaign, c.actor_id, c.victim_country
FROM campaign_part AS c
WHERE (f_actor_ids IS NULL OR list_contains(f_actor_ids, c.actor_id))
  AND (f_sector_mask = 0 OR c.sector_mask & f_sector_mask <> 0)
  AND (len(f_countries) = 0 OR list_contains(f_countries, c.victim_country))
  AND list_contains(f_campaigns, c.campaign)
