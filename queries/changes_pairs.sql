-- changes_pairs: for "what changed", the emerging pairs: each actor-sector pair (top-level sector) and
-- actor-country pair with incidents in the period (now_count, since..until) and none in the twelve months before it
-- (back_since..back_until), for the same filters; kind is 'sector' or 'country'. actor_before says whether the actor
-- had any incident in those twelve months (so that "it had not targeted energy before" is said only of an actor
-- that was active). Unattributed incidents (actor 0) are no actor's. Read through the summary macros.
WITH now_sector AS (
    SELECT actor_id, sector_id, sum(incidents) AS n
    FROM heat_cell(getvariable('filters'), 'top') WHERE actor_id <> 0 GROUP BY actor_id, sector_id
),
back_sector AS (
    SELECT DISTINCT actor_id, sector_id FROM heat_cell(getvariable('lookback'), 'top') WHERE incidents > 0
),
now_country AS (
    SELECT actor_id, victim_country, sum(incidents) AS n
    FROM incident_group(getvariable('filters'))
    WHERE actor_id <> 0 AND victim_country IS NOT NULL
    GROUP BY actor_id, victim_country
),
back_country AS (
    SELECT DISTINCT actor_id, victim_country FROM incident_group(getvariable('lookback')) WHERE incidents > 0
),
back_actor AS (SELECT DISTINCT actor_id FROM actor_group(getvariable('lookback')) WHERE incidents > 0),
pairs AS (
    SELECT 'sector' AS kind, n.actor_id, s.name AS target, n.n AS now_count
    FROM now_sector AS n JOIN sector AS s USING (sector_id)
    WHERE n.n > 0 AND NOT EXISTS (SELECT 1 FROM back_sector AS b WHERE b.actor_id = n.actor_id
                                                                  AND b.sector_id = n.sector_id)
    UNION ALL
    SELECT 'country', n.actor_id, n.victim_country, n.n
    FROM now_country AS n
    WHERE n.n > 0 AND NOT EXISTS (SELECT 1 FROM back_country AS b WHERE b.actor_id = n.actor_id
                                                                   AND b.victim_country = n.victim_country)
)
SELECT p.kind, a.name AS actor, p.target, p.now_count::BIGINT AS now_count,
       (p.actor_id IN (SELECT actor_id FROM back_actor)) AS actor_before
FROM pairs AS p JOIN actor AS a USING (actor_id)
ORDER BY p.now_count DESC, p.kind, a.name, p.target
LIMIT 100
