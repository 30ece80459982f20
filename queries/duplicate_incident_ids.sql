-- duplicate_incident_ids: incident ids stored more than once (at most 5), with how often; empty when all are unique.
SELECT incident_id, count(*) AS copies FROM incident GROUP BY incident_id HAVING count(*) > 1 ORDER BY incident_id LIMIT 5
