-- country_group (see cg_month) when a one-sector filter is in use, with or without date and country
-- filters: the whole months come from country_month's rows for that sector, the days at either end from
-- incident.
CREATE MACRO cg_sector.country_group(f_since, f_until, f_month_from, f_month_to, f_actor_ids, f_sector_mask,
                                     f_countries, f_min_confidence, f_tlps, f_text) AS TABLE
SELECT m.month, m.victim_country, m.incidents
FROM country_month AS m
WHERE m.sector_filter = f_sector_mask
  AND m.month >= f_month_from
  AND m.month < f_month_to
  AND (len(f_countries) = 0 OR list_contains(f_countries, m.victim_country))
UNION ALL
SELECT date_trunc('month', occurred_on)::DATE, victim_country, count(*)
FROM summarised_incident(f_since, f_until, f_actor_ids, f_sector_mask, f_countries)
WHERE end_day(occurred_on, f_since, f_until, f_month_from, f_month_to)
GROUP BY ALL
