-- incident_facets: the top `limit` actors, sectors (each incident once per sector it hit) and victim
-- countries among the matching incidents, as (facet, value, incident_count).
WITH matching AS (
    SELECT actor, sector_mask, victim_country
    FROM filtered_incident($since::DATE, $until::DATE, $actors::VARCHAR[], $sector_mask::UBIGINT,
                           $countries::VARCHAR[], $sponsors::VARCHAR[],
                           $min_confidence::INTEGER, $tlps::VARCHAR[], $clearance::VARCHAR[], $text::VARCHAR)
),
by_mask AS (SELECT sector_mask, count(*) AS n FROM matching GROUP BY sector_mask),
counted AS (
    SELECT 'actor' AS facet, actor AS value, count(*) AS n FROM matching GROUP BY actor
    UNION ALL
    SELECT 'sector', s.name, sum(b.n)
    FROM by_mask AS b JOIN sector AS s ON b.sector_mask & (1::UBIGINT << s.sector_id) <> 0
    GROUP BY s.name
    UNION ALL
    SELECT 'country', victim_country, count(*) FROM matching WHERE victim_country IS NOT NULL GROUP BY victim_country
)
SELECT facet, value, n::BIGINT AS incident_count
FROM counted
QUALIFY row_number() OVER (PARTITION BY facet ORDER BY n DESC, value) <= $limit
ORDER BY facet, incident_count DESC, value
