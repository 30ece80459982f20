-- incidents_by_sector_period: incident_count per period (grain) and top-level sector; an incident counts once
-- in each top-level sector it hit. Every period from since to until is present (0 where none).
WITH by_mask AS (
    SELECT date_trunc($grain, month)::DATE AS period, sector_mask, sum(incidents) AS n
    FROM mask_group(getvariable('filters'))
    GROUP BY ALL
),
counts AS (
    SELECT b.period, s.name AS sector, s.sector_id, sum(b.n) AS n
    FROM by_mask AS b JOIN sector AS s ON s.parent IS NULL AND b.sector_mask & s.rollup_mask <> 0
    GROUP BY ALL
),
hit AS (SELECT DISTINCT sector, sector_id FROM counts)
SELECT p.period, h.sector, h.sector_id, coalesce(c.n, 0)::BIGINT AS incident_count
FROM period_series($grain, $since::DATE, $until::DATE) AS p CROSS JOIN hit AS h
LEFT JOIN counts AS c ON c.period = p.period AND c.sector = h.sector
ORDER BY h.sector_id, p.period
