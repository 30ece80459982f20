-- incident_count: how many incidents match the filters (incident_group: whole months from the summary).
SELECT coalesce(sum(incidents), 0)::BIGINT AS incident_count
FROM incident_group(getvariable('filters'))
