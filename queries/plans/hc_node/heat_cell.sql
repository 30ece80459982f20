-- heat_cell (see hc_mask) at level 'top' (threatscape/plans.py: date, actor, one sector, TLP level): each column's
-- sectors are one sector filter of actor_month (a top-level sector's roll-up, cut to the selected sector), so the
-- whole months come from actor_month and only the days at either end are counted from incident.
CREATE MACRO hc_node.heat_cell(f, f_level) AS TABLE
WITH column_sector AS (
    SELECT sector_id, rollup_mask & CASE WHEN f['sector_mask'] = 0 THEN ~0::UBIGINT ELSE f['sector_mask'] END AS bits
    FROM sector
    WHERE parent IS NULL
)
SELECT m.actor_id, c.sector_id, m.incidents
FROM actor_month AS m JOIN column_sector AS c ON m.sector_filter = c.bits
WHERE c.bits <> 0
  AND m.month >= f['month_from']
  AND m.month < f['month_to']
  AND m.tlp_max = f['tlp_max']
  AND match_actor(f, m.actor_id)
UNION ALL
SELECT i.actor_id, c.sector_id, count(*)
FROM filtered_incident(f)
     AS i JOIN column_sector AS c ON c.bits <> 0 AND i.sector_mask & c.bits <> 0
WHERE end_day(i.occurred_on, f)
GROUP BY ALL
