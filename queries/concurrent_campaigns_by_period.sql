-- concurrent_campaigns_by_period: for each period (grain) from since to until, peak_campaigns = the most
-- campaigns running on one day, and active_campaigns = how many ran at some point in the period.
-- A campaign runs from its first to its last matching incident (at any date, so spans are not cut by the range).
-- From campaign_change_of (starts and ends per day; window_since..window_until from campaign_window):
-- running on day d = starts through d - ends through d - 1; active in a period = starts through its last
-- day - ends before its first. The peak is on the period's first day or on a day a campaign starts.
WITH change AS (
    SELECT day, sum(started) AS started, sum(ended) AS ended
    FROM campaign_change_of($since::DATE, $until::DATE, $window_since::DATE, $window_until::DATE,
                            $actor_ids::INTEGER[], $sector_mask::UBIGINT, $countries::VARCHAR[],
                            $min_confidence::INTEGER, $tlps::VARCHAR[], $text::VARCHAR)
    GROUP BY day
),
cumulative AS (
    SELECT day, started, ended,
           sum(started) OVER (ORDER BY day) AS started_through,
           sum(ended) OVER (ORDER BY day) AS ended_through
    FROM change
),
periods AS (SELECT *, p_start - 1 AS day_before FROM period_series($grain, $since::DATE, $until::DATE)),
started_by_start AS (
    SELECT p.period, coalesce(c.started_through, 0) AS n
    FROM periods AS p ASOF LEFT JOIN cumulative AS c ON p.p_start >= c.day
),
started_by_end AS (
    SELECT p.period, coalesce(c.started_through, 0) AS n
    FROM periods AS p ASOF LEFT JOIN cumulative AS c ON p.p_end >= c.day
),
ended_before AS (
    SELECT p.period, coalesce(c.ended_through, 0) AS n
    FROM periods AS p ASOF LEFT JOIN cumulative AS c ON p.day_before >= c.day
),
start_days AS (
    -- running on a day some campaign starts, for each such day inside a period (after its first day)
    SELECT p.period, max(c.started_through - c.ended_through + c.ended) AS running
    FROM periods AS p JOIN cumulative AS c ON c.day > p.p_start AND c.day <= p.p_end AND c.started > 0
    GROUP BY p.period
)
SELECT p.period,
       greatest(s.n - e.n, coalesce(d.running, 0))::BIGINT AS peak_campaigns,
       (se.n - e.n)::BIGINT AS active_campaigns
FROM periods AS p
JOIN started_by_start AS s USING (period)
JOIN started_by_end AS se USING (period)
JOIN ended_before AS e USING (period)
LEFT JOIN start_days AS d USING (period)
ORDER BY p.period
