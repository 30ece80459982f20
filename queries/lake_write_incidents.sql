-- lake_write_incidents: the incidents of the view lake_rows (the incident table's columns; seq is not needed) that
-- occurred in one month ($since, the first day, to $until, the first day of the next) as one Parquet file $path
-- (threatscape/lake.py writes each month's file in the lake's folder for it, year=2024/month=3), each incident with
-- its actor's name beside actor_id and its sectors' names beside sector_mask. A month at a time, because a COPY
-- partitioned by month holds every row it writes in memory until it ends (about 700 bytes an incident).
COPY (
    WITH month_rows AS (
        SELECT * FROM lake_rows WHERE occurred_on >= $since::DATE AND occurred_on < $until::DATE
    )
    SELECT r.incident_id, r.occurred_on, r.date_precision, r.actor_id, a.name AS actor, r.actor_as_reported,
           r.actor_match, r.sector_mask, coalesce(m.sectors, '') AS sectors, r.victim_country, r.campaign,
           r.title, r.summary, r.confidence, r.tlp, r.source, r.source_url, r.sponsor_as_reported
    FROM month_rows AS r
    LEFT JOIN actor AS a USING (actor_id)
    LEFT JOIN (SELECT k.sector_mask, string_agg(s.name, '; ' ORDER BY s.sector_id) AS sectors
               FROM (SELECT DISTINCT sector_mask FROM month_rows) AS k
               JOIN sector AS s ON k.sector_mask & (1::UBIGINT << s.sector_id) <> 0
               GROUP BY k.sector_mask) AS m USING (sector_mask)
) TO $path (FORMAT parquet, COMPRESSION zstd)
