-- campaign_member (see cm_part) with at most actor and sponsor filters (threatscape/plans.py: actor, TLP level): a
-- campaign of one actor matches whole, so its actor and victim countries come from the campaign table; the parts
-- of campaigns that several actors share from shared_campaign_part.
CREATE MACRO cm_whole.campaign_member(f, f_campaigns) AS TABLE
WITH wanted AS (SELECT unnest(f_campaigns) AS campaign)
SELECT c.campaign, c.actor_id,
       unnest(CASE WHEN c.victim_countries IS NULL THEN [NULL::VARCHAR] ELSE c.victim_countries END) AS victim_country
FROM wanted AS w JOIN campaign AS c USING (campaign)
WHERE c.tlp_max = f['tlp_max'] AND c.actor_id IS NOT NULL AND match_actor(f, c.actor_id)
UNION ALL
SELECT p.campaign, p.actor_id, p.victim_country
FROM wanted AS w JOIN shared_campaign_part AS p USING (campaign)
WHERE p.tlp_max = f['tlp_max'] AND match_actor(f, p.actor_id)
