-- campaign_change_of: per day, how many campaigns start (their first matching incident) and end (their last), for
-- the campaigns that match the filters. This variant (threatscape/plans.py: one sector, TLP level): the starts and
-- ends of every campaign's span (sector_filter 0), or of its span under that sector, at that level.
CREATE MACRO cc_sector.campaign_change_of(f) AS TABLE
SELECT day, started, ended
FROM campaign_change
WHERE sector_filter = f['sector_mask'] AND tlp_max = f['tlp_max']
