-- mask_group (see mg_month) from the incidents, for any filters (threatscape/plans.py).
CREATE MACRO mg_scan.mask_group(f) AS TABLE
SELECT date_trunc('month', occurred_on)::DATE AS month, actor_id, sector_mask, count(*) AS incidents
FROM filtered_incident(f)
GROUP BY ALL
