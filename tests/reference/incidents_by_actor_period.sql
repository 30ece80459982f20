-- incidents_by_actor_period: incident_count per period (grain) for the top_n actors and 'Other actors',
-- every period from since to until present, with 0 where an actor had no incidents.
-- An incident known only to the month or year is counted in the period holding that month's or year's first day.
WITH matching AS (
    SELECT date_trunc($grain, occurred_on)::DATE AS period, actor, count(*) AS n
    FROM filtered_incident($since::DATE, $until::DATE, $actors::VARCHAR[], $sector_mask::UBIGINT,
                           $countries::VARCHAR[], $sponsors::VARCHAR[],
                           $min_confidence::INTEGER, $tlps::VARCHAR[], $clearance::VARCHAR[], $text::VARCHAR)
    GROUP BY ALL
),
ranked AS (
    SELECT actor, row_number() OVER (ORDER BY sum(n) DESC, actor) AS actor_rank
    FROM matching GROUP BY actor
),
series AS (
    SELECT CASE WHEN actor_rank <= $top_n THEN actor ELSE 'Other actors' END AS actor,
           min(actor_rank) AS series_rank
    FROM ranked GROUP BY 1
),
periods AS (SELECT period FROM period_series($grain, $since::DATE, $until::DATE)),
counts AS (
    SELECT m.period, s.actor, sum(m.n) AS n
    FROM matching AS m JOIN ranked AS r USING (actor)
    JOIN series AS s ON s.actor = CASE WHEN r.actor_rank <= $top_n THEN m.actor ELSE 'Other actors' END
    GROUP BY ALL
)
SELECT p.period, s.actor, s.series_rank, coalesce(c.n, 0)::BIGINT AS incident_count
FROM periods AS p CROSS JOIN series AS s
LEFT JOIN counts AS c ON c.period = p.period AND c.actor = s.actor
ORDER BY s.series_rank, p.period
