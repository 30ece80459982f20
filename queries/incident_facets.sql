-- incident_facets: the top `limit` actors, sectors (each incident once per sector it hit) and victim
-- countries among the matching incidents, as (facet, value, incident_count).
-- Actors and countries are counted from incident_group; sectors from mask_group's sector combinations.
WITH grouped AS (
    SELECT actor_id, victim_country, incidents
    FROM incident_group(getvariable('filters'))
),
by_mask AS (
    SELECT sector_mask, sum(incidents) AS n
    FROM mask_group(getvariable('filters'))
    GROUP BY sector_mask
),
counted AS (
    SELECT 'actor' AS facet, a.name AS value, g.n
    FROM (SELECT actor_id, sum(incidents) AS n FROM grouped GROUP BY actor_id) AS g JOIN actor AS a USING (actor_id)
    UNION ALL
    SELECT 'sector', s.name, sum(b.n)
    FROM by_mask AS b JOIN sector AS s ON b.sector_mask & (1::UBIGINT << s.sector_id) <> 0
    GROUP BY s.name
    UNION ALL
    SELECT 'country', victim_country, sum(incidents) FROM grouped WHERE victim_country IS NOT NULL GROUP BY victim_country
)
SELECT facet, value, n::BIGINT AS incident_count
FROM counted
QUALIFY row_number() OVER (PARTITION BY facet ORDER BY n DESC, value) <= $limit
ORDER BY facet, incident_count DESC, value
