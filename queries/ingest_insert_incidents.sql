-- ingest_insert_incidents: the new database's incidents (new_incident), in (occurred_on, incident_id) order and
-- numbered in that order (seq). One sort: a window with an empty OVER keeps the order of its input (DuckDB's
-- order preservation rules).
INSERT INTO incident
SELECT incident_id, occurred_on, date_precision, actor_id, actor_as_reported, sector_mask, victim_country, campaign,
       title, summary, confidence, tlp, source, source_url, row_number() OVER () AS seq, actor_match,
       sponsor_as_reported
FROM (SELECT * FROM new_incident ORDER BY occurred_on, incident_id)
