-- campaign_change_of (threatscape/plans.py) with one victim country and at most a one-sector filter (no actor,
-- sponsor, confidence, TLP or text filter): the starts and ends of the campaigns' spans in that country, under
-- that sector (sector_filter 0: none).
CREATE MACRO cc_country.campaign_change_of(f_lo, f_hi, f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                                           f_min_confidence, f_tlps, f_text) AS TABLE
SELECT day, started, ended
FROM campaign_country_change
WHERE victim_country = f_countries[1] AND sector_filter = f_sector_mask
