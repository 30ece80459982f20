-- ingest_no_merges: staged_merge with no rows, for an ingest in which only one source takes part (nothing can be
-- reported by two sources): the columns of ingest_find_merges without normalising every source URL.
CREATE TEMP TABLE staged_merge (ord BIGINT, incident_id VARCHAR, source VARCHAR, into_id VARCHAR)
