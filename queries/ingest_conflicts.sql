-- ingest_conflicts: the staged rows rejected as conflicts (ingest_classify: an id that an earlier row of this same
-- input has, with other content), each with the ord of that earlier row, which is kept.
SELECT c.ord, c.incident_id, min(s.ord) AS first
FROM staged_class AS c JOIN staged AS s USING (incident_id)
WHERE c.outcome = 'conflict'
GROUP BY c.ord, c.incident_id
ORDER BY c.ord
