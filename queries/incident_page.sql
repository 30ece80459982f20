-- incident_page: up to page_size matching incidents (NULL: all) in the chosen order, after a keyset cursor.
-- order_by: 'newest' / 'oldest' (date, then id) or 'confidence' (highest first, then newest). sort_key is a
-- single BIGINT per row whose order is that order; cursor is the last sort_key already shown (NULL: start),
-- backward = true walks the other way (the page before the cursor, returned in reverse). seq_lo/seq_hi
-- (NULL: none) keep only incidents whose date-order rank is in that range: exports walk the store in slices.
-- The page is chosen on seq alone, then its rows are read: the store is laid out in seq order, so the
-- conditions on seq (which the planner reduces to one comparison, the parameters being constants) skip
-- every block of rows outside the page.
WITH page AS (
    SELECT seq,
           CASE $order_by WHEN 'oldest' THEN -seq
                          WHEN 'confidence' THEN (coalesce(confidence, -1) + 1) * 1099511627776 + seq
                          ELSE seq END AS sort_key
    FROM filtered_incident($since::DATE, $until::DATE, $actor_ids::INTEGER[], $sector_mask::UBIGINT,
                           $countries::VARCHAR[],
                           $min_confidence::INTEGER, $tlps::VARCHAR[], $text::VARCHAR)
    WHERE ($seq_lo::BIGINT IS NULL OR seq >= $seq_lo::BIGINT) AND ($seq_hi::BIGINT IS NULL OR seq <= $seq_hi::BIGINT)
      AND ($cursor::BIGINT IS NULL
           OR ($order_by NOT IN ('oldest', 'confidence') AND NOT $backward AND seq < $cursor::BIGINT)
           OR ($order_by NOT IN ('oldest', 'confidence') AND $backward AND seq > $cursor::BIGINT)
           OR ($order_by = 'oldest' AND NOT $backward AND seq > -$cursor::BIGINT)
           OR ($order_by = 'oldest' AND $backward AND seq < -$cursor::BIGINT)
           OR ($order_by = 'confidence' AND NOT $backward
               AND (coalesce(confidence, -1) + 1) * 1099511627776 + seq < $cursor::BIGINT)
           OR ($order_by = 'confidence' AND $backward
               AND (coalesce(confidence, -1) + 1) * 1099511627776 + seq > $cursor::BIGINT))
    ORDER BY CASE WHEN $backward THEN -sort_key ELSE sort_key END DESC  -- one key: the planner's top-N skips blocks
    LIMIT $page_size
)
SELECT r.* EXCLUDE (seq), p.sort_key
FROM page AS p JOIN incident_row() AS r USING (seq)
ORDER BY CASE WHEN $backward THEN p.sort_key END ASC, p.sort_key DESC
