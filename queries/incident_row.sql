-- incident_row: one row per matching incident, in the shape the explorer shows and the CSV snapshot writes;
-- sectors as names joined by '; ' in taxonomy order. The filters are those of filtered_incident.
CREATE MACRO incident_row(f_since, f_until, f_actors, f_sector_mask, f_countries, f_sponsors,
                          f_min_confidence, f_tlps, f_text) AS TABLE
WITH mask_name AS (
    -- each sector combination in the store named once, not once per incident
    SELECT m.sector_mask, string_agg(s.name, '; ' ORDER BY s.sector_id) AS sectors
    FROM (SELECT DISTINCT sector_mask FROM incident) AS m
    JOIN sector AS s ON m.sector_mask & (1::UBIGINT << s.sector_id) <> 0
    GROUP BY m.sector_mask
)
SELECT i.seq, i.incident_id, i.occurred_on, i.date_precision, i.actor, i.actor_as_reported, i.sponsor_country,
       coalesce(mn.sectors, '') AS sectors, i.victim_country, i.campaign, i.title, i.summary, i.confidence,
       i.tlp, i.source, i.source_url
FROM filtered_incident(f_since, f_until, f_actors, f_sector_mask, f_countries, f_sponsors,
                       f_min_confidence, f_tlps, f_text) AS i
LEFT JOIN mask_name AS mn USING (sector_mask)
