-- reported_sponsors: the sponsor states that sources named for one actor (by canonical name) other than the
-- directory's, with how many incidents named each, most first (both are kept; the profile shows the difference).
SELECT i.sponsor_as_reported AS sponsor_country, count(*)::BIGINT AS incident_count
FROM incident AS i JOIN actor AS a USING (actor_id)
WHERE a.name = $actor AND i.sponsor_as_reported IS NOT NULL
  AND i.sponsor_as_reported IS DISTINCT FROM a.sponsor_country
GROUP BY i.sponsor_as_reported
ORDER BY incident_count DESC, sponsor_country
