-- lake_read_incidents: consecutive months of a lake ($files: the Parquet files of their folders, year=Y/month=M)
-- into the incident table, numbered after the $before incidents of the months before them and stored in
-- (occurred_on, incident_id) order, as every writer stores them (seq: the explorer's keyset). A run of months at a
-- time, in order, the whole table is in that order, and a sort holds one run (threatscape/lake.py). An incident in
-- another month's folder stops the build, naming its file (its folder decides where it is numbered).
INSERT INTO incident (incident_id, occurred_on, date_precision, actor_id, actor_as_reported, sector_mask,
    victim_country, campaign, title, summary, confidence, tlp, source, source_url, seq, actor_match,
    sponsor_as_reported)
SELECT incident_id,
       CASE WHEN year(occurred_on) = year AND month(occurred_on) = month THEN occurred_on
            ELSE error(filename || ': incident ' || incident_id || ' occurred on '
                       || coalesce(occurred_on::VARCHAR, 'no date') || ', not in the month of its folder') END,
       date_precision, actor_id, actor_as_reported, sector_mask, victim_country, campaign,
       title, summary, confidence, tlp, source, source_url,
       $before + row_number() OVER (ORDER BY occurred_on, incident_id) AS seq, actor_match, sponsor_as_reported
FROM read_parquet($files, filename = true, hive_partitioning = true)
ORDER BY occurred_on, incident_id
