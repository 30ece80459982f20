-- derive_campaign_change: campaign starts and ends per day, for every campaign's whole span (campaign, under
-- sector_filter 0) and for its span under each one-sector filter (from campaign_part).
INSERT INTO campaign_change
WITH span AS (
    SELECT tlp_max, 0::UBIGINT AS sector_filter, first_seen, last_seen FROM campaign
    UNION ALL
    SELECT p.tlp_max, f.sector_filter, min(p.first_seen), max(p.last_seen)
    FROM campaign_part AS p JOIN sector_mask_filter AS f USING (sector_mask)
    GROUP BY p.tlp_max, f.sector_filter, p.campaign
)
SELECT tlp_max, sector_filter, day, sum(started), sum(ended)
FROM (SELECT tlp_max, sector_filter, first_seen AS day, 1 AS started, 0 AS ended FROM span
      UNION ALL SELECT tlp_max, sector_filter, last_seen, 0, 1 FROM span)
GROUP BY ALL
ORDER BY 1, 2, 3  -- by TLP level first: every read is of one level
