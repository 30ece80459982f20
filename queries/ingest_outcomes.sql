-- ingest_outcomes: how many staged rows of each input file were added, updated or duplicates.
SELECT file, outcome, count(*)::BIGINT AS n FROM staged_class GROUP BY file, outcome ORDER BY file, outcome
