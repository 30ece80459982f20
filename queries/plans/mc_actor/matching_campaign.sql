-- matching_campaign: the campaigns whose span (first to last matching incident, at any date) overlaps
-- f.since..f.until, with that span and how many incidents match. This variant (threatscape/plans.py: actor, TLP
-- level; an actor or sponsor filter in use): the campaign table for the campaigns of one actor (whole spans, no
-- grouping), and the selected actors' parts of campaigns that several actors share (shared_campaign_part).
CREATE MACRO mc_actor.matching_campaign(f) AS TABLE
SELECT campaign, first_seen, last_seen, incidents
FROM campaign
WHERE tlp_max = f['tlp_max']
  AND list_contains(f['actor_ids'], actor_id)
  AND first_seen <= coalesce(f['until'], DATE '9999-12-31') AND last_seen >= coalesce(f['since'], DATE '0001-01-01')
UNION ALL
SELECT campaign, first_seen, last_seen, incidents
FROM (SELECT p.campaign, min(p.first_seen) AS first_seen, max(p.last_seen) AS last_seen, sum(p.incidents) AS incidents
      FROM shared_campaign_part AS p
      WHERE p.tlp_max = f['tlp_max'] AND list_contains(f['actor_ids'], p.actor_id)
      GROUP BY p.campaign)
WHERE first_seen <= coalesce(f['until'], DATE '9999-12-31') AND last_seen >= coalesce(f['since'], DATE '0001-01-01')
