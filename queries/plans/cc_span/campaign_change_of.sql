-- campaign_change_of (threatscape/plans.py) with a sector, country, confidence, TLP or text filter: the
-- starts and ends of the spans from matching_campaign.
CREATE MACRO cc_span.campaign_change_of(f_lo, f_hi, f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                                        f_min_confidence, f_tlps, f_text) AS TABLE
WITH span AS (
    SELECT first_seen, last_seen
    FROM matching_campaign(f_lo, f_hi, f_win_lo, f_win_hi, f_actor_ids, f_sector_mask, f_countries,
                           f_min_confidence, f_tlps, f_text)
)
SELECT day, sum(started) AS started, sum(ended) AS ended
FROM (SELECT first_seen AS day, 1 AS started, 0 AS ended FROM span
      UNION ALL SELECT last_seen, 0, 1 FROM span)
GROUP BY day
