-- incidents_by_victim_country: incident_count per victim country (top `limit`), with the previous
-- period's count for the same filters (prev_since..prev_until) beside it.
WITH cur AS (
    SELECT victim_country, sum(incidents) AS incident_count
    FROM country_group(getvariable('filters'))
    WHERE victim_country IS NOT NULL
    GROUP BY victim_country
),
prev AS (
    SELECT victim_country, sum(incidents) AS prev_incident_count
    FROM country_group(getvariable('previous'))
    WHERE victim_country IS NOT NULL
    GROUP BY victim_country
)
SELECT cur.victim_country, cur.incident_count::BIGINT AS incident_count,
       coalesce(prev.prev_incident_count, 0)::BIGINT AS prev_incident_count
FROM cur LEFT JOIN prev USING (victim_country)
ORDER BY cur.incident_count DESC, cur.victim_country
LIMIT $limit
