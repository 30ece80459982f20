-- end_day: whether day d is one of the days at either end of the range f_since..f_until that its whole months
-- f_month_from..f_month_to (from the first, before the second) leave out: the days that the monthly summaries
-- do not hold. The bounds come from plans.date_range, which the store computes from the query's since and until
-- ($day_from, $day_to, $month_from, $month_to): none is NULL, and f_since <= f_month_from <= f_month_to.
-- Written as two ranges with no term in common, which DuckDB applies in the table scan. Written as the range
-- and "d < first OR d >= after" (or as two ranges that repeat the range's bounds, which its optimiser factors
-- out again), the scan read every day of the range and a filter dropped most of them.
CREATE MACRO end_day(d, f_since, f_until, f_month_from, f_month_to) AS
    (d >= f_since AND d < f_month_from) OR (d >= f_month_to AND d <= f_until)
