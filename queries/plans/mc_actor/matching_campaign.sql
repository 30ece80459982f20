-- matching_campaign (see mc_all) when only actor and sponsor filters are in use: the campaign table for the
-- campaigns of one actor (whole spans, no grouping), and the selected actors' parts of
-- campaigns that several actors share (shared_campaign_part).
CREATE MACRO mc_actor.matching_campaign(f_lo, f_hi, f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                                        f_min_confidence, f_tlps, f_text) AS TABLE
SELECT campaign, first_seen, last_seen, incidents
FROM campaign
WHERE list_contains(f_actor_ids, actor_id)
  AND first_seen <= coalesce(f_hi, DATE '9999-12-31') AND last_seen >= coalesce(f_lo, DATE '0001-01-01')
UNION ALL
SELECT campaign, first_seen, last_seen, incidents
FROM (SELECT p.campaign, min(p.first_seen) AS first_seen, max(p.last_seen) AS last_seen, sum(p.incidents) AS incidents
      FROM shared_campaign_part AS p
      WHERE list_contains(f_actor_ids, p.actor_id)
      GROUP BY p.campaign)
WHERE first_seen <= coalesce(f_hi, DATE '9999-12-31') AND last_seen >= coalesce(f_lo, DATE '0001-01-01')
