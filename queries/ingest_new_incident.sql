-- ingest_new_incident: every incident of the new database (without seq): the stored ones that this input does
-- not update, and the added and updated staged ones. ingest_insert_incidents writes them and
-- ingest_new_incident_facts gives the summaries the columns they read, from this one definition.
CREATE TEMP VIEW new_incident AS
SELECT i.incident_id, i.occurred_on, i.date_precision, i.actor_id, i.actor_as_reported, i.sector_mask,
       i.victim_country, i.campaign, i.title, i.summary, i.confidence, i.tlp, i.source, i.source_url,
       i.actor_match
FROM stored AS i
WHERE i.incident_id NOT IN (SELECT incident_id FROM staged_class WHERE outcome = 'updated')
UNION ALL
SELECT s.incident_id, s.occurred_on, s.date_precision, a.actor_id, s.actor_as_reported, s.sector_mask::UBIGINT,
       s.victim_country, s.campaign, s.title, s.summary, s.confidence::UTINYINT, s.tlp, s.source, s.source_url,
       s.actor_match
FROM staged AS s
JOIN actor AS a ON a.name = s.actor
WHERE s.ord NOT IN (SELECT ord FROM staged_class WHERE outcome = 'duplicate')
