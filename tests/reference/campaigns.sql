-- campaigns: each campaign among the matching incidents with its actors, first_seen, last_seen,
-- incident_count and victim countries, most recently active first (at most `limit`).
SELECT campaign, string_agg(DISTINCT actor, '; ' ORDER BY actor) AS actors,
       min(occurred_on) AS first_seen, max(occurred_on) AS last_seen, count(*)::BIGINT AS incident_count,
       string_agg(DISTINCT victim_country, '; ' ORDER BY victim_country) AS victim_countries
FROM filtered_incident($since::DATE, $until::DATE, $actors::VARCHAR[], $sector_mask::UBIGINT,
                       $countries::VARCHAR[], $sponsors::VARCHAR[],
                       $min_confidence::INTEGER, $tlps::VARCHAR[], $text::VARCHAR)
WHERE campaign IS NOT NULL
GROUP BY campaign
ORDER BY last_seen DESC, campaign
LIMIT $limit
