-- actor_group (see ag_month) when a one-sector filter is in use, with or without date, actor and sponsor
-- filters: the whole months come from actor_month's rows for that sector, the days at either end from incident.
CREATE MACRO ag_sector.actor_group(f_since, f_until, f_month_from, f_month_to, f_actor_ids, f_sector_mask,
                                   f_countries, f_min_confidence, f_tlps, f_text) AS TABLE
SELECT m.month, m.actor_id, m.incidents, m.month_dated, m.year_dated, m.sector_bits, m.country_bits
FROM actor_month AS m
WHERE m.sector_filter = f_sector_mask
  AND m.month >= f_month_from
  AND m.month < f_month_to
  AND (f_actor_ids IS NULL OR list_contains(f_actor_ids, m.actor_id))
UNION ALL
SELECT date_trunc('month', occurred_on)::DATE, actor_id, count(*), count(*) FILTER (WHERE date_precision = 'month'),
       count(*) FILTER (WHERE date_precision = 'year'), bit_or(sector_mask),
       bitstring_agg((ascii(victim_country[1]) - 65) * 26 + ascii(victim_country[2]) - 65, 0, 675)
FROM summarised_incident(f_since, f_until, f_actor_ids, f_sector_mask, f_countries)
WHERE end_day(occurred_on, f_since, f_until, f_month_from, f_month_to)
GROUP BY ALL
