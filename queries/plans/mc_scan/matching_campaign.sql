-- matching_campaign (see mc_all) when a confidence, TLP or text filter is in use: the spans of the matching
-- incidents themselves, read only within f_win_lo..f_win_hi, which the caller sets to the span of every
-- campaign that overlaps f_lo..f_hi (queries/campaign_window.sql); no other campaign can overlap, and spans
-- only shrink under filters.
CREATE MACRO mc_scan.matching_campaign(f_lo, f_hi, f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                                       f_min_confidence, f_tlps, f_text) AS TABLE
SELECT campaign, min(occurred_on) AS first_seen, max(occurred_on) AS last_seen, count(*) AS incidents
FROM filtered_incident(f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                       f_min_confidence, f_tlps, f_text)
WHERE campaign IS NOT NULL
GROUP BY campaign
HAVING min(occurred_on) <= coalesce(f_hi, DATE '9999-12-31') AND max(occurred_on) >= coalesce(f_lo, DATE '0001-01-01')
