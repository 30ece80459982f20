-- changes_counts: for "what changed", each actor's and top-level sector's incidents in the period (now_count,
-- since..until) and in the period it is compared with (then_count, prev_since..prev_until), for the same filters;
-- kind is 'actor' or 'sector' (victim countries: incidents_by_victim_country, which the overview asks already).
-- An incident counts once for its actor and once in each top-level sector it hit (oil and gas counts as energy;
-- with a sector filter, the heatmap's columns: the selected sectors); unattributed incidents (actor 0) are no
-- actor's. For actors also: seen_before, whether it has any incident before the period (earlier: everything up to
-- back_until, the day before since), the month of its first incident in the period and of its last in the period
-- compared with (new and quiet actors). Read through the summary macros, as the overview's charts are.
WITH actors AS (
    SELECT actor_id, sum(incidents) FILTER (WHERE now) AS now_count, sum(incidents) FILTER (WHERE NOT now) AS then_count,
           min(month) FILTER (WHERE now AND incidents > 0) AS first_month,
           max(month) FILTER (WHERE NOT now AND incidents > 0) AS last_month
    FROM (SELECT TRUE AS now, actor_id, month, incidents FROM actor_group(getvariable('filters'))
          UNION ALL
          SELECT FALSE, actor_id, month, incidents FROM actor_group(getvariable('previous')))
    WHERE actor_id <> 0
    GROUP BY actor_id
),
earlier AS (SELECT DISTINCT actor_id FROM actor_group(getvariable('earlier')) WHERE incidents > 0),
sectors AS (
    SELECT sector_id, sum(incidents) FILTER (WHERE now) AS now_count, sum(incidents) FILTER (WHERE NOT now) AS then_count
    FROM (SELECT TRUE AS now, sector_id, incidents FROM heat_cell(getvariable('filters'), 'top')
          UNION ALL
          SELECT FALSE, sector_id, incidents FROM heat_cell(getvariable('previous'), 'top'))
    GROUP BY sector_id
)
SELECT 'actor' AS kind, a.name AS name, coalesce(c.now_count, 0)::BIGINT AS now_count,
       coalesce(c.then_count, 0)::BIGINT AS then_count, c.actor_id IN (SELECT actor_id FROM earlier) AS seen_before,
       c.first_month, c.last_month
FROM actors AS c JOIN actor AS a USING (actor_id)
UNION ALL
SELECT 'sector', s.name, coalesce(c.now_count, 0)::BIGINT, coalesce(c.then_count, 0)::BIGINT, NULL, NULL, NULL
FROM sectors AS c JOIN sector AS s USING (sector_id)
ORDER BY kind, name
