-- ingest_find_merges: staged rows that report an incident another source already holds: the same source URL
-- (normalised: scheme, 'www.', tracking parameters, fragment and trailing '/' ignored), where each source gives
-- that URL to one incident only (a URL that one source gives to several rows is a report about several
-- incidents, not an incident's identity). The first holder (stored, else the earliest staged) keeps it; the
-- others are merged into it (into_id) and it gets their source names. Rows already classified (duplicates, or
-- merged by their id) are not merged again.
CREATE TEMP TABLE staged_merge AS
WITH candidate AS (
    SELECT FALSE AS staged, NULL::BIGINT AS ord, incident_id, source, source_url
    FROM stored
    WHERE source_url IS NOT NULL
      AND incident_id NOT IN (SELECT incident_id FROM staged_class WHERE outcome = 'updated')
    UNION ALL
    SELECT TRUE, s.ord, s.incident_id, s.source, s.source_url
    FROM staged AS s LEFT JOIN staged_class AS c USING (ord)
    WHERE s.source_url IS NOT NULL AND (c.outcome IS NULL OR c.outcome = 'updated')
),
keyed AS (
    SELECT *, regexp_replace(regexp_replace(regexp_replace(regexp_replace(lower(trim(source_url)),
                  '#.*$', ''), '^[a-z][a-z0-9+.-]*://(www\.)?', ''), '([?&])(utm_[a-z]+|fbclid|gclid)=[^&]*', '\1', 'g'),
                  '[/?&]+$', '') AS url
    FROM candidate
),
per_source AS (
    SELECT url, source, count(*) AS n FROM keyed WHERE url <> '' GROUP BY ALL
),
shared AS (
    SELECT url FROM per_source GROUP BY url HAVING count(*) > 1 AND max(n) = 1
),
ranked AS (
    SELECT k.*, row_number() OVER (PARTITION BY k.url ORDER BY k.staged, k.ord, k.incident_id) AS r
    FROM keyed AS k JOIN shared USING (url)
)
SELECT m.ord, m.incident_id, m.source, h.incident_id AS into_id
FROM ranked AS m JOIN ranked AS h ON h.url = m.url AND h.r = 1
WHERE m.r > 1 AND m.staged
