-- changes_pairs: for "what changed", the emerging pairs: each actor-sector pair (top-level sector) and
-- actor-country pair with incidents in the period (now_count, since..until) and none in the twelve months before it
-- (back_since..back_until), for the same filters; kind is 'sector' or 'country'. actor_before says whether the actor
-- had any incident in those twelve months (so that "it had not targeted energy before" is said only of an actor
-- that was active). Unattributed incidents (actor 0) are no actor's.
WITH now AS (
    SELECT actor_id, sector_mask, victim_country FROM filtered_incident(getvariable('filters')) WHERE actor_id <> 0
),
back AS (
    SELECT actor_id, sector_mask, victim_country FROM filtered_incident(getvariable('lookback')) WHERE actor_id <> 0
),
back_actor AS (SELECT DISTINCT actor_id FROM back),
back_sector AS (
    SELECT DISTINCT b.actor_id, s.name AS target
    FROM back AS b JOIN sector AS s ON s.parent IS NULL AND (b.sector_mask & s.rollup_mask) <> 0
),
back_country AS (SELECT DISTINCT actor_id, victim_country AS target FROM back WHERE victim_country IS NOT NULL),
pairs AS (
    SELECT 'sector' AS kind, n.actor_id, s.name AS target, count(*) AS now_count
    FROM now AS n JOIN sector AS s ON s.parent IS NULL AND (n.sector_mask & s.rollup_mask) <> 0
    GROUP BY n.actor_id, s.name
    UNION ALL
    SELECT 'country', actor_id, victim_country, count(*)
    FROM now
    WHERE victim_country IS NOT NULL
    GROUP BY actor_id, victim_country
)
SELECT p.kind, a.name AS actor, p.target, p.now_count::BIGINT AS now_count,
       (p.actor_id IN (SELECT actor_id FROM back_actor)) AS actor_before
FROM pairs AS p JOIN actor AS a USING (actor_id)
WHERE NOT EXISTS (SELECT 1 FROM back_sector AS b
                  WHERE p.kind = 'sector' AND b.actor_id = p.actor_id AND b.target = p.target)
  AND NOT EXISTS (SELECT 1 FROM back_country AS b
                  WHERE p.kind = 'country' AND b.actor_id = p.actor_id AND b.target = p.target)
ORDER BY p.now_count DESC, p.kind, a.name, p.target
LIMIT 100
