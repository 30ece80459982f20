-- derive_incident_sector: one incident_sector row for each bit set in incident.sector_mask.
INSERT INTO incident_sector
SELECT i.incident_id, s.sector_id
FROM incident AS i
JOIN sector AS s ON i.sector_mask & (1::UBIGINT << s.sector_id) <> 0
ORDER BY s.sector_id
