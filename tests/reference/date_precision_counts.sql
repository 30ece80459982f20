-- date_precision_counts: how many matching incidents are known to the day, the month or only the year.
SELECT date_precision, count(*)::BIGINT AS incident_count
FROM filtered_incident($since::DATE, $until::DATE, $actors::VARCHAR[], $sector_mask::UBIGINT,
                       $countries::VARCHAR[], $sponsors::VARCHAR[],
                       $min_confidence::INTEGER, $tlps::VARCHAR[], $clearance::VARCHAR[], $text::VARCHAR)
GROUP BY date_precision
