-- page_keys (threatscape/plans.py): the seq and sort_key of up to f_limit matching incidents after the keyset
-- cursor, for incident_page. This variant walks the store down in seq order: newest first, or the page before
-- the cursor in oldest-first order. Ordered by the seq column itself, so DuckDB's top-N skips every block
-- below the page it has found (an expression such as -seq, or a key that folds to NULL first, scanned them all).
CREATE MACRO pk_seq_desc.page_keys(f, f_order_by, f_cursor, f_backward, f_seq_lo, f_seq_hi, f_limit, f_level) AS TABLE
SELECT seq, CASE WHEN f_order_by = 'oldest' THEN -seq ELSE seq END AS sort_key
FROM filtered_incident(f)
WHERE (f_seq_lo IS NULL OR seq >= f_seq_lo) AND (f_seq_hi IS NULL OR seq <= f_seq_hi)
  AND (f_cursor IS NULL OR seq < CASE WHEN f_order_by = 'oldest' THEN -f_cursor ELSE f_cursor END)
ORDER BY seq DESC
LIMIT f_limit
