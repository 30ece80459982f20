-- page_keys (threatscape/plans.py) in highest-confidence-first order: sort_key is (confidence + 1) * 2^40 + seq
-- (unknown confidence as -1, below 0), computed for the page's rows only: for every matching row it cost 20 ms at
-- 10M incidents. The store is laid out by date, not confidence, so this order reads the confidence and seq of
-- every matching row (about 40 ms at 10M). See pk_seq_desc.
CREATE MACRO pk_conf_desc.page_keys(f, f_order_by, f_cursor, f_backward, f_seq_lo, f_seq_hi, f_limit, f_level) AS TABLE
SELECT seq, (coalesce(confidence, -1) + 1) * 1099511627776 + seq AS sort_key  -- of the page's rows only
FROM (SELECT seq, confidence
      FROM filtered_incident(f)
      WHERE (f_seq_lo IS NULL OR seq >= f_seq_lo) AND (f_seq_hi IS NULL OR seq <= f_seq_hi)
        AND (f_cursor IS NULL OR (coalesce(confidence, -1) + 1) * 1099511627776 + seq < f_cursor)
      ORDER BY confidence DESC NULLS LAST, seq DESC
      LIMIT f_limit)
