-- ingest_classify: the staged rows (by ord) that are not added: a 'duplicate' (an id that came earlier in this
-- same input with the same content, or one stored with the same content), a 'conflict' (an id that came earlier
-- in this same input with other content: two different records are never one incident, so it is rejected and the
-- first kept), 'merged' (an id stored from another source: the same incident reported again, which keeps its
-- content and lists both sources) or 'updated' (an id stored from the same source with other content). Every
-- other staged row is added. How a name matched its actor (actor_match) is not content: it follows from the name
-- and the rules in force. A stored incident lists its sources '; '-separated (a row may too: a snapshot's):
-- a row of any of them is of the same source.
CREATE TEMP TABLE staged_class AS
WITH repeated AS (
    SELECT incident_id, min(ord) AS first FROM staged GROUP BY incident_id HAVING count(*) > 1
),
content AS (  -- what a staged row says of its incident (all but its source and how its name matched)
    SELECT ord, row(occurred_on, date_precision, actor, actor_as_reported, sector_mask, victim_country, campaign,
                    title, summary, confidence, tlp, source_url, sponsor_as_reported) AS said
    FROM staged
)
SELECT s.ord, s.incident_id, s.file,
       CASE WHEN c.said IS NOT DISTINCT FROM fc.said THEN 'duplicate' ELSE 'conflict' END AS outcome
FROM staged AS s JOIN repeated AS r USING (incident_id) JOIN content AS c ON c.ord = s.ord
JOIN content AS fc ON fc.ord = r.first
WHERE s.ord <> r.first
UNION ALL
SELECT s.ord, s.incident_id, s.file,
       CASE WHEN NOT list_has_any(string_split(i.source, '; '), string_split(s.source, '; ')) THEN 'merged'
            WHEN c.said IS NOT DISTINCT FROM
                 row(i.occurred_on, i.date_precision, i.actor, i.actor_as_reported, i.sector_mask, i.victim_country,
                     i.campaign, i.title, i.summary, i.confidence, i.tlp, i.source_url, i.sponsor_as_reported)
            THEN 'duplicate' ELSE 'updated' END AS outcome
FROM staged AS s
JOIN content AS c ON c.ord = s.ord
JOIN stored AS i USING (incident_id)
LEFT JOIN repeated AS r USING (incident_id)
WHERE r.first IS NULL OR s.ord = r.first
