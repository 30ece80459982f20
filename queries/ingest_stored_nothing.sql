-- ingest_stored_nothing: no stored incidents (a new database): the columns of ingest_stored_previous, no rows.
CREATE TEMP VIEW stored AS
SELECT i.* EXCLUDE (seq), a.name AS actor
FROM incident AS i JOIN actor AS a USING (actor_id)
WHERE false
