-- heat_cell: the heatmap's cells: (actor_id, sector_id, incidents) for every sector column, where level 'top'
-- counts an incident once in each top-level sector it hit (oil and gas counts as energy) and 'detail' once
-- in each sector it hit; with a sector filter, only the selected sectors (and those below them) are columns.
-- Rows may repeat a cell: sum them. This variant (threatscape/plans.py), for any filters: mask_group's sector
-- combinations, each counted in every column whose sectors it hit.
CREATE MACRO hc_mask.heat_cell(f, f_level) AS TABLE
WITH by_mask AS (
    SELECT actor_id, sector_mask, sum(incidents) AS n
    FROM mask_group(f)
    GROUP BY actor_id, sector_mask  -- by id, not name: integer keys group faster
),
column_sector AS (
    SELECT sector_id,
           CASE WHEN f_level = 'top' THEN rollup_mask ELSE 1::UBIGINT << sector_id END
             & CASE WHEN f['sector_mask'] = 0 THEN ~0::UBIGINT ELSE f['sector_mask'] END AS bits
    FROM sector
    WHERE f_level = 'detail' OR parent IS NULL
)
SELECT b.actor_id, c.sector_id, b.n AS incidents
FROM by_mask AS b
JOIN column_sector AS c ON c.bits <> 0 AND b.sector_mask & c.bits <> 0
