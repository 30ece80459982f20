-- campaigns: each campaign among the matching incidents with its actors, first_seen, last_seen,
-- incident_count and victim countries, most recently active first (at most `limit`).
-- The campaigns to list are chosen first; only their incidents are then read again for the name lists.
WITH listed AS (
    SELECT campaign, min(occurred_on) AS first_seen, max(occurred_on) AS last_seen, count(*) AS incident_count
    FROM filtered_incident($since::DATE, $until::DATE, $actor_ids::INTEGER[], $sector_mask::UBIGINT,
                           $countries::VARCHAR[],
                           $min_confidence::INTEGER, $tlps::VARCHAR[], $text::VARCHAR)
    WHERE campaign IS NOT NULL
    GROUP BY campaign
    ORDER BY last_seen DESC, campaign
    LIMIT $limit
),
named AS (
    SELECT i.campaign, string_agg(DISTINCT a.name, '; ' ORDER BY a.name) AS actors,
           string_agg(DISTINCT i.victim_country, '; ' ORDER BY i.victim_country) AS victim_countries
    FROM filtered_incident($since::DATE, $until::DATE, $actor_ids::INTEGER[], $sector_mask::UBIGINT,
                           $countries::VARCHAR[],
                           $min_confidence::INTEGER, $tlps::VARCHAR[], $text::VARCHAR)
    AS i JOIN actor AS a USING (actor_id)
    WHERE i.campaign IN (SELECT campaign FROM listed)
    GROUP BY i.campaign
)
SELECT l.campaign, n.actors, l.first_seen, l.last_seen, l.incident_count::BIGINT AS incident_count,
       n.victim_countries
FROM listed AS l JOIN named AS n USING (campaign)
ORDER BY l.last_seen DESC, l.campaign
