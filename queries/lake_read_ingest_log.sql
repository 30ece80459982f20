-- lake_read_ingest_log: a lake's ingest log ($path: ingest_log.parquet) into ingest_log.
INSERT INTO ingest_log
SELECT ingested_at, source, file, format, read, added, updated, duplicates, merged, rejected
FROM read_parquet($path)
ORDER BY ingested_at, source, file
