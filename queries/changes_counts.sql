-- changes_counts: for "what changed", each actor's, top-level sector's and victim country's incidents in the period
-- (now_count, since..until) and in the period it is compared with (then_count, prev_since..prev_until), for the
-- same filters; kind is 'actor', 'sector' or 'country'. An incident counts once for its actor, once in each
-- top-level sector it hit (oil and gas counts as energy; with a sector filter, the heatmap's columns: the selected
-- sectors) and once for its victim country; unattributed incidents (actor 0) are no actor's, and an incident with no
-- known victim country no country's. Read through the summary macros, as the overview's charts are.
WITH actors AS (
    SELECT actor_id, sum(incidents) FILTER (WHERE now) AS now_count, sum(incidents) FILTER (WHERE NOT now) AS then_count
    FROM (SELECT TRUE AS now, actor_id, incidents FROM actor_group(getvariable('filters'))
          UNION ALL
          SELECT FALSE, actor_id, incidents FROM actor_group(getvariable('previous')))
    WHERE actor_id <> 0
    GROUP BY actor_id
),
sectors AS (
    SELECT sector_id, sum(incidents) FILTER (WHERE now) AS now_count, sum(incidents) FILTER (WHERE NOT now) AS then_count
    FROM (SELECT TRUE AS now, sector_id, incidents FROM heat_cell(getvariable('filters'), 'top')
          UNION ALL
          SELECT FALSE, sector_id, incidents FROM heat_cell(getvariable('previous'), 'top'))
    GROUP BY sector_id
),
places AS (
    SELECT victim_country, sum(incidents) FILTER (WHERE now) AS now_count,
           sum(incidents) FILTER (WHERE NOT now) AS then_count
    FROM (SELECT TRUE AS now, victim_country, incidents FROM country_group(getvariable('filters'))
          UNION ALL
          SELECT FALSE, victim_country, incidents FROM country_group(getvariable('previous')))
    WHERE victim_country IS NOT NULL
    GROUP BY victim_country
)
SELECT 'actor' AS kind, a.name AS name, coalesce(c.now_count, 0)::BIGINT AS now_count,
       coalesce(c.then_count, 0)::BIGINT AS then_count
FROM actors AS c JOIN actor AS a USING (actor_id)
UNION ALL
SELECT 'sector', s.name, coalesce(c.now_count, 0)::BIGINT, coalesce(c.then_count, 0)::BIGINT
FROM sectors AS c JOIN sector AS s USING (sector_id)
UNION ALL
SELECT 'country', victim_country, coalesce(now_count, 0)::BIGINT, coalesce(then_count, 0)::BIGINT
FROM places
ORDER BY kind, name
