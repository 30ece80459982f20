-- derive_campaign_change: campaign starts and ends per day, from the campaign table.
INSERT INTO campaign_change
SELECT day, sum(started), sum(ended)
FROM (SELECT first_seen AS day, 1 AS started, 0 AS ended FROM campaign
      UNION ALL SELECT last_seen, 0, 1 FROM campaign)
GROUP BY day
ORDER BY day
