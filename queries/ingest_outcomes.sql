-- ingest_outcomes: how many staged rows of each input file were added, updated or duplicates.
SELECT s.file, coalesce(c.outcome, 'added') AS outcome, count(*)::BIGINT AS n
FROM staged AS s LEFT JOIN staged_class AS c USING (ord)
GROUP BY ALL
ORDER BY ALL
