-- period_series: every period of a grain ('month', 'quarter', 'year') from p_since to p_until (NULL: the
-- first/last incident), with p_start/p_end, the part of the period inside the range.
CREATE MACRO period_series(p_grain, p_since, p_until) AS TABLE
WITH bounds AS (
    SELECT coalesce(p_since, (SELECT min(first_seen) FROM actor_summary)) AS lo,
           coalesce(p_until, (SELECT max(last_seen) FROM actor_summary)) AS hi,
           CASE p_grain WHEN 'month' THEN INTERVAL 1 MONTH WHEN 'quarter' THEN INTERVAL 3 MONTH
                        ELSE INTERVAL 1 YEAR END AS width
)
SELECT period, greatest(period, lo) AS p_start, least((period + width)::DATE - 1, hi) AS p_end
FROM (SELECT unnest(generate_series(date_trunc(p_grain, lo), date_trunc(p_grain, hi), width))::DATE AS period,
             lo, hi, width
      FROM bounds)
