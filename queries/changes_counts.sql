-- changes_counts: for "what changed", each actor's, top-level sector's and victim country's incidents in the period
-- (now_count, since..until) and in the period it is compared with (then_count, prev_since..prev_until), for the
-- same filters; kind is 'actor', 'sector' or 'country'. An incident counts once for its actor, once in each
-- top-level sector it hit (oil and gas counts as energy) and once for its victim country; unattributed incidents
-- (actor 0) are no actor's, and an incident with no known victim country no country's.
WITH hit AS (
    SELECT TRUE AS now, actor_id, sector_mask, victim_country FROM filtered_incident(getvariable('filters'))
    UNION ALL
    SELECT FALSE AS now, actor_id, sector_mask, victim_country FROM filtered_incident(getvariable('previous'))
)
SELECT 'actor' AS kind, a.name AS name, count(*) FILTER (WHERE h.now)::BIGINT AS now_count,
       count(*) FILTER (WHERE NOT h.now)::BIGINT AS then_count
FROM hit AS h JOIN actor AS a USING (actor_id)
WHERE h.actor_id <> 0
GROUP BY a.name
UNION ALL
SELECT 'sector', s.name, count(*) FILTER (WHERE h.now), count(*) FILTER (WHERE NOT h.now)
FROM hit AS h JOIN sector AS s ON s.parent IS NULL AND (h.sector_mask & s.rollup_mask) <> 0
GROUP BY s.name
UNION ALL
SELECT 'country', h.victim_country, count(*) FILTER (WHERE h.now), count(*) FILTER (WHERE NOT h.now)
FROM hit AS h
WHERE h.victim_country IS NOT NULL
GROUP BY h.victim_country
ORDER BY kind, name
