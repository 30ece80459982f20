-- reference_incident (the app's filtered_incident before actor ids): the incidents that match the shared filters, with the canonical actor and its sponsor.
-- The one definition of what every filter means; every chart and export query reads from it.
-- f_sector_mask = 0 means any sector; otherwise an incident matches when it hit any selected sector
-- or a sector below one (the mask already holds the roll-up). Empty lists, NULL and '' mean "any";
-- f_text matches title or summary as a plain, case-insensitive substring.
CREATE OR REPLACE MACRO reference_incident(f_since, f_until, f_actors, f_sector_mask, f_countries, f_sponsors,
                               f_min_confidence, f_tlps, f_clearance, f_text) AS TABLE
SELECT i.*, a.name AS actor, a.sponsor_country
FROM incident AS i
JOIN actor AS a USING (actor_id)
WHERE (f_since IS NULL OR i.occurred_on >= f_since)
  AND (f_until IS NULL OR i.occurred_on <= f_until)
  AND (len(f_actors) = 0 OR list_contains(f_actors, a.name))
  AND (f_sector_mask = 0 OR i.sector_mask & f_sector_mask <> 0)
  AND (len(f_countries) = 0 OR list_contains(f_countries, i.victim_country))
  AND (len(f_sponsors) = 0 OR list_contains(f_sponsors, coalesce(a.sponsor_country, 'unknown')))
  AND (f_min_confidence IS NULL OR i.confidence >= f_min_confidence)  -- unknown confidence does not qualify
  AND (len(f_tlps) = 0 OR list_contains(f_tlps, i.tlp))
  AND (f_clearance IS NULL OR list_contains(f_clearance, i.tlp))  -- the markings the clearance allows
  AND (f_text = '' OR contains(lower(i.title), lower(f_text)) OR contains(lower(coalesce(i.summary, '')), lower(f_text)))
