-- incident_page: up to page_size matching incidents (NULL: all) in the chosen order, after a keyset cursor.
-- order_by: 'newest' / 'oldest' (date, then id) or 'confidence' (highest first, then newest). sort_key is a
-- single BIGINT per row whose order is that order; cursor is the last sort_key already shown (NULL: start),
-- backward = true walks the other way (the page before the cursor, returned in reverse). seq_lo/seq_hi
-- (NULL: none) keep only incidents whose date-order rank is in that range: exports walk the store in slices.
-- level (NULL: any) keeps to one confidence level in confidence order (data.incident_page tries it first).
-- The page is chosen on seq (and confidence) alone by page_keys, whose variant for the order and direction
-- (threatscape/plans.py) sorts on the columns themselves, then its rows are read: the store is laid out in seq
-- order, so the top-N skips every block of rows outside the page.
WITH page AS (
    SELECT seq, sort_key
    FROM page_keys(getvariable('filters'), $order_by::VARCHAR, $cursor::BIGINT, $backward::BOOLEAN, $seq_lo::BIGINT,
                   $seq_hi::BIGINT, $page_size::BIGINT, $level::INTEGER)
)
SELECT r.* EXCLUDE (seq), p.sort_key
FROM page AS p JOIN incident_row() AS r USING (seq)
ORDER BY CASE WHEN $backward THEN p.sort_key END ASC, p.sort_key DESC
