-- derive_shared_campaign_part: each actor's part of each campaign that several actors share, by victim country.
INSERT INTO shared_campaign_part
SELECT p.tlp_max, p.campaign, p.actor_id, p.victim_country, min(p.first_seen), max(p.last_seen), sum(p.incidents)
FROM campaign_part AS p JOIN campaign AS c USING (tlp_max, campaign)
WHERE c.actor_id IS NULL
GROUP BY p.tlp_max, p.campaign, p.actor_id, p.victim_country
ORDER BY 1, 3
