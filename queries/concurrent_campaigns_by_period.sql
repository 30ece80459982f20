-- concurrent_campaigns_by_period: for each period (grain) from since to until, peak_campaigns = the most
-- campaigns running on one day, and active_campaigns = how many ran at some point in the period.
-- A campaign runs from its first to its last matching incident (at any date, so spans are not cut by the range).
-- From campaign_change_of (starts and ends per day; window_since..window_until from campaign_window):
-- running on day d = starts through d - ends through d - 1; active in a period = starts through its last
-- day - ends before its first. The peak is on the period's first day or on a day a campaign starts.
-- Starts and ends before the range are summed once (before); those inside it are summed per period, then
-- carried across the periods, and counted day by day only for the days inside the range.
WITH change AS (
    SELECT day, sum(started) AS started, sum(ended) AS ended
    FROM campaign_change_of(getvariable('filters'))
    GROUP BY day
),
periods AS (SELECT * FROM period_series($grain, $since::DATE, $until::DATE)),
before AS (
    -- campaigns started, and ended, before the range's first day
    SELECT coalesce(sum(c.started), 0) AS started, coalesce(sum(c.ended), 0) AS ended
    FROM change AS c
    WHERE c.day < (SELECT min(p_start) FROM periods)
),
in_range AS (
    -- the days of the range on which campaigns start or end, each with its period
    SELECT p.period, p.p_start, c.day, c.started, c.ended
    FROM change AS c JOIN periods AS p ON c.day >= p.p_start AND c.day <= p.p_end
),
per_period AS (
    SELECT p.period, coalesce(sum(r.started), 0) AS started_in, coalesce(sum(r.ended), 0) AS ended_in,
           coalesce(sum(r.started) FILTER (WHERE r.day = p.p_start), 0) AS started_on_start
    FROM periods AS p LEFT JOIN in_range AS r USING (period)
    GROUP BY p.period
),
at_edges AS (
    -- per period: campaigns started by its first day and by its last, and ended before its first
    SELECT k.period,
           b.started + sum(k.started_in) OVER w - k.started_in + k.started_on_start AS started_by_start,
           b.started + sum(k.started_in) OVER w AS started_by_end,
           b.ended + sum(k.ended_in) OVER w - k.ended_in AS ended_before
    FROM per_period AS k CROSS JOIN before AS b
    WINDOW w AS (ORDER BY k.period)
),
start_days AS (
    -- running on a day some campaign starts, for each such day inside a period (after its first day)
    SELECT period, max(running) AS running
    FROM (SELECT r.period, r.p_start, r.day, r.started,
                 b.started + sum(r.started) OVER w - (b.ended + sum(r.ended) OVER w - r.ended) AS running
          FROM in_range AS r CROSS JOIN before AS b
          WINDOW w AS (ORDER BY r.day))
    WHERE day > p_start AND started > 0
    GROUP BY period
)
SELECT e.period,
       greatest(e.started_by_start - e.ended_before, coalesce(d.running, 0))::BIGINT AS peak_campaigns,
       (e.started_by_end - e.ended_before)::BIGINT AS active_campaigns
FROM at_edges AS e
LEFT JOIN start_days AS d USING (period)
ORDER BY e.period
