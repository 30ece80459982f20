-- kpis: incidents, active actors, sectors hit, countries hit and active campaigns in the selected
-- period (since..until) and in the period before it (prev_since..prev_until), one row.
-- A campaign is active in a period when its span (first to last matching incident, at any date) overlaps it.
WITH matching AS (
    SELECT occurred_on, actor_id, sector_mask, victim_country, campaign
    FROM filtered_incident(NULL::DATE, NULL::DATE, $actors::VARCHAR[], $sector_mask::UBIGINT,
                           $countries::VARCHAR[], $sponsors::VARCHAR[],
                           $min_confidence::INTEGER, $tlps::VARCHAR[], $clearance::VARCHAR[], $text::VARCHAR)
),
span AS (
    SELECT campaign, min(occurred_on) AS first_seen, max(occurred_on) AS last_seen
    FROM matching WHERE campaign IS NOT NULL GROUP BY campaign
),
period AS (
    SELECT 'current' AS period, $since::DATE AS lo, $until::DATE AS hi
    UNION ALL SELECT 'previous', $prev_since::DATE, $prev_until::DATE
),
counts AS (
    SELECT p.period,
           count(m.occurred_on) AS incidents,
           count(DISTINCT m.actor_id) AS actors,
           coalesce(bit_count(bit_or(m.sector_mask)), 0) AS sectors,
           count(DISTINCT m.victim_country) AS countries
    FROM period AS p
    LEFT JOIN matching AS m ON m.occurred_on BETWEEN p.lo AND p.hi
    GROUP BY p.period
),
campaigns AS (
    SELECT p.period, count(s.campaign) AS campaigns
    FROM period AS p
    LEFT JOIN span AS s ON s.first_seen <= p.hi AND s.last_seen >= p.lo
    GROUP BY p.period
)
SELECT
    max(incidents) FILTER (WHERE period = 'current')::BIGINT AS incidents,
    max(actors) FILTER (WHERE period = 'current')::BIGINT AS actors,
    max(sectors) FILTER (WHERE period = 'current')::BIGINT AS sectors,
    max(countries) FILTER (WHERE period = 'current')::BIGINT AS countries,
    max(campaigns) FILTER (WHERE period = 'current')::BIGINT AS campaigns,
    max(incidents) FILTER (WHERE period = 'previous')::BIGINT AS prev_incidents,
    max(actors) FILTER (WHERE period = 'previous')::BIGINT AS prev_actors,
    max(sectors) FILTER (WHERE period = 'previous')::BIGINT AS prev_sectors,
    max(countries) FILTER (WHERE period = 'previous')::BIGINT AS prev_countries,
    max(campaigns) FILTER (WHERE period = 'previous')::BIGINT AS prev_campaigns
FROM counts JOIN campaigns USING (period)
