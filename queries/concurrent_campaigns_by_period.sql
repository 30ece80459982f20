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
periods AS (SELECT * FROM period_series($grain, $since::DATE, $until::DATE)),
at_edges AS (
    -- per period: campaigns started by its first day and by its last, and ended before its first
    SELECT p.period,
           coalesce(sum(c.started) FILTER (WHERE c.day <= p.p_start), 0) AS started_by_start,
           coalesce(sum(c.started) FILTER (WHERE c.day <= p.p_end), 0) AS started_by_end,
           coalesce(sum(c.ended) FILTER (WHERE c.day < p.p_start), 0) AS ended_before
    FROM periods AS p CROSS JOIN change AS c
    GROUP BY p.period
),
start_days AS (
    -- running on a day some campaign starts, for each such day inside a period (after its first day)
    SELECT p.period, max(c.started_through - c.ended_through + c.ended) AS running
    FROM periods AS p JOIN cumulative AS c ON c.day > p.p_start AND c.day <= p.p_end AND c.started > 0
    GROUP BY p.period
)
SELECT p.period,
       greatest(coalesce(e.started_by_start - e.ended_before, 0), coalesce(d.running, 0))::BIGINT AS peak_campaigns,
       coalesce(e.started_by_end - e.ended_before, 0)::BIGINT AS active_campaigns
FROM periods AS p
LEFT JOIN at_edges AS e USING (period)
LEFT JOIN start_days AS d USING (period)
ORDER BY p.period
