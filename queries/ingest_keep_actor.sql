-- ingest_keep_actor: the previous database's actors, carried into the new one.
INSERT INTO actor SELECT * FROM previous.actor
