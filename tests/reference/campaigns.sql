-- campaigns: the campaigns whose span of matching incidents (at any date) overlaps since..until, most recently
-- active first (at most `limit`), with the whole campaign's span, matching incidents, actors and victim countries.
SELECT campaign, string_agg(DISTINCT actor, '; ' ORDER BY actor) AS actors,
       min(occurred_on) AS first_seen, max(occurred_on) AS last_seen, count(*)::BIGINT AS incident_count,
       string_agg(DISTINCT victim_country, '; ' ORDER BY victim_country) AS victim_countries
FROM filtered_incident(NULL::DATE, NULL::DATE, $actors::VARCHAR[], $sector_mask::UBIGINT,
                       $countries::VARCHAR[], $sponsors::VARCHAR[],
                       $min_confidence::INTEGER, $tlps::VARCHAR[], $clearance::VARCHAR[], $text::VARCHAR)
WHERE campaign IS NOT NULL
GROUP BY campaign
HAVING min(occurred_on) <= coalesce($until::DATE, DATE '9999-12-31')
   AND max(occurred_on) >= coalesce($since::DATE, DATE '0001-01-01')
ORDER BY last_seen DESC, campaign
LIMIT $limit
