-- end_day: whether day d is one of the days from f_since to f_until outside the whole months between them
-- (before first_whole_month(f_since), from after_whole_months(f_until) on): the days at either end that the
-- monthly summaries do not hold. NULL bounds are open.
-- Written as two ranges with no term in common, which DuckDB applies in the table scan. Written as the range
-- and "d < first OR d >= after" (or as two ranges that repeat the range's bounds, which its optimiser factors
-- out again), the scan read every day of the range and a filter dropped most of them.
CREATE MACRO end_day(d, f_since, f_until) AS
    (d >= coalesce(f_since, '-infinity'::DATE)
     AND d < least(first_whole_month(f_since), coalesce(f_until + 1, 'infinity'::DATE)))
    OR (d >= greatest(after_whole_months(f_until), coalesce(f_since, '-infinity'::DATE))
        AND d <= coalesce(f_until, 'infinity'::DATE))
