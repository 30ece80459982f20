-- page_keys (threatscape/plans.py): the page before the cursor in highest-confidence-first order, within one
-- confidence level (the cursor's, or the lowest there is). See pk_level_desc.
CREATE MACRO pk_level_asc.page_keys(f, f_order_by, f_cursor, f_backward, f_seq_lo, f_seq_hi, f_limit, f_level) AS TABLE
SELECT seq, (f_level + 1) * 1099511627776 + seq AS sort_key
FROM filtered_incident(f)
WHERE coalesce(confidence, -1) = f_level
  AND (f_seq_lo IS NULL OR seq >= f_seq_lo) AND (f_seq_hi IS NULL OR seq <= f_seq_hi)
  AND (f_cursor IS NULL OR seq > f_cursor & 1099511627775)
ORDER BY seq ASC
LIMIT f_limit
