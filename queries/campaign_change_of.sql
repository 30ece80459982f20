-- campaign_change_of: (day, started, ended) for the campaigns whose matching span overlaps f_lo..f_hi
-- (matching_campaign): how many start and how many end on each day. Campaigns outside f_lo..f_hi may be
-- counted too: each adds one start and one end, both before f_lo or both after f_hi, so they change nothing.
-- From these, campaigns running on day d = starts through d - ends through d - 1, and campaigns active
-- in lo..hi = starts through hi - ends before lo. By the filters in use:
--   none: campaign_change (every campaign);
--   only actor or sponsor filters: campaign_actor_change for the campaigns of one actor, plus the spans of
--   the selected actors' parts of campaigns that several actors share (campaign.actor_id NULL);
--   any other: the spans from matching_campaign.
CREATE MACRO campaign_change_of(f_lo, f_hi, f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                                f_min_confidence, f_tlps, f_text) AS TABLE
WITH span AS (
    SELECT first_seen, last_seen
    FROM matching_campaign(f_lo, f_hi, f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                           f_min_confidence, f_tlps, f_text)
    WHERE NOT (f_sector_mask = 0 AND len(f_countries) = 0 AND f_min_confidence IS NULL
               AND len(f_tlps) = 0 AND f_text = '')
    UNION ALL
    SELECT min(p.first_seen), max(p.last_seen)
    FROM campaign_part AS p JOIN campaign AS c USING (campaign)
    WHERE f_actor_ids IS NOT NULL AND f_sector_mask = 0 AND len(f_countries) = 0 AND f_min_confidence IS NULL
      AND len(f_tlps) = 0 AND f_text = ''
      AND c.actor_id IS NULL AND list_contains(f_actor_ids, p.actor_id)
    GROUP BY p.campaign
)
SELECT day, started, ended
FROM campaign_change
WHERE f_actor_ids IS NULL AND f_sector_mask = 0 AND len(f_countries) = 0 AND f_min_confidence IS NULL
  AND len(f_tlps) = 0 AND f_text = ''
UNION ALL
SELECT day, started, ended
FROM campaign_actor_change
WHERE f_actor_ids IS NOT NULL AND f_sector_mask = 0 AND len(f_countries) = 0 AND f_min_confidence IS NULL
  AND len(f_tlps) = 0 AND f_text = '' AND list_contains(f_actor_ids, actor_id)
UNION ALL
SELECT day, sum(started), sum(ended)
FROM (SELECT first_seen AS day, 1 AS started, 0 AS ended FROM span
      UNION ALL SELECT last_seen, 0, 1 FROM span)
GROUP BY day
