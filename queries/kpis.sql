-- kpis: incidents, active actors, sectors hit, countries hit and active campaigns in the selected
-- period (since..until) and in the period before it (prev_since..prev_until), one row.
-- Counts come from actor_group (whole months from the monthly summary, victim countries as bits); a campaign
-- is active in a period when its span (first to last matching incident, at any date) overlaps it (campaign_change_of, with
-- window_since..window_until from campaign_window for prev_since..until).
WITH grouped AS (
    SELECT TRUE AS current, *
    FROM actor_group($since::DATE, $until::DATE, $actor_ids::INTEGER[], $sector_mask::UBIGINT,
                        $countries::VARCHAR[],
                        $min_confidence::INTEGER, $tlps::VARCHAR[], $text::VARCHAR)
    UNION ALL
    SELECT FALSE AS current, *
    FROM actor_group($prev_since::DATE, $prev_until::DATE, $actor_ids::INTEGER[], $sector_mask::UBIGINT,
                        $countries::VARCHAR[],
                        $min_confidence::INTEGER, $tlps::VARCHAR[], $text::VARCHAR)
),
counts AS (
    SELECT coalesce(sum(incidents) FILTER (WHERE current), 0) AS incidents,
           count(DISTINCT actor_id) FILTER (WHERE current) AS actors,
           bit_count(coalesce(bit_or(sector_bits) FILTER (WHERE current), 0)) AS sectors,
           coalesce(bit_count(bit_or(country_bits) FILTER (WHERE current)), 0) AS countries,
           coalesce(sum(incidents) FILTER (WHERE NOT current), 0) AS prev_incidents,
           count(DISTINCT actor_id) FILTER (WHERE NOT current) AS prev_actors,
           bit_count(coalesce(bit_or(sector_bits) FILTER (WHERE NOT current), 0)) AS prev_sectors,
           coalesce(bit_count(bit_or(country_bits) FILTER (WHERE NOT current)), 0) AS prev_countries
    FROM grouped
),
campaigns AS (
    -- active in lo..hi: campaigns started by hi, less those ended before lo
    SELECT coalesce(sum(started) FILTER (WHERE day <= $until::DATE), 0)
             - coalesce(sum(ended) FILTER (WHERE day < $since::DATE), 0) AS campaigns,
           coalesce(sum(started) FILTER (WHERE day <= $prev_until::DATE), 0)
             - coalesce(sum(ended) FILTER (WHERE day < $prev_since::DATE), 0) AS prev_campaigns
    FROM campaign_change_of($prev_since::DATE, $until::DATE, $window_since::DATE, $window_until::DATE,
                            $actor_ids::INTEGER[], $sector_mask::UBIGINT, $countries::VARCHAR[],
                            $min_confidence::INTEGER, $tlps::VARCHAR[], $text::VARCHAR)
)
SELECT incidents::BIGINT AS incidents, actors::BIGINT AS actors, sectors::BIGINT AS sectors,
       countries::BIGINT AS countries, campaigns::BIGINT AS campaigns,
       prev_incidents::BIGINT AS prev_incidents, prev_actors::BIGINT AS prev_actors,
       prev_sectors::BIGINT AS prev_sectors, prev_countries::BIGINT AS prev_countries,
       prev_campaigns::BIGINT AS prev_campaigns
FROM counts, campaigns
