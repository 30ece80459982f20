-- incidents_by_sponsor_period: incident_count per period (grain) and sponsor state of the actor
-- ('unknown' when none is known; states beyond the top 6 as 'other'), every period present, 0 where none.
WITH matching AS (
    SELECT date_trunc($grain, occurred_on)::DATE AS period, coalesce(sponsor_country, 'unknown') AS sponsor,
           count(*) AS n
    FROM filtered_incident($since::DATE, $until::DATE, $actors::VARCHAR[], $sector_mask::UBIGINT,
                           $countries::VARCHAR[], $sponsors::VARCHAR[],
                           $min_confidence::INTEGER, $tlps::VARCHAR[], $clearance::VARCHAR[], $text::VARCHAR)
    GROUP BY ALL
),
ranked AS (
    SELECT sponsor, row_number() OVER (ORDER BY (sponsor = 'unknown'), sum(n) DESC, sponsor) AS r
    FROM matching GROUP BY sponsor
),
series AS (
    SELECT sponsor, CASE WHEN sponsor = 'unknown' THEN 'unknown' WHEN r <= 6 THEN sponsor ELSE 'other' END AS sponsor_country
    FROM ranked
),
periods AS (SELECT period FROM period_series($grain, $since::DATE, $until::DATE)),
labels AS (
    SELECT sponsor_country, min(r) AS series_rank FROM series JOIN ranked USING (sponsor) GROUP BY 1
),
counts AS (
    SELECT m.period, s.sponsor_country, sum(m.n) AS n
    FROM matching AS m JOIN series AS s USING (sponsor)
    GROUP BY ALL
)
SELECT p.period, l.sponsor_country, l.series_rank, coalesce(c.n, 0)::BIGINT AS incident_count
FROM periods AS p CROSS JOIN labels AS l
LEFT JOIN counts AS c ON c.period = p.period AND c.sponsor_country = l.sponsor_country
ORDER BY l.series_rank, p.period
