-- campaign_member (see cm_part) when no sector, country, confidence, TLP or text filter is in use (actor and
-- sponsor filters may be): a campaign of one actor matches whole, so its actor and victim countries come from
-- the campaign table; the parts of campaigns that several actors share from shared_campaign_part.
CREATE MACRO cm_whole.campaign_member(f_campaigns, f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                                      f_min_confidence, f_tlps, f_text) AS TABLE
SELECT campaign, actor_id,
       unnest(CASE WHEN victim_countries IS NULL THEN [NULL::VARCHAR] ELSE victim_countries END) AS victim_country
FROM campaign
WHERE actor_id IS NOT NULL AND (f_actor_ids IS NULL OR list_contains(f_actor_ids, actor_id))
  AND list_contains(f_campaigns, campaign)
UNION ALL
SELECT campaign, actor_id, victim_country
FROM shared_campaign_part
WHERE (f_actor_ids IS NULL OR list_contains(f_actor_ids, actor_id)) AND list_contains(f_campaigns, campaign)
