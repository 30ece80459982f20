-- actor_group (see ag_month) for any filters (threatscape/plans.py): regrouped from incident_group, which answers
-- them.
CREATE MACRO ag_fine.actor_group(f) AS TABLE
SELECT month, actor_id, sum(incidents) AS incidents,
       coalesce(sum(incidents) FILTER (WHERE date_precision = 'month'), 0) AS month_dated,
       coalesce(sum(incidents) FILTER (WHERE date_precision = 'year'), 0) AS year_dated,
       bit_or(sector_bits) AS sector_bits,
       bitstring_agg((ascii(victim_country[1]) - 65) * 26 + ascii(victim_country[2]) - 65, 0, 675) AS country_bits
FROM incident_group(f)
GROUP BY month, actor_id
