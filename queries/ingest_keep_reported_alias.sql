-- ingest_keep_reported_alias: the previous database's aliases of names kept as reported (unresolved actors);
-- every other alias is written anew from the actor directory and the team's decisions.
INSERT INTO actor_alias SELECT * FROM previous.actor_alias WHERE source = 'as reported'
