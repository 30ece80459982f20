-- campaign_change_of (threatscape/plans.py) with only actor or sponsor filters: campaign_actor_change
-- for the campaigns of one actor, plus the spans of the selected actors' parts of campaigns that several
-- actors share (shared_campaign_part).
CREATE MACRO cc_actor.campaign_change_of(f_lo, f_hi, f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                                         f_min_confidence, f_tlps, f_text) AS TABLE
WITH span AS (
    SELECT min(p.first_seen) AS first_seen, max(p.last_seen) AS last_seen
    FROM shared_campaign_part AS p
    WHERE list_contains(f_actor_ids, p.actor_id)
    GROUP BY p.campaign
)
SELECT day, started, ended
FROM campaign_actor_change
WHERE list_contains(f_actor_ids, actor_id)
UNION ALL
SELECT day, sum(started), sum(ended)
FROM (SELECT first_seen AS day, 1 AS started, 0 AS ended FROM span
      UNION ALL SELECT last_seen, 0, 1 FROM span)
GROUP BY day
