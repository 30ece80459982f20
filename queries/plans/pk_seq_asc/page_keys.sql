-- page_keys (threatscape/plans.py), walking the store up in seq order: oldest first, or the page before the
-- cursor in newest-first order. See pk_seq_desc.
CREATE MACRO pk_seq_asc.page_keys(f, f_order_by, f_cursor, f_backward, f_seq_lo, f_seq_hi, f_limit, f_level) AS TABLE
SELECT seq, CASE WHEN f_order_by = 'oldest' THEN -seq ELSE seq END AS sort_key
FROM filtered_incident(f)
WHERE (f_seq_lo IS NULL OR seq >= f_seq_lo) AND (f_seq_hi IS NULL OR seq <= f_seq_hi)
  AND (f_cursor IS NULL OR seq > CASE WHEN f_order_by = 'oldest' THEN -f_cursor ELSE f_cursor END)
ORDER BY seq ASC
LIMIT f_limit
