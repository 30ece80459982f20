-- incidents_by_period: the overview's two time series at once, incident_count per period (grain), every period
-- from since to until present, with 0 where a series had no incidents:
--   kind 'actor': series is one of the top_n actors, or 'Other actors';
--   kind 'sponsor': series is the sponsor state of the actor ('unknown' when none is known; states beyond the
--   top 6 as 'other').
-- series_rank orders the series of each kind. One statement, so that the matching incidents are grouped by
-- period and actor once for both (data.actor_period and data.sponsor_period each take their kind's rows).
-- Unattributed incidents (actor 0) are in neither kind: no actor, so no sponsor (kpis counts them).
-- An incident known only to the month or year is counted in the period holding that month's or year's first day.
WITH grouped AS (
    SELECT date_trunc($grain, month)::DATE AS period, actor_id, sum(incidents) AS n
    FROM actor_group(getvariable('filters'))
    WHERE actor_id <> 0
    GROUP BY ALL  -- by id, then named: integer keys group faster
),
periods AS (SELECT period FROM period_series($grain, $since::DATE, $until::DATE)),
by_actor AS (
    SELECT g.period, a.name AS actor, g.n FROM grouped AS g JOIN actor AS a USING (actor_id)
),
actor_ranked AS (
    SELECT actor, row_number() OVER (ORDER BY sum(n) DESC, actor) AS actor_rank
    FROM by_actor GROUP BY actor
),
actor_series AS (
    SELECT CASE WHEN actor_rank <= $top_n THEN actor ELSE 'Other actors' END AS series,
           min(actor_rank) AS series_rank
    FROM actor_ranked GROUP BY 1
),
actor_counts AS (
    SELECT m.period, CASE WHEN r.actor_rank <= $top_n THEN m.actor ELSE 'Other actors' END AS series,
           sum(m.n) AS n
    FROM by_actor AS m JOIN actor_ranked AS r USING (actor)
    GROUP BY ALL
),
by_sponsor AS (
    SELECT g.period, coalesce(a.sponsor_country, 'unknown') AS sponsor, sum(g.n) AS n
    FROM grouped AS g JOIN actor AS a USING (actor_id)
    GROUP BY ALL
),
sponsor_ranked AS (
    SELECT sponsor, row_number() OVER (ORDER BY (sponsor = 'unknown'), sum(n) DESC, sponsor) AS r
    FROM by_sponsor GROUP BY sponsor
),
sponsor_named AS (
    SELECT sponsor, r, CASE WHEN sponsor = 'unknown' THEN 'unknown' WHEN r <= 6 THEN sponsor ELSE 'other' END AS series
    FROM sponsor_ranked
),
sponsor_series AS (
    SELECT series, min(r) AS series_rank FROM sponsor_named GROUP BY 1
),
sponsor_counts AS (
    SELECT m.period, s.series, sum(m.n) AS n
    FROM by_sponsor AS m JOIN sponsor_named AS s USING (sponsor)
    GROUP BY ALL
)
SELECT 'actor' AS kind, p.period, s.series, s.series_rank, coalesce(c.n, 0)::BIGINT AS incident_count
FROM periods AS p CROSS JOIN actor_series AS s
LEFT JOIN actor_counts AS c ON c.period = p.period AND c.series = s.series
UNION ALL
SELECT 'sponsor', p.period, s.series, s.series_rank, coalesce(c.n, 0)::BIGINT
FROM periods AS p CROSS JOIN sponsor_series AS s
LEFT JOIN sponsor_counts AS c ON c.period = p.period AND c.series = s.series
ORDER BY 1, 4, 2
