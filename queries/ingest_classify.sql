-- ingest_classify: for each staged row (by ord), whether it is 'added' (a new incident_id), 'updated' (an id
-- already stored with other content), or a 'duplicate' (an id stored with the same content, or one that
-- came earlier in this same input).
CREATE TEMP TABLE staged_class AS
WITH firsts AS (
    SELECT *, row_number() OVER (PARTITION BY incident_id ORDER BY ord) AS k FROM staged
)
SELECT s.ord, s.incident_id, s.file,
       CASE WHEN s.k > 1 THEN 'duplicate'
            WHEN i.incident_id IS NULL THEN 'added'
            WHEN row(i.occurred_on, i.date_precision, a.name, i.actor_as_reported, i.sector_mask,
                     i.victim_country, i.campaign, i.title, i.summary, i.confidence, i.tlp, i.source,
                     i.source_url, i.actor_match)
                 IS NOT DISTINCT FROM
                 row(s.occurred_on, s.date_precision, s.actor, s.actor_as_reported, s.sector_mask,
                     s.victim_country, s.campaign, s.title, s.summary, s.confidence, s.tlp, s.source,
                     s.source_url, s.actor_match) THEN 'duplicate'
            ELSE 'updated' END AS outcome
FROM firsts AS s
LEFT JOIN incident AS i USING (incident_id)
LEFT JOIN actor AS a ON a.actor_id = i.actor_id
