-- matching_campaign (see mc_all) when only actor, sponsor, sector and country filters are in use: from
-- campaign_part (each actor's part of each campaign against each combination of sectors in each country).
CREATE MACRO mc_part.matching_campaign(f_lo, f_hi, f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                                       f_min_confidence, f_tlps, f_text) AS TABLE
SELECT c.campaign, min(c.first_seen) AS first_seen, max(c.last_seen) AS last_seen, sum(c.incidents) AS incidents
FROM campaign_part AS c
WHERE (f_actor_ids IS NULL OR list_contains(f_actor_ids, c.actor_id))
  AND (f_sector_mask = 0 OR c.sector_mask & f_sector_mask <> 0)
  AND (len(f_countries) = 0 OR list_contains(f_countries, c.victim_country))
GROUP BY c.campaign
HAVING min(c.first_seen) <= coalesce(f_hi, DATE '9999-12-31') AND max(c.last_seen) >= coalesce(f_lo, DATE '0001-01-01')
