-- kpis: incidents, active actors, sectors hit, countries hit and active campaigns in the selected
-- period (since..until) and in the period before it (prev_since..prev_until), one row; and how many of the
-- period's incidents name no actor (unattributed: actor 0, not an active actor, counted in every total), and
-- period's incidents are dated only to the month (month_dated) or only to the year (year_dated).
-- Counts come from actor_group (whole months from the monthly summary, victim countries as bits); a campaign
-- is active in a period when its span (first to last matching incident, at any date) overlaps it
-- (campaign_change_of, with window_since..window_until from campaign_window for prev_since..until).
WITH grouped AS (
    SELECT TRUE AS current, *
    FROM actor_group(getvariable('filters'))
    UNION ALL
    SELECT FALSE AS current, *
    FROM actor_group(getvariable('previous'))
),
by_actor AS (
    -- one row per period and actor: the actors are counted as rows, with no DISTINCT to plan
    SELECT current, actor_id, sum(incidents) AS incidents, sum(month_dated) AS month_dated,
           sum(year_dated) AS year_dated, bit_or(sector_bits) AS sector_bits, bit_or(country_bits) AS country_bits
    FROM grouped
    GROUP BY current, actor_id
),
counts AS (
    SELECT coalesce(sum(incidents) FILTER (WHERE current), 0) AS incidents,
           coalesce(sum(month_dated) FILTER (WHERE current), 0) AS month_dated,
           coalesce(sum(year_dated) FILTER (WHERE current), 0) AS year_dated,
           count(*) FILTER (WHERE current AND actor_id <> 0) AS actors,
           coalesce(sum(incidents) FILTER (WHERE current AND actor_id = 0), 0) AS unattributed,
           bit_count(coalesce(bit_or(sector_bits) FILTER (WHERE current), 0)) AS sectors,
           coalesce(bit_count(bit_or(country_bits) FILTER (WHERE current)), 0) AS countries,
           coalesce(sum(incidents) FILTER (WHERE NOT current), 0) AS prev_incidents,
           count(*) FILTER (WHERE NOT current AND actor_id <> 0) AS prev_actors,
           bit_count(coalesce(bit_or(sector_bits) FILTER (WHERE NOT current), 0)) AS prev_sectors,
           coalesce(bit_count(bit_or(country_bits) FILTER (WHERE NOT current)), 0) AS prev_countries
    FROM by_actor
),
campaigns AS (
    -- active in lo..hi: campaigns started by hi, less those ended before lo
    SELECT coalesce(sum(started) FILTER (WHERE day <= $until::DATE), 0)
             - coalesce(sum(ended) FILTER (WHERE day < $since::DATE), 0) AS campaigns,
           coalesce(sum(started) FILTER (WHERE day <= $prev_until::DATE), 0)
             - coalesce(sum(ended) FILTER (WHERE day < $prev_since::DATE), 0) AS prev_campaigns
    FROM campaign_change_of(getvariable('span'))
)
SELECT incidents::BIGINT AS incidents, actors::BIGINT AS actors, sectors::BIGINT AS sectors,
       countries::BIGINT AS countries, campaigns::BIGINT AS campaigns,
       prev_incidents::BIGINT AS prev_incidents, prev_actors::BIGINT AS prev_actors,
       prev_sectors::BIGINT AS prev_sectors, prev_countries::BIGINT AS prev_countries,
       prev_campaigns::BIGINT AS prev_campaigns,
       month_dated::BIGINT AS month_dated, year_dated::BIGINT AS year_dated, unattributed::BIGINT AS unattributed
FROM counts, campaigns
