-- ingest_new_incident: every incident of the new database (without seq): the stored ones that this input does
-- not update, and the added and updated staged ones. ingest_insert_incidents writes them and
-- ingest_new_incident_facts gives the summaries the columns they read, from this one definition.
-- A stored incident whose reported names the resolver now reads otherwise (a decision made or undone, a newer
-- directory) takes its new actor and match from stored_remap. An incident that rows of other sources were
-- merged into (staged_merge) lists every source, '; '-separated.
CREATE TEMP VIEW new_incident AS
WITH more_sources AS (
    -- a row may list several sources itself ('a; b': a snapshot of an incident that sources were merged into)
    SELECT into_id AS incident_id, list_distinct(flatten(list(string_split(source, '; ')))) AS sources
    FROM staged_merge GROUP BY into_id
),
kept AS (
    SELECT i.incident_id, i.occurred_on, i.date_precision, coalesce(ra.actor_id, i.actor_id) AS actor_id,
           i.actor_as_reported, i.sector_mask, i.victim_country, i.campaign, i.title, i.summary, i.confidence, i.tlp,
           i.source, i.source_url,
           CASE WHEN ra.actor_id IS NULL THEN i.actor_match ELSE r.actor_match END AS actor_match,
           i.sponsor_as_reported
    FROM stored AS i
    LEFT JOIN stored_remap AS r ON r.actor_as_reported = i.actor_as_reported AND r.old_actor = i.actor
    LEFT JOIN actor AS ra ON ra.name = r.actor
    WHERE i.incident_id NOT IN (SELECT incident_id FROM staged_class WHERE outcome = 'updated')
    UNION ALL
    SELECT s.incident_id, s.occurred_on, s.date_precision, a.actor_id, s.actor_as_reported, s.sector_mask::UBIGINT,
           s.victim_country, s.campaign, s.title, s.summary, s.confidence::UTINYINT, s.tlp, s.source, s.source_url,
           s.actor_match, s.sponsor_as_reported
    FROM staged AS s
    JOIN actor AS a ON a.name = s.actor
    WHERE s.ord NOT IN (SELECT ord FROM staged_class WHERE outcome IN ('duplicate', 'conflict', 'merged'))
)
SELECT k.* REPLACE (CASE WHEN m.sources IS NULL THEN k.source ELSE array_to_string(
           list_sort(list_distinct(string_split(k.source, '; ') || m.sources)), '; ') END AS source)
FROM kept AS k LEFT JOIN more_sources AS m USING (incident_id)
