-- actor_group: the matching incidents from f_since to f_until counted by (month, actor_id), with incidents,
-- month_dated and year_dated (how many of them are dated only to the month, to the year), sector_bits (every
-- sector any of them hit) and country_bits (every victim country, as in actor_month).
-- The range is f_since..f_until, and its whole months f_month_from..f_month_to (before the second): none of
-- them NULL (plans.date_range).
-- This variant (threatscape/plans.py), when only date, actor and sponsor filters are in use: the whole months
-- inside the range come from actor_month, the days at either end from actor_day.
CREATE MACRO ag_month.actor_group(f_since, f_until, f_month_from, f_month_to, f_actor_ids, f_sector_mask,
                                  f_countries, f_min_confidence, f_tlps, f_text) AS TABLE
SELECT m.month, m.actor_id, m.incidents, m.month_dated, m.year_dated, m.sector_bits, m.country_bits
FROM actor_month AS m
WHERE m.sector_filter = 0
  AND m.month >= f_month_from
  AND m.month < f_month_to
  AND (f_actor_ids IS NULL OR list_contains(f_actor_ids, m.actor_id))
UNION ALL
SELECT date_trunc('month', d.day)::DATE, d.actor_id, sum(d.incidents), sum(d.month_dated), sum(d.year_dated),
       bit_or(d.sector_bits), bit_or(d.country_bits)
FROM actor_day AS d
WHERE end_day(d.day, f_since, f_until, f_month_from, f_month_to)
  AND (f_actor_ids IS NULL OR list_contains(f_actor_ids, d.actor_id))
GROUP BY ALL
