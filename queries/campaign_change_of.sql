-- campaign_change_of: (day, started, ended) for the campaigns whose matching span overlaps f_lo..f_hi
-- (matching_campaign): how many start and how many end on each day. With no filter, every campaign's
-- starts and ends come from campaign_change, which campaigns outside f_lo..f_hi do not disturb: each adds
-- one start and one end, both before f_lo or both after f_hi.
-- From these, campaigns running on day d = starts through d - ends through d - 1, and campaigns active
-- in lo..hi = starts through hi - ends before lo.
CREATE MACRO campaign_change_of(f_lo, f_hi, f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                                f_min_confidence, f_tlps, f_text) AS TABLE
WITH span AS (
    SELECT first_seen, last_seen
    FROM matching_campaign(f_lo, f_hi, f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                           f_min_confidence, f_tlps, f_text)
    WHERE NOT (f_actor_ids IS NULL AND f_sector_mask = 0 AND len(f_countries) = 0 AND f_min_confidence IS NULL
               AND len(f_tlps) = 0 AND f_text = '')
)
SELECT day, started, ended
FROM campaign_change
WHERE f_actor_ids IS NULL AND f_sector_mask = 0 AND len(f_countries) = 0 AND f_min_confidence IS NULL
  AND len(f_tlps) = 0 AND f_text = ''
UNION ALL
SELECT day, sum(started), sum(ended)
FROM (SELECT first_seen AS day, 1 AS started, 0 AS ended FROM span
      UNION ALL SELECT last_seen, 0, 1 FROM span)
GROUP BY day
