-- summarised_incident: the incidents that match the filters the summary tables hold (date, actor and sponsor,
-- sector, victim country): filtered_incident's first five filters, written the same way (see there for what
-- each means); filtered_incident adds confidence, TLP and text. The macro variants that read the summaries
-- (threatscape/plans.py) are chosen only when none of those three is in use, and count the days at either end
-- of a range from here: DuckDB then binds and optimises five filters, not eight. At 10M incidents the overview's
-- sector step took 96.6 -> 89.5 ms (mean of 10 alternating rounds), 164 -> 151 ms of CPU.
CREATE MACRO summarised_incident(f_since, f_until, f_actor_ids, f_sector_mask, f_countries) AS TABLE
SELECT i.*
FROM incident AS i
WHERE (f_since IS NULL OR i.occurred_on >= f_since)
  AND (f_until IS NULL OR i.occurred_on <= f_until)
  AND (f_actor_ids IS NULL OR list_contains(f_actor_ids, i.actor_id))
  AND (f_sector_mask = 0 OR i.sector_mask & f_sector_mask <> 0)
  AND (len(f_countries) = 0 OR list_contains(f_countries, i.victim_country))
