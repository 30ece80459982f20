-- ingest_keep_decisions: the previous database's decisions about names (and their undoing), carried over.
INSERT INTO alias_decision SELECT * FROM previous.alias_decision
