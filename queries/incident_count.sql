-- incident_count: how many incidents match the filters (incident_group: whole months from the summary).
SELECT coalesce(sum(incidents), 0)::BIGINT AS incident_count
FROM incident_group($day_from::DATE, $day_to::DATE, $month_from::DATE, $month_to::DATE, $actor_ids::INTEGER[],
                    $sector_mask::UBIGINT, $countries::VARCHAR[], $min_confidence::INTEGER, $tlps::VARCHAR[],
                    $text::VARCHAR)
