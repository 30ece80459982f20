-- ingest_content_digest: the first $chars hex digits of the SHA-1 of each staged content text, in pos order
-- (the content-derived incident ids of normalise.stable_id, for a whole CSV file at once).
SELECT left(sha1(content), $chars) AS digest FROM content ORDER BY pos
