-- campaign_member (see cm_part) when no sector, country, confidence, TLP or text filter is in use (actor and
-- sponsor filters may be): a campaign of one actor matches whole, so its actor and victim countries come from
-- the campaign table; the parts of campaigns that several actors share from shared_campaign_part.
CREATE MACRO cm_whole.campaign_member(f_campaigns, f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                                      f_min_confidence, f_tlps, f_text) AS TABLE
WITH wanted AS (SELECT unnest(f_campaigns) AS campaign)
SELECT c.campaign, c.actor_id,
       unnest(CASE WHEN c.victim_countries IS NULL THEN [NULL::VARCHAR] ELSE c.victim_countries END) AS victim_country
FROM wanted AS w JOIN campaign AS c USING (campaign)
WHERE c.actor_id IS NOT NULL AND (f_actor_ids IS NULL OR list_contains(f_actor_ids, c.actor_id))
UNION ALL
SELECT p.campaign, p.actor_id, p.victim_country
FROM wanted AS w JOIN shared_campaign_part AS p USING (campaign)
WHERE f_actor_ids IS NULL OR list_contains(f_actor_ids, p.actor_id)
