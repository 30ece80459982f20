-- country_group: the matching incidents from f_since to f_until counted by (month, victim_country).
-- The range is f_since..f_until, and its whole months f_month_from..f_month_to (before the second): none of
-- them NULL (plans.date_range).
-- This variant (threatscape/plans.py), when only date and country filters are in use: the whole months
-- inside the range come from country_month, the days at either end from country_day.
CREATE MACRO cg_month.country_group(f_since, f_until, f_month_from, f_month_to, f_actor_ids, f_sector_mask,
                                    f_countries, f_min_confidence, f_tlps, f_text) AS TABLE
SELECT m.month, m.victim_country, m.incidents
FROM country_month AS m
WHERE m.sector_filter = 0
  AND m.month >= f_month_from
  AND m.month < f_month_to
  AND (len(f_countries) = 0 OR list_contains(f_countries, m.victim_country))
UNION ALL
SELECT date_trunc('month', d.day)::DATE, d.victim_country, sum(d.incidents)
FROM country_day AS d
WHERE end_day(d.day, f_since, f_until, f_month_from, f_month_to)
  AND (len(f_countries) = 0 OR list_contains(f_countries, d.victim_country))
GROUP BY ALL
