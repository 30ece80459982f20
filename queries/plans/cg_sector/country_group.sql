-- country_group (see cg_month) from the summaries with a one-sector filter (threatscape/plans.py: date, country,
-- one sector, TLP level): the whole months from country_month's rows for that sector, the days at either end
-- from incident.
CREATE MACRO cg_sector.country_group(f) AS TABLE
SELECT m.month, m.victim_country, m.incidents
FROM country_month AS m
WHERE m.sector_filter = f['sector_mask']
  AND m.month >= f['month_from']
  AND m.month < f['month_to']
  AND m.tlp_max = f['tlp_max']
  AND match_country(f, m.victim_country)
UNION ALL
SELECT date_trunc('month', occurred_on)::DATE, victim_country, count(*)
FROM filtered_incident(f)
WHERE end_day(occurred_on, f)
GROUP BY ALL
