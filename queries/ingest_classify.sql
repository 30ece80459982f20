-- ingest_classify: the staged rows (by ord) that are not added: a 'duplicate' (an id that came earlier in this
-- same input, or one stored with the same content), 'merged' (an id stored from another source: the same incident
-- reported again, which keeps its content and lists both sources) or 'updated' (an id stored from the same
-- source with other content). Every other staged row is added; only the rows of ids already stored are compared
-- column by column. A stored incident lists its sources '; '-separated: a row of any of them is of the same source.
CREATE TEMP TABLE staged_class AS
WITH repeated AS (
    SELECT incident_id, min(ord) AS first FROM staged GROUP BY incident_id HAVING count(*) > 1
)
SELECT s.ord, s.incident_id, s.file, 'duplicate' AS outcome
FROM staged AS s JOIN repeated AS r USING (incident_id)
WHERE s.ord <> r.first
UNION ALL
SELECT s.ord, s.incident_id, s.file,
       CASE WHEN NOT list_contains(string_split(i.source, '; '), s.source) THEN 'merged'
            WHEN row(i.occurred_on, i.date_precision, i.actor, i.actor_as_reported, i.sector_mask, i.victim_country,
                     i.campaign, i.title, i.summary, i.confidence, i.tlp, i.source_url, i.actor_match,
                     i.sponsor_as_reported)
                 IS NOT DISTINCT FROM
                 row(s.occurred_on, s.date_precision, s.actor, s.actor_as_reported, s.sector_mask, s.victim_country,
                     s.campaign, s.title, s.summary, s.confidence, s.tlp, s.source_url, s.actor_match,
                     s.sponsor_as_reported)
            THEN 'duplicate' ELSE 'updated' END AS outcome
FROM staged AS s
JOIN stored AS i USING (incident_id)
LEFT JOIN repeated AS r USING (incident_id)
WHERE r.first IS NULL OR s.ord = r.first
