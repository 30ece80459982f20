-- assign_seq: number every incident in (occurred_on, incident_id) order, for writers that did not.
UPDATE incident SET seq = ordered.seq
FROM (SELECT incident_id, row_number() OVER (ORDER BY occurred_on, incident_id) AS seq FROM incident) AS ordered
WHERE incident.incident_id = ordered.incident_id
