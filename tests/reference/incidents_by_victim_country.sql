-- incidents_by_victim_country: incident_count per victim country (top `limit`), with the previous
-- period's count for the same filters (prev_since..prev_until) beside it.
WITH cur AS (
    SELECT victim_country, count(*) AS incident_count
    FROM filtered_incident($since::DATE, $until::DATE, $actors::VARCHAR[], $sector_mask::UBIGINT,
                           $countries::VARCHAR[], $sponsors::VARCHAR[],
                           $min_confidence::INTEGER, $tlps::VARCHAR[], $clearance::VARCHAR[], $text::VARCHAR)
    WHERE victim_country IS NOT NULL
    GROUP BY victim_country
),
prev AS (
    SELECT victim_country, count(*) AS prev_incident_count
    FROM filtered_incident($prev_since::DATE, $prev_until::DATE, $actors::VARCHAR[], $sector_mask::UBIGINT,
                           $countries::VARCHAR[], $sponsors::VARCHAR[],
                           $min_confidence::INTEGER, $tlps::VARCHAR[], $clearance::VARCHAR[], $text::VARCHAR)
    WHERE victim_country IS NOT NULL
    GROUP BY victim_country
)
SELECT cur.victim_country, cur.incident_count::BIGINT AS incident_count,
       coalesce(prev.prev_incident_count, 0)::BIGINT AS prev_incident_count
FROM cur LEFT JOIN prev USING (victim_country)
ORDER BY cur.incident_count DESC, cur.victim_country
LIMIT $limit
