-- actor_group: the matching incidents in the filters' range counted by (month, actor_id), with incidents, month_dated
-- and year_dated (how many of them are dated only to the month, to the year), sector_bits (every sector any of
-- them hit) and country_bits (every victim country, as in actor_month). The range is f.day_from..f.day_to, and its
-- whole months f.month_from..f.month_to (before the second): none of them NULL (plans.date_range).
-- This variant (threatscape/plans.py: date, actor, TLP level): the whole months from actor_month, the days at
-- either end from actor_day.
CREATE MACRO ag_month.actor_group(f) AS TABLE
SELECT m.month, m.actor_id, m.incidents, m.month_dated, m.year_dated, m.sector_bits, m.country_bits
FROM actor_month AS m
WHERE m.sector_filter = 0
  AND m.month >= f['month_from']
  AND m.month < f['month_to']
  AND m.tlp_max = f['tlp_max']
  AND match_actor(f, m.actor_id)
UNION ALL
SELECT date_trunc('month', d.day)::DATE, d.actor_id, sum(d.incidents), sum(d.month_dated), sum(d.year_dated),
       bit_or(d.sector_bits), bit_or(d.country_bits)
FROM actor_day AS d
WHERE end_day(d.day, f)
  AND d.tlp_max = f['tlp_max']
  AND match_actor(f, d.actor_id)
GROUP BY ALL
