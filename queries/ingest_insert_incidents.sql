-- ingest_insert_incidents: the added and updated staged incidents, with their canonical actor_id.
INSERT INTO incident
SELECT s.incident_id, s.occurred_on, s.date_precision, a.actor_id, s.actor_as_reported, s.sector_mask::UBIGINT,
       s.victim_country, s.campaign, s.title, s.summary, s.confidence::UTINYINT, s.tlp, s.source, s.source_url,
       NULL::BIGINT AS seq, s.actor_match
FROM staged AS s
JOIN staged_class AS c USING (ord)
JOIN actor AS a ON a.name = s.actor
WHERE c.outcome IN ('added', 'updated')
ORDER BY s.occurred_on, s.incident_id
