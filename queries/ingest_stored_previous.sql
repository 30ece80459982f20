-- ingest_stored_previous: the incidents of the database being replaced (attached as previous), with their actor's name.
CREATE TEMP VIEW stored AS
SELECT i.* EXCLUDE (seq), a.name AS actor
FROM previous.incident AS i JOIN previous.actor AS a USING (actor_id)
