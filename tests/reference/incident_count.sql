-- incident_count: how many incidents match the filters.
SELECT count(*)::BIGINT AS incident_count
FROM filtered_incident($since::DATE, $until::DATE, $actors::VARCHAR[], $sector_mask::UBIGINT,
                       $countries::VARCHAR[], $sponsors::VARCHAR[],
                       $min_confidence::INTEGER, $tlps::VARCHAR[], $clearance::VARCHAR[], $text::VARCHAR)
