-- campaign_change_of (threatscape/plans.py) with no filter but dates, or only a one-sector filter: the
-- starts and ends of every campaign's span (sector_filter 0), or of its span under that sector.
CREATE MACRO cc_sector.campaign_change_of(f_lo, f_hi, f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                                          f_min_confidence, f_tlps, f_text) AS TABLE
SELECT day, started, ended
FROM campaign_change
WHERE sector_filter = f_sector_mask
