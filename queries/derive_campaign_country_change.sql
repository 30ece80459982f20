-- derive_campaign_country_change: campaign starts and ends per day within each victim country (from
-- campaign_part): the span of each campaign's incidents in the country (sector_filter 0) and of those that match
-- each one-sector filter, in (country, filter, day) order.
INSERT INTO campaign_country_change
WITH span AS (
    SELECT tlp_max, victim_country, 0::UBIGINT AS sector_filter, min(first_seen) AS first_seen,
           max(last_seen) AS last_seen
    FROM campaign_part
    WHERE victim_country IS NOT NULL
    GROUP BY tlp_max, victim_country, campaign
    UNION ALL
    SELECT p.tlp_max, p.victim_country, f.sector_filter, min(p.first_seen), max(p.last_seen)
    FROM campaign_part AS p JOIN sector_mask_filter AS f USING (sector_mask)
    WHERE p.victim_country IS NOT NULL
    GROUP BY p.tlp_max, p.victim_country, f.sector_filter, p.campaign
)
SELECT tlp_max, victim_country, sector_filter, day, sum(started), sum(ended)
FROM (SELECT tlp_max, victim_country, sector_filter, first_seen AS day, 1 AS started, 0 AS ended FROM span
      UNION ALL SELECT tlp_max, victim_country, sector_filter, last_seen, 0, 1 FROM span)
GROUP BY ALL
ORDER BY 1, 2, 3, 4  -- a level, a country and a filter read only their blocks
