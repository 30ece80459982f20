-- derive_campaign: the campaign summary (span, size, actor and victim countries of each campaign), from
-- campaign_part.
INSERT INTO campaign
SELECT tlp_max, campaign, CASE WHEN min(actor_id) = max(actor_id) THEN min(actor_id) END,
       min(first_seen), max(last_seen), sum(incidents)::BIGINT,
       list(DISTINCT victim_country ORDER BY victim_country) FILTER (WHERE victim_country IS NOT NULL)
FROM campaign_part
GROUP BY tlp_max, campaign
ORDER BY 1, 3, 5  -- by level, then actor: an actor filter reads only its blocks
