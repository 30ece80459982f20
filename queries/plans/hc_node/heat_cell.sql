-- heat_cell (see hc_mask) at level 'top' with no filter on sectors or on one sector, and no country,
-- confidence, TLP or text filter: each column's sectors are one sector filter of actor_month (a top-level
-- sector's roll-up, cut to the selected sector), so whole months come from actor_month and only the days
-- at either end are counted from incident.
CREATE MACRO hc_node.heat_cell(f_since, f_until, f_month_from, f_month_to, f_actor_ids, f_sector_mask,
                               f_countries, f_min_confidence, f_tlps, f_text, f_level) AS TABLE
WITH column_sector AS (
    SELECT sector_id, rollup_mask & CASE WHEN f_sector_mask = 0 THEN ~0::UBIGINT ELSE f_sector_mask END AS bits
    FROM sector
    WHERE parent IS NULL
)
SELECT m.actor_id, c.sector_id, m.incidents
FROM actor_month AS m JOIN column_sector AS c ON m.sector_filter = c.bits
WHERE c.bits <> 0
  AND m.month >= f_month_from
  AND m.month < f_month_to
  AND (f_actor_ids IS NULL OR list_contains(f_actor_ids, m.actor_id))
UNION ALL
SELECT i.actor_id, c.sector_id, count(*)
FROM summarised_incident(f_since, f_until, f_actor_ids, f_sector_mask, f_countries)
     AS i JOIN column_sector AS c ON c.bits <> 0 AND i.sector_mask & c.bits <> 0
WHERE end_day(i.occurred_on, f_since, f_until, f_month_from, f_month_to)
GROUP BY ALL
