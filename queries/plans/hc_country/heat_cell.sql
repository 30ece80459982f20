-- heat_cell (see hc_mask) at level 'top' with a victim-country filter (threatscape/plans.py: date, actor, countries,
-- one sector, TLP level): as hc_node, but the whole months come from incident_month, which keeps the victim
-- country, and only the days at either end are counted from incident.
CREATE MACRO hc_country.heat_cell(f, f_level) AS TABLE
WITH column_sector AS (
    SELECT sector_id, rollup_mask & CASE WHEN f['sector_mask'] = 0 THEN ~0::UBIGINT ELSE f['sector_mask'] END AS bits
    FROM sector
    WHERE parent IS NULL
)
SELECT m.actor_id, c.sector_id, sum(m.incidents) AS incidents
FROM incident_month AS m JOIN column_sector AS c ON m.sector_filter = c.bits
WHERE c.bits <> 0
  AND m.month >= f['month_from']
  AND m.month < f['month_to']
  AND m.tlp_max = f['tlp_max']
  AND list_contains(f['countries'], m.victim_country)
  AND match_actor(f, m.actor_id)
GROUP BY ALL
UNION ALL
SELECT i.actor_id, c.sector_id, count(*)
FROM filtered_incident(f)
     AS i JOIN column_sector AS c ON c.bits <> 0 AND i.sector_mask & c.bits <> 0
WHERE end_day(i.occurred_on, f)
GROUP BY ALL
