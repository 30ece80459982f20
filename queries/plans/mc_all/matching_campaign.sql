-- matching_campaign: each campaign whose span overlaps f_lo..f_hi (NULL: unbounded), where a campaign's span
-- runs from its first to its last incident that matches the filters (at any date; the date range does not
-- cut spans), with incidents, how many of its incidents match.
-- This variant (threatscape/plans.py), with no filter but dates: the campaign table.
CREATE MACRO mc_all.matching_campaign(f_lo, f_hi, f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                                      f_min_confidence, f_tlps, f_text) AS TABLE
SELECT campaign, first_seen, last_seen, incidents
FROM campaign
WHERE first_seen <= coalesce(f_hi, DATE '9999-12-31') AND last_seen >= coalesce(f_lo, DATE '0001-01-01')
