-- lake_read_incidents: one month of a lake ($files: the Parquet files of its folder for the month starting on $month,
-- before $following) into the incident table, numbered after the $before incidents of the months before it and
-- stored in (occurred_on, incident_id) order, as every writer stores them (seq: the explorer's keyset). Month by
-- month, in order, the whole table is in that order, and a sort holds one month. An incident in the wrong month's
-- folder stops the build, naming its file (the month decides where it is numbered).
INSERT INTO incident (incident_id, occurred_on, date_precision, actor_id, actor_as_reported, sector_mask,
    victim_country, campaign, title, summary, confidence, tlp, source, source_url, seq, actor_match,
    sponsor_as_reported)
SELECT incident_id,
       CASE WHEN occurred_on >= $month::DATE AND occurred_on < $following::DATE THEN occurred_on
            ELSE error(filename || ': incident ' || incident_id || ' occurred on ' || coalesce(occurred_on::VARCHAR, 'no date')
                       || ', not in the month of its folder') END,
       date_precision, actor_id, actor_as_reported, sector_mask, victim_country, campaign,
       title, summary, confidence, tlp, source, source_url,
       $before + row_number() OVER (ORDER BY occurred_on, incident_id) AS seq, actor_match, sponsor_as_reported
FROM read_parquet($files, filename = true, hive_partitioning = false)
ORDER BY occurred_on, incident_id
