-- campaign_change_of (see cc_sector) for any filters (threatscape/plans.py): the starts and ends of the spans from
-- matching_campaign.
CREATE MACRO cc_span.campaign_change_of(f) AS TABLE
WITH span AS (
    SELECT first_seen, last_seen
    FROM matching_campaign(f)
)
SELECT day, sum(started) AS started, sum(ended) AS ended
FROM (SELECT first_seen AS day, 1 AS started, 0 AS ended FROM span
      UNION ALL SELECT last_seen, 0, 1 FROM span)
GROUP BY day
