-- incident_group (see ig_sector) from the incidents: every matching incident in the range (threatscape/plans.py: any
-- filters; taken when one that no summary holds is in use).
CREATE MACRO ig_scan.incident_group(f) AS TABLE
SELECT date_trunc('month', occurred_on)::DATE AS month, actor_id, victim_country, date_precision,
       count(*) AS incidents, bit_or(sector_mask) AS sector_bits
FROM filtered_incident(f)
GROUP BY ALL
