-- concurrent_campaigns_by_period: for each period (grain) from since to until, peak_campaigns = the most
-- campaigns running on one day, and active_campaigns = how many ran at some point in the period.
-- A campaign runs from its first to its last matching incident (at any date, so spans are not cut by the range).
WITH span AS (
    SELECT campaign, min(occurred_on) AS first_seen, max(occurred_on) AS last_seen
    FROM filtered_incident(NULL::DATE, NULL::DATE, $actors::VARCHAR[], $sector_mask::UBIGINT,
                           $countries::VARCHAR[], $sponsors::VARCHAR[],
                           $min_confidence::INTEGER, $tlps::VARCHAR[], $clearance::VARCHAR[], $text::VARCHAR)
    WHERE campaign IS NOT NULL
    GROUP BY campaign
),
change AS (
    -- from `day` on (until the next change), `running` campaigns are under way
    SELECT day, sum(sum(delta)) OVER (ORDER BY day) AS running
    FROM (SELECT first_seen AS day, 1 AS delta FROM span
          UNION ALL SELECT last_seen + 1, -1 FROM span)
    GROUP BY day
),
periods AS (SELECT * FROM period_series($grain, $since::DATE, $until::DATE)),
at_start AS (
    SELECT p.period, coalesce(c.running, 0) AS running
    FROM periods AS p ASOF LEFT JOIN change AS c ON p.p_start >= c.day
),
within AS (
    SELECT p.period, max(c.running) AS running
    FROM periods AS p JOIN change AS c ON c.day > p.p_start AND c.day <= p.p_end
    GROUP BY p.period
),
active AS (
    SELECT p.period, count(s.campaign) AS n
    FROM periods AS p LEFT JOIN span AS s ON s.first_seen <= p.p_end AND s.last_seen >= p.p_start
    GROUP BY p.period
)
SELECT p.period, greatest(a.running, coalesce(w.running, 0))::BIGINT AS peak_campaigns,
       act.n::BIGINT AS active_campaigns
FROM periods AS p
JOIN at_start AS a USING (period)
LEFT JOIN within AS w USING (period)
JOIN active AS act USING (period)
ORDER BY p.period
