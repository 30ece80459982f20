-- page_keys (threatscape/plans.py): the page before the cursor in highest-confidence-first order. See
-- pk_conf_desc.
CREATE MACRO pk_conf_asc.page_keys(f, f_order_by, f_cursor, f_backward, f_seq_lo, f_seq_hi, f_limit, f_level) AS TABLE
SELECT seq, (coalesce(confidence, -1) + 1) * 1099511627776 + seq AS sort_key  -- of the page's rows only
FROM (SELECT seq, confidence
      FROM filtered_incident(f)
      WHERE (f_seq_lo IS NULL OR seq >= f_seq_lo) AND (f_seq_hi IS NULL OR seq <= f_seq_hi)
        AND (f_cursor IS NULL OR (coalesce(confidence, -1) + 1) * 1099511627776 + seq > f_cursor)
      ORDER BY confidence ASC NULLS FIRST, seq ASC
      LIMIT f_limit)
