-- campaign_member (see cm_part) when a confidence, TLP or text filter is in use: from the matching incidents
-- within f_win_lo..f_win_hi (the days holding every incident of the campaigns asked about).
CREATE MACRO cm_scan.campaign_member(f_campaigns, f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                                     f_min_confidence, f_tlps, f_text) AS TABLE
SELECT campaign, actor_id, victim_country
FROM filtered_incident(f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                       f_min_confidence, f_tlps, f_text)
WHERE list_contains(f_campaigns, campaign)
