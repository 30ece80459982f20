-- ingest_keep_incident: the previous database's incidents, carried into the new one (seq is assigned anew).
INSERT INTO incident SELECT * REPLACE (NULL::BIGINT AS seq) FROM previous.incident
