-- matching_campaign (see mc_actor) from the incidents, for any filters (threatscape/plans.py): the spans of the
-- matching incidents themselves, read only within f.window_since..f.window_until, which the caller sets to the
-- span of every campaign that overlaps f.since..f.until (queries/campaign_window.sql); no other campaign can
-- overlap, and spans only shrink under filters.
CREATE MACRO mc_scan.matching_campaign(f) AS TABLE
SELECT campaign, min(occurred_on) AS first_seen, max(occurred_on) AS last_seen, count(*) AS incidents
FROM filtered_incident(struct_update(f, since := f['window_since'], until := f['window_until']))
WHERE campaign IS NOT NULL
GROUP BY campaign
HAVING min(occurred_on) <= coalesce(f['until'], DATE '9999-12-31') AND max(occurred_on) >= coalesce(f['since'], DATE '0001-01-01')
