-- actor_group (see ag_month) when a country, confidence, TLP or text filter, or a filter on several sectors,
-- is in use: regrouped from incident_group, which answers them.
CREATE MACRO ag_fine.actor_group(f_since, f_until, f_month_from, f_month_to, f_actor_ids, f_sector_mask,
                                 f_countries, f_min_confidence, f_tlps, f_text) AS TABLE
SELECT month, actor_id, sum(incidents) AS incidents,
       coalesce(sum(incidents) FILTER (WHERE date_precision = 'month'), 0) AS month_dated,
       coalesce(sum(incidents) FILTER (WHERE date_precision = 'year'), 0) AS year_dated,
       bit_or(sector_bits) AS sector_bits,
       bitstring_agg((ascii(victim_country[1]) - 65) * 26 + ascii(victim_country[2]) - 65, 0, 675) AS country_bits
FROM incident_group(f_since, f_until, f_month_from, f_month_to, f_actor_ids, f_sector_mask, f_countries,
                    f_min_confidence, f_tlps, f_text)
GROUP BY month, actor_id
