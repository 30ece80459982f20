-- changes_actors: for "what changed", the actors seen for the first time and those gone quiet, for the same
-- filters. 'new': an actor with incidents in the period (since..until) and none before it (earlier: everything up to
-- back_until, the day before since); month is the month of its first incident in the period. 'quiet': an actor
-- with incidents in the period compared with (prev_since..prev_until) and none in the period; month is the month of
-- its last one there. count is its incidents in the period it was active in. Read through the summary macros.
WITH now AS (
    SELECT actor_id, sum(incidents) AS n, min(month) AS first_month
    FROM actor_group(getvariable('filters')) WHERE actor_id <> 0 AND incidents > 0 GROUP BY actor_id
),
earlier AS (SELECT DISTINCT actor_id FROM actor_group(getvariable('earlier')) WHERE incidents > 0),
compared AS (
    SELECT actor_id, sum(incidents) AS n, max(month) AS last_month
    FROM actor_group(getvariable('previous')) WHERE actor_id <> 0 AND incidents > 0 GROUP BY actor_id
)
SELECT 'new' AS kind, a.name AS actor, n.n::BIGINT AS count, n.first_month AS month
FROM now AS n JOIN actor AS a USING (actor_id)
WHERE n.actor_id NOT IN (SELECT actor_id FROM earlier)
UNION ALL
SELECT 'quiet', a.name, c.n::BIGINT, c.last_month
FROM compared AS c JOIN actor AS a USING (actor_id)
WHERE c.actor_id NOT IN (SELECT actor_id FROM now)
ORDER BY kind, count DESC, actor
