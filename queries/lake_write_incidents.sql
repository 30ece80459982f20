-- lake_write_incidents: the incidents of the view lake_rows (the incident table's columns; seq is not needed) as a
-- lake's Parquet files under $path, one folder per year and month of occurred_on (year=2024/month=3), each
-- incident with its actor's name beside actor_id and its sectors' names beside sector_mask (threatscape/lake.py).
COPY (
    SELECT r.incident_id, r.occurred_on, r.date_precision, r.actor_id, a.name AS actor, r.actor_as_reported,
           r.actor_match, r.sector_mask, coalesce(m.sectors, '') AS sectors, r.victim_country, r.campaign,
           r.title, r.summary, r.confidence, r.tlp, r.source, r.source_url, r.sponsor_as_reported,
           year(r.occurred_on) AS year, month(r.occurred_on) AS month
    FROM lake_rows AS r
    LEFT JOIN actor AS a USING (actor_id)
    LEFT JOIN (SELECT k.sector_mask, string_agg(s.name, '; ' ORDER BY s.sector_id) AS sectors
               FROM (SELECT DISTINCT sector_mask FROM lake_rows) AS k
               JOIN sector AS s ON k.sector_mask & (1::UBIGINT << s.sector_id) <> 0
               GROUP BY k.sector_mask) AS m USING (sector_mask)
) TO $path (FORMAT parquet, PARTITION_BY (year, month), COMPRESSION zstd, OVERWRITE_OR_IGNORE)
