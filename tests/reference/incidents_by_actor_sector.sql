-- incidents_by_actor_sector: incident_count per actor and sector for the top_n actors (heatmap).
-- level 'top' counts an incident once in each top-level sector it hit (oil and gas counts as energy);
-- level 'detail' once in each sector it hit. actor_incidents is each actor's count of distinct incidents.
-- With a sector filter, only the selected sectors (and those below them) are columns.
WITH by_mask AS (
    SELECT actor, sector_mask, count(*) AS n
    FROM filtered_incident($since::DATE, $until::DATE, $actors::VARCHAR[], $sector_mask::UBIGINT,
                           $countries::VARCHAR[], $sponsors::VARCHAR[],
                           $min_confidence::INTEGER, $tlps::VARCHAR[], $clearance::VARCHAR[], $text::VARCHAR)
    GROUP BY actor, sector_mask
),
top_actor AS (
    SELECT actor, sum(n) AS actor_incidents,
           row_number() OVER (ORDER BY sum(n) DESC, actor) AS actor_rank
    FROM by_mask GROUP BY actor
    QUALIFY actor_rank <= $top_n
),
column_sector AS (
    SELECT sector_id, name,
           CASE WHEN $level = 'top' THEN rollup_mask ELSE 1::UBIGINT << sector_id END
             & CASE WHEN $sector_mask::UBIGINT = 0 THEN ~0::UBIGINT ELSE $sector_mask::UBIGINT END AS bits
    FROM sector
    WHERE $level = 'detail' OR parent IS NULL
)
SELECT t.actor, t.actor_rank, t.actor_incidents::BIGINT AS actor_incidents, c.name AS sector,
       c.sector_id, sum(b.n)::BIGINT AS incident_count
FROM by_mask AS b
JOIN top_actor AS t USING (actor)
JOIN column_sector AS c ON c.bits <> 0 AND b.sector_mask & c.bits <> 0
GROUP BY ALL
ORDER BY t.actor_rank, c.sector_id
