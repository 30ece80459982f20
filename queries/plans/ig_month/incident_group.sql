-- incident_group: the matching incidents from f_since to f_until counted in groups: (month, actor_id,
-- victim_country, date_precision) with incidents (how many) and sector_bits (every sector any of them hit).
-- The range is f_since..f_until, and its whole months f_month_from..f_month_to (before the second): none of
-- them NULL (plans.date_range).
-- This variant (threatscape/plans.py), when only date, actor, sponsor and country filters are in use: the
-- whole months inside the range come from incident_month, the days at either end (before the first whole
-- month, after the last) from incident_day.
CREATE MACRO ig_month.incident_group(f_since, f_until, f_month_from, f_month_to, f_actor_ids, f_sector_mask,
                                     f_countries, f_min_confidence, f_tlps, f_text) AS TABLE
SELECT m.month, m.actor_id, m.victim_country, m.date_precision, m.incidents, m.sector_bits
FROM incident_month AS m
WHERE m.sector_filter = 0
  AND m.month >= f_month_from
  AND m.month < f_month_to
  AND (f_actor_ids IS NULL OR list_contains(f_actor_ids, m.actor_id))
  AND (len(f_countries) = 0 OR list_contains(f_countries, m.victim_country))
UNION ALL
SELECT date_trunc('month', d.day)::DATE, d.actor_id, d.victim_country, d.date_precision, sum(d.incidents),
       bit_or(d.sector_bits)
FROM incident_day AS d
WHERE end_day(d.day, f_since, f_until, f_month_from, f_month_to)
  AND (f_actor_ids IS NULL OR list_contains(f_actor_ids, d.actor_id))
  AND (len(f_countries) = 0 OR list_contains(f_countries, d.victim_country))
GROUP BY ALL
