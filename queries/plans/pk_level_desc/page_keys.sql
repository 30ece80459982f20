-- page_keys (threatscape/plans.py) in highest-confidence-first order, within one confidence level f_level
-- (unknown: -1): the matching incidents of that level after the cursor, newest first. data.incident_page asks
-- it first, with the cursor's level (or the highest level there is): when the level fills the page, that is
-- the page, read by seq alone so that DuckDB's top-N skips blocks (the whole order, pk_conf_desc, reads every
-- matching row). See pk_seq_desc.
CREATE MACRO pk_level_desc.page_keys(f, f_order_by, f_cursor, f_backward, f_seq_lo, f_seq_hi, f_limit, f_level) AS TABLE
SELECT seq, (f_level + 1) * 1099511627776 + seq AS sort_key
FROM filtered_incident(f)
WHERE coalesce(confidence, -1) = f_level
  AND (f_seq_lo IS NULL OR seq >= f_seq_lo) AND (f_seq_hi IS NULL OR seq <= f_seq_hi)
  AND (f_cursor IS NULL OR seq < f_cursor & 1099511627775)
ORDER BY seq DESC
LIMIT f_limit
