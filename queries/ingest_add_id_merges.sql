-- ingest_add_id_merges: the staged rows that ingest_classify found stored under the same id from another source,
-- into staged_merge, so that the stored incident lists their sources too (ingest_new_incident).
INSERT INTO staged_merge
SELECT c.ord, c.incident_id, s.source, c.incident_id
FROM staged_class AS c JOIN staged AS s USING (ord)
WHERE c.outcome = 'merged'
