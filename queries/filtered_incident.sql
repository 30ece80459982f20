-- filtered_incident: the incidents that match the filters f (the filter struct, threatscape/filters.py).
-- The one definition of what the filters mean: each filter's predicate is a match_* macro (date, actor, sector,
-- country, TLP), which the summary macros' variants (queries/plans/) apply to the summary tables' columns of the
-- same name; confidence and text only the incidents hold, so they are written here alone. Every chart and export
-- query reads from here, or from a summary macro.
CREATE MACRO filtered_incident(f) AS TABLE
SELECT i.*
FROM incident AS i
WHERE match_date(f, i.occurred_on)
  AND match_actor(f, i.actor_id)
  AND match_sector(f, i.sector_mask)
  AND match_country(f, i.victim_country)
  AND match_tlp(f, i.tlp)
  AND (f['min_confidence'] IS NULL OR i.confidence >= f['min_confidence'])  -- unknown confidence does not qualify
  AND (f['text'] = '' OR contains(lower(i.title), lower(f['text']))
       OR contains(lower(coalesce(i.summary, '')), lower(f['text'])))
