-- end_day: whether day d is one of the days at either end of the filters' range f.day_from..f.day_to that its
-- whole months f.month_from..f.month_to (from the first, before the second) leave out: the days that the monthly
-- summaries do not hold. The bounds come from plans.date_range, which the store computes from since and until:
-- none is NULL, and day_from <= month_from <= month_to.
-- Written as two ranges with no term in common, which DuckDB applies in the table scan. Written as the range
-- and "d < first OR d >= after" (or as two ranges that repeat the range's bounds, which its optimiser factors
-- out again), the scan read every day of the range and a filter dropped most of them.
CREATE MACRO end_day(d, f) AS
    (d >= f['day_from'] AND d < f['month_from']) OR (d >= f['month_to'] AND d <= f['day_to'])
