-- derive_sector_mask_filter: each sector combination with every one-sector filter it matches.
INSERT INTO sector_mask_filter
SELECT m.sector_mask, s.rollup_mask
FROM sector_mask_name AS m JOIN sector AS s ON m.sector_mask & s.rollup_mask <> 0
ORDER BY 1, 2
