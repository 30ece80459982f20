-- confidence_range: the highest and lowest confidence among the matching incidents (unknown as -1), where the
-- explorer's first and last pages begin in highest-confidence-first order (data.incident_page).
SELECT max(coalesce(confidence, -1)) AS highest, min(coalesce(confidence, -1)) AS lowest
FROM filtered_incident(getvariable('filters'))
