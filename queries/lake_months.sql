-- lake_months: the first day of each month in which an incident of the view lake_rows occurred, in order (the
-- lake's incident folders, one per month: threatscape/lake.py).
SELECT DISTINCT date_trunc('month', occurred_on)::DATE AS month FROM lake_rows ORDER BY month
