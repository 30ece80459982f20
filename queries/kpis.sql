-- kpis: incidents, active actors, sectors hit, countries hit and active campaigns in the selected
-- period (since..until) and in the period before it (prev_since..prev_until), one row.
-- A campaign is active in a period when its span (first to last matching incident, at any date) overlaps it
-- (matching_campaign; window_since..window_until from campaign_window for prev_since..until).
WITH counts AS (
    SELECT count(*) FILTER (WHERE occurred_on >= $since::DATE) AS incidents,
           count(DISTINCT actor_id) FILTER (WHERE occurred_on >= $since::DATE) AS actors,
           bit_count(coalesce(bit_or(sector_mask) FILTER (WHERE occurred_on >= $since::DATE), 0)) AS sectors,
           count(DISTINCT victim_country) FILTER (WHERE occurred_on >= $since::DATE) AS countries,
           count(*) FILTER (WHERE occurred_on <= $prev_until::DATE) AS prev_incidents,
           count(DISTINCT actor_id) FILTER (WHERE occurred_on <= $prev_until::DATE) AS prev_actors,
           bit_count(coalesce(bit_or(sector_mask) FILTER (WHERE occurred_on <= $prev_until::DATE), 0)) AS prev_sectors,
           count(DISTINCT victim_country) FILTER (WHERE occurred_on <= $prev_until::DATE) AS prev_countries
    FROM filtered_incident($prev_since::DATE, $until::DATE, $actors::VARCHAR[], $sector_mask::UBIGINT,
                           $countries::VARCHAR[], $sponsors::VARCHAR[],
                           $min_confidence::INTEGER, $tlps::VARCHAR[], $text::VARCHAR)
    WHERE occurred_on BETWEEN $since::DATE AND $until::DATE
       OR occurred_on BETWEEN $prev_since::DATE AND $prev_until::DATE
),
campaigns AS (
    SELECT count(*) FILTER (WHERE first_seen <= $until::DATE AND last_seen >= $since::DATE) AS campaigns,
           count(*) FILTER (WHERE first_seen <= $prev_until::DATE AND last_seen >= $prev_since::DATE) AS prev_campaigns
    FROM matching_campaign($prev_since::DATE, $until::DATE, $window_since::DATE, $window_until::DATE,
                           $actors::VARCHAR[], $sector_mask::UBIGINT, $countries::VARCHAR[], $sponsors::VARCHAR[],
                           $min_confidence::INTEGER, $tlps::VARCHAR[], $text::VARCHAR)
)
SELECT incidents::BIGINT AS incidents, actors::BIGINT AS actors, sectors::BIGINT AS sectors,
       countries::BIGINT AS countries, campaigns::BIGINT AS campaigns,
       prev_incidents::BIGINT AS prev_incidents, prev_actors::BIGINT AS prev_actors,
       prev_sectors::BIGINT AS prev_sectors, prev_countries::BIGINT AS prev_countries,
       prev_campaigns::BIGINT AS prev_campaigns
FROM counts, campaigns
