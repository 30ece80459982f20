-- derive_campaign: the campaign summary (span, size and actor of each campaign), from campaign_part.
INSERT INTO campaign
SELECT campaign, CASE WHEN min(actor_id) = max(actor_id) THEN min(actor_id) END,
       min(first_seen), max(last_seen), sum(incidents)::BIGINT
FROM campaign_part
GROUP BY campaign
