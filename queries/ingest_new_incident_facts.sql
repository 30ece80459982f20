-- ingest_new_incident_facts: the columns of new_incident that the summaries read (queries/derive_*.sql), in
-- any order: build.finish derives the summaries from them while ingest_insert_incidents writes the rows.
SELECT occurred_on, date_precision, actor_id, sector_mask, victim_country, campaign, tlp
FROM new_incident
