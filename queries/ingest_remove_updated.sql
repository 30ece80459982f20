-- ingest_remove_updated: the stored versions of incidents this input updates.
DELETE FROM incident WHERE incident_id IN (SELECT incident_id FROM staged_class WHERE outcome = 'updated')
