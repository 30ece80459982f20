-- campaign_change_of (see cc_sector) with one victim country (threatscape/plans.py: one country, one sector, TLP
-- level): the starts and ends of the campaigns' spans in that country, under that sector (sector_filter 0: none).
CREATE MACRO cc_country.campaign_change_of(f) AS TABLE
SELECT day, started, ended
FROM campaign_country_change
WHERE victim_country = f['countries'][1] AND sector_filter = f['sector_mask'] AND tlp_max = f['tlp_max']
