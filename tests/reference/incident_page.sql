-- incident_page: up to page_size matching incidents (NULL: all) in the chosen order, after a keyset cursor.
-- order_by: 'newest' / 'oldest' (date, then id) or 'confidence' (highest first, then newest). sort_key is a
-- single BIGINT per row whose order is that order; cursor is the last sort_key already shown (NULL: start),
-- backward = true walks the other way (the page before the cursor, returned in reverse). seq_lo/seq_hi
-- (NULL: none) keep only incidents whose date-order rank is in that range: exports walk the store in slices.
WITH keyed AS (
    SELECT r.*,
           CASE $order_by WHEN 'oldest' THEN -r.seq
                          WHEN 'confidence' THEN (coalesce(r.confidence, -1) + 1) * 1099511627776 + r.seq
                          ELSE r.seq END AS sort_key
    FROM (
        WITH mask_name AS (
            SELECT m.sector_mask, string_agg(s.name, '; ' ORDER BY s.sector_id) AS sectors
            FROM (SELECT DISTINCT sector_mask FROM incident) AS m
            JOIN sector AS s ON m.sector_mask & (1::UBIGINT << s.sector_id) <> 0
            GROUP BY m.sector_mask
        )
        SELECT i.seq, i.incident_id, i.occurred_on, i.date_precision, i.actor, i.actor_as_reported, i.sponsor_country,
               i.sponsor_as_reported, coalesce(mn.sectors, '') AS sectors, i.victim_country, i.campaign, i.title, i.summary, i.confidence,
               i.tlp, i.source, i.source_url
        FROM filtered_incident($since::DATE, $until::DATE, $actors::VARCHAR[], $sector_mask::UBIGINT,
                               $countries::VARCHAR[], $sponsors::VARCHAR[],
                               $min_confidence::INTEGER, $tlps::VARCHAR[], $clearance::VARCHAR[], $text::VARCHAR) AS i
        LEFT JOIN mask_name AS mn USING (sector_mask)
    ) AS r
)
SELECT * EXCLUDE (seq)
FROM keyed
WHERE ($seq_lo::BIGINT IS NULL OR seq >= $seq_lo::BIGINT) AND ($seq_hi::BIGINT IS NULL OR seq <= $seq_hi::BIGINT)
  AND ($cursor::BIGINT IS NULL
   OR (NOT $backward AND sort_key < $cursor::BIGINT)
   OR ($backward AND sort_key > $cursor::BIGINT))
ORDER BY CASE WHEN $backward THEN sort_key END ASC, sort_key DESC
LIMIT $page_size
