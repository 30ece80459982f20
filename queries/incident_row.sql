-- incident_row: every incident in the shape the explorer shows and the CSV snapshot writes, with its
-- date-order rank seq (to join on); sectors as names joined by '; ' in taxonomy order; the sponsor state the
-- directory gives the actor (sponsor_country) and the one the source named, if any (sponsor_as_reported).
CREATE MACRO incident_row() AS TABLE
SELECT i.seq, i.incident_id, i.occurred_on, i.date_precision, a.name AS actor, i.actor_as_reported,
       a.sponsor_country, i.sponsor_as_reported, coalesce(mn.sectors, '') AS sectors, i.victim_country, i.campaign, i.title,
       i.summary, i.confidence, i.tlp, i.source, i.source_url
FROM incident AS i
JOIN actor AS a USING (actor_id)
LEFT JOIN sector_mask_name AS mn USING (sector_mask)
