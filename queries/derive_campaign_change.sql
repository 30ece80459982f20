-- derive_campaign_change: campaign starts and ends per day, for every campaign's whole span (campaign, under
-- sector_filter 0) and for its span under each one-sector filter (from campaign_part).
INSERT INTO campaign_change
WITH span AS (
    SELECT 0::UBIGINT AS sector_filter, first_seen, last_seen FROM campaign
    UNION ALL
    SELECT f.sector_filter, min(p.first_seen), max(p.last_seen)
    FROM campaign_part AS p JOIN sector_mask_filter AS f USING (sector_mask)
    GROUP BY f.sector_filter, p.campaign
)
SELECT sector_filter, day, sum(started), sum(ended)
FROM (SELECT sector_filter, first_seen AS day, 1 AS started, 0 AS ended FROM span
      UNION ALL SELECT sector_filter, last_seen, 0, 1 FROM span)
GROUP BY ALL
ORDER BY 1, 2
