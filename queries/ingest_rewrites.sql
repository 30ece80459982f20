-- ingest_rewrites: per input file, the updates (ingest_classify) that change an incident's date, actor and title
-- all at once: more like another incident under the same id (another feed with the same columns and its own
-- small numbers as ids) than a corrected record. The ingest says so beside the file's counts.
SELECT s.file, count(*)::BIGINT AS n
FROM staged_class AS c
JOIN staged AS s USING (ord)
JOIN stored AS i ON i.incident_id = s.incident_id
WHERE c.outcome = 'updated'
  AND s.occurred_on IS DISTINCT FROM i.occurred_on
  AND s.actor_as_reported IS DISTINCT FROM i.actor_as_reported
  AND s.title IS DISTINCT FROM i.title
GROUP BY s.file
ORDER BY s.file
