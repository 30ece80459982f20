-- changes_pairs: for "what changed", the emerging pairs: each actor-sector pair (top-level sector) and
-- actor-country pair with incidents in the period (now_count, since..until) and none in the twelve months before it
-- (back_since..back_until), for the same filters; kind is 'sector' or 'country'. actor_before says whether the actor
-- had any incident in those twelve months (so that "it had not targeted energy before" is said only of an actor
-- that was active). Unattributed incidents (actor 0) are no actor's. Read through the summary macros: the pairs
-- now from heat_cell and incident_group, the twelve months before from actor_group's sector and country bits.
WITH now_sector AS (
    SELECT actor_id, sector_id, sum(incidents) AS n
    FROM heat_cell(getvariable('filters'), 'top') WHERE actor_id <> 0 GROUP BY actor_id, sector_id
),
now_country AS (
    SELECT actor_id, victim_country, sum(incidents) AS n
    FROM incident_group(getvariable('filters'))
    WHERE actor_id <> 0 AND victim_country IS NOT NULL
    GROUP BY actor_id, victim_country
),
back AS (  -- each actor's sectors and victim countries in the twelve months before (bits as in actor_month)
    SELECT actor_id, bit_or(sector_bits) AS sector_bits, bit_or(country_bits) AS country_bits
    FROM actor_group(getvariable('lookback')) WHERE actor_id <> 0 AND incidents > 0 GROUP BY actor_id
),
pairs AS (
    SELECT 'sector' AS kind, n.actor_id, s.name AS target, n.n AS now_count
    FROM now_sector AS n JOIN sector AS s USING (sector_id) LEFT JOIN back AS b USING (actor_id)
    WHERE n.n > 0 AND coalesce(b.sector_bits & s.rollup_mask, 0) = 0
    UNION ALL
    SELECT 'country', n.actor_id, n.victim_country, n.n
    FROM now_country AS n LEFT JOIN back AS b USING (actor_id)
    WHERE n.n > 0 AND (b.country_bits IS NULL OR get_bit(b.country_bits, (ascii(n.victim_country[1]) - 65) * 26
                                                                         + ascii(n.victim_country[2]) - 65) = 0)
)
SELECT p.kind, a.name AS actor, p.target, p.now_count::BIGINT AS now_count,
       (p.actor_id IN (SELECT actor_id FROM back)) AS actor_before
FROM pairs AS p JOIN actor AS a USING (actor_id)
ORDER BY p.now_count DESC, p.kind, a.name, p.target
LIMIT 100
