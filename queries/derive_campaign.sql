-- derive_campaign: the campaign summary (span and size of each campaign), from campaign_part.
INSERT INTO campaign
SELECT campaign, min(first_seen), max(last_seen), sum(incidents)::BIGINT
FROM campaign_part
GROUP BY campaign
