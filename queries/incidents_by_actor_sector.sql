-- incidents_by_actor_sector: incident_count per actor and sector for the top_n actors (heatmap).
-- level 'top' counts an incident once in each top-level sector it hit (oil and gas counts as energy);
-- level 'detail' once in each sector it hit. actor_incidents is each actor's count of distinct incidents.
-- With a sector filter, only the selected sectors (and those below them) are columns.
-- Unattributed incidents (actor 0) are no actor's: left out (kpis counts them).
-- Actors are ranked on actor_group; the cells come from heat_cell (threatscape/plans.py picks its variant).
WITH by_actor AS (
    SELECT actor_id, sum(incidents) AS actor_incidents
    FROM actor_group(getvariable('filters'))
    WHERE actor_id <> 0
    GROUP BY actor_id
),
top_actor AS (
    SELECT b.actor_id, a.name AS actor, b.actor_incidents,
           row_number() OVER (ORDER BY b.actor_incidents DESC, a.name) AS actor_rank
    FROM by_actor AS b JOIN actor AS a USING (actor_id)
    QUALIFY actor_rank <= $top_n
),
counted AS (
    SELECT actor_id, sector_id, sum(incidents) AS incident_count
    FROM heat_cell(getvariable('filters'), $level::VARCHAR)
    WHERE actor_id IN (SELECT actor_id FROM top_actor)
    GROUP BY actor_id, sector_id
)
SELECT t.actor, t.actor_rank, t.actor_incidents::BIGINT AS actor_incidents, s.name AS sector,
       k.sector_id, k.incident_count::BIGINT AS incident_count
FROM counted AS k
JOIN top_actor AS t USING (actor_id)
JOIN sector AS s USING (sector_id)
ORDER BY t.actor_rank, k.sector_id
