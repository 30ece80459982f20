-- derive_incident_sector: one incident_sector row for each bit set in incident.sector_mask, in sector order.
-- The bits are tested once for each distinct mask (a few thousand), then joined to the incidents on the mask.
INSERT INTO incident_sector
SELECT i.incident_id, m.sector_id
FROM incident AS i
JOIN (
    SELECT d.sector_mask, s.sector_id
    FROM (SELECT DISTINCT sector_mask FROM incident) AS d
    JOIN sector AS s ON d.sector_mask & (1::UBIGINT << s.sector_id) <> 0
) AS m ON m.sector_mask = i.sector_mask
ORDER BY m.sector_id
