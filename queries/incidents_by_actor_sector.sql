-- incidents_by_actor_sector: incident_count per actor and sector for the top_n actors (heatmap).
-- level 'top' counts an incident once in each top-level sector it hit (oil and gas counts as energy);
-- level 'detail' once in each sector it hit. actor_incidents is each actor's count of distinct incidents.
-- With a sector filter, only the selected sectors (and those below them) are columns.
WITH by_mask AS (
    SELECT actor_id, sector_mask, sum(incidents) AS n
    FROM mask_group($since::DATE, $until::DATE, $actor_ids::INTEGER[], $sector_mask::UBIGINT,
                    $countries::VARCHAR[],
                    $min_confidence::INTEGER, $tlps::VARCHAR[], $text::VARCHAR)
    GROUP BY actor_id, sector_mask  -- by id, not name: integer keys group faster
),
by_actor AS (SELECT actor_id, sum(n) AS actor_incidents FROM by_mask GROUP BY actor_id),
top_actor AS (
    SELECT b.actor_id, a.name AS actor, b.actor_incidents,
           row_number() OVER (ORDER BY b.actor_incidents DESC, a.name) AS actor_rank
    FROM by_actor AS b JOIN actor AS a USING (actor_id)
    QUALIFY actor_rank <= $top_n
),
column_sector AS (
    SELECT sector_id,
           CASE WHEN $level = 'top' THEN rollup_mask ELSE 1::UBIGINT << sector_id END
             & CASE WHEN $sector_mask::UBIGINT = 0 THEN ~0::UBIGINT ELSE $sector_mask::UBIGINT END AS bits
    FROM sector
    WHERE $level = 'detail' OR parent IS NULL
),
counted AS (
    SELECT b.actor_id, c.sector_id, sum(b.n) AS incident_count
    FROM by_mask AS b
    JOIN column_sector AS c ON c.bits <> 0 AND b.sector_mask & c.bits <> 0
    WHERE b.actor_id IN (SELECT actor_id FROM top_actor)
    GROUP BY b.actor_id, c.sector_id
)
SELECT t.actor, t.actor_rank, t.actor_incidents::BIGINT AS actor_incidents, s.name AS sector,
       k.sector_id, k.incident_count::BIGINT AS incident_count
FROM counted AS k
JOIN top_actor AS t USING (actor_id)
JOIN sector AS s USING (sector_id)
ORDER BY t.actor_rank, k.sector_id
