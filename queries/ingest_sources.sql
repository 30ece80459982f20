-- ingest_sources: the distinct sources of the stored incidents and of the staged rows.
SELECT DISTINCT source FROM stored
UNION
SELECT DISTINCT source FROM staged
