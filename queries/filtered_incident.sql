-- filtered_incident: the incidents that match the shared filters.
-- The one definition of what every filter means; every chart and export query reads from it, or from
-- summarised_incident, which repeats its first five filters for the summary macros' variants (a macro calling
-- the other bound about 1 ms slower per query; tests/test_optimised.py holds both to the same reference).
-- f_actor_ids: the actors the actor and sponsor filters allow (Store.actor_ids, from the actor directory the
-- store reads at open; NULL: any actor, an empty list: none), so no join is needed here and the planner keeps
-- block skipping and top-N pruning.
-- f_sector_mask = 0 means any sector; otherwise an incident matches when it hit any selected sector
-- or a sector below one (the mask already holds the roll-up). Empty lists, NULL and '' mean "any";
-- f_text matches title or summary as a plain, case-insensitive substring.
CREATE MACRO filtered_incident(f_since, f_until, f_actor_ids, f_sector_mask, f_countries,
                               f_min_confidence, f_tlps, f_text) AS TABLE
SELECT i.*
FROM incident AS i
WHERE (f_since IS NULL OR i.occurred_on >= f_since)
  AND (f_until IS NULL OR i.occurred_on <= f_until)
  AND (f_actor_ids IS NULL OR list_contains(f_actor_ids, i.actor_id))
  AND (f_sector_mask = 0 OR i.sector_mask & f_sector_mask <> 0)
  AND (len(f_countries) = 0 OR list_contains(f_countries, i.victim_country))
  AND (f_min_confidence IS NULL OR i.confidence >= f_min_confidence)  -- unknown confidence does not qualify
  AND (len(f_tlps) = 0 OR list_contains(f_tlps, i.tlp))
  AND (f_text = '' OR contains(lower(i.title), lower(f_text)) OR contains(lower(coalesce(i.summary, '')), lower(f_text)))
