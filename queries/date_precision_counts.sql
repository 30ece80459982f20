-- date_precision_counts: how many matching incidents are known to the day, the month or only the year.
SELECT date_precision, sum(incidents)::BIGINT AS incident_count
FROM incident_group($since::DATE, $until::DATE, $actor_ids::INTEGER[], $sector_mask::UBIGINT,
                    $countries::VARCHAR[],
                    $min_confidence::INTEGER, $tlps::VARCHAR[], $text::VARCHAR)
GROUP BY date_precision
