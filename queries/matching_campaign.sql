-- matching_campaign: each campaign whose span overlaps f_lo..f_hi (NULL: unbounded), where a campaign's span
-- runs from its first to its last incident that matches the filters (at any date; the date range does not cut spans).
-- Answered from the smallest source that is exact for the filters in use:
--   no filters: the campaign table;
--   only actor, sponsor or sector filters: campaign_part (each actor's part of each campaign against
--   each combination of sectors);
--   any other filter (country, confidence, TLP, text): the matching incidents themselves,
--   read only within f_win_lo..f_win_hi, which the caller sets to the span of every campaign that overlaps
--   f_lo..f_hi (queries/campaign_window.sql); no other campaign can overlap, and spans only shrink under filters.
CREATE MACRO matching_campaign(f_lo, f_hi, f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                               f_min_confidence, f_tlps, f_text) AS TABLE
SELECT campaign, first_seen, last_seen
FROM campaign
-- conditions on constants: the planner drops the branches not taken
WHERE f_actor_ids IS NULL
  AND NOT (f_sector_mask <> 0 OR len(f_countries) > 0 OR f_min_confidence IS NOT NULL OR len(f_tlps) > 0 OR f_text <> '')
  AND first_seen <= coalesce(f_hi, DATE '9999-12-31') AND last_seen >= coalesce(f_lo, DATE '0001-01-01')
UNION ALL
SELECT c.campaign, min(c.first_seen), max(c.last_seen)
FROM campaign_part AS c
WHERE (f_actor_ids IS NOT NULL OR f_sector_mask <> 0)
  AND NOT (len(f_countries) > 0 OR f_min_confidence IS NOT NULL OR len(f_tlps) > 0 OR f_text <> '')
  AND (f_actor_ids IS NULL OR list_contains(f_actor_ids, c.actor_id))
  AND (f_sector_mask = 0 OR c.sector_mask & f_sector_mask <> 0)
GROUP BY c.campaign
HAVING min(c.first_seen) <= coalesce(f_hi, DATE '9999-12-31') AND max(c.last_seen) >= coalesce(f_lo, DATE '0001-01-01')
UNION ALL
SELECT campaign, min(occurred_on), max(occurred_on)
FROM filtered_incident(f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                       f_min_confidence, f_tlps, f_text)
WHERE (len(f_countries) > 0 OR f_min_confidence IS NOT NULL OR len(f_tlps) > 0 OR f_text <> '') AND campaign IS NOT NULL
GROUP BY campaign
HAVING min(occurred_on) <= coalesce(f_hi, DATE '9999-12-31') AND max(occurred_on) >= coalesce(f_lo, DATE '0001-01-01')
