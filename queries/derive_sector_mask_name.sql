-- derive_sector_mask_name: each sector combination that occurs, named once (taxonomy order, '; ' between).
INSERT INTO sector_mask_name
SELECT m.sector_mask, string_agg(s.name, '; ' ORDER BY s.sector_id)
FROM (SELECT DISTINCT sector_mask FROM incident) AS m
JOIN sector AS s ON m.sector_mask & (1::UBIGINT << s.sector_id) <> 0
GROUP BY m.sector_mask
ORDER BY m.sector_mask
