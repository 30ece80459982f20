-- derive_campaign_part: the span and size of each part of each campaign that one actor carried out against
-- one combination of sectors in one victim country.
INSERT INTO campaign_part
WITH part AS (
    SELECT campaign, actor_id, sector_mask, victim_country, tlp, min(occurred_on) AS first_seen,
           max(occurred_on) AS last_seen, count(*) AS incidents
    FROM incident
    WHERE campaign IS NOT NULL
    GROUP BY ALL
)
SELECT p.campaign, p.actor_id, p.sector_mask, p.victim_country, l.tlp_max, min(p.first_seen), max(p.last_seen),
       sum(p.incidents)
FROM part AS p JOIN tlp_level AS l USING (tlp)
GROUP BY ALL
ORDER BY 5, 2  -- by level, then actor: a level and an actor filter read only their blocks
