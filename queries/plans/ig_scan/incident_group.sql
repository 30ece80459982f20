-- incident_group (threatscape/plans.py) when a confidence, TLP or text filter, or a filter on several sectors,
-- is in use, which the monthly summary cannot answer: every matching incident in the range, counted from incident.
CREATE MACRO ig_scan.incident_group(f_since, f_until, f_month_from, f_month_to, f_actor_ids, f_sector_mask,
                                    f_countries, f_min_confidence, f_tlps, f_text) AS TABLE
SELECT date_trunc('month', occurred_on)::DATE AS month, actor_id, victim_country, date_precision,
       count(*) AS incidents, bit_or(sector_mask) AS sector_bits
FROM filtered_incident(f_since, f_until, f_actor_ids, f_sector_mask, f_countries, f_min_confidence, f_tlps, f_text)
GROUP BY ALL
