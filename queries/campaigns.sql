-- campaigns: the campaigns active from since to until (as kpis counts them: the span from a campaign's first
-- to its last matching incident, at any date, overlaps the period), most recently active first (at most
-- `limit`), each with its span, how many of its incidents match, and their actors and victim countries.
-- Spans and counts are the whole campaign's, not cut by the period. window_since..window_until: from
-- campaign_window, read only when a confidence, TLP or text filter is in use.
WITH listed AS (
    SELECT campaign, first_seen, last_seen, incidents
    FROM matching_campaign(getvariable('filters'))
    ORDER BY last_seen DESC, campaign
    LIMIT $limit
),
named AS (
    SELECT m.campaign, string_agg(DISTINCT a.name, '; ' ORDER BY a.name) AS actors,
           string_agg(DISTINCT m.victim_country, '; ' ORDER BY m.victim_country) AS victim_countries
    FROM campaign_member(getvariable('filters'), (SELECT list(campaign) FROM listed)) AS m
    JOIN actor AS a USING (actor_id)
    GROUP BY m.campaign
)
SELECT l.campaign, n.actors, l.first_seen, l.last_seen, l.incidents::BIGINT AS incident_count, n.victim_countries
FROM listed AS l JOIN named AS n USING (campaign)
ORDER BY l.last_seen DESC, l.campaign
