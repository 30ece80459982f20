-- incident_group (see ig_month) when a one-sector filter is in use, with or without date, actor, sponsor and
-- country filters: the whole months come from incident_month's rows for that sector, and only the days at
-- either end are counted from incident, in one scan that skips other blocks.
CREATE MACRO ig_sector.incident_group(f_since, f_until, f_month_from, f_month_to, f_actor_ids, f_sector_mask,
                                      f_countries, f_min_confidence, f_tlps, f_text) AS TABLE
SELECT m.month, m.actor_id, m.victim_country, m.date_precision, m.incidents, m.sector_bits
FROM incident_month AS m
WHERE m.sector_filter = f_sector_mask
  AND m.month >= f_month_from
  AND m.month < f_month_to
  AND (f_actor_ids IS NULL OR list_contains(f_actor_ids, m.actor_id))
  AND (len(f_countries) = 0 OR list_contains(f_countries, m.victim_country))
UNION ALL
SELECT date_trunc('month', occurred_on)::DATE, actor_id, victim_country, date_precision, count(*), bit_or(sector_mask)
FROM summarised_incident(f_since, f_until, f_actor_ids, f_sector_mask, f_countries)
WHERE end_day(occurred_on, f_since, f_until, f_month_from, f_month_to)
GROUP BY ALL
