-- campaign_member (see cm_part) from the incidents, for any filters (threatscape/plans.py): the matching incidents
-- within f.window_since..f.window_until (the days holding every incident of the campaigns asked about).
CREATE MACRO cm_scan.campaign_member(f, f_campaigns) AS TABLE
SELECT campaign, actor_id, victim_country
FROM filtered_incident(struct_update(f, since := f['window_since'], until := f['window_until']))
WHERE list_contains(f_campaigns, campaign)
