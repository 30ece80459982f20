-- after_whole_months: the first day after the last whole month up to day d (9999-12-01 when d is NULL, an
-- open range). The monthly summaries answer before it; the days from here to d come from the daily ones.
CREATE MACRO after_whole_months(d) AS
    CASE WHEN d IS NULL THEN DATE '9999-12-01' ELSE date_trunc('month', d + 1)::DATE END
