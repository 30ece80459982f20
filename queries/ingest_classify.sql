-- ingest_classify: for each staged row (by ord), whether it is 'added' (a new incident_id), 'updated' (an id
-- already stored with other content), or a 'duplicate' (an id stored with the same content, or one that
-- came earlier in this same input). Only the rows of stored ids are compared column by column.
CREATE TEMP TABLE staged_class AS
WITH firsts AS (
    SELECT ord, incident_id, file, row_number() OVER (PARTITION BY incident_id ORDER BY ord) AS k FROM staged
), compared AS (
    SELECT f.ord,
           row(i.occurred_on, i.date_precision, i.actor, i.actor_as_reported, i.sector_mask, i.victim_country,
               i.campaign, i.title, i.summary, i.confidence, i.tlp, i.source, i.source_url, i.actor_match)
           IS NOT DISTINCT FROM
           row(s.occurred_on, s.date_precision, s.actor, s.actor_as_reported, s.sector_mask, s.victim_country,
               s.campaign, s.title, s.summary, s.confidence, s.tlp, s.source, s.source_url, s.actor_match) AS same
    FROM firsts AS f
    JOIN stored AS i USING (incident_id)
    JOIN staged AS s USING (ord)
    WHERE f.k = 1
)
SELECT f.ord, f.incident_id, f.file,
       CASE WHEN f.k > 1 THEN 'duplicate'
            WHEN c.ord IS NULL THEN 'added'
            WHEN c.same THEN 'duplicate'
            ELSE 'updated' END AS outcome
FROM firsts AS f
LEFT JOIN compared AS c USING (ord)
