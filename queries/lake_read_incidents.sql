-- lake_read_incidents: a lake's incidents ($files: its Parquet files) into the incident table, numbered and
-- stored in (occurred_on, incident_id) order, as every writer stores them (seq: the explorer's keyset).
INSERT INTO incident (incident_id, occurred_on, date_precision, actor_id, actor_as_reported, sector_mask,
    victim_country, campaign, title, summary, confidence, tlp, source, source_url, seq, actor_match,
    sponsor_as_reported)
SELECT incident_id, occurred_on, date_precision, actor_id, actor_as_reported, sector_mask, victim_country, campaign,
       title, summary, confidence, tlp, source, source_url,
       row_number() OVER (ORDER BY occurred_on, incident_id) AS seq, actor_match, sponsor_as_reported
FROM read_parquet($files)
ORDER BY occurred_on, incident_id
