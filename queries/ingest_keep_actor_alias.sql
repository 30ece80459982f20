-- ingest_keep_actor_alias: the previous database's aliases, carried into the new one.
INSERT INTO actor_alias SELECT * FROM previous.actor_alias
