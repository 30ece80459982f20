-- country_group: the matching incidents in the filters' range counted by (month, victim_country). The range is
-- f.day_from..f.day_to, and its whole months f.month_from..f.month_to (before the second): none of them NULL
-- (plans.date_range).
-- This variant (threatscape/plans.py: date, country, TLP level): the whole months from country_month, the days
-- at either end from country_day.
CREATE MACRO cg_month.country_group(f) AS TABLE
SELECT m.month, m.victim_country, m.incidents
FROM country_month AS m
WHERE m.sector_filter = 0
  AND m.month >= f['month_from']
  AND m.month < f['month_to']
  AND m.tlp_max = f['tlp_max']
  AND match_country(f, m.victim_country)
UNION ALL
SELECT date_trunc('month', d.day)::DATE, d.victim_country, sum(d.incidents)
FROM country_day AS d
WHERE end_day(d.day, f)
  AND d.tlp_max = f['tlp_max']
  AND match_country(f, d.victim_country)
GROUP BY ALL
