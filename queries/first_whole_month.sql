-- first_whole_month: the first day of the first whole month from day d on (d itself on a month's first day;
-- 0001-01-01 when d is NULL, an open range). The monthly summaries answer from here on.
CREATE MACRO first_whole_month(d) AS
    CASE WHEN d IS NULL THEN DATE '0001-01-01' WHEN day(d) = 1 THEN d
         ELSE (date_trunc('month', d) + INTERVAL 1 MONTH)::DATE END
