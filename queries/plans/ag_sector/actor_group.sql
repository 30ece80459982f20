-- actor_group (see ag_month) from the summaries with a one-sector filter (threatscape/plans.py: date, actor, one
-- sector, TLP level): the whole months from actor_month's rows for that sector, the days at either end from
-- incident.
CREATE MACRO ag_sector.actor_group(f) AS TABLE
SELECT m.month, m.actor_id, m.incidents, m.month_dated, m.year_dated, m.sector_bits, m.country_bits
FROM actor_month AS m
WHERE m.sector_filter = f['sector_mask']
  AND m.month >= f['month_from']
  AND m.month < f['month_to']
  AND m.tlp_max = f['tlp_max']
  AND match_actor(f, m.actor_id)
UNION ALL
SELECT date_trunc('month', occurred_on)::DATE, actor_id, count(*), count(*) FILTER (WHERE date_precision = 'month'),
       count(*) FILTER (WHERE date_precision = 'year'), bit_or(sector_mask),
       bitstring_agg((ascii(victim_country[1]) - 65) * 26 + ascii(victim_country[2]) - 65, 0, 675)
FROM filtered_incident(f)
WHERE end_day(occurred_on, f)
GROUP BY ALL
