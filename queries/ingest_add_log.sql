-- ingest_add_log: this ingest's files and their counts (registered as ingest_files).
INSERT INTO ingest_log SELECT $ingested_at::TIMESTAMPTZ, source, file, format, read, added, updated, duplicates, merged,
                              rejected FROM ingest_files
