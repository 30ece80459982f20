-- ingest_keep_log: the previous database's ingest log, carried over.
INSERT INTO ingest_log SELECT * FROM previous.ingest_log
