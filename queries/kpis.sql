-- kpis: incidents, active actors, sectors hit, countries hit and active campaigns in the selected
-- period (since..until) and in the period before it (prev_since..prev_until), one row.
-- Counts come from incident_group (whole months from the monthly summary); a campaign is active in a period
-- when its span (first to last matching incident, at any date) overlaps it (matching_campaign, with
-- window_since..window_until from campaign_window for prev_since..until).
WITH grouped AS (
    SELECT TRUE AS current, *
    FROM incident_group($since::DATE, $until::DATE, $actor_ids::INTEGER[], $sector_mask::UBIGINT,
                        $countries::VARCHAR[],
                        $min_confidence::INTEGER, $tlps::VARCHAR[], $text::VARCHAR)
    UNION ALL
    SELECT FALSE AS current, *
    FROM incident_group($prev_since::DATE, $prev_until::DATE, $actor_ids::INTEGER[], $sector_mask::UBIGINT,
                        $countries::VARCHAR[],
                        $min_confidence::INTEGER, $tlps::VARCHAR[], $text::VARCHAR)
),
counts AS (
    SELECT coalesce(sum(incidents) FILTER (WHERE current), 0) AS incidents,
           count(DISTINCT actor_id) FILTER (WHERE current) AS actors,
           bit_count(coalesce(bit_or(sector_bits) FILTER (WHERE current), 0)) AS sectors,
           count(DISTINCT victim_country) FILTER (WHERE current) AS countries,
           coalesce(sum(incidents) FILTER (WHERE NOT current), 0) AS prev_incidents,
           count(DISTINCT actor_id) FILTER (WHERE NOT current) AS prev_actors,
           bit_count(coalesce(bit_or(sector_bits) FILTER (WHERE NOT current), 0)) AS prev_sectors,
           count(DISTINCT victim_country) FILTER (WHERE NOT current) AS prev_countries
    FROM grouped
),
campaigns AS (
    SELECT count(*) FILTER (WHERE first_seen <= $until::DATE AND last_seen >= $since::DATE) AS campaigns,
           count(*) FILTER (WHERE first_seen <= $prev_until::DATE AND last_seen >= $prev_since::DATE) AS prev_campaigns
    FROM matching_campaign($prev_since::DATE, $until::DATE, $window_since::DATE, $window_until::DATE,
                           $actor_ids::INTEGER[], $sector_mask::UBIGINT, $countries::VARCHAR[],
                           $min_confidence::INTEGER, $tlps::VARCHAR[], $text::VARCHAR)
)
SELECT incidents::BIGINT AS incidents, actors::BIGINT AS actors, sectors::BIGINT AS sectors,
       countries::BIGINT AS countries, campaigns::BIGINT AS campaigns,
       prev_incidents::BIGINT AS prev_incidents, prev_actors::BIGINT AS prev_actors,
       prev_sectors::BIGINT AS prev_sectors, prev_countries::BIGINT AS prev_countries,
       prev_campaigns::BIGINT AS prev_campaigns
FROM counts, campaigns
