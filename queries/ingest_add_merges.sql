-- ingest_add_merges: the staged rows ingest_find_merges merged into another incident, classified 'merged'
-- (not added; an updated row that is merged no longer updates).
INSERT INTO staged_class
SELECT s.ord, s.incident_id, s.file, 'merged'
FROM staged AS s JOIN staged_merge AS m USING (ord)
